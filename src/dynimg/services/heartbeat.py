"""The worker runtime's heartbeat: renews a held row's lease while its work shows signs of life.

Each beat extends the lease by the kind's lease (a quarter of it between beats) and touches
nothing else. It stops renewing once the work is past its deadline, or has shown no sign of
life for a whole stall window: such work is stuck (in native code, where no Python deadline
reaches), and letting the lease lapse hands the row to another attempt.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from dynimg.domain.work import RetryPolicy

log = logging.getLogger("dynimg.work")


class Liveness:
    """Signs of life from running work (progress reports), for the heartbeat to judge."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._policy = policy
        self._started = self.last_sign = time.monotonic()

    def touch(self) -> None:
        """The work is alive and moving (it reported progress)."""
        self.last_sign = time.monotonic()

    def stuck(self) -> bool:
        """Whether the work outlived its deadline or stopped showing signs of life."""
        now, policy = time.monotonic(), self._policy
        if policy.deadline is not None and now - self._started > policy.deadline.total_seconds():
            return True
        return policy.stall is not None and now - self.last_sign > policy.stall.total_seconds()


class Heartbeat:
    """A thread that calls ``renew`` every quarter lease until stopped or the work is stuck."""

    def __init__(
        self, name: str, policy: RetryPolicy, liveness: Liveness, renew: Callable[[], object]
    ) -> None:
        self._name, self._liveness, self._renew = name, liveness, renew
        self._interval = policy.lease.total_seconds() / 4
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"dynimg-lease-{name}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self._interval):
            if self._liveness.stuck():
                log.error("%s is stuck; letting its lease lapse", self._name)
                return
            try:
                self._renew()
            except Exception:
                log.exception("could not renew the lease of %s", self._name)
