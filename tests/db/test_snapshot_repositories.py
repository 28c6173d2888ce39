"""Snapshot jobs and files in SQL, on SQLite and PostgreSQL: configs round-trip, and a video's
files are listed by the newest job that stored their type."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from dynimg.adapters.db.migrate import upgrade
from dynimg.adapters.db.unit_of_work import SqlUnitOfWork
from dynimg.domain.accounts import Account
from dynimg.domain.snapshot_jobs import Snapshot, SnapshotJob, snapshot_key
from dynimg.domain.snapshots import SnapshotType, parse_snapshot_template_config
from tests.db.conftest import T0


@pytest.fixture
def uow_factory(engine: Engine) -> sessionmaker:  # type: ignore[type-arg]
    upgrade(engine)
    return sessionmaker(engine, expire_on_commit=False)


ALICE = Account(id="a" * 32, name="alice", uid=1, created_at=T0)


def files(job: str, kind: SnapshotType, count: int, minutes: int) -> list[Snapshot]:
    return [
        Snapshot(f"{job}-{kind.value}-{i}"[:32], ALICE.id, "v", job, kind, i, 160, 90, 100,
                 snapshot_key("v", job, kind, i), T0 + timedelta(minutes=minutes), i * 1000)
        for i in range(1, count + 1)
    ]  # fmt: skip


def test_snapshot_jobs_and_files(uow_factory: sessionmaker) -> None:  # type: ignore[type-arg]
    config = parse_snapshot_template_config(
        {"SnapshotType": "WebVttSnapshot", "SnapshotConfig": {"Count": 30, "FrameType": "intra",
                                                              "SpriteSnapshotConfig": {"Lines": 3}}}
    )  # fmt: skip
    job = SnapshotJob.queued(ALICE.id, "v", "", config, T0, '{"Extend": {"a": 1}}')
    with SqlUnitOfWork(uow_factory) as uow:
        uow.accounts.add(ALICE)
        uow.snapshot_jobs.add(job)
        for snapshot in files("old", SnapshotType.SPRITE, 2, 0) + files(
            "new", SnapshotType.SPRITE, 3, 5
        ):
            uow.snapshots.add(snapshot)
        for snapshot in files("old", SnapshotType.NORMAL, 4, 0):
            uow.snapshots.add(snapshot)
        uow.commit()
    with SqlUnitOfWork(uow_factory) as uow:
        assert uow.snapshot_jobs.get(ALICE.id, job.id) == job
        assert uow.snapshot_jobs.get("b" * 32, job.id) is None
        assert uow.snapshots.latest_job(ALICE.id, "v", SnapshotType.SPRITE) == "new"
        assert uow.snapshots.latest_job(ALICE.id, "v", SnapshotType.NORMAL) == "old"
        assert uow.snapshots.latest_job(ALICE.id, "v", SnapshotType.WEBVTT) is None
        total, page = uow.snapshots.page("new", SnapshotType.SPRITE, 1, 1)
        assert total == 3 and [s.index for s in page] == [2]
        key = snapshot_key("v", "new", SnapshotType.SPRITE, 3)
        found = uow.snapshots.by_key(key)
        assert found is not None and found.at_ms == 3000 and found.type is SnapshotType.SPRITE
        uow.snapshots.delete_for_video(ALICE.id, "v")
        uow.commit()
    with SqlUnitOfWork(uow_factory) as uow:
        assert uow.snapshots.for_video(ALICE.id, "v") == []
        assert uow.snapshot_jobs.get(None, job.id) is None
