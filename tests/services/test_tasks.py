"""The task registry: each kind claimed once, periodic work once per cluster."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from dynimg.bootstrap import Services, build_services
from dynimg.domain.console_users import ConsoleSession, ConsoleUser
from dynimg.domain.jobs import SubmitJob
from dynimg.domain.outbox import MAX_DELIVERY_ATTEMPTS, OutboxMessage
from dynimg.domain.tasks import PERIODIC, REANNOUNCE_AFTER, TaskKind, TaskState
from dynimg.domain.template_documents import read_add_template
from dynimg.domain.upload_requests import read_new_video
from dynimg.domain.uploads import UploadGrant, UploadTarget
from dynimg.domain.videos import VideoStatus
from dynimg.errors import IllegalStatus
from dynimg.services import accounts, jobs, templates
from dynimg.services.notifications import deliver_event, list_events, redeliver_event
from dynimg.services.processing import finish_upload, recover_probes, run_probe
from dynimg.services.tasks import TaskDeps, due_work, run_periodic, run_task, sweep
from dynimg.services.uploads import create_upload_video
from dynimg.settings import load_settings
from tests.support.clock import FixedClock
from tests.support.media import make_clip


class RecordingDispatcher:
    """Remembers announcements instead of delivering them (a broker that loses everything)."""

    def __init__(self) -> None:
        self.announced: list[tuple[TaskKind, str]] = []

    def announce(self, kind: TaskKind, ref: str) -> None:
        self.announced.append((kind, ref))


class RecordingSender:
    def __init__(self) -> None:
        self.posts: list[str] = []

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        self.posts.append(url)


@dataclasses.dataclass
class World:
    services: Services
    clock: FixedClock
    dispatcher: RecordingDispatcher
    deps: TaskDeps
    account: Any


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    clock = FixedClock()
    services = build_services(load_settings({"DYNIMG_HOME": str(tmp_path)}), clock=clock)
    dispatcher = RecordingDispatcher()
    services.deps = dataclasses.replace(services.deps, dispatcher=dispatcher)
    account, _ = accounts.ensure_default_key(services.deps.uow_factory, clock)
    yield World(services, clock, dispatcher, services.task_deps, account)
    services.close()


def uploaded(world: World, tmp_path: Path) -> str:
    """A video whose file arrived; its probe task is stored but (so far) never run."""
    s = world.services
    ticket = create_upload_video(
        s.deps.uow_factory, world.clock, s.deps.upload_policy, world.account,
        read_new_video({"Title": "t", "FileName": "c.mp4"}),
    )  # fmt: skip
    with s.deps.uow_factory() as uow:
        video = uow.videos.get(world.account.id, ticket.target_id)
    assert video is not None
    clip = make_clip(tmp_path / "c.mp4", seconds=1).path
    stored = s.deps.storage.put(video.storage_key, iter([clip.read_bytes()]))
    grant = UploadGrant(
        key_id="k", secret="s", token_sha256="", account_id=world.account.id,
        target=UploadTarget.VIDEO, target_id=video.id, bucket="b", object_key=stored.key,
        max_bytes=1 << 30, expires_at=world.clock.moment + timedelta(hours=1),
    )  # fmt: skip
    finish_upload(s.deps.uow_factory, world.clock, world.dispatcher, grant, stored)
    return video.id


def video_status(world: World, video_id: str) -> VideoStatus:
    with world.services.deps.uow_factory() as uow:
        video = uow.videos.get(None, video_id)
    assert video is not None
    return video.status


def test_a_probe_is_durable_and_runs_once(world: World, tmp_path: Path) -> None:
    video_id = uploaded(world, tmp_path)
    assert world.dispatcher.announced == [(TaskKind.PROBE, video_id)]
    assert video_status(world, video_id) is VideoStatus.UPLOAD_SUCC
    # The process that received the upload died before probing: the row is still there.
    assert (TaskKind.PROBE, video_id) in due_work(world.deps)
    assert run_probe(world.deps.probes, video_id) is TaskState.DONE
    assert video_status(world, video_id) is VideoStatus.NORMAL
    assert run_probe(world.deps.probes, video_id) is None, "a duplicate message does nothing"
    assert (TaskKind.PROBE, video_id) not in due_work(world.deps)


def test_a_probe_whose_worker_died_is_recovered(world: World, tmp_path: Path) -> None:
    video_id = uploaded(world, tmp_path)
    with world.services.deps.uow_factory() as uow:
        assert uow.tasks.queue(TaskKind.PROBE).claim(
            video_id, world.clock.moment, world.clock.moment + timedelta(minutes=2)
        )
        uow.commit()
    assert run_probe(world.deps.probes, video_id) is None, "held by the dead worker"
    world.clock.moment += timedelta(minutes=3)
    assert recover_probes(world.deps.probes) == 1
    assert run_probe(world.deps.probes, video_id) is TaskState.DONE
    with world.services.deps.uow_factory() as uow:
        task = uow.tasks.get(TaskKind.PROBE, video_id)
    assert task is not None and (task.state, task.attempt) == (TaskState.DONE, 2)


def test_probing_gives_up_visibly(world: World, tmp_path: Path) -> None:
    video_id = uploaded(world, tmp_path)

    class BrokenStorage:
        def readable(self, key: str) -> Any:
            raise OSError("disk gone")

    probes = dataclasses.replace(world.deps.probes, storage=BrokenStorage())  # type: ignore[arg-type]
    for _ in range(2):
        assert run_probe(probes, video_id) is TaskState.QUEUED
        world.clock.moment += timedelta(minutes=5)
    assert run_probe(probes, video_id) is TaskState.FAILED
    assert video_status(world, video_id) is VideoStatus.UPLOAD_FAIL


def test_periodic_work_runs_once_per_interval_across_the_cluster(
    world: World, tmp_path: Path
) -> None:
    other = build_services(
        load_settings({"DYNIMG_HOME": str(tmp_path)}), clock=world.clock
    )  # a second worker process on the same database
    try:
        ran = [run_periodic(deps, TaskKind.SWEEP) for deps in (world.deps, other.task_deps)]
        assert ran == [True, False]
        assert not run_periodic(world.deps, TaskKind.SWEEP), "not due again yet"
        world.clock.moment += PERIODIC[TaskKind.SWEEP]
        ran = [run_periodic(deps, TaskKind.SWEEP) for deps in (other.task_deps, world.deps)]
        assert ran == [True, False]
    finally:
        other.close()


def test_housekeeping_forgets_console_sessions_past_the_configured_lifetime(
    world: World, tmp_path: Path
) -> None:
    deps = build_services(
        load_settings({"DYNIMG_HOME": str(tmp_path), "DYNIMG_CONSOLE_SESSION_HOURS": "2"}),
        clock=world.clock,
    )
    try:
        user = ConsoleUser("u" * 32, world.account.id, "ann", "hash", world.clock.now())
        with world.services.deps.uow_factory() as uow:
            uow.console_users.add(user)
            uow.console_sessions.add(ConsoleSession("s1", user.id, world.clock.now()))
            uow.commit()
        world.clock.moment += timedelta(hours=1)
        assert run_periodic(deps.task_deps, TaskKind.HOUSEKEEPING)
        with world.services.deps.uow_factory() as uow:
            assert uow.console_sessions.exists("s1", user.id), "within its 2 hours"
        world.clock.moment += timedelta(hours=2)
        assert run_periodic(deps.task_deps, TaskKind.HOUSEKEEPING)
        with world.services.deps.uow_factory() as uow:
            assert not uow.console_sessions.exists("s1", user.id)
    finally:
        deps.close()


def submitted(world: World, tmp_path: Path) -> str:
    s = world.services
    video_id = uploaded(world, tmp_path)
    run_probe(world.deps.probes, video_id)
    template = templates.add_template(
        s.deps.uow_factory, world.clock, world.account,
        read_add_template("t", "DynamicImage",
                          '{"Container":{"Format":"gif"},"Clip":{"TimeSpan":{"Seek":"0"}}}'),
    )  # fmt: skip
    job = jobs.submit_job(
        s.deps.uow_factory, world.clock, world.dispatcher, world.account,
        SubmitJob(video_id, template.id),
    )  # fmt: skip
    return job.id


def test_a_lost_announcement_is_repeated_by_the_sweep_but_not_too_often(
    world: World, tmp_path: Path
) -> None:
    job_id = submitted(world, tmp_path)
    assert world.dispatcher.announced[-1] == (TaskKind.RENDER, job_id)
    world.dispatcher.announced.clear()  # the broker lost it
    sweep(world.deps)
    assert world.dispatcher.announced == [], "announced just now: probably still queued"
    world.clock.moment += REANNOUNCE_AFTER
    sweep(world.deps)
    renders = [a for a in world.dispatcher.announced if a[0] is TaskKind.RENDER]
    assert renders == [(TaskKind.RENDER, job_id)]  # (the video's cover snapshots are due too)
    sweep(world.deps)
    renders = [a for a in world.dispatcher.announced if a[0] is TaskKind.RENDER]
    assert renders == [(TaskKind.RENDER, job_id)], "no flood of duplicates"
    run_task(world.deps, TaskKind.RENDER, job_id)
    run_task(world.deps, TaskKind.RENDER, job_id)  # delivered twice: the second is a no-op
    with world.services.deps.uow_factory() as uow:
        job = uow.jobs.get(None, job_id)
        assert job is not None and (job.status.value, job.attempt) == ("Success", 1)
        assert len(uow.images.for_video(job.account_id, job.video_id)) == 1


def event(world: World, event_id: str = "e1") -> str:
    now = world.clock.moment
    with world.services.deps.uow_factory() as uow:
        uow.outbox.add(
            OutboxMessage(
                id=event_id, account_id=world.account.id, event_type="DynamicImageComplete",
                url="http://receiver.example/cb", auth_key="", payload={}, attempts=0,
                next_attempt_at=now, created_at=now, announced_at=now,
            )
        )  # fmt: skip
        uow.commit()
    return event_id


def test_an_event_is_sent_by_one_worker_at_a_time(world: World) -> None:
    event_id = event(world)
    now = world.clock.moment
    with world.services.deps.uow_factory() as uow:
        first = uow.outbox.claim(event_id, now, now + timedelta(seconds=30))
        second = uow.outbox.claim(event_id, now, now + timedelta(seconds=30))
        uow.commit()
    assert first is not None and first.attempt == first.record.attempts == 1 and second is None
    sender = RecordingSender()
    assert deliver_event(world.services.deps.uow_factory, world.clock, sender, event_id) is None
    world.clock.moment += timedelta(seconds=31)  # the first worker died mid-send
    assert deliver_event(world.services.deps.uow_factory, world.clock, sender, event_id) is True
    with world.services.deps.uow_factory() as uow:
        # The dead attempt can no longer record anything over the one that succeeded.
        assert not uow.outbox.finish(event_id, 1, world.clock.moment, None)
        message = uow.outbox.get(None, event_id)
    assert (
        message is not None
        and message.delivered_at is not None
        and sender.posts == ["http://receiver.example/cb"]
    )


class FailingSender:
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        raise ConnectionRefusedError("receiver down")


def test_events_are_retried_for_about_a_day_then_kept_and_redeliverable(world: World) -> None:
    event_id = event(world)
    started, factory = world.clock.moment, world.services.deps.uow_factory
    attempts = 0
    while deliver_event(factory, world.clock, FailingSender(), event_id) is False:
        attempts += 1
        with factory() as uow:
            message = uow.outbox.get(None, event_id)
        assert message is not None
        if message.gave_up:
            break
        world.clock.moment = message.next_attempt_at
    assert attempts == MAX_DELIVERY_ATTEMPTS
    assert timedelta(hours=20) < world.clock.moment - started < timedelta(hours=30)
    total, failed = list_events(factory, world.account, "failed", 1, 10)
    assert total == 1 and failed[0].id == event_id and failed[0].last_error
    assert list_events(factory, world.account, "pending", 1, 10)[0] == 0
    redeliver_event(factory, world.clock, world.dispatcher, world.account, event_id)
    assert world.dispatcher.announced[-1] == (TaskKind.DELIVER, event_id)
    assert deliver_event(factory, world.clock, RecordingSender(), event_id) is True
    assert list_events(factory, world.account, "delivered", 1, 10)[0] == 1
    with pytest.raises(IllegalStatus):
        redeliver_event(factory, world.clock, world.dispatcher, world.account, event_id)
