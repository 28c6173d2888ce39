"""Metrics and logs: the Prometheus adapter, its multiprocess directory, structured logging."""
