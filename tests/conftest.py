"""Shared fixtures: external services (reported loudly when missing) and dynimg processes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from dynimg.adapters.media.realtime import demote_realtime_threads
from tests.support import figures
from tests.support.s3 import S3Server, new_bucket, start_s3_server
from tests.support.services import ServiceRegistry

POSTGRES_ADMIN_URL = os.environ.get(
    "DYNIMG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
_services = ServiceRegistry()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in figures.report():
        terminalreporter.write_line(line)
    for line in _services.report():
        terminalreporter.write_line(line, red=True, bold=True)


@pytest.fixture(autouse=True)
def normal_scheduling() -> Iterator[None]:
    """Fixtures that encode AV1 sources in this process (tests/media/test_inputs.py) let
    SVT-AV1 put the pytest process in SCHED_FIFO 99 (as root): every server, worker and render
    the suite starts afterwards would inherit real-time scheduling and could starve the machine
    (a spinning render then cannot even be killed by its timeout). Undone after every test."""
    yield
    demote_realtime_threads()


@pytest.fixture(scope="session")
def external_services() -> ServiceRegistry:
    """The run's registry of unreachable services, for fixtures defined in subpackages."""
    return _services


def fresh_postgres_database() -> Iterator[str]:
    """Create a PostgreSQL database of its own, yield its URL, drop it afterwards."""
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
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped afterwards."""
    yield from fresh_postgres_database()


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


RABBITMQ_URL = os.environ.get("DYNIMG_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test (a cluster's shared state), dropped after."""
    yield from fresh_postgres_database()


@pytest.fixture
def rabbitmq_queue() -> Iterator[tuple[str, str]]:
    """The RabbitMQ URL and a queue name of this test's own, deleted afterwards."""
    from kombu import Connection

    name = f"dynimg-test-{uuid.uuid4().hex[:12]}"
    connection = Connection(RABBITMQ_URL, connect_timeout=3)
    try:
        connection.ensure_connection(max_retries=1)
    except Exception as exc:
        _services.unreachable("RabbitMQ", RABBITMQ_URL, exc)
        raise AssertionError("unreachable") from exc
    try:
        yield RABBITMQ_URL, name
    finally:
        with connection:
            channel = connection.channel()
            channel.queue_delete(name)


REDIS_URL = os.environ.get("DYNIMG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_prefix() -> Iterator[tuple[str, str]]:
    """The Redis URL and a key prefix of this test's own; its keys are deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        _services.unreachable("Redis", REDIS_URL, exc)
        raise AssertionError("unreachable") from exc
    prefix = f"dynimg-test-{uuid.uuid4().hex[:12]}"
    try:
        yield REDIS_URL, prefix
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()
