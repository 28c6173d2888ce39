"""Opening the database of record: an engine, migrated to the latest schema, and the factory
of units of work over it (one session, one transaction each)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from dynimg.adapters.db.engine import make_engine
from dynimg.adapters.db.migrate import upgrade
from dynimg.adapters.db.unit_of_work import SqlUnitOfWork
from dynimg.ports.unit_of_work import UnitOfWork


def open_database(
    url: str, connect_timeout_seconds: int
) -> tuple[Engine, Callable[[], UnitOfWork]]:
    """The engine for ``url`` (migrated) and a unit-of-work factory; dispose of the engine to
    close its connections."""
    engine = make_engine(url, connect_timeout_seconds)
    upgrade(engine)
    session_factory = sessionmaker(engine, expire_on_commit=False)

    def uow_factory() -> UnitOfWork:
        return SqlUnitOfWork(session_factory)

    return engine, uow_factory
