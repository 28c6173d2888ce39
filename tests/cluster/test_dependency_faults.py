"""Each dependency refused or hung, through a TCP proxy the test controls: what the API answers,
what ``/readyz`` says, and how much the node logs meanwhile.

One ``dynimg serve`` reaches PostgreSQL, Redis, RabbitMQ and S3 (moto) through a
:class:`~tests.support.tcp_proxy.TcpProxy` each; the test breaks them one at a time. The bounds
are issue 22's: a hung Redis costs a request at most 3 s, reads are served while Redis, the
broker or storage are down (``/readyz`` 200, degraded), PostgreSQL down is a 503
``ServiceUnAvailable``, and a process logs at most 10 lines a second.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from dynimg.adapters.db.engine import make_engine
from dynimg.adapters.dispatch.celery_broker import CeleryDispatcher
from dynimg.adapters.rate_limits import SlidingWindowLimiter
from dynimg.bootstrap import celery_app
from dynimg.domain.tasks import TaskKind
from dynimg.errors import DatabaseUnavailable
from dynimg.settings import load_settings
from tests.support import figures
from tests.support.rpc import raw_call
from tests.support.s3 import S3Server
from tests.support.server import Credentials, ServerProcess, start_server
from tests.support.tcp_proxy import Mode, TcpProxy

SUITE = "dependency faults"
MISSING_VIDEO = "0" * 32


def _address(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    assert parsed.hostname and parsed.port, url
    return parsed.hostname, parsed.port


@pytest.mark.timeout(60)
def test_a_hung_redis_costs_one_call_its_timeout_and_the_next_ones_nothing(
    redis_prefix: tuple[str, str],
) -> None:
    url, prefix = redis_prefix
    with TcpProxy(_address(url)) as proxy:
        limiter = SlidingWindowLimiter({"ListDynamicImage": 3}, proxy.url("redis", "/0"), prefix)
        # The passing half: through the proxy, Redis counts and refuses the fourth call.
        assert [limiter.allow("a", "ListDynamicImage") for _ in range(4)] == [True] * 3 + [False]
        for mode in ("hang", "refuse"):
            proxy.set_mode(mode)
            time.sleep(5.1)  # past the breaker's cooldown of the previous fault
            costs = []
            for _ in range(20):
                started = time.monotonic()
                assert limiter.allow("b", "ListDynamicImage"), "fails open"
                costs.append(time.monotonic() - started)
            assert costs[0] < 1.0, costs
            assert sum(costs[1:]) < 0.1, f"later calls skip Redis: {costs}"
            figures.record(SUITE, f"Redis {mode}: first call {costs[0]:.3f} s, next 19 "
                           f"{sum(costs[1:]) * 1000:.1f} ms in all")  # fmt: skip


@pytest.mark.timeout(60)
def test_a_hung_broker_costs_an_announcement_its_timeout(
    rabbitmq_queue: tuple[str, str],
) -> None:
    url, queue = rabbitmq_queue
    with TcpProxy(_address(url)) as proxy:
        settings = load_settings({
            "DYNIMG_QUEUE_URL": proxy.url("amqp", "//", "guest:guest"),
            "DYNIMG_QUEUE_NAME": queue, "DYNIMG_BROKER_TIMEOUT_SECONDS": "2",
        })  # fmt: skip
        dispatcher = CeleryDispatcher(celery_app(settings, publisher=True), queue)
        try:
            dispatcher.announce(TaskKind.RENDER, "job-before")  # the passing half: it goes
            proxy.set_mode("hang")
            started = time.monotonic()
            dispatcher.announce(TaskKind.RENDER, "job-during")
            first = time.monotonic() - started
            started = time.monotonic()
            dispatcher.announce(TaskKind.RENDER, "job-next")
            second = time.monotonic() - started
        finally:
            proxy.set_mode("refuse")  # so closing does not wait on the hung connection
            dispatcher.close()
        assert first < 3.0 and second < 0.1, (first, second)
        figures.record(SUITE, f"RabbitMQ hung: announce {first:.2f} s, next {second:.3f} s")
    with celery_app(load_settings({"DYNIMG_QUEUE_URL": url})).connection_for_read() as conn:
        _, count, _ = conn.default_channel.queue_declare(queue, passive=True)
    assert count == 1, "the announcement before the fault reached the queue"


@pytest.mark.timeout(60)
def test_a_database_that_is_down_is_database_unavailable(postgres_database: str) -> None:
    from sqlalchemy.orm import sessionmaker

    from dynimg.adapters.db.migrate import upgrade
    from dynimg.adapters.db.unit_of_work import SqlUnitOfWork

    with TcpProxy(_address(postgres_database)) as proxy:
        name = urlparse(postgres_database).path
        engine = make_engine(proxy.url("postgresql", name, "postgres"), connect_timeout=2)
        upgrade(engine)
        sessions = sessionmaker(engine)
        try:
            with SqlUnitOfWork(sessions) as uow:  # the passing half: it answers
                assert uow.accounts.get("nobody") is None
            for mode in ("refuse", "hang"):
                proxy.set_mode(mode)
                started = time.monotonic()
                with pytest.raises(DatabaseUnavailable), SqlUnitOfWork(sessions) as uow:
                    uow.accounts.get("nobody")
                elapsed = time.monotonic() - started
                assert elapsed < 5, f"{mode}: {elapsed:.1f} s"
                figures.record(SUITE, f"PostgreSQL {mode} (new connection): 503 in {elapsed:.2f} s")
                proxy.set_mode("forward")
        finally:
            engine.dispose()


@pytest.fixture
def proxied_node(
    tmp_path: Path,
    postgres_database: str,
    redis_prefix: tuple[str, str],
    rabbitmq_queue: tuple[str, str],
    s3_server: S3Server,
    s3_bucket: str,
) -> Iterator[tuple[ServerProcess, dict[str, TcpProxy]]]:
    """A node whose four dependencies each go through a proxy of the test's."""
    targets = {
        "postgres": postgres_database, "redis": redis_prefix[0], "rabbitmq": rabbitmq_queue[0],
        "s3": s3_server.endpoint_url,
    }  # fmt: skip
    proxies = {name: TcpProxy(_address(url)) for name, url in targets.items()}
    env = {
        **s3_server.env(s3_bucket, "faults"),
        "DYNIMG_DATABASE_URL": proxies["postgres"].url(
            "postgresql", urlparse(postgres_database).path, "postgres"
        ),
        "DYNIMG_REDIS_URL": proxies["redis"].url("redis", "/0"),
        "DYNIMG_REDIS_KEY_PREFIX": redis_prefix[1],
        "DYNIMG_QUEUE_URL": proxies["rabbitmq"].url("amqp", "//", "guest:guest"),
        "DYNIMG_QUEUE_NAME": rabbitmq_queue[1],
        "DYNIMG_S3_ENDPOINT_URL": proxies["s3"].url("http"),
        "DYNIMG_S3_CONNECT_TIMEOUT_SECONDS": "1", "DYNIMG_S3_READ_TIMEOUT_SECONDS": "1",
        "DYNIMG_WORKERS": "0", "DYNIMG_LOG_LEVEL": "info",
    }  # fmt: skip
    node = start_server(tmp_path, **env)
    try:
        yield node, proxies
    finally:
        node.stop()
        for proxy in proxies.values():
            proxy.close()


