"""Engines for the two supported databases, with the settings each one needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from dynimg.errors import ConfigurationError

SQLITE_BUSY_TIMEOUT_MS = 10_000
POOL_TIMEOUT_SECONDS = 10
"""How long a request waits for one of the pool's connections before it answers 503."""


def make_engine(url: str, connect_timeout: int = 5) -> Engine:
    """An engine for ``sqlite:///...`` or ``postgresql://...``.

    PostgreSQL connections give up after ``connect_timeout`` seconds (libpq waits for ever by
    default, so a server that accepts and never answers held requests without limit).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed, pool_pre_ping=True, pool_size=10, max_overflow=10,
            pool_timeout=POOL_TIMEOUT_SECONDS, connect_args={"connect_timeout": connect_timeout},
        )  # fmt: skip
    raise ConfigurationError(f"unsupported database URL scheme {parsed.drivername!r}")


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling starts transactions too late; take it over.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that later writes can
        # fail with SQLITE_BUSY at once instead of waiting out the busy timeout.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
