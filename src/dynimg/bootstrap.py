"""The composition root: builds every collaborator from one Settings object, and nothing else does.

Nothing here runs at import time; entry points call :func:`build_services` once. Backends are
imported when they are built, so a command that only renders does not load the database,
storage or HTTP stacks.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.domain.limits import MediaLimits
from dynimg.errors import ConfigurationError
from dynimg.settings import Settings

if TYPE_CHECKING:
    from dynimg.domain.uploads import UploadPolicy
    from dynimg.domain.url_signing import DeliveryPolicy
    from dynimg.ports import (
        CallbackSender,
        Clock,
        JobQueue,
        MediaEngine,
        Storage,
        UnitOfWork,
        UnitOfWorkFactory,
    )
    from dynimg.services.job_runner import JobDeps


@dataclass
class Services:
    """Everything the entry points hand to use cases."""

    settings: Settings
    uow_factory: UnitOfWorkFactory
    clock: Clock
    storage: Storage
    engine: MediaEngine
    upload_policy: UploadPolicy
    delivery: DeliveryPolicy
    queue: JobQueue
    sender: CallbackSender
    schedule: Callable[[Callable[[], None]], None]
    """Runs background work (post-upload processing) off the request path."""
    _closers: list[Callable[[], None]] = field(default_factory=list)

    @property
    def job_deps(self) -> JobDeps:
        """What job runs need, for workers in this process."""
        from datetime import timedelta

        from dynimg.services.job_runner import JobDeps

        return JobDeps(
            uow_factory=self.uow_factory,
            clock=self.clock,
            storage=self.storage,
            engine=self.engine,
            queue=self.queue,
            uploads=self.upload_policy,
            delivery=self.delivery,
            lease=timedelta(seconds=self.settings.job_lease_seconds),
        )

    def close(self) -> None:
        """Release connections and other resources."""
        for closer in reversed(self._closers):
            closer()
        self._closers.clear()


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Wire dynimg for ``settings``: database (migrated to the latest schema), clock, ..."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy.orm import sessionmaker

    from dynimg.adapters.callbacks import HttpCallbackSender
    from dynimg.adapters.clock import SystemClock
    from dynimg.adapters.db.engine import make_engine
    from dynimg.adapters.db.migrate import upgrade
    from dynimg.adapters.db.unit_of_work import SqlUnitOfWork
    from dynimg.adapters.queue.memory import InProcessQueue
    from dynimg.domain.uploads import UploadPolicy
    from dynimg.domain.url_signing import DeliveryPolicy

    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    session_factory = sessionmaker(engine, expire_on_commit=False)

    def uow_factory() -> UnitOfWork:
        return SqlUnitOfWork(session_factory)

    background = ThreadPoolExecutor(2, thread_name_prefix="dynimg-background")
    sender = HttpCallbackSender(allow_private=settings.allow_private_callbacks)

    def schedule(work: Callable[[], None]) -> None:
        background.submit(_logged, work)

    return Services(
        settings=settings,
        uow_factory=uow_factory,
        clock=clock or SystemClock(),
        storage=open_storage(settings),
        engine=build_media_engine(settings),
        upload_policy=UploadPolicy(
            endpoint=settings.effective_public_url,
            bucket=settings.bucket,
            region=settings.region_id,
            max_upload_bytes=settings.max_upload_bytes,
        ),
        delivery=DeliveryPolicy(
            base_url=settings.cdn_base_url or settings.effective_public_url,
            keys=(url_signing_key(settings),),
            lifetime_seconds=settings.url_lifetime_seconds,
        ),
        queue=InProcessQueue(),
        sender=sender,
        schedule=schedule,
        _closers=[engine.dispose, background.shutdown, sender.close],
    )


def url_signing_key(settings: Settings) -> str:
    """The configured signing key, or one generated once and kept in ``home``."""
    if settings.url_signing_key:
        return settings.url_signing_key.get_secret_value()
    path = settings.home / "url-signing.key"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def open_storage(settings: Settings) -> Storage:
    """The storage backend for ``settings.storage_url``: ``file:///path`` or ``s3://bucket/prefix``.

    S3 downloads for the media engine go to a scratch directory in ``home``, on local disk.
    """
    parsed = urlparse(settings.effective_storage_url)
    if parsed.scheme == "file":
        from dynimg.adapters.storage.local import LocalStorage

        return LocalStorage(Path(unquote(parsed.path)))
    if parsed.scheme == "s3" and parsed.netloc:
        from dynimg.adapters.storage.s3 import S3Storage, s3_client

        client = s3_client(settings.s3_endpoint_url, settings.s3_region)
        scratch = (settings.home / "s3-scratch").resolve()
        return S3Storage(client, parsed.netloc, unquote(parsed.path), scratch)
    raise ConfigurationError(
        f"unsupported storage URL {settings.effective_storage_url!r} (use file:// or s3://bucket)"
    )


def _logged(work: Callable[[], None]) -> None:
    try:
        work()
    except Exception:
        logging.getLogger("dynimg.background").exception("background work failed")


def build_media_engine(settings: Settings) -> MediaEngine:
    """The media engine with the configured limits; it needs no database."""
    limits = MediaLimits(
        max_source_pixels=settings.max_source_pixels,
        max_clip_seconds=settings.max_clip_seconds,
        max_output_frames=settings.max_output_frames,
        max_output_pixel_frames=settings.max_output_pixel_frames,
        max_render_seconds=settings.max_render_seconds,
        frame_memory_bytes=settings.frame_memory_mb * 1024 * 1024,
    )
    return PyAvMediaEngine(limits)