def _lists(node: ServerProcess, creds: Credentials, calls: int) -> tuple[list[float], set[str]]:
    seconds, codes = [], set()
    for _ in range(calls):
        started = time.monotonic()
        body = raw_call(node, creds, "ListDynamicImage", VideoId=MISSING_VIDEO)
        seconds.append(time.monotonic() - started)
        codes.add(body["Code"])
    return seconds, codes


def _ready(node: ServerProcess) -> tuple[int, dict[str, Any], float]:
    started = time.monotonic()
    answer = httpx.get(f"{node.url}/readyz", timeout=30)
    return answer.status_code, answer.json(), time.monotonic() - started


FAULTS: list[tuple[str, Mode, str]] = [
    ("redis", "hang", "redis"), ("redis", "refuse", "redis"),
    ("rabbitmq", "hang", "broker"), ("rabbitmq", "refuse", "broker"),
    ("s3", "hang", "storage"), ("s3", "refuse", "storage"),
]  # fmt: skip


@pytest.mark.timeout(300)
def test_reads_are_served_and_the_node_stays_ready_while_one_dependency_is_down(
    proxied_node: tuple[ServerProcess, dict[str, TcpProxy]],
) -> None:
    node, proxies = proxied_node
    creds = node.default_credentials()
    status, body, _ = _ready(node)
    assert (status, body["Status"]) == (200, "ok"), body
    for name, mode, check in FAULTS:
        proxies[name].set_mode(mode)
        logged = len(node.output)
        started = time.monotonic()
        seconds, codes = _lists(node, creds, 20)
        status, body, ready_seconds = _ready(node)
        lines_per_second = _fault_lines(node.output[logged:]) / (time.monotonic() - started)
        proxies[name].set_mode("forward")
        assert codes == {"InvalidVideo.NotFound"}, f"{name} {mode}: {codes}"
        assert max(seconds) < 3.0, f"{name} {mode}: {seconds}"
        assert (status, body["Status"]) == (200, "degraded"), f"{name} {mode}: {body}"
        assert body["Checks"][check] != "ok" and body["Checks"]["database"] == "ok", body
        assert ready_seconds < 6, f"{name} {mode}: /readyz took {ready_seconds:.1f} s"
        assert lines_per_second <= 10, f"{name} {mode}: {lines_per_second:.1f} lines/s"
        figures.record(SUITE, f"{name} {mode}: List p50 {statistics.median(seconds) * 1000:.0f} "
                       f"ms, max {max(seconds) * 1000:.0f} ms; /readyz 200 degraded in "
                       f"{ready_seconds:.1f} s ({check}: {body['Checks'][check]}); "
                       f"{lines_per_second:.1f} log lines/s")  # fmt: skip
        time.sleep(5.1)  # the breakers close again before the next fault


@pytest.mark.timeout(300)
def test_postgresql_down_is_a_retryable_503_and_the_node_recovers(
    proxied_node: tuple[ServerProcess, dict[str, TcpProxy]],
) -> None:
    node, proxies = proxied_node
    creds = node.default_credentials()
    assert raw_call(node, creds, "ListDynamicImage", VideoId=MISSING_VIDEO)["_status"] == 404
    proxies["postgres"].set_mode("refuse")
    logged, started = len(node.output), time.monotonic()
    answers = [raw_call(node, creds, "ListDynamicImage", VideoId=MISSING_VIDEO) for _ in range(20)]
    status, body, ready_seconds = _ready(node)
    lines_per_second = _fault_lines(node.output[logged:]) / (time.monotonic() - started)
    assert {(a["_status"], a["Code"]) for a in answers} == {(503, "ServiceUnAvailable")}
    assert (status, body["Status"], body["Checks"]["database"]) == (
        503,
        "unavailable",
        "not reachable",
    ), body
    assert lines_per_second <= 10, f"{lines_per_second:.1f} log lines/s"
    proxies["postgres"].set_mode("forward")
    assert raw_call(node, creds, "ListDynamicImage", VideoId=MISSING_VIDEO)["_status"] == 404
    figures.record(
        SUITE,
        f"PostgreSQL refused: 20 Lists 503 ServiceUnAvailable, /readyz 503 in "
        f"{ready_seconds:.1f} s, {lines_per_second:.1f} log lines/s; recovers",
    )


def _fault_lines(lines: list[str]) -> int:
    """Log lines about the fault: everything but the one-per-request INFO lines (the API's and
    uvicorn's access lines), which grow with traffic, not with the outage."""
    return sum(1 for line in lines if not line.startswith("INFO "))
