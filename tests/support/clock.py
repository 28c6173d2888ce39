"""A clock that stands still until a test moves it."""

from __future__ import annotations

from datetime import UTC, datetime


class FixedClock:
    """Implements ``ports.Clock``; set or advance ``moment`` to move time."""

    def __init__(self, moment: datetime | None = None) -> None:
        self.moment = moment or datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment
