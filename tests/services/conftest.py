"""Fixtures shared by the service tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dynimg.bootstrap import Services, build_services
from dynimg.settings import load_settings
from tests.conftest import fresh_postgres_database
from tests.support.clock import FixedClock


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Services]:
    """Services on SQLite and on PostgreSQL, each test with a database of its own (other
    tests' queued jobs would compete for claims; the queries must hold on both)."""
    values = {"DYNIMG_HOME": str(tmp_path)}
    fresh = fresh_postgres_database() if request.param == "postgres" else None
    if fresh is not None:
        values["DYNIMG_DATABASE_URL"] = next(fresh)
    built = build_services(load_settings(values), clock=FixedClock())
    yield built
    built.close()
    if fresh is not None:
        fresh.close()
