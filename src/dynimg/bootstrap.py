"""The composition root: builds every collaborator from one Settings object, and nothing else does.

Nothing here runs at import time; entry points call :func:`build_services` once. Backends are
imported when they are built, so a command that only renders does not load the database,
storage or HTTP stacks.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from dynimg.errors import ConfigurationError
from dynimg.home_secrets import console_session_key, url_signing_key

if TYPE_CHECKING:
    from celery import Celery

    from dynimg.adapters.media.opening import SourceOpening
    from dynimg.adapters.scratch import ProcessScratch
    from dynimg.domain.limits import MediaLimits
    from dynimg.domain.tasks import TaskKind
    from dynimg.domain.uploads import UploadPolicy
    from dynimg.domain.url_signing import DeliveryPolicy
    from dynimg.ports import (
        Clock,
        Dispatcher,
        MediaEngine,
        RateLimiter,
        SignInThrottle,
        Storage,
    )
    from dynimg.services.deps import Deps
    from dynimg.services.job_runner import JobDeps
    from dynimg.services.tasks import TaskDeps
    from dynimg.services.url_import_work import UrlImportDeps
    from dynimg.settings import Settings


@dataclass
class Services:
    """What the entry points are handed: the use cases' dependencies, the settings, and the
    resources this process holds (closed by :meth:`close`)."""

    settings: Settings
    deps: Deps
    """What every use case is handed."""
    _scratch: ProcessScratch
    """Work files under ``home/scratch``; what dead processes left there is removed when the
    services are built (see :class:`~dynimg.adapters.scratch.ScratchSpace`)."""
    _closers: list[Callable[[], None]] = field(default_factory=list)
    _forget: Callable[[], None] = lambda: None

    def console_session_key(self) -> str:
        """The key console session cookies are signed with (see :func:`console_session_key`)."""
        return console_session_key(self.settings)

    def forget_inherited(self) -> None:
        """In a forked child: drop the parent's database connections without closing them."""
        self._forget()

    @property
    def job_deps(self) -> JobDeps:
        """What job runs need, for workers in this process."""
        from datetime import timedelta

        from dynimg.services.job_runner import JobDeps

        deps = self.deps
        return JobDeps(
            uow_factory=deps.uow_factory,
            clock=deps.clock,
            storage=deps.storage,
            engine=deps.engine,
            dispatcher=deps.dispatcher,
            uploads=deps.upload_policy,
            delivery=deps.delivery,
            lease=timedelta(seconds=self.settings.job_lease_seconds),
            render_seconds=self.settings.max_render_seconds,
            fair_share=self.settings.account_fair_share or None,
            metrics=deps.metrics,
            scratch=deps.scratch,
            tracer=deps.tracer,
        )

    @property
    def task_deps(self) -> TaskDeps:
        """What every background task handler needs, for workers in this process."""
        from datetime import timedelta

        from dynimg.services.tasks import TaskDeps

        return TaskDeps(
            jobs=self.job_deps,
            sender=self.deps.sender,
            console_session_lifetime=timedelta(hours=self.settings.console_session_hours),
            on_demand_quota=self.settings.on_demand_max_renders,
            imports=self.import_deps,
        )

    @property
    def import_deps(self) -> UrlImportDeps:
        """What URL imports need, with the operator's address rule and limits."""
        from dynimg.adapters.url_fetch import HttpUrlFetcher
        from dynimg.services.url_import_work import UrlImportDeps

        d, s = self.deps, self.settings
        return UrlImportDeps(
            uow_factory=d.uow_factory, clock=d.clock, storage=d.storage,
            dispatcher=d.dispatcher,
            fetcher=HttpUrlFetcher(allow_private=s.allow_private_url_uploads),
            max_bytes=s.url_upload_max_bytes, deadline_seconds=s.url_upload_timeout_seconds,
            metrics=d.metrics,
        )  # fmt: skip

    def close(self) -> None:
        """Release connections and other resources."""
        for closer in reversed(self._closers):
            closer()
        self._closers.clear()


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Wire dynimg for ``settings``: database (migrated to the latest schema), clock, ..."""
    from dynimg.adapters.callbacks import HttpCallbackSender
    from dynimg.adapters.clock import SystemClock
    from dynimg.adapters.db.opening import open_database
    from dynimg.adapters.media.isolated import IsolatedEngine
    from dynimg.adapters.observability.prometheus import PrometheusMetrics
    from dynimg.adapters.passwords import Argon2Hasher
    from dynimg.adapters.scratch import ProcessScratch
    from dynimg.adapters.storage.observed import ObservedStorage
    from dynimg.bootstrap_tracing import traced
    from dynimg.domain.codecs import CodecPolicy
    from dynimg.services.deps import Deps

    settings.home.mkdir(parents=True, exist_ok=True)
    engine, uow_factory = open_database(
        settings.effective_database_url, settings.database_connect_timeout_seconds
    )
    sender = HttpCallbackSender(allow_private=settings.allow_private_callbacks)
    scratch = ProcessScratch(settings.home / "scratch")
    dispatcher, close_dispatcher = open_dispatcher(settings)
    metrics = PrometheusMetrics()
    deps = Deps(
        uow_factory=uow_factory,
        clock=clock or SystemClock(),
        storage=ObservedStorage(open_storage(settings), metrics),
        engine=build_media_engine(settings.media_limits()),
        upload_policy=upload_policy(settings),
        delivery=delivery_policy(settings),
        dispatcher=dispatcher,
        sender=sender,
        rate_limiter=build_rate_limiter(settings),
        sign_ins=build_sign_in_throttle(settings),
        metrics=metrics,
        passwords=Argon2Hasher(),
        preview_engine=(previews := IsolatedEngine(settings.media_limits())),
        scratch=scratch.path,
        codecs=CodecPolicy(allow_h264=settings.allow_h264),
    )
    deps = traced(deps, engine, urlparse(settings.queue_url).scheme)
    return Services(
        settings=settings,
        deps=deps,
        _closers=[engine.dispose, close_dispatcher, sender.close, scratch.close, previews.close],
        _scratch=scratch,
        _forget=lambda: engine.dispose(close=False),
    )


def upload_policy(settings: Settings) -> UploadPolicy:
    """Where and how much clients upload: the OSS-compatible endpoint's address and bounds."""
    from dynimg.domain.uploads import UploadPolicy

    return UploadPolicy(
        endpoint=settings.effective_public_url,
        bucket=settings.bucket,
        region=settings.region_id,
        max_upload_bytes=settings.max_upload_bytes,
    )


