"""The composition root: builds every collaborator from one Settings object, and nothing else does.

Nothing here runs at import time; entry points call :func:`build_services` once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dynimg.adapters.clock import SystemClock
from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.domain.limits import MediaLimits
from dynimg.ports import Clock, MediaEngine, UnitOfWork, UnitOfWorkFactory
from dynimg.settings import Settings


@dataclass
class Services:
    """Everything the entry points hand to use cases."""

    settings: Settings
    uow_factory: UnitOfWorkFactory
    clock: Clock
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Release connections and other resources."""
        for closer in reversed(self._closers):
            closer()
        self._closers.clear()


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Wire dynimg for ``settings``: database (migrated to the latest schema), clock, ..."""
    # Imported here so that commands which need no database (render) do not pay for it.
    from sqlalchemy.orm import sessionmaker

    from dynimg.adapters.db.engine import make_engine
    from dynimg.adapters.db.migrate import upgrade
    from dynimg.adapters.db.unit_of_work import SqlUnitOfWork

    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    session_factory = sessionmaker(engine, expire_on_commit=False)

    def uow_factory() -> UnitOfWork:
        return SqlUnitOfWork(session_factory)

    return Services(
        settings=settings,
        uow_factory=uow_factory,
        clock=clock or SystemClock(),
        _closers=[engine.dispose],
    )


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
