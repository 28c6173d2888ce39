"""The job runner's state machine, driven step by step: retries, backoff, leases, failures."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from dynimg.adapters.observability.logs import JsonFormatter
from dynimg.bootstrap import Services, build_services
from dynimg.domain.jobs import JobStatus, SubmitJob
from dynimg.domain.media_files import MediaStatus
from dynimg.domain.rendering import RenderResult, RenderSpec
from dynimg.domain.template_documents import read_add_template
from dynimg.domain.templates import ImageFormat
from dynimg.domain.upload_requests import read_new_media, read_new_video
from dynimg.domain.uploads import UploadTarget
from dynimg.domain.watermark_documents import read_add_watermark
from dynimg.errors import InvalidParameter, StorageError, UnreadableMedia
from dynimg.services import accounts, jobs, templates, watermarks
from dynimg.services.job_runner import JobDeps, recover_jobs, run_job
from dynimg.services.processing import ProbeDeps, process_upload
from dynimg.services.uploads import create_upload_media
from dynimg.settings import load_settings
from tests.support.clock import FixedClock
from tests.support.media import make_clip, png_bomb


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
    account, _ = accounts.ensure_default_key(services.deps.uow_factory, clock)
    template = templates.add_template(
        services.deps.uow_factory, clock, account,
        read_add_template("t", "DynamicImage",
                          '{"Container":{"Format":"gif"},"Clip":{"TimeSpan":{"Seek":"0"}}}'),
    )  # fmt: skip
    clip = make_clip(tmp_path / "c.mp4", seconds=1).path
    from dynimg.services.uploads import create_upload_video

    ticket = create_upload_video(
        services.deps.uow_factory, clock, services.deps.upload_policy, account,
        read_new_video({"Title": "t", "FileName": "c.mp4"}),
    )  # fmt: skip
    with services.deps.uow_factory() as uow:
        video = uow.videos.get(account.id, ticket.target_id)
        assert video is not None
        services.deps.storage.put(video.storage_key, iter([clip.read_bytes()]))
        from dynimg.domain.videos import VideoStatus

        uow.videos.update(dataclasses.replace(video, status=VideoStatus.NORMAL))
        uow.commit()
    job = jobs.submit_job(
        services.deps.uow_factory,
        clock,
        services.deps.dispatcher,
        account,
        SubmitJob(video.id, template.id),
    )
    yield services, clock, account.id, job.id, video.id
    services.close()


def deps_with(services: Services, engine: Any) -> JobDeps:
    return dataclasses.replace(services.job_deps, engine=engine)


def job_state(services: Services, job_id: str) -> Any:
    with services.deps.uow_factory() as uow:
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
    with services.deps.uow_factory() as uow:
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
            recover_jobs(deps_with(services, FlakyEngine(0, RuntimeError())))
            with services.deps.uow_factory() as uow:
                assert uow.jobs.claim(job_id, clock.moment, clock.moment + timedelta(seconds=10))
                uow.commit()
            return super().render(source, spec, output)

    deps = dataclasses.replace(
        deps_with(services, SlowEngine(0, RuntimeError())), lease=timedelta(seconds=10)
    )
    assert run_job(deps, job_id) is None
    job = job_state(services, job_id)
    assert (job.status, job.attempt) == (JobStatus.PROCESSING, 2), "still the other worker's"
    with services.deps.uow_factory() as uow:
        assert uow.images.for_video(job.account_id, video_id) == []
    clock.moment += timedelta(minutes=5)  # the other worker dies too
    recover_jobs(deps_with(services, FlakyEngine(0, RuntimeError())))
    assert run_job(deps_with(services, FlakyEngine(0, RuntimeError())), job_id) is JobStatus.SUCCESS
    with services.deps.uow_factory() as uow:
        assert len(uow.images.for_video(job.account_id, video_id)) == 1


class BlockingEngine(FlakyEngine):
    """Renders for ``seconds`` of real time while the fixed clock runs 20x faster.

    With ``report``, it reports progress every step, as a healthy render does; without, it
    stays silent, as a render stuck in native code does.
    """

    def __init__(self, clock: FixedClock, seconds: float, report: float | None) -> None:
        super().__init__(0, RuntimeError())
        self.clock, self.seconds, self.report = clock, seconds, report

    def render(
        self, source: Path, spec: RenderSpec, output: Path, on_progress: Any = None
    ) -> RenderResult:
        import time

        end = time.monotonic() + self.seconds
        while time.monotonic() < end:
            time.sleep(0.05)
            self.clock.moment += timedelta(seconds=1)
            if self.report is not None and on_progress is not None:
                on_progress(self.report)
        return super().render(source, spec, output)


def heartbeat_deps(services: Services, engine: Any, **values: Any) -> JobDeps:
    return dataclasses.replace(deps_with(services, engine), **values)


def watch_job(services: Services, job_id: str, engine: Any, deps: JobDeps) -> list[Any]:
    """Run the job in a thread; sample the job's row while it renders."""
    import threading

    runner = threading.Thread(target=run_job, args=(deps, job_id))
    runner.start()
    samples = []
    while runner.is_alive():
        samples.append(job_state(services, job_id))
        runner.join(0.1)
    return samples


