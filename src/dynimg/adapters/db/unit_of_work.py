"""The SQLAlchemy unit of work: one session and one transaction per use.

A database that cannot be reached surfaces here, whatever the repository call that found out:
the driver's connection errors leave the unit of work as :class:`DatabaseUnavailable` (a
``ServiceUnavailable``, 503, retryable), never as the driver's own classes or their text.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from dynimg.adapters.db.console_user_repository import (
    SqlConsoleSessionRepository,
    SqlConsoleUserRepository,
)
from dynimg.adapters.db.job_repositories import (
    SqlCallbackRepository,
    SqlDynamicImageRepository,
    SqlJobRepository,
    SqlUsageRepository,
)
from dynimg.adapters.db.media_repositories import (
    SqlMediaFileRepository,
    SqlMultipartRepository,
    SqlUploadGrantRepository,
    SqlVideoRepository,
)
from dynimg.adapters.db.on_demand_repository import SqlOnDemandRepository
from dynimg.adapters.db.outbox_repository import SqlOutboxRepository
from dynimg.adapters.db.repositories import (
    SqlAccessKeyRepository,
    SqlAccountRepository,
    SqlNonceRepository,
    SqlTemplateRepository,
    SqlWatermarkRepository,
)
from dynimg.adapters.db.snapshot_repositories import (
    SqlSnapshotJobRepository,
    SqlSnapshotRepository,
)
from dynimg.adapters.db.task_repositories import SqlPeriodicRepository, SqlTaskRepository
from dynimg.adapters.db.url_upload_repository import SqlUrlUploadRepository
from dynimg.errors import DatabaseUnavailable


class SqlUnitOfWork:
    """Implements ``ports.UnitOfWork``; anything not committed is rolled back on exit."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> Self:
        self._session = self._session_factory()
        self.accounts = SqlAccountRepository(self._session)
        self.access_keys = SqlAccessKeyRepository(self._session)
        self.console_users = SqlConsoleUserRepository(self._session)
        self.console_sessions = SqlConsoleSessionRepository(self._session)
        self.templates = SqlTemplateRepository(self._session)
        self.nonces = SqlNonceRepository(self._session)
        self.videos = SqlVideoRepository(self._session)
        self.jobs = SqlJobRepository(self._session)
        self.images = SqlDynamicImageRepository(self._session)
        self.callbacks = SqlCallbackRepository(self._session)
        self.outbox = SqlOutboxRepository(self._session)
        self.usage = SqlUsageRepository(self._session)
        self.watermarks = SqlWatermarkRepository(self._session)
        self.media_files = SqlMediaFileRepository(self._session)
        self.upload_grants = SqlUploadGrantRepository(self._session)
        self.multipart = SqlMultipartRepository(self._session)
        self.tasks = SqlTaskRepository(self._session)
        self.periodic = SqlPeriodicRepository(self._session)
        self.on_demand = SqlOnDemandRepository(self._session)
        self.snapshot_jobs = SqlSnapshotJobRepository(self._session)
        self.snapshots = SqlSnapshotRepository(self._session)
        self.url_uploads = SqlUrlUploadRepository(self._session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._session.rollback()
            self._session.close()
        except Exception as cleanup:
            # With an error ending the block, that error says more than the rollback after it.
            if exc is None:
                if is_unreachable(cleanup):
                    raise DatabaseUnavailable() from cleanup
                raise
        if exc is not None and is_unreachable(exc):
            raise DatabaseUnavailable() from exc

    def commit(self) -> None:
        self._session.commit()


def is_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database could not be reached or the connection broke (as
    opposed to a statement the database refused: a constraint, a syntax error)."""
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
