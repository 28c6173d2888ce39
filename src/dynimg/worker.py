"""The embedded worker pool: threads that run announced tasks, fed by polling the database.

``dynimg worker`` runs one per process when the queue URL is ``memory://`` (``dynimg serve``
starts such processes itself). Nothing carries announcements between processes in this mode,
so each pool asks the database for due work twice a second; the claim on each row decides who
runs it, so pools in several processes cooperate without running anything twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from dynimg.adapters.dispatch.memory import InProcessDispatcher
from dynimg.services.tasks import TaskDeps, due_work, run_task, tick

log = logging.getLogger("dynimg.worker")
POLL_SECONDS = 0.5
TICK_SECONDS = 1.0
STALE_SECONDS = 10.0
"""Work due and still waiting this long, with the broker unreachable, is run by the fallback."""
CHECK_SECONDS = 5.0


class WorkerPool:
    """``concurrency`` task threads plus one thread that polls for due work and ticks."""

    def __init__(self, deps: TaskDeps, dispatcher: InProcessDispatcher, concurrency: int) -> None:
        self._deps, self._dispatcher = deps, dispatcher
        dispatcher.attach()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._work, name=f"dynimg-worker-{n}", daemon=True)
            for n in range(concurrency)
        ]
        self._threads.append(threading.Thread(target=self._poll, name="dynimg-poll", daemon=True))

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 30) -> None:
        """Let running tasks finish (up to ``timeout``); unfinished ones are recovered later."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0))

    def _work(self) -> None:
        while not self._stop.is_set():
            item = self._dispatcher.take(timeout=0.5)
            if item is None:
                continue
            try:
                run_task(self._deps, *item)
            except Exception:
                log.exception("task %s %s could not be run", *item)

    def _poll(self) -> None:
        next_tick = 0.0
        while not self._stop.wait(POLL_SECONDS):
            try:
                if time.monotonic() >= next_tick:
                    tick(self._deps)
                    next_tick = time.monotonic() + TICK_SECONDS
                for kind, ref in due_work(self._deps):
                    self._dispatcher.announce(kind, ref)
            except Exception:
                log.exception("polling for due work failed")


class Ticker:
    """Runs the periodic kinds from a worker process whose tasks come from a broker."""

    def __init__(self, deps: TaskDeps) -> None:
        self._deps = deps
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dynimg-ticker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            tick(self._deps)


class BrokerFallback(WorkerPool):
    """Runs due work in this process while the broker cannot be reached (a Celery worker's
    parent process), so a broker outage delays work instead of stopping it.

    Every ``check`` seconds it asks the database for work that has waited ``stale`` seconds
    past its due time; only when there is some does it check the broker (a fresh connection),
    and only when the broker does not answer does it run that work on its own ``concurrency``
    threads, through the same lifecycle: the claim decides, so a message delivered once the
    broker is back finds the work done and does nothing. While the broker answers, waiting
    work is the Celery workers' (a backlog is not an outage).
    """

    def __init__(
        self,
        deps: TaskDeps,
        reachable: Callable[[], bool],
        concurrency: int,
        stale: float = STALE_SECONDS,
        check: float = CHECK_SECONDS,
    ) -> None:
        self._reachable, self._stale, self._check = reachable, timedelta(seconds=stale), check
        super().__init__(deps, InProcessDispatcher(), concurrency)

    def _poll(self) -> None:
        while not self._stop.wait(self._check):
            try:
                stale = due_work(self._deps, waited=self._stale)
                if stale and not self._reachable():
                    log.warning("broker unreachable: running %d due tasks here", len(stale))
                    for kind, ref in stale:
                        self._dispatcher.announce(kind, ref)
            except Exception:
                log.exception("the broker fallback could not look for due work")
