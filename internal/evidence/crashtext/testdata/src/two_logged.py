"""Logs a handled exception with logging.exception, as services do, and
then crashes: one stderr excerpt with two tracebacks and log lines
between them."""
import logging

logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
log = logging.getLogger("billing")


def charge(amount):
    if amount < 0:
        raise ValueError(f"negative amount {amount}")
    return amount


def refund(ledger, order):
    return ledger[order]


try:
    charge(-5)
except ValueError:
    log.exception("charge failed, order 17 skipped")

refund({}, "order-18")
