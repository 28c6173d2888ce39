"""What use cases report for monitoring."""

from __future__ import annotations

from typing import Protocol


class Metrics(Protocol):
    """What use cases report for monitoring; the Prometheus adapter counts it.

    Every method must be cheap and must never raise: observing is not worth failing work for.
    Labels are small closed sets (Actions, formats, outcomes), never ids.
    """

    def request_served(self, action: str, code: int, seconds: float) -> None:
        """An RPC request was answered with HTTP ``code`` after ``seconds``."""
        ...

    def job_finished(self, fmt: str, status: str, seconds: float) -> None:
        """A job reached ``status`` (Success or Fail) ``seconds`` after it was submitted."""
        ...

    def rendered(self, fmt: str, seconds: float) -> None:
        """The media engine rendered one animated image in ``seconds``."""
        ...

    def callback_attempted(self, delivered: bool, gave_up: bool) -> None:
        """One callback delivery attempt ended; ``gave_up``: it was the event's last."""
        ...

    def uploaded(self, size: int) -> None:
        """A client's upload stored ``size`` bytes."""
        ...

    def storage_failed(self, operation: str) -> None:
        """A storage ``operation`` (put, delete, ...) failed with StorageError."""
        ...

    def body_reading(self, delta: int) -> None:
        """A request body started (+1) or ended (-1) arriving."""
        ...

    def slow_client(self, reason: str) -> None:
        """A client was cut off for being too slow (``body_idle``: its body stalled)."""
        ...


class NullMetrics:
    """Counts nothing: the default where no one scrapes (one-shot commands, tests)."""

    def request_served(self, action: str, code: int, seconds: float) -> None:
        pass

    def job_finished(self, fmt: str, status: str, seconds: float) -> None:
        pass

    def rendered(self, fmt: str, seconds: float) -> None:
        pass

    def callback_attempted(self, delivered: bool, gave_up: bool) -> None:
        pass

    def uploaded(self, size: int) -> None:
        pass

    def storage_failed(self, operation: str) -> None:
        pass

    def body_reading(self, delta: int) -> None:
        pass

    def slow_client(self, reason: str) -> None:
        pass
