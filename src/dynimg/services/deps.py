"""The one dependencies object use cases are handed: ``fn(deps, account, command)``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dynimg.domain.codecs import AV1_ONLY, CodecPolicy
from dynimg.domain.uploads import UploadPolicy
from dynimg.domain.url_signing import DeliveryPolicy
from dynimg.ports.accounts import PasswordHasher
from dynimg.ports.clock import Clock
from dynimg.ports.engine import MediaEngine
from dynimg.ports.messaging import CallbackSender, Dispatcher
from dynimg.ports.metrics import Metrics
from dynimg.ports.rate_limits import RateLimiter, SignInThrottle
from dynimg.ports.storage import Storage
from dynimg.ports.tracing import NO_TRACING, Tracer
from dynimg.ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True)
class Deps:
    """Every port and policy a use case may need, built once by the composition root
    (:func:`dynimg.bootstrap.build_services`) and handed down by the entry points."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    storage: Storage
    engine: MediaEngine
    upload_policy: UploadPolicy
    delivery: DeliveryPolicy
    dispatcher: Dispatcher
    """Announces background work after the transaction that made it due commits."""
    sender: CallbackSender
    rate_limiter: RateLimiter
    """Per-account request rates (shared through Redis when DYNIMG_REDIS_URL is set)."""
    sign_ins: SignInThrottle
    """Failed console sign-ins per user and address (shared through Redis when configured)."""
    metrics: Metrics
    """Where requests, jobs, callbacks, uploads and storage failures are counted."""
    passwords: PasswordHasher
    """Hashes and checks console users' passwords."""
    preview_engine: MediaEngine
    """Renders asked for by the API process (the console's previews): in child processes of
    its own, so they neither grow the API process nor take its interpreter from requests."""
    scratch: Callable[[], Path]
    """This process's directory for work files, claimed on first use (a forked child claims
    its own)."""
    codecs: CodecPolicy = AV1_ONLY
    """The codecs the operator allows (``DYNIMG_ALLOW_H264``), checked on templates and jobs."""
    tracer: Tracer = NO_TRACING
    """Where spans go (OpenTelemetry when ``OTEL_*`` turns tracing on; else nowhere)."""
