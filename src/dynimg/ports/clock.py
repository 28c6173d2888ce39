"""Where use cases get the time."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Where use cases get the current time from (a fixed clock in tests)."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...
