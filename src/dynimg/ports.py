"""The contracts between use cases and the outside world. Adapters implement them.

Repositories never commit: the caller's :class:`UnitOfWork` owns the transaction, one per request
or job step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from dynimg.domain.accounts import AccessKey, Account
from dynimg.domain.media import MediaInfo
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.templates import Template


class Clock(Protocol):
    """Where use cases get the current time from (a fixed clock in tests)."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


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


class TemplateRepository(Protocol):
    """Templates, always looked up within one account."""

    def add(self, template: Template) -> None: ...
    def get(self, account_id: str, template_id: str) -> Template | None: ...
    def list(self, account_id: str, template_type: str) -> Sequence[Template]: ...
    def update(self, template: Template) -> None: ...
    def delete(self, account_id: str, template_id: str) -> bool: ...


class NonceRepository(Protocol):
    """Signature nonces seen recently, to refuse replayed requests."""

    def remember(self, key_id: str, nonce: str, now: datetime, expires_at: datetime) -> bool:
        """Record a nonce; False when it was already used and has not expired."""
        ...

    def purge(self, now: datetime) -> int:
        """Forget expired nonces; returns how many."""
        ...


class UnitOfWork(Protocol):
    """One transaction over all repositories; leaving without ``commit`` rolls back."""

    @property
    def accounts(self) -> AccountRepository: ...
    @property
    def access_keys(self) -> AccessKeyRepository: ...
    @property
    def templates(self) -> TemplateRepository: ...
    @property
    def nonces(self) -> NonceRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class MediaEngine(Protocol):
    """Probes videos and renders animated images; needs no database."""

    def probe(self, path: Path) -> MediaInfo:
        """Container and stream facts of a video file (UnreadableMedia, NoVideoStream)."""
        ...

    def render(self, source: Path, spec: RenderSpec, output: Path) -> RenderResult:
        """Render ``spec`` from ``source`` into ``output``, written atomically."""
        ...
