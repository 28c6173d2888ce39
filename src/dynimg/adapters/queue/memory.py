"""The embedded queue: job ids handed between threads of one process."""

from __future__ import annotations

import queue
import threading


class InProcessQueue:
    """Implements ``ports.JobQueue``; an id waiting already is not queued twice."""

    def __init__(self) -> None:
        self._ids: queue.Queue[str] = queue.Queue()
        self._waiting: set[str] = set()
        self._lock = threading.Lock()

    def push(self, job_id: str) -> None:
        with self._lock:
            if job_id in self._waiting:
                return
            self._waiting.add(job_id)
        self._ids.put(job_id)

    def pop(self, timeout: float) -> str | None:
        try:
            job_id = self._ids.get(timeout=timeout)
        except queue.Empty:
            return None
        with self._lock:
            self._waiting.discard(job_id)
        return job_id
