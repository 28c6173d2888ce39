"""The contracts between use cases and the outside world, one module per concern; adapters
implement them.

This package re-exports every name while other branches move to the concern modules: new code
imports from ``dynimg.ports.<concern>``.
"""

from dynimg.ports.accounts import (
    AccessKeyRepository,
    AccountRepository,
    ConsoleSessionRepository,
    ConsoleUserRepository,
    NonceRepository,
    PasswordHasher,
)
from dynimg.ports.clock import Clock
from dynimg.ports.engine import MediaEngine
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
from dynimg.ports.messaging import CallbackSender, Dispatcher
from dynimg.ports.metrics import Metrics, NullMetrics
from dynimg.ports.rate_limits import RateLimiter, SignInThrottle
from dynimg.ports.storage import Storage, StoredObject
from dynimg.ports.templates import TemplateRepository, WatermarkRepository
from dynimg.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from dynimg.ports.work import (
    CallbackRepository,
    OutboxRepository,
    PeriodicRepository,
    TaskRepository,
)

__all__ = [
    "AccessKeyRepository",
    "AccountRepository",
    "CallbackRepository",
    "CallbackSender",
    "Clock",
    "ConsoleSessionRepository",
    "ConsoleUserRepository",
    "Dispatcher",
    "DynamicImageRepository",
    "JobRepository",
    "MediaEngine",
    "MediaFileRepository",
    "Metrics",
    "MultipartRepository",
    "NonceRepository",
    "NullMetrics",
    "OnDemandRepository",
    "OutboxRepository",
    "PasswordHasher",
    "PeriodicRepository",
    "RateLimiter",
    "SignInThrottle",
    "Storage",
    "StoredObject",
    "TaskRepository",
    "TemplateRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UploadGrantRepository",
    "UsageRepository",
    "VideoRepository",
    "WatermarkRepository",
]
