"""While RabbitMQ is down, jobs still run: the Celery worker's parent process finds due work in
the database and runs it itself (``worker.BrokerFallback``), exactly once, and only then.

RabbitMQ is reached through a :class:`~tests.support.tcp_proxy.TcpProxy` the test cuts. The
jobs' engine is a stand-in that writes a few bytes: what is checked is who runs a job and how
often, not the picture.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from kombu import Connection

from dynimg.bootstrap import Services, build_services
from dynimg.domain.jobs import DynamicImageJob, JobStatus, SubmitJob
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.tasks import TaskKind
from dynimg.domain.templates import ImageFormat
from dynimg.services import jobs
from dynimg.services.tasks import TaskDeps, run_task
from dynimg.settings import load_settings
from dynimg.worker import BrokerFallback
from tests.support import figures
from tests.support.tcp_proxy import TcpProxy
from tests.support.tenants import Tenant, tenant

SUITE = "dependency faults"
STALE, CHECK = 1.0, 0.5


class CountingEngine:
    """Writes a stand-in file and counts its renders."""

    def __init__(self) -> None:
        self.renders = 0

    def render(
        self, source: Path, spec: RenderSpec, output: Path, on_progress: Any = None
    ) -> RenderResult:
        self.renders += 1
        output.write_bytes(b"GIF89a-stand-in")
        return RenderResult(ImageFormat.GIF, 160, 120, 10.0, 10, 1000, output.stat().st_size)


@pytest.fixture
def proxied(
    tmp_path: Path, rabbitmq_queue: tuple[str, str]
) -> Iterator[tuple[Services, TcpProxy, str]]:
    url, queue = rabbitmq_queue
    parsed = urlparse(url)
    assert parsed.hostname and parsed.port
    with TcpProxy((parsed.hostname, parsed.port)) as proxy:
        settings = load_settings({
            "DYNIMG_HOME": str(tmp_path), "DYNIMG_QUEUE_NAME": queue,
            "DYNIMG_QUEUE_URL": proxy.url("amqp", "//", "guest:guest"),
            "DYNIMG_BROKER_TIMEOUT_SECONDS": "1",
        })  # fmt: skip
        services = build_services(settings)
        try:
            yield services, proxy, url
        finally:
            proxy.set_mode("refuse")  # closing must not wait on a broker that is gone
            services.close()


def _submit(services: Services, who: Tenant) -> str:
    d = services.deps
    command = SubmitJob(who.video_id, who.template_id)
    return jobs.submit_job(d.uow_factory, d.clock, d.dispatcher, who.account, command).id


def _job(services: Services, job_id: str) -> DynamicImageJob:
    with services.deps.uow_factory() as uow:
        job = uow.jobs.get(None, job_id)
    assert job is not None
    return job


def _wait(services: Services, job_ids: list[str], seconds: float) -> float:
    started = time.monotonic()
    while any(_job(services, ref).status is not JobStatus.SUCCESS for ref in job_ids):
        if time.monotonic() - started > seconds:
            states = [_job(services, ref).status for ref in job_ids]
            raise AssertionError(f"not done after {seconds} s: {states}")
        time.sleep(0.1)
    return time.monotonic() - started


def _deliver_queued(url: str, queue: str, deps: TaskDeps) -> int:
    """Run every message left in the queue, as a Celery worker would once the broker is back."""
    delivered = 0
    with Connection(url, connect_timeout=3) as connection:
        channel = connection.default_channel
        while (message := channel.basic_get(queue, no_ack=True)) is not None:
            kind, ref = json.loads(message.body)[0]  # Celery's protocol 2: args, kwargs, embed
            run_task(deps, TaskKind(kind), ref)
            delivered += 1
    return delivered


@pytest.mark.timeout(120)
def test_a_job_submitted_while_rabbitmq_is_down_ends_once(
    proxied: tuple[Services, TcpProxy, str], rabbitmq_queue: tuple[str, str]
) -> None:
    services, proxy, url = proxied
    engine = CountingEngine()
    deps = services.task_deps
    deps = dataclasses.replace(deps, jobs=dataclasses.replace(deps.jobs, engine=engine))
    who = tenant(services, "outage")
    dispatcher = services.deps.dispatcher
    fallback = BrokerFallback(deps, dispatcher.reachable, concurrency=2, stale=STALE, check=CHECK)
    fallback.start()
    try:
        # The passing half: with the broker up, a job's message waits there for a Celery
        # worker (none runs here); the fallback leaves it alone.
        before = _submit(services, who)
        time.sleep(STALE + 4 * CHECK)
        assert _job(services, before).status is JobStatus.QUEUED, "the broker's work"
        proxy.set_mode("refuse")
        started = time.monotonic()
        during = _submit(services, who)
        submitted = time.monotonic() - started
        took = _wait(services, [before, during], 30)
    finally:
        fallback.stop()
    proxy.set_mode("forward")
    delivered = _deliver_queued(url, rabbitmq_queue[1], deps)
    assert delivered == 1, "the message of the job submitted before the outage"
    with services.deps.uow_factory() as uow:
        images = uow.images.for_video(who.account.id, who.video_id)
    assert sorted(image.job_id for image in images) == sorted([before, during])
    assert all(services.deps.storage.exists(image.storage_key) for image in images)
    assert [_job(services, ref).attempt for ref in (before, during)] == [1, 1]
    assert engine.renders == 2, "each job rendered once, the late message ran nothing"
    figures.record(
        SUITE, f"RabbitMQ refused: Submit answered in {submitted:.2f} s; the job submitted "
        f"during the outage (and one whose message was waiting) ended Success {took:.1f} s later, "
        f"run by the worker's fallback (stale after {STALE} s); the late message ran nothing",
    )  # fmt: skip
