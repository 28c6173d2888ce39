"""The transaction use cases open, and the repositories it hands out.

Repositories never commit: the caller's :class:`UnitOfWork` owns the transaction, one per request
or job step.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from dynimg.ports.accounts import (
    AccessKeyRepository,
    AccountRepository,
    ConsoleSessionRepository,
    ConsoleUserRepository,
    NonceRepository,
)
from dynimg.ports.jobs import (
    DynamicImageRepository,
    JobRepository,
    OnDemandRepository,
    UsageRepository,
)
from dynimg.ports.media import (
    MediaFileRepository,
    MultipartRepository,
    UploadGrantRepository,
    VideoRepository,
)
from dynimg.ports.snapshots import SnapshotJobRepository, SnapshotRepository
from dynimg.ports.templates import TemplateRepository, WatermarkRepository
from dynimg.ports.url_uploads import UrlUploadRepository
from dynimg.ports.work import (
    CallbackRepository,
    OutboxRepository,
    PeriodicRepository,
    TaskRepository,
)


class UnitOfWork(Protocol):
    """One transaction over all repositories; leaving without ``commit`` rolls back."""

    @property
    def accounts(self) -> AccountRepository: ...
    @property
    def access_keys(self) -> AccessKeyRepository: ...
    @property
    def console_users(self) -> ConsoleUserRepository: ...
    @property
    def console_sessions(self) -> ConsoleSessionRepository: ...
    @property
    def templates(self) -> TemplateRepository: ...
    @property
    def nonces(self) -> NonceRepository: ...
    @property
    def videos(self) -> VideoRepository: ...
    @property
    def watermarks(self) -> WatermarkRepository: ...
    @property
    def jobs(self) -> JobRepository: ...
    @property
    def images(self) -> DynamicImageRepository: ...
    @property
    def callbacks(self) -> CallbackRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def usage(self) -> UsageRepository: ...
    @property
    def tasks(self) -> TaskRepository: ...
    @property
    def periodic(self) -> PeriodicRepository: ...
    @property
    def media_files(self) -> MediaFileRepository: ...
    @property
    def upload_grants(self) -> UploadGrantRepository: ...
    @property
    def multipart(self) -> MultipartRepository: ...
    @property
    def on_demand(self) -> OnDemandRepository: ...
    @property
    def snapshot_jobs(self) -> SnapshotJobRepository: ...
    @property
    def snapshots(self) -> SnapshotRepository: ...
    @property
    def url_uploads(self) -> UrlUploadRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
