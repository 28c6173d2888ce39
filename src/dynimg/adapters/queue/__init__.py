"""Job queues: carriers of job ids only (the database holds job state)."""