def delivery_policy(settings: Settings) -> DeliveryPolicy:
    """Where animated images are served from, signed with which keys, for how long."""
    from dynimg.domain.url_signing import DeliveryPolicy

    return DeliveryPolicy(
        base_url=settings.cdn_base_url or settings.effective_public_url,
        keys=(url_signing_key(settings),),
        lifetime_seconds=settings.url_lifetime_seconds,
    )


def local_access_key(settings: Settings, account_name: str) -> tuple[str, str] | None:
    """(AccessKeyId, AccessKeySecret) of a local account, for client commands.

    Creates nothing: None when the embedded database does not exist (no service ever ran with
    this DYNIMG_HOME); the database is read as it is, without migrating it.
    """
    from sqlalchemy.orm import sessionmaker

    from dynimg.adapters.db.engine import make_engine
    from dynimg.adapters.db.unit_of_work import SqlUnitOfWork
    from dynimg.services.accounts import find_key_of_account

    if not settings.database_url and not (settings.home / "dynimg.db").is_file():
        return None
    engine = make_engine(settings.effective_database_url)
    try:
        session_factory = sessionmaker(engine, expire_on_commit=False)
        key = find_key_of_account(lambda: SqlUnitOfWork(session_factory), account_name)
    finally:
        engine.dispose()
    return key.id, key.secret


def open_storage(settings: Settings) -> Storage:
    """The storage backend for ``settings.storage_url``: ``file:///path`` or ``s3://bucket/prefix``.

    S3 downloads for the media engine go to a scratch directory in ``home``, on local disk.
    """
    parsed = urlparse(settings.effective_storage_url)
    if parsed.scheme == "file":
        from dynimg.adapters.storage.local import LocalStorage

        return LocalStorage(Path(unquote(parsed.path)))
    if parsed.scheme == "s3" and parsed.netloc:
        from dynimg.adapters.storage.s3 import S3Storage, S3Timeouts, s3_client

        client = s3_client(
            settings.s3_endpoint_url, settings.s3_region,
            S3Timeouts(settings.s3_connect_timeout_seconds, settings.s3_read_timeout_seconds),
        )  # fmt: skip
        scratch = (settings.home / "s3-scratch").resolve()
        return S3Storage(client, parsed.netloc, unquote(parsed.path), scratch)
    raise ConfigurationError(
        f"unsupported storage URL {settings.effective_storage_url!r} (use file:// or s3://bucket)"
    )


