"""Writes the Python fixtures with the standard logging module.

"ecs" uses ECSFormatter below (Elastic Common Schema keys: @timestamp,
log.level, message, log.origin.*, error.* with the exc_info traceback as
error.stack_trace, trace.id/span.id). "plain" uses PlainJSONFormatter,
the key names of python-json-logger's defaults (asctime, levelname, name,
message, exc_info) plus OpenTelemetry's logging instrumentation keys
(otelTraceID, otelSpanID, otelServiceName). Neither library is installed
here, so the formatters are written out; the records, levels, times and
tracebacks are the logging module's own.
"""
import json
import logging
import sys
import traceback

TRACE_ID = "5b8efff798038103d269b633813fc60c"
SPAN_ID = "eee19b7ec3c1b174"


class ECSFormatter(logging.Formatter):
    def format(self, record):
        doc = {
            "@timestamp": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + ".%03dZ" % record.msecs,
            "log.level": record.levelname.lower(),
            "message": record.getMessage(),
            "ecs.version": "1.6.0",
            "log": {
                "logger": record.name,
                "origin": {
                    "file": {"name": record.filename, "line": record.lineno},
                    "function": record.funcName,
                },
            },
            "process": {"pid": 4242, "thread": {"name": record.threadName}},
            "service.name": "inventory",
        }
        for key in ("trace.id", "span.id", "labels"):
            if hasattr(record, key.replace(".", "_")):
                doc[key] = getattr(record, key.replace(".", "_"))
        if record.exc_info:
            etype, value, _ = record.exc_info
            doc["error"] = {
                "type": etype.__name__,
                "message": str(value),
                "stack_trace": "".join(traceback.format_exception(*record.exc_info)),
            }
        return json.dumps(doc)


class PlainJSONFormatter(logging.Formatter):
    def format(self, record):
        doc = {
            "asctime": self.formatTime(record),
            "levelname": record.levelname,
            "name": record.name,
            "message": record.getMessage(),
            "otelTraceID": getattr(record, "otelTraceID", "0"),
            "otelSpanID": getattr(record, "otelSpanID", "0"),
            "otelServiceName": "inventory",
        }
        if record.exc_info:
            doc["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(doc)


class Stock:
    def __init__(self):
        self.items = {"apple": 3}

    def reserve(self, sku, n):
        if self.items[sku] < n:
            raise ValueError("not enough %s" % sku)
        self.items[sku] -= n


def reserve(stock, sku, n):
    try:
        stock.reserve(sku, n)
    except KeyError as e:
        raise RuntimeError("reservation failed for %s" % sku) from e


def main(kind):
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(ECSFormatter() if kind == "ecs" else PlainJSONFormatter())
    log = logging.getLogger("inventory.stock")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    if kind == "ecs":
        # ECSFormatter writes these record attributes as trace.id/span.id.
        ext = {"trace_id": TRACE_ID, "span_id": SPAN_ID}
    else:
        # The attributes OpenTelemetry's LoggingInstrumentor sets.
        ext = {"otelTraceID": TRACE_ID, "otelSpanID": SPAN_ID}
    log.debug("loading stock")
    log.info("reserving", extra=ext)
    stock = Stock()
    try:
        reserve(stock, "pear", 1)
    except RuntimeError:
        log.exception("reservation failed", extra=ext)
    try:
        stock.reserve("apple", 5)
    except ValueError:
        log.warning("partial reservation", exc_info=True, extra=ext)
    log.critical("stock service stopping")


if __name__ == "__main__":
    main(sys.argv[1])
