"""Request rates per account and Action, and failed sign-ins per user and address."""

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


class SignInThrottle(Protocol):
    """Failed console sign-ins per (username, client address); shared by every API process
    when Redis is configured."""

    def blocked(self, username: str, address: str) -> bool:
        """Whether this pair has used up its failed attempts for now."""
        ...

    def failed(self, username: str, address: str) -> None:
        """Count one failed attempt."""
        ...

    def succeeded(self, username: str, address: str) -> None:
        """Forget the pair's failures (it signed in)."""
        ...
