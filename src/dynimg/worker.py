"""Job workers: threads that run jobs, recover stalled ones and deliver events.

``dynimg serve`` runs a pool inside the server process; ``dynimg worker`` runs one on its own,
against the same database and storage. Pools in several processes cooperate through the
database: claiming a job is a compare-and-set, so each job runs once at a time.
"""

from __future__ import annotations

import logging
import threading
import time

from dynimg.ports import CallbackSender
from dynimg.services.job_runner import JobDeps, run_job, sweep
from dynimg.services.notifications import deliver_due

log = logging.getLogger("dynimg.worker")
SWEEP_SECONDS = 1.0


class WorkerPool:
    """``concurrency`` job threads plus one thread for sweeping and event delivery."""

    def __init__(self, deps: JobDeps, sender: CallbackSender, concurrency: int) -> None:
        self._deps, self._sender = deps, sender
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._work, name=f"dynimg-worker-{n}", daemon=True)
            for n in range(concurrency)
        ]
        self._threads.append(
            threading.Thread(target=self._maintain, name="dynimg-sweeper", daemon=True)
        )

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 30) -> None:
        """Let running jobs finish (up to ``timeout``); unfinished ones are recovered later."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0))

    def wait(self) -> None:
        self._stop.wait()

    def _work(self) -> None:
        while not self._stop.is_set():
            job_id = self._deps.queue.pop(timeout=0.5)
            if job_id is None:
                continue
            try:
                run_job(self._deps, job_id)
            except Exception:
                log.exception("job %s could not be run", job_id)

    def _maintain(self) -> None:
        while not self._stop.wait(SWEEP_SECONDS):
            try:
                sweep(self._deps)
                deliver_due(self._deps.uow_factory, self._deps.clock, self._sender)
            except Exception:
                log.exception("sweeping failed")
