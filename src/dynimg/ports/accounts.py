"""Accounts, their AccessKeys and request nonces, console users and their sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from dynimg.domain.accounts import AccessKey, Account
from dynimg.domain.console_users import ConsoleSession, ConsoleUser


class AccountRepository(Protocol):
    """Accounts by id and by name."""

    def add(self, account: Account) -> None: ...
    def get(self, account_id: str) -> Account | None: ...
    def get_by_name(self, name: str) -> Account | None: ...
    def list(self) -> Sequence[Account]: ...


class AccessKeyRepository(Protocol):
    """AccessKeys; ``list`` is newest first."""

    def add(self, key: AccessKey) -> None: ...
    def get(self, key_id: str) -> AccessKey | None: ...
    def list(self, account_id: str | None = None) -> Sequence[AccessKey]: ...
    def set_enabled(self, key_id: str, enabled: bool) -> bool: ...


class ConsoleUserRepository(Protocol):
    """Console users, by id and by (globally unique) username."""

    def add(self, user: ConsoleUser) -> None: ...
    def get(self, user_id: str) -> ConsoleUser | None: ...
    def get_by_username(self, username: str) -> ConsoleUser | None: ...
    def set_password_hash(self, user_id: str, password_hash: str) -> None: ...


class ConsoleSessionRepository(Protocol):
    """Signed-in console sessions, by the SHA-256 of their id."""

    def add(self, console_session: ConsoleSession) -> None: ...
    def exists(self, id_hash: str, user_id: str) -> bool: ...
    def delete(self, id_hash: str) -> None: ...
    def delete_for_user(
        self, user_id: str, *, keep: str | None = None, before: datetime | None = None
    ) -> int:
        """Delete a user's sessions (but ``keep``; only those started ``before``); how many."""
        ...

    def purge(self, before: datetime) -> int:
        """Delete every user's sessions started ``before`` (past the absolute timeout); how many."""
        ...


class PasswordHasher(Protocol):
    """Hashes and checks console passwords."""

    def hash(self, password: str) -> str:
        """A self-describing hash of ``password`` (salt and parameters included)."""
        ...

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches; never raises for a wrong password."""
        ...

    def dummy_verify(self) -> None:
        """Spend the time of one verification, so unknown usernames cannot be told by timing."""
        ...


class NonceRepository(Protocol):
    """Signature nonces seen recently, to refuse replayed requests."""

    def remember(self, key_id: str, nonce: str, now: datetime, expires_at: datetime) -> bool:
        """Record a nonce; False when it was already used and has not expired."""
        ...

    def purge(self, now: datetime) -> int:
        """Forget expired nonces; returns how many."""
        ...
