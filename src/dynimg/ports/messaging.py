"""Messages leaving the process: work announcements to workers, callbacks to clients."""

from __future__ import annotations

from typing import Protocol

from dynimg.domain.tasks import TaskKind


class Dispatcher(Protocol):
    """A doorbell for background work: carries ``(kind, ref)`` only, never state.

    The database decides who runs what, so an announcement may be lost (the sweeper announces
    due work again) or delivered twice (the second claim fails). Call it after the commit that
    made the work due, and never let it raise into the caller: work is already safe.
    """

    def announce(self, kind: TaskKind, ref: str) -> None: ...

    def reachable(self) -> bool:
        """Whether announcements can reach the workers now (the broker answers)."""
        ...


class CallbackSender(Protocol):
    """Delivers one event over HTTP; raises on anything but a 200 within the timeout."""

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None: ...
