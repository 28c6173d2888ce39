"""The contracts between use cases and the outside world. Adapters implement them.

Repositories never commit: the caller's :class:`UnitOfWork` owns the transaction, one per request
or job step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

from dynimg.domain.accounts import AccessKey, Account
from dynimg.domain.console_users import ConsoleSession, ConsoleUser
from dynimg.domain.events import MessageCallback
from dynimg.domain.jobs import DynamicImage, DynamicImageJob
from dynimg.domain.media import MediaInfo
from dynimg.domain.media_files import MediaFile
from dynimg.domain.on_demand import OnDemandRender
from dynimg.domain.outbox import OutboxMessage
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.tasks import Task, TaskKind
from dynimg.domain.templates import Template
from dynimg.domain.uploads import UploadGrant
from dynimg.domain.usage import UsageRow
from dynimg.domain.videos import Video, VideoStatus
from dynimg.domain.watermarks import Watermark


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


class VideoRepository(Protocol):
    """Videos; ``account_id=None`` only for dynimg's own background processing."""

    def add(self, video: Video) -> None: ...
    def get(self, account_id: str | None, video_id: str) -> Video | None: ...
    def list(
        self, account_id: str, statuses: Sequence[str], offset: int, limit: int, newest_first: bool
    ) -> tuple[int, Sequence[Video]]: ...
    def with_status(self, status: VideoStatus) -> Sequence[Video]: ...
    def update(self, video: Video) -> None: ...
    def delete(self, account_id: str, video_id: str) -> bool: ...


class MediaFileRepository(Protocol):
    """Images and attached media."""

    def add(self, media: MediaFile) -> None: ...
    def get(self, account_id: str | None, media_id: str) -> MediaFile | None: ...
    def get_by_key(self, account_id: str, storage_key: str) -> MediaFile | None: ...
    def update(self, media: MediaFile) -> None: ...


class UploadGrantRepository(Protocol):
    """Temporary upload credentials."""

    def add(self, grant: UploadGrant) -> None: ...
    def get(self, key_id: str) -> UploadGrant | None: ...
    def complete(self, key_id: str, now: datetime) -> bool:
        """Mark the grant's upload complete (its credentials stop writing); False if it was."""
        ...

    def delete_for(self, target_id: str) -> None: ...
    def purge(self, now: datetime) -> int: ...


class MultipartRepository(Protocol):
    """Multipart uploads in progress: (part number, size, MD5) per part."""

    def create(self, upload_id: str, account_id: str, object_key: str, now: datetime) -> None: ...
    def object_key(self, upload_id: str) -> str | None: ...
    def put_part(self, upload_id: str, number: int, size: int, md5_hex: str) -> None: ...
    def parts(self, upload_id: str) -> list[tuple[int, int, str]]: ...
    def stale(self, before: datetime) -> list[tuple[str, list[int]]]: ...
    def delete(self, upload_id: str) -> None: ...


class WatermarkRepository(Protocol):
    """Watermarks, always within one account; at most one is the account's default."""

    def add(self, watermark: Watermark) -> None: ...
    def get(self, account_id: str, watermark_id: str) -> Watermark | None: ...
    def default(self, account_id: str) -> Watermark | None: ...
    def list(self, account_id: str) -> Sequence[Watermark]: ...
    def update(self, watermark: Watermark) -> None: ...
    def set_default(self, account_id: str, watermark_id: str) -> None: ...
    def delete(self, account_id: str, watermark_id: str) -> bool: ...


class JobRepository(Protocol):
    """Animated-image jobs; claim and update_running are compare-and-set."""

    def add(self, job: DynamicImageJob) -> None: ...
    def get(self, account_id: str | None, job_id: str) -> DynamicImageJob | None: ...
    def claim(self, job_id: str, now: datetime, lease_until: datetime) -> bool: ...
    def update_running(self, job_id: str, attempt: int, **values: Any) -> bool: ...
    def due(self, now: datetime, limit: int, announced_before: datetime | None = None) -> list[str]:
        """Queued jobs due by ``now``; with ``announced_before``, only those not announced since."""
        ...

    def mark_announced(self, job_ids: Sequence[str], now: datetime) -> None: ...
    def expired(self, now: datetime) -> list[DynamicImageJob]: ...
    def count_by_status(self) -> dict[str, int]:
        """How many jobs are in each status (statuses with none are left out)."""
        ...

    def oldest_queued(self) -> datetime | None:
        """When the longest-waiting Queued job was submitted; None when none is queued."""
        ...

    def list(
        self, account_id: str, video_id: str | None, status: str | None, offset: int, limit: int
    ) -> tuple[int, Sequence[DynamicImageJob]]: ...


class DynamicImageRepository(Protocol):
    """Animated images."""

    def add(self, image: DynamicImage) -> None: ...
    def for_video(self, account_id: str, video_id: str) -> Sequence[DynamicImage]: ...
    def page_for_video(
        self, account_id: str, video_id: str, offset: int, limit: int
    ) -> tuple[int, Sequence[DynamicImage]]: ...
    def get(self, image_id: str) -> DynamicImage | None: ...
    def delete(self, image_id: str) -> None: ...


class CallbackRepository(Protocol):
    """Each account's HTTP callback."""

    def get(self, account_id: str) -> MessageCallback | None: ...
    def put(self, callback: MessageCallback) -> None: ...
    def delete(self, account_id: str) -> None: ...


