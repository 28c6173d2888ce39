"""What work costs the database: commits per light job with a callback, and while idle."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from dynimg.adapters.dispatch.memory import InProcessDispatcher
from dynimg.bootstrap import Services, build_services
from dynimg.domain.events import MessageCallback
from dynimg.domain.jobs import SubmitJob
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.templates import ImageFormat
from dynimg.services import jobs
from dynimg.services.tasks import run_task
from dynimg.settings import load_settings
from dynimg.worker import WorkerPool
from tests.support import figures
from tests.support.tenants import tenant

GIF_TEMPLATE = '{"Container":{"Format":"gif"},"Clip":{"TimeSpan":{"Seek":"0"}}}'
SUITE = "database cost (tests/services/test_database_cost.py)"


class Commits:
    """Counts COMMITs on every engine of this process while it is on."""

    def __init__(self) -> None:
        self.count, self._lock = 0, threading.Lock()

    def __call__(self, *_: Any) -> None:
        with self._lock:
            self.count += 1

    def __enter__(self) -> Commits:
        event.listen(Engine, "commit", self)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(Engine, "commit", self)


class TinyEngine:
    """Renders instantly, reporting progress as a real render does."""

    def render(
        self, source: Path, spec: RenderSpec, output: Path, on_progress: Any = None
    ) -> RenderResult:
        for step in range(10):
            if on_progress is not None:
                on_progress(step / 10)
        output.write_bytes(b"GIF89a-not-really")
        return RenderResult(ImageFormat.GIF, 160, 120, 10.0, 10, 1000, output.stat().st_size)


class Receiver:
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        pass


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = build_services(load_settings({"DYNIMG_HOME": str(tmp_path)}))
    yield built
    built.close()


def test_a_light_job_with_a_callback_costs_at_most_8_commits(services: Services) -> None:
    d = services.deps
    who = tenant(services, "light")
    account = who.account
    with d.uow_factory() as uow:
        uow.callbacks.put(
            MessageCallback(account.id, "app-1", "HTTP", "http://receiver.example/cb",
                            ("DynamicImageComplete",), False, "")
        )  # fmt: skip
        uow.commit()
    dispatcher = InProcessDispatcher()
    dispatcher.attach()
    deps = services.task_deps
    deps = dataclasses.replace(
        deps, sender=Receiver(),
        jobs=dataclasses.replace(deps.jobs, engine=TinyEngine(), dispatcher=dispatcher),
    )  # fmt: skip
    with Commits() as commits:
        job = jobs.submit_job(
            d.uow_factory, d.clock, dispatcher, account, SubmitJob(who.video_id, who.template_id)
        )
        while (item := dispatcher.take(timeout=0.1)) is not None:
            run_task(deps, *item)
    with d.uow_factory() as uow:
        done = uow.jobs.get(None, job.id)
        assert done is not None and done.status.value == "Success"
        (sent,) = uow.outbox.list(account.id, "delivered", 0, 10)[1]
    assert sent.event_type == "DynamicImageComplete"
    figures.record(SUITE, f"a light job with a callback: {commits.count} commits")
    assert commits.count <= 8


@pytest.mark.timeout(60)
def test_an_idle_worker_process_commits_at_most_every_two_seconds(services: Services) -> None:
    dispatcher = InProcessDispatcher()
    deps = services.task_deps
    deps = dataclasses.replace(deps, jobs=dataclasses.replace(deps.jobs, dispatcher=dispatcher))
    pool = WorkerPool(deps, dispatcher, concurrency=2)
    pool.start()
    try:
        time.sleep(1.5)  # the first sweep and housekeeping run
        with Commits() as commits:
            started = time.monotonic()
            time.sleep(8)
            rate = commits.count / (time.monotonic() - started)
    finally:
        pool.stop()
    figures.record(SUITE, f"an idle worker process: {rate:.2f} commits/s")
    assert rate <= 0.5
