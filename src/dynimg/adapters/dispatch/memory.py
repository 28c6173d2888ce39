"""The embedded dispatcher: announcements handed between threads of one process."""

from __future__ import annotations

import queue
import threading

from dynimg.domain.tasks import TaskKind

Announcement = tuple[TaskKind, str]


class InProcessDispatcher:
    """Implements ``ports.Dispatcher`` for ``memory://``.

    Only a process that runs workers consumes announcements (it calls :meth:`attach`); in any
    other process (an API process whose workers are separate processes) announcements are
    dropped, because the workers find due work in the database by themselves. An announcement
    already waiting is not queued twice.
    """

    def __init__(self) -> None:
        self._items: queue.Queue[Announcement] = queue.Queue()
        self._waiting: set[Announcement] = set()
        self._lock = threading.Lock()
        self._attached = False

    def attach(self) -> None:
        """Start keeping announcements: this process runs workers that :meth:`take` them."""
        self._attached = True

    def announce(self, kind: TaskKind, ref: str) -> None:
        item = (kind, ref)
        with self._lock:
            if not self._attached or item in self._waiting:
                return
            self._waiting.add(item)
        self._items.put(item)

    def reachable(self) -> bool:
        """Always: there is no broker, workers find their work in the database."""
        return True

    def take(self, timeout: float) -> Announcement | None:
        """The next announcement, or None after ``timeout`` seconds."""
        try:
            item = self._items.get(timeout=timeout)
        except queue.Empty:
            return None
        with self._lock:
            self._waiting.discard(item)
        return item