def build_sign_in_throttle(settings: Settings) -> SignInThrottle:
    """Failed console sign-ins, counted in Redis too when one is configured."""
    from dynimg.adapters.sign_in_throttle import LocalSignInThrottle, SharedSignInThrottle

    if settings.redis_url:
        return SharedSignInThrottle(
            settings.redis_url, settings.redis_key_prefix, settings.redis_timeout_seconds
        )
    return LocalSignInThrottle()


def build_rate_limiter(settings: Settings) -> RateLimiter:
    """The limiter for the Actions Alibaba rate-limits, in Redis when one is configured."""
    from dynimg.adapters.rate_limits import SlidingWindowLimiter

    rates = {
        "SubmitDynamicImageJob": settings.submit_rate_per_second,
        "ListDynamicImage": settings.list_rate_per_second,
    }
    return SlidingWindowLimiter(
        rates, settings.redis_url, settings.redis_key_prefix, settings.redis_timeout_seconds
    )


def open_dispatcher(settings: Settings) -> tuple[Dispatcher, Callable[[], None]]:
    """The dispatcher for ``DYNIMG_QUEUE_URL`` and how to close it."""
    from dynimg.adapters.dispatch.memory import InProcessDispatcher

    scheme = urlparse(settings.queue_url).scheme
    if scheme == "memory":
        return InProcessDispatcher(), lambda: None
    if scheme in ("amqp", "amqps", "pyamqp", "redis", "rediss"):
        from dynimg.adapters.dispatch.celery_broker import CeleryDispatcher

        dispatcher = CeleryDispatcher(celery_app(settings, publisher=True), settings.queue_name)
        return dispatcher, dispatcher.close
    raise ConfigurationError(
        f"unsupported queue URL scheme {scheme!r} (use memory://, amqp:// or redis://)"
    )


def celery_app(settings: Settings, *, publisher: bool = False) -> Celery:
    """dynimg's Celery app; its task builds this process's services on first use.
    A ``publisher`` app (the dispatcher's) bounds every socket operation by the broker timeout."""
    from dynimg.adapters.dispatch.celery_broker import CeleryConfig, make_app

    config = CeleryConfig(
        broker_url=settings.queue_url,
        queue=settings.queue_name,
        render_seconds=settings.max_render_seconds,
        max_memory_mb=settings.worker_max_memory_mb,
        heartbeat_seconds=settings.broker_heartbeat_seconds,
        timeout_seconds=settings.broker_timeout_seconds,
        publisher=publisher,
    )
    return make_app(config, _ProcessRunner(settings))


class _ProcessRunner:
    """Runs tasks with services built once per process (a forked child must not share a pool)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._services: Services | None = None
        self._pid = 0

    def __call__(self, kind: TaskKind, ref: str) -> None:
        from dynimg.services.tasks import run_task

        if self._services is None or self._pid != os.getpid():
            self._services, self._pid = build_services(self._settings), os.getpid()
        run_task(self._services.task_deps, kind, ref)


def build_media_engine(limits: MediaLimits, opening: SourceOpening | None = None) -> MediaEngine:
    """The media engine with these limits; it needs no database (``dynimg render`` reads the
    limits with :func:`dynimg.cli.render.media_limits_from_env`, mostly without pydantic). It
    renders from ``opening`` when asked for that source."""
    from dynimg.adapters.media.engine import PyAvMediaEngine

    return PyAvMediaEngine(limits, opening)


def open_source_ahead(path: Path, limits: MediaLimits) -> SourceOpening:
    """Start opening ``path`` on a thread before :func:`build_media_engine` imports the engine
    (see :mod:`dynimg.adapters.media.opening`); the caller closes it when done."""
    from dynimg.adapters.media.opening import SourceOpening

    return SourceOpening(path, limits)
