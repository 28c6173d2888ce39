"""The job runner's state machine, driven step by step: retries, backoff, leases, failures."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dynimg.bootstrap import Services, build_services
from dynimg.domain.jobs import JobStatus
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.templates import ImageFormat
from dynimg.errors import UnreadableMedia
from dynimg.services import accounts, jobs, templates
from dynimg.services.job_runner import JobDeps, run_job, sweep
from dynimg.settings import load_settings
from tests.support.media import make_clip


class FixedClock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


class FlakyEngine:
    """Fails the first ``failures`` renders with ``error``, then renders a tiny file."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    def render(
        self, source: Path, spec: RenderSpec, output: Path, on_progress: Any = None
    ) -> RenderResult:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        output.write_bytes(b"GIF89a-not-really")
        return RenderResult(ImageFormat.GIF, 160, 120, 10.0, 10, 1000, output.stat().st_size)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Services, FixedClock, str, str, str]:
    clock = FixedClock()
    services = build_services(load_settings({"DYNIMG_HOME": str(tmp_path)}), clock=clock)
    account, _ = accounts.ensure_default_key(services.uow_factory, clock)
    template = templates.add_template(
        services.uow_factory, clock, account, name="t", template_type="DynamicImage",
        config_text='{"Container":{"Format":"gif"},"Clip":{"TimeSpan":{"Seek":"0"}}}',
    )  # fmt: skip
    clip = make_clip(tmp_path / "c.mp4", seconds=1).path
    from dynimg.services.uploads import create_upload_video

    ticket = create_upload_video(
        services.uow_factory, clock, services.upload_policy, account,
        {"Title": "t", "FileName": "c.mp4"},
    )  # fmt: skip
    with services.uow_factory() as uow:
        video = uow.videos.get(account.id, ticket.target_id)
        assert video is not None
        services.storage.put(video.storage_key, iter([clip.read_bytes()]))
        from dynimg.domain.videos import VideoStatus

        uow.videos.update(dataclasses.replace(video, status=VideoStatus.NORMAL))
        uow.commit()
    job = jobs.submit_job(
        services.uow_factory, clock, services.queue, account,
        video_id=video.id, template_id=template.id, override_params=None,
    )  # fmt: skip
    yield services, clock, account.id, job.id, video.id
    services.close()


def deps_with(services: Services, engine: Any) -> JobDeps:
    return dataclasses.replace(services.job_deps, engine=engine)


def job_state(services: Services, job_id: str) -> Any:
    with services.uow_factory() as uow:
        return uow.jobs.get(None, job_id)


def test_transient_failures_retry_with_backoff(setup: Any) -> None:
    services, clock, _, job_id, video_id = setup
    deps = deps_with(services, FlakyEngine(2, RuntimeError("disk hiccup")))
    assert run_job(deps, job_id) is JobStatus.QUEUED
    job = job_state(services, job_id)
    assert (job.attempt, job.next_attempt_at - clock.moment) == (1, timedelta(seconds=2))
    assert run_job(deps, job_id) is None, "not due yet: nobody may claim it"
    clock.moment += timedelta(seconds=2)
    assert run_job(deps, job_id) is JobStatus.QUEUED
    assert job_state(services, job_id).next_attempt_at - clock.moment == timedelta(seconds=4)
    clock.moment += timedelta(seconds=4)
    assert run_job(deps, job_id) is JobStatus.SUCCESS
    job = job_state(services, job_id)
    assert (job.status, job.attempt, job.progress, job.error_code) == (
        JobStatus.SUCCESS,
        3,
        100,
        "",
    )
    assert run_job(deps, job_id) is None, "a finished job is never run again"
    with services.uow_factory() as uow:
        assert len(uow.images.for_video(job.account_id, video_id)) == 1


def test_attempts_are_bounded(setup: Any) -> None:
    services, clock, _, job_id, _ = setup
    deps = deps_with(services, FlakyEngine(10, RuntimeError("always")))
    for _ in range(2):
        assert run_job(deps, job_id) is JobStatus.QUEUED
        clock.moment += timedelta(minutes=1)
    assert run_job(deps, job_id) is JobStatus.FAIL
    job = job_state(services, job_id)
    assert (job.attempt, job.error_code) == (3, "InternalError")
    assert "always" not in job.error_message, "internal details stay in the logs"


def test_media_errors_fail_at_once(setup: Any) -> None:
    services, _, _, job_id, _ = setup
    engine = FlakyEngine(1, UnreadableMedia())
    assert run_job(deps_with(services, engine), job_id) is JobStatus.FAIL
    job = job_state(services, job_id)
    assert (job.attempt, job.error_code, engine.calls) == (1, "InvalidMedia.Unreadable", 1)


def test_a_run_that_lost_its_lease_records_nothing(setup: Any) -> None:
    services, clock, _, job_id, video_id = setup

    class SlowEngine(FlakyEngine):
        def render(
            self, source: Path, spec: RenderSpec, output: Path, on_progress: Any = None
        ) -> RenderResult:
            # While this run renders, its lease runs out, the sweeper requeues the job and
            # another worker claims it: this run must not record anything any more.
            clock.moment += timedelta(minutes=5)
            sweep(deps_with(services, FlakyEngine(0, RuntimeError())))
            with services.uow_factory() as uow:
                assert uow.jobs.claim(job_id, clock.moment, clock.moment + timedelta(seconds=10))
                uow.commit()
            return super().render(source, spec, output)

    deps = dataclasses.replace(
        deps_with(services, SlowEngine(0, RuntimeError())), lease=timedelta(seconds=10)
    )
    assert run_job(deps, job_id) is None
    job = job_state(services, job_id)
    assert (job.status, job.attempt) == (JobStatus.PROCESSING, 2), "still the other worker's"
    with services.uow_factory() as uow:
        assert uow.images.for_video(job.account_id, video_id) == []
    clock.moment += timedelta(minutes=5)  # the other worker dies too
    sweep(deps_with(services, FlakyEngine(0, RuntimeError())))
    assert run_job(deps_with(services, FlakyEngine(0, RuntimeError())), job_id) is JobStatus.SUCCESS
    with services.uow_factory() as uow:
        assert len(uow.images.for_video(job.account_id, video_id)) == 1
