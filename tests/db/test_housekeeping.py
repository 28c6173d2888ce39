"""Housekeeping on SQLite and PostgreSQL: expired grants and abandoned uploads go away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from dynimg.adapters.db.migrate import upgrade
from dynimg.adapters.db.unit_of_work import SqlUnitOfWork
from dynimg.adapters.storage.local import LocalStorage
from dynimg.domain.accounts import Account
from dynimg.domain.uploads import UploadTarget, new_grant
from dynimg.ports import UnitOfWork
from dynimg.services.housekeeping import purge_abandoned_uploads, purge_expired_grants
from dynimg.services.object_uploads import part_key

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


def test_expired_grants_and_abandoned_uploads(engine: Engine, tmp_path: Path) -> None:
    upgrade(engine)
    factory = sessionmaker(engine, expire_on_commit=False)

    def uow_factory() -> UnitOfWork:
        return SqlUnitOfWork(factory)

    storage, clock = LocalStorage(tmp_path / "storage"), FixedClock(NOW)
    with uow_factory() as uow:
        uow.accounts.add(Account("a" * 32, "a", 1, NOW))
        grant, _ = new_grant(
            account_id="a" * 32, target=UploadTarget.VIDEO, target_id="v" * 32,
            bucket="dynimg", object_key="video/v/source.mp4", max_bytes=10, now=NOW,
        )  # fmt: skip
        uow.upload_grants.add(grant)
        uow.multipart.create("old", "a" * 32, "video/v/source.mp4", NOW - timedelta(days=3))
        uow.multipart.put_part("old", 1, 3, "0" * 32)
        uow.multipart.create("new", "a" * 32, "video/v/source.mp4", NOW)
        uow.commit()
    storage.put(part_key("old", 1), iter([b"abc"]))
    assert purge_expired_grants(uow_factory, clock) == 0
    clock.moment = NOW + timedelta(hours=1)
    assert purge_expired_grants(uow_factory, clock) == 1
    assert purge_abandoned_uploads(uow_factory, clock, storage) == 1
    assert not storage.exists(part_key("old", 1))
    with uow_factory() as uow:
        assert uow.upload_grants.get(grant.key_id) is None
        assert uow.multipart.object_key("old") is None
        assert uow.multipart.object_key("new") == "video/v/source.mp4"
