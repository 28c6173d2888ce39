"""Request rates per account and Action."""

from __future__ import annotations

from typing import Protocol


class RateLimiter(Protocol):
    """Counts requests per account and Action; shared by every API process when configured."""

    def allow(self, account_id: str, action: str) -> bool:
        """Count one request; False when it is over the Action's rate."""
        ...

    def retry_after(self, action: str) -> int:
        """Seconds a refused caller should wait: the length of the Action's window."""
        ...

    @property
    def shared(self) -> bool:
        """Whether the counts are shared with other processes (through Redis)."""
        ...

    def healthy(self) -> bool:
        """Whether the counts' storage answers."""
        ...