def test_the_heartbeat_renews_by_the_configured_lease_and_keeps_progress(setup: Any) -> None:
    services, clock, _, job_id, _ = setup
    engine = BlockingEngine(clock, 1.5, report=0.8)
    lease = timedelta(seconds=0.4)  # beats every 0.1 s
    samples = watch_job(services, job_id, engine, heartbeat_deps(services, engine, lease=lease))
    running = [job for job in samples if job.status is JobStatus.PROCESSING]
    assert len(running) >= 5
    late = running[-3:]
    for job in late:
        # Renewed from the (fast) clock by the configured lease, not by a fixed minute.
        assert job.lease_until - job.started_at < timedelta(seconds=60)
        assert job.progress == 80, "a beat must not reset the progress the render reported"
    assert max(job.lease_until for job in running) > running[0].lease_until, "renewed"
    assert job_state(services, job_id).status is JobStatus.SUCCESS


def test_a_beat_extends_the_lease_from_its_own_clock(setup: Any) -> None:
    services, clock, _, job_id, _ = setup
    engine = BlockingEngine(clock, 1.0, report=0.5)
    deps = heartbeat_deps(services, engine, lease=timedelta(seconds=0.4))
    samples = watch_job(services, job_id, engine, deps)
    lease = timedelta(seconds=0.4)
    renewed = [job for job in samples if job.status is JobStatus.PROCESSING]
    # A beat's lease ends one lease after the clock of that beat. The last beat may fall after
    # the clock's last step, so the bound is the final clock plus one lease: never a minute on.
    assert renewed[-1].lease_until <= clock.moment + lease
    # The beats followed the clock: the last lease is seconds past the first, not where it was.
    assert renewed[-1].lease_until - renewed[0].lease_until >= timedelta(seconds=5)


def test_a_stuck_render_stops_renewing_its_lease(setup: Any) -> None:
    services, clock, _, job_id, _ = setup
    engine = BlockingEngine(clock, 1.5, report=None)  # silent: stuck in native code
    deps = heartbeat_deps(
        services, engine, lease=timedelta(seconds=0.2), render_grace=timedelta(seconds=0.2)
    )
    samples = watch_job(services, job_id, engine, deps)
    running = [job for job in samples if job.status is JobStatus.PROCESSING]
    leases = {job.lease_until for job in running}
    # After the stall window the lease stays where it was while the (fast) clock runs on,
    # so a sweeper would hand the job to another attempt.
    assert running[-1].lease_until < clock.moment - timedelta(seconds=10)
    assert len(leases) < len(running)


