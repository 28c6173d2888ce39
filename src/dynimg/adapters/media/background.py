"""Running a frame producer on a thread of its own, so decoding overlaps encoding.

PyAV releases the GIL while it decodes, so a producer thread keeps a few frames ready while the
consumer encodes; the bounded queue keeps memory to ``depth`` items.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

from dynimg.errors import DynimgError

T = TypeVar("T")


def in_background(producer: Iterable[T], depth: int = 6) -> Iterator[T]:
    """Iterate ``producer`` in its own thread and yield what it produces, in order; an
    exception in the producer is raised here, and closing this iterator stops the producer."""
    items: queue.Queue[T | BaseException | None] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in producer:
                if stop.is_set():
                    return
                items.put(item)
            items.put(None)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            items.put(exc if isinstance(exc, DynimgError | Exception) else RuntimeError(exc))

    worker = threading.Thread(target=produce, name="dynimg-decode", daemon=True)
    worker.start()
    try:
        while (item := items.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                items.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)