class OutboxRepository(Protocol):
    """Events waiting for delivery; ``claim`` and ``record`` are compare-and-set on attempts."""

    def add(self, message: OutboxMessage) -> None: ...
    def get(self, account_id: str | None, message_id: str) -> OutboxMessage | None: ...
    def due(self, now: datetime, limit: int, announced_before: datetime | None = None) -> list[str]:
        """Ids of pending events due by ``now`` (not announced since ``announced_before``)."""
        ...

    def mark_announced(self, message_ids: Sequence[str], now: datetime) -> None: ...
    def claim(self, message_id: str, now: datetime, lease_until: datetime) -> OutboxMessage | None:
        """Take a due event for one delivery attempt (attempts + 1), held until ``lease_until``."""
        ...

    def record(self, message_id: str, attempts: int, **values: Any) -> bool:
        """Record the outcome of attempt ``attempts``, only if no later attempt took over."""
        ...

    def list(
        self, account_id: str, state: str | None, offset: int, limit: int
    ) -> tuple[int, Sequence[OutboxMessage]]:
        """An account's events, newest first; ``state``: pending, delivered or failed."""
        ...

    def redeliver(self, account_id: str, message_id: str, now: datetime) -> bool:
        """Make a given-up event pending again with a fresh attempt budget."""
        ...


class TaskRepository(Protocol):
    """Durable background tasks that have no table of their own (probing uploads)."""

    def add(self, task: Task) -> None: ...
    def get(self, kind: TaskKind, ref: str) -> Task | None: ...
    def claim(self, kind: TaskKind, ref: str, now: datetime, lease_until: datetime) -> Task | None:
        """Queued and due -> Running with attempt + 1; None when not claimable."""
        ...

    def update_running(self, kind: TaskKind, ref: str, attempt: int, **values: Any) -> bool:
        """Change a Running task, only while ``attempt`` still holds it."""
        ...

    def due(
        self, now: datetime, limit: int, announced_before: datetime | None = None
    ) -> list[tuple[TaskKind, str]]: ...
    def mark_announced(self, keys: Sequence[tuple[TaskKind, str]], now: datetime) -> None: ...
    def expired(self, now: datetime) -> list[Task]: ...


class PeriodicRepository(Protocol):
    """When each periodic kind runs next, shared by the whole cluster."""

    def claim(self, name: str, now: datetime, next_run_at: datetime) -> bool:
        """Take the run that is due at ``now``; only one caller per slot gets True."""
        ...


class UsageRepository(Protocol):
    """Daily usage counters."""

    def add(self, account_id: str, row: UsageRow) -> None: ...
    def between(self, account_id: str, first_day: str, last_day: str) -> list[UsageRow]: ...


class OnDemandRepository(Protocol):
    """On-demand renders: one row per account, video and canonical parameters."""

    def lock_account(self, account_id: str) -> None:
        """Hold the account until commit, so counting and claiming renders is atomic."""
        ...

    def get(self, account_id: str, video_id: str, key: str) -> OnDemandRender | None: ...
    def claim(self, render: OnDemandRender) -> bool:
        """Insert the row; False when one with the same key exists."""
        ...

    def replace_job(self, render: OnDemandRender, old_job_id: str) -> bool:
        """Point the row at ``render.job_id`` if it still names ``old_job_id``."""
        ...

    def in_flight(self, account_id: str) -> int:
        """How many of the account's on-demand jobs are Queued or Processing."""
        ...


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

    def image_size(self, path: Path) -> tuple[int, int]:
        """Width and height of an image file, read from its header without decoding it.

        UnreadableWatermark if it is not an image, MediaLimitExceeded over the image limits.
        """
        ...

    def render(
        self,
        source: Path,
        spec: RenderSpec,
        output: Path,
        on_progress: Callable[[float], None] | None = None,
    ) -> RenderResult:
        """Render ``spec`` from ``source`` into ``output``, written atomically.

        ``on_progress`` is called with the fraction done (0 to 1) as frames are processed.
        """
        ...


@dataclass(frozen=True)
class StoredObject:
    """What a storage backend reports about an object it holds."""

    key: str
    size: int
    md5_hex: str


class Storage(Protocol):
    """Object storage for videos, images and animated images, addressed by validated keys."""

    def put(
        self,
        key: str,
        chunks: Iterator[bytes],
        *,
        max_bytes: int | None = None,
        md5_hex: str | None = None,
    ) -> StoredObject:
        """Store ``chunks`` under ``key`` atomically; ObjectTooLarge past ``max_bytes``.

        With ``md5_hex``, bytes with another MD5 are InvalidDigest. On any error, what was stored
        under ``key`` before stays as it was.
        """
        ...

    def open_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes of [start, end) (to the end when None); ObjectNotFound if absent."""
        ...

    def delete(self, key: str) -> bool:
        """Remove an object; False when there was none."""
        ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int:
        """The object's size in bytes; ObjectNotFound if absent."""
        ...

    def readable(self, key: str) -> AbstractContextManager[Path]:
        """A local file with the object's bytes while the ``with`` block runs.

        For the media engine and Pillow, which read files. Local disk yields the stored file
        itself; a remote backend downloads a temporary copy and removes it on exit.
        ObjectNotFound if absent.
        """
        ...

    def presigned_get(self, key: str, expires_seconds: int) -> str | None:
        """A URL anyone may GET the object at for at most ``min(expires_seconds, 300)`` s.

        None when the backend has no such URLs (local disk): then dynimg streams the bytes.
        """
        ...


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


class CallbackSender(Protocol):
    """Delivers one event over HTTP; raises on anything but a 200 within the timeout."""

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None: ...