def test_a_render_past_its_deadline_stops_renewing_even_while_reporting(setup: Any) -> None:
    services, clock, _, job_id, _ = setup
    engine = BlockingEngine(clock, 1.5, report=0.3)
    deps = heartbeat_deps(
        services, engine, lease=timedelta(seconds=0.2), render_seconds=0.2,
        render_grace=timedelta(seconds=0.2),
    )  # fmt: skip
    samples = watch_job(services, job_id, engine, deps)
    running = [job for job in samples if job.status is JobStatus.PROCESSING]
    assert running[-1].lease_until < clock.moment - timedelta(seconds=10)


class FullStorage:
    """Storage whose disk is full: every write fails; reads still work."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.full = inner, True

    def put(self, key: str, chunks: Any, **options: Any) -> Any:
        if self.full:
            raise StorageError()
        return self.inner.put(key, chunks, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_full_disk_is_reported_and_waited_out(setup: Any) -> None:
    services, clock, _, job_id, _ = setup
    storage = FullStorage(services.deps.storage)
    deps = dataclasses.replace(deps_with(services, FlakyEngine(0, RuntimeError())), storage=storage)
    assert run_job(deps, job_id) is JobStatus.QUEUED
    job = job_state(services, job_id)
    assert (job.error_code, job.next_attempt_at - clock.moment) == (
        "ServiceUnAvailable", timedelta(seconds=15)
    )  # fmt: skip
    assert "not writable" in job.error_message, "the job says why it waits"
    for _ in range(4):  # more attempts than any other failure gets
        clock.moment = job_state(services, job_id).next_attempt_at
        assert run_job(deps, job_id) is JobStatus.QUEUED
    storage.full = False  # an operator freed space
    clock.moment = job_state(services, job_id).next_attempt_at
    assert run_job(deps, job_id) is JobStatus.SUCCESS
    assert job_state(services, job_id).error_code == ""


def test_a_disk_that_stays_full_fails_the_job_clearly(setup: Any) -> None:
    services, clock, _, job_id, _ = setup
    deps = dataclasses.replace(
        deps_with(services, FlakyEngine(0, RuntimeError())),
        storage=FullStorage(services.deps.storage),
    )
    outcomes = []
    for _ in range(10):
        outcomes.append(run_job(deps, job_id))
        clock.moment += timedelta(hours=1)
    assert outcomes == [JobStatus.QUEUED] * 9 + [JobStatus.FAIL]
    assert job_state(services, job_id).error_code == "ServiceUnAvailable"


def test_an_image_bomb_fails_its_upload_and_its_jobs_at_once(
    setup: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services, clock, account_id, _, video_id = setup
    with services.deps.uow_factory() as uow:
        account = uow.accounts.get(account_id)
    ticket = create_upload_media(
        services.deps.uow_factory, clock, services.deps.upload_policy, account,
        read_new_media(UploadTarget.ATTACHED, {"BusinessType": "watermark", "MediaExt": "png"}),
    )  # fmt: skip
    bomb = png_bomb(tmp_path / "bomb.png", 15000, 15000)
    with services.deps.uow_factory() as uow:
        media = uow.media_files.get(account_id, ticket.target_id)
        stored = services.deps.storage.put(media.storage_key, iter([bomb.read_bytes()]))
        uow.media_files.update(dataclasses.replace(media, size=stored.size))
        uow.commit()
    # A watermark added while the upload is still being probed.
    mark = watermarks.add_watermark(
        services.deps.uow_factory, clock, services.deps.upload_policy, account,
        read_add_watermark("bomb", "Image", "{}", ticket.file_url),
    )  # fmt: skip
    probe = ProbeDeps(services.deps.uow_factory, clock, services.deps.storage, services.deps.engine)
    process_upload(probe, UploadTarget.ATTACHED, ticket.target_id)
    with services.deps.uow_factory() as uow:
        media = uow.media_files.get(account_id, ticket.target_id)
    assert media.status is MediaStatus.UPLOAD_FAIL
    assert media.failure_reason.startswith("MediaLimit.Exceeded: ")
    with pytest.raises(InvalidParameter, match=r"FileUrl.*MediaLimit\.Exceeded"):
        watermarks.add_watermark(
            services.deps.uow_factory, clock, services.deps.upload_policy, account,
            read_add_watermark("again", "Image", "{}", ticket.file_url),
        )  # fmt: skip

    template = templates.add_template(
        services.deps.uow_factory, clock, account,
        read_add_template("marked", "DynamicImage", json.dumps({
            "Container": {"Format": "gif"}, "Video": {"Width": "160"},
            "Clip": {"TimeSpan": {"Seek": "0", "Duration": "0.5"}}, "WatermarkIds": [mark.id],
        })),
    )  # fmt: skip
    job = jobs.submit_job(
        services.deps.uow_factory,
        clock,
        services.deps.dispatcher,
        account,
        SubmitJob(video_id, template.id),
    )
    assert run_job(services.job_deps, job.id) is JobStatus.FAIL
    failed = job_state(services, job.id)
    assert (failed.attempt, failed.error_code) == (1, "InvalidWatermark.File")
    assert failed.error_message.startswith(f"Watermark {mark.id}: ")


class RecordingJobMetrics:
    """A Metrics port that keeps job and render times."""

    def __init__(self) -> None:
        self.finished: list[tuple[str, str, float]] = []
        self.renders: list[str] = []

    def request_served(self, action: str, code: int, seconds: float) -> None: ...
    def callback_attempted(self, delivered: bool, gave_up: bool) -> None: ...
    def uploaded(self, size: int) -> None: ...
    def storage_failed(self, operation: str) -> None: ...

    def body_reading(self, delta: int) -> None: ...

    def slow_client(self, reason: str) -> None: ...

    def job_finished(self, fmt: str, status: str, seconds: float) -> None:
        self.finished.append((fmt, status, seconds))

    def rendered(self, fmt: str, seconds: float) -> None:
        self.renders.append(fmt)


def test_a_finished_job_reports_its_times_and_its_log_lines_carry_its_id(setup: Any) -> None:
    services, clock, _, job_id, _ = setup
    metrics = RecordingJobMetrics()
    engine = FlakyEngine(1, RuntimeError("hiccup"))
    deps = dataclasses.replace(deps_with(services, engine), metrics=metrics)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("dynimg.jobs")
    logger.addHandler(handler)
    try:
        clock.moment += timedelta(seconds=5)
        assert run_job(deps, job_id) is JobStatus.QUEUED  # logged, and not finished
        clock.moment += timedelta(seconds=2)
        assert run_job(deps, job_id) is JobStatus.SUCCESS
    finally:
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue().splitlines()[0])
    assert (entry["level"], entry["job_id"]) == ("error", job_id)
    assert "hiccup" in entry["exception"]
    assert metrics.finished == [("gif", "Success", 7.0)], "from submission to the end"
    assert metrics.renders == ["gif"], "only renders that produced an image"


def test_a_storage_outage_does_not_spend_the_crash_allowance(setup: Any) -> None:
    services, clock, _, job_id, _ = setup
    storage = FullStorage(services.deps.storage)
    deps = dataclasses.replace(deps_with(services, FlakyEngine(0, RuntimeError())), storage=storage)
    for _ in range(3):  # S3 is down for a while: three attempts meet it
        clock.moment = job_state(services, job_id).next_attempt_at
        assert run_job(deps, job_id) is JobStatus.QUEUED
    storage.full = False
    for crash in range(2):  # then two attempts' workers are killed (leases run out)
        clock.moment = job_state(services, job_id).next_attempt_at
        with services.deps.uow_factory() as uow:
            assert uow.jobs.claim(job_id, clock.moment, clock.moment + timedelta(seconds=10))
            uow.commit()
        clock.moment += timedelta(minutes=1)
        assert recover_jobs(deps) == 1
        job = job_state(services, job_id)
        assert (job.status, job.attempt) == (JobStatus.QUEUED, 4 + crash), "the outage is no crash"
    assert run_job(deps, job_id) is JobStatus.SUCCESS
    assert job_state(services, job_id).attempt == 6


def test_crashes_stay_bounded_after_an_outage(setup: Any) -> None:
    services, clock, _, job_id, _ = setup
    fine = deps_with(services, FlakyEngine(0, RuntimeError()))
    outage = dataclasses.replace(fine, storage=FullStorage(services.deps.storage))
    crashing = deps_with(services, FlakyEngine(9, RuntimeError("bug")))
    outcomes = []
    for deps in (outage, outage, crashing, crashing, crashing, crashing):
        clock.moment += timedelta(hours=1)
        outcomes.append(run_job(deps, job_id))
    assert outcomes == [JobStatus.QUEUED] * 4 + [JobStatus.FAIL, None], "3 crashes, whatever else"
    assert job_state(services, job_id).error_code == "InternalError"


def test_a_stale_attempt_never_writes_where_the_winner_wrote(setup: Any) -> None:
    services, clock, _, job_id, video_id = setup
    winner = deps_with(services, FlakyEngine(0, RuntimeError()))

    class PausedEngine(FlakyEngine):
        """Paused past its lease (SIGSTOP) while another attempt runs the job to Success."""

        def render(
            self, source: Path, spec: RenderSpec, output: Path, on_progress: Any = None
        ) -> RenderResult:
            clock.moment += timedelta(minutes=5)
            recover_jobs(winner)
            assert run_job(winner, job_id) is JobStatus.SUCCESS
            result = super().render(source, spec, output)
            output.write_bytes(b"GIF89a-stale-bytes")
            return result

    stale = dataclasses.replace(
        deps_with(services, PausedEngine(0, RuntimeError())), lease=timedelta(seconds=10)
    )
    assert run_job(stale, job_id) is None, "the stale attempt lost the job"
    with services.deps.uow_factory() as uow:
        (image,) = uow.images.for_video(job_state(services, job_id).account_id, video_id)
    assert b"".join(services.deps.storage.open_range(image.storage_key)) == b"GIF89a-not-really"
    prefix = services.settings.home / "storage" / video_id / "image" / "dynamic"
    assert [p.name for p in prefix.iterdir()] == [image.storage_key.rsplit("/", 1)[-1]]


def test_the_winner_removes_the_file_of_an_attempt_that_died_after_storing(setup: Any) -> None:
    from dynimg.domain.jobs import image_key
    from dynimg.services.images import image_at

    services, clock, _, job_id, video_id = setup
    job = job_state(services, job_id)
    dead_key = image_key(video_id, job.dynamic_image_id, "gif", 1)
    with services.deps.uow_factory() as uow:  # attempt 1 stored its file, then its worker died
        assert uow.jobs.claim(job_id, clock.moment, clock.moment + timedelta(seconds=10))
        uow.commit()
    services.deps.storage.put(dead_key, iter([b"GIF89a-dead"]))
    clock.moment += timedelta(minutes=1)
    deps = deps_with(services, FlakyEngine(0, RuntimeError()))
    assert recover_jobs(deps) == 1
    assert run_job(deps, job_id) is JobStatus.SUCCESS
    with services.deps.uow_factory() as uow:
        (image,) = uow.images.for_video(job.account_id, video_id)
    assert image.storage_key == image_key(video_id, job.dynamic_image_id, "gif", 2)
    assert not services.deps.storage.exists(dead_key)
    assert image_at(services.deps, "/" + image.storage_key) == image, "its URL serves it"
    assert image_at(services.deps, "/" + dead_key) is None
