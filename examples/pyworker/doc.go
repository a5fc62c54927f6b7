// Package pyworker holds the Python worker example (worker.py, standard
// library only): top_k_users fails on a cold cache and the worker logs
// the traceback as JSON with trace IDs, and, with
// OTEL_EXPORTER_OTLP_ENDPOINT set, exports each job as an OTLP/HTTP JSON
// span and log record. Its Go tests run the worker's unittest suite,
// ingest a real run's log into TAG, and send a run's telemetry to a real
// receiver.
package pyworker
