"""Shared fixtures: external services (reported loudly when missing) and dynimg processes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.support.s3 import S3Server, new_bucket, start_s3_server
from tests.support.services import ServiceRegistry

POSTGRES_ADMIN_URL = os.environ.get(
    "DYNIMG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
_services = ServiceRegistry()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _services.report():
        terminalreporter.write_line(line, red=True, bold=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped afterwards."""
    import psycopg

    name = f"dynimg_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        _services.unreachable("PostgreSQL", POSTGRES_ADMIN_URL, exc)
        raise AssertionError("unreachable") from exc  # never reached: unreachable() leaves
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A ``moto_server`` process on a free loopback port for this run (see tests/support/s3.py)."""
    server = start_s3_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_bucket(s3_server: S3Server) -> str:
    """A fresh bucket for this run; tests keep apart by prefix."""
    return new_bucket(s3_server)
