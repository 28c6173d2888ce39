"""Celery as dynimg's distributed doorbell: one task, ``dynimg.run(kind, ref)``.

The message carries ids only; the handler claims the task's row in the database before doing
anything, so a redelivered message is a no-op and a lost one is announced again by the sweep.
Each setting below is there because renders take minutes and can hang in native code:

- ``task_acks_late`` + ``task_reject_on_worker_lost``: the message is acknowledged after the
  task, and a child killed mid-task (SIGKILL, OOM) puts the message back instead of losing it.
- ``worker_prefetch_multiplier=1``: a busy child does not hoard messages another could run.
- soft and hard time limits above the engine's render deadline: a render hung in native code,
  which no Python deadline reaches, has its child killed; the job's lease then lapses.
- ``worker_max_memory_per_child``: a child that grew (fragmentation, a large frame) is replaced.
- durable queue and persistent messages, publisher confirms: an announcement the broker
  acknowledged survives a broker restart.
- broker heartbeat: a dead connection is noticed in about two heartbeats.
- announcing is bounded (connect, publish and its confirm within ``timeout_seconds``; a second
  try only when the first failed fast, as on a connection a restarted broker dropped) and,
  after a failure, skipped for a few seconds: the job is safe in the database and the sweep
  announces it, so a broker that hangs must not hold every Submit for its timeout.

With a Redis broker, an unacknowledged message comes back only after the visibility timeout,
which must exceed the longest task; it is set above the hard limit. RabbitMQ needs no such
timeout (it redelivers when the consumer's connection drops), which is why it is recommended.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown
from kombu import Queue

from dynimg.adapters.breaker import Breaker
from dynimg.domain.tasks import TaskKind

log = logging.getLogger("dynimg.dispatch")
TASK_NAME = "dynimg.run"
PROBE_TIMEOUT = 3


@dataclass(frozen=True)
class CeleryConfig:
    """What the Celery app is built from (a slice of the settings)."""

    broker_url: str
    queue: str
    render_seconds: float
    max_memory_mb: int
    heartbeat_seconds: int
    timeout_seconds: float = 3.0
    publisher: bool = False
    """An app that only publishes (the dispatcher's): its sockets time out too, so closing a
    connection to a broker that hangs cannot block (a consumer's idle socket must not)."""

    @property
    def soft_limit(self) -> float:
        """Above the render deadline plus time to fetch the source and store the result."""
        return self.render_seconds + 120

    @property
    def hard_limit(self) -> float:
        return self.soft_limit + 30


def make_app(config: CeleryConfig, run: Callable[[TaskKind, str], None]) -> Celery:
    """The Celery app, with ``dynimg.run`` calling ``run`` in the worker's child process."""
    app = Celery("dynimg", broker=config.broker_url, set_as_current=False)
    transport: dict[str, object] = {"confirm_publish": True}
    if config.publisher:
        transport |= {
            "read_timeout": config.timeout_seconds,
            "write_timeout": config.timeout_seconds,
        }
    if config.broker_url.startswith(("redis://", "rediss://")):
        transport = {"visibility_timeout": int(config.hard_limit * 2)}
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=config.soft_limit,
        task_time_limit=config.hard_limit,
        worker_max_memory_per_child=config.max_memory_mb * 1024,
        task_default_queue=config.queue,
        task_queues=[Queue(config.queue, durable=True)],
        task_default_delivery_mode="persistent",
        broker_transport_options=transport,
        broker_heartbeat=config.heartbeat_seconds,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=config.timeout_seconds,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        # No remote control: dynimg never uses it, and its queue is exclusive per node name
        # (celery@host), so a second worker on the same machine died with RESOURCE_LOCKED.
        worker_enable_remote_control=False,
    )

    # Not shared: a process holding two apps (the dispatcher's and the worker's) would give
    # each one the other's task too, under the same name (DuplicateTaskNameWarning).
    @app.task(name=TASK_NAME, shared=False)
    def _run(kind: str, ref: str) -> None:
        run(TaskKind(kind), ref)

    return app


def on_child_start(callback: Callable[[], None]) -> None:
    """Call ``callback`` in each worker child as it starts (release what the parent opened)."""

    def _handler(**_: object) -> None:
        callback()

    worker_process_init.connect(_handler, weak=False)


def on_child_stop(callback: Callable[[], None]) -> None:
    """Call ``callback`` in each worker child as it stops (it exits without ``atexit``)."""

    def _handler(**_: object) -> None:
        callback()

    worker_process_shutdown.connect(_handler, weak=False)


class CeleryDispatcher:
    """Implements ``ports.Dispatcher`` by publishing ``dynimg.run(kind, ref)``."""

    def __init__(self, app: Celery, queue: str) -> None:
        self._app, self._queue = app, queue
        self._timeout = float(app.conf.broker_connection_timeout or 3.0)
        self._breaker = Breaker()
        self._senders: tuple[int, ThreadPoolExecutor] | None = None

    def announce(self, kind: TaskKind, ref: str) -> None:
        if self._breaker.open:  # the broker failed seconds ago: leave this one to the sweep
            return
        # On a thread, so the caller waits at most the timeout: after a publish times out,
        # kombu closes the channel and the connection, each waiting for the broker again.
        future = self._sender().submit(self._send, kind, ref)
        try:
            future.result(timeout=self._timeout)
        except FutureTimeout:
            self._failed(kind, ref, "no answer")
        except Exception as exc:  # the work is safe in the database; the sweep announces it
            self._failed(kind, ref, type(exc).__name__)

    def _send(self, kind: TaskKind, ref: str) -> None:
        started = time.monotonic()
        try:
            self._publish(kind, ref)
        except Exception:
            # A connection the broker dropped (a restart) fails at once: try a fresh one. One
            # that hangs has spent the timeout already: the sweep will announce the work.
            if time.monotonic() - started >= self._timeout / 2:
                raise
            self._publish(kind, ref)

    def _publish(self, kind: TaskKind, ref: str) -> None:
        self._app.send_task(
            TASK_NAME, (kind.value, ref), queue=self._queue, retry=False,
            timeout=self._timeout, confirm_timeout=self._timeout,
        )  # fmt: skip

    def _sender(self) -> ThreadPoolExecutor:
        """This process's publishing threads (a forked child must not inherit the parent's)."""
        if self._senders is None or self._senders[0] != os.getpid():
            executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="dynimg-announce")
            self._senders = (os.getpid(), executor)
        return self._senders[1]

    def _failed(self, kind: TaskKind, ref: str, reason: str) -> None:
        if self._breaker.failed():
            log.warning("could not announce %s %s: %s", kind, ref, reason)

    def reachable(self) -> bool:
        """Whether a fresh connection to the broker opens within a few seconds."""
        try:
            # A connection of its own, not the publisher pool's: a readiness probe must not
            # wait behind (or spoil) the connections announcements use.
            with self._app.connection_for_write(connect_timeout=PROBE_TIMEOUT) as connection:
                connection.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT)
        except Exception as exc:
            log.warning("broker not reachable: %s", type(exc).__name__)
            return False
        return True

    def close(self) -> None:
        """Release the broker connections of this process."""
        if self._senders is not None and self._senders[0] == os.getpid():
            self._senders[1].shutdown(wait=False, cancel_futures=True)
        self._app.close()
