// Package pyworker holds the Python worker example (worker.py, standard
// library only): top_k_users fails on a cold cache and the worker logs
// the traceback as JSON with trace IDs. Its Go tests run the worker's
// unittest suite and ingest a real run's log into TAG.
package pyworker
