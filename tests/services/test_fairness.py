"""Fairness between accounts: one account's backlog does not stall another account's job."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from dynimg.adapters.dispatch.memory import InProcessDispatcher
from dynimg.bootstrap import Services, build_services
from dynimg.domain.jobs import JobStatus, SubmitJob
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.templates import ImageFormat
from dynimg.services import jobs
from dynimg.settings import load_settings
from dynimg.worker import WorkerPool
from tests.support import figures
from tests.support.clock import FixedClock
from tests.support.tenants import Tenant, tenant

HEAVY_SECONDS, LIGHT_SECONDS = 0.5, 0.05
SUITE = "fairness between accounts (tests/services/test_fairness.py)"


class SleepingEngine:
    """Renders a heavy account's video in HEAVY_SECONDS, any other in LIGHT_SECONDS."""

    def __init__(self) -> None:
        self.heavy_video = ""

    def render(
        self, source: Path, spec: RenderSpec, output: Path, on_progress: Any = None
    ) -> RenderResult:
        heavy = self.heavy_video and self.heavy_video in str(source)
        time.sleep(HEAVY_SECONDS if heavy else LIGHT_SECONDS)
        output.write_bytes(b"GIF89a-not-really")
        return RenderResult(ImageFormat.GIF, 160, 120, 10.0, 10, 1000, output.stat().st_size)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = build_services(load_settings({"DYNIMG_HOME": str(tmp_path)}), clock=FixedClock())
    yield built
    built.close()


def submit(services: Services, who: Tenant, dispatcher: Any = None) -> str:
    d = services.deps
    job = jobs.submit_job(
        d.uow_factory, d.clock, dispatcher or d.dispatcher, who.account,
        SubmitJob(who.video_id, who.template_id),
    )  # fmt: skip
    return job.id


def status(services: Services, job_id: str) -> JobStatus:
    with services.deps.uow_factory() as uow:
        job = uow.jobs.get(None, job_id)
    assert job is not None
    return job.status


def test_an_account_over_its_share_waits_while_another_account_waits(any_db: Services) -> None:
    services = any_db
    heavy, light = tenant(services, "heavy"), tenant(services, "light")
    backlog = [submit(services, heavy) for _ in range(3)]
    now = services.deps.clock.now()
    lease = now + timedelta(minutes=1)
    with services.deps.uow_factory() as uow:
        assert uow.jobs.claim(backlog[0], now, lease, fair_share=1)
        uow.commit()
    waiting = submit(services, light)
    with services.deps.uow_factory() as uow:
        assert waiting in uow.jobs.due(now, 2), "accounts in turn, not the backlog first"
        uow.jobs.mark_announced(backlog, now)
        assert uow.jobs.claim(backlog[1], now, lease, fair_share=1) is None, "light waits"
        again = uow.jobs.due(now, 10, announced_before=now - timedelta(seconds=1))
        assert again == [backlog[1]], "held back: announced again at the next sweep"
        assert uow.jobs.claim(waiting, now, lease, fair_share=1)
        assert uow.jobs.claim(backlog[1], now, lease, fair_share=1), "nobody else waits now"
        assert uow.jobs.claim(backlog[2], now, lease) is not None, "no share: first come"
        uow.commit()


def light_latency(services: Services, fair_share: int | None) -> float:
    """Seconds a light account's job takes behind 16 heavy jobs another account queued."""
    heavy, light = tenant(services, f"heavy{fair_share}"), tenant(services, f"light{fair_share}")
    engine = SleepingEngine()
    engine.heavy_video = heavy.video_id
    dispatcher = InProcessDispatcher()
    deps = services.task_deps
    job_deps = dataclasses.replace(
        deps.jobs, engine=engine, dispatcher=dispatcher, fair_share=fair_share
    )
    pool = WorkerPool(dataclasses.replace(deps, jobs=job_deps), dispatcher, concurrency=2)
    backlog = [submit(services, heavy, dispatcher) for _ in range(16)]
    pool.start()
    try:
        time.sleep(HEAVY_SECONDS / 2)  # the heavy jobs are rendering when the light one comes
        started = time.monotonic()
        job_id = submit(services, light, dispatcher)
        while status(services, job_id) is not JobStatus.SUCCESS:
            assert time.monotonic() - started < 30, "the light job never ran"
            time.sleep(0.01)
        waited = time.monotonic() - started
        while not all(status(services, ref) is JobStatus.SUCCESS for ref in backlog):
            time.sleep(0.05)
    finally:
        pool.stop()
    return waited


@pytest.mark.timeout(120)
def test_a_light_job_is_not_stuck_behind_another_accounts_backlog(services: Services) -> None:
    alone = light_latency_alone(services)
    unfair = light_latency(services, fair_share=None)
    fair = light_latency(services, fair_share=1)
    figures.record(
        SUITE, f"light job ({LIGHT_SECONDS} s) alone {alone:.2f} s; behind 16 heavy jobs "
        f"({HEAVY_SECONDS} s each, 2 workers): {unfair:.2f} s first-come, {fair:.2f} s with a "
        "fair share of 1",
    )  # fmt: skip
    assert unfair > 6 * HEAVY_SECONDS, "first come, first served: it waits for the backlog"
    assert fair < 2 * HEAVY_SECONDS + 0.5, "it waits at most for one heavy job to end"


def light_latency_alone(services: Services) -> float:
    light = tenant(services, "alone")
    dispatcher = InProcessDispatcher()
    deps = services.task_deps
    job_deps = dataclasses.replace(deps.jobs, engine=SleepingEngine(), dispatcher=dispatcher)
    pool = WorkerPool(dataclasses.replace(deps, jobs=job_deps), dispatcher, concurrency=2)
    pool.start()
    try:
        started = time.monotonic()
        job_id = submit(services, light, dispatcher)
        while status(services, job_id) is not JobStatus.SUCCESS:
            assert time.monotonic() - started < 30
            time.sleep(0.01)
        return time.monotonic() - started
    finally:
        pool.stop()
