"""Housekeeping on SQLite and PostgreSQL: expired grants, abandoned uploads and console sessions
past their absolute timeout go away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from dynimg.adapters.db.migrate import upgrade
from dynimg.adapters.db.unit_of_work import SqlUnitOfWork
from dynimg.adapters.storage.local import LocalStorage
from dynimg.domain.accounts import Account
from dynimg.domain.console_users import ConsoleSession, ConsoleUser
from dynimg.domain.uploads import UploadTarget, new_grant
from dynimg.ports import UnitOfWork
from dynimg.services.housekeeping import (
    purge_abandoned_uploads,
    purge_expired_console_sessions,
    purge_expired_grants,
)
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


def test_console_sessions_past_their_absolute_timeout(engine: Engine) -> None:
    upgrade(engine)
    factory = sessionmaker(engine, expire_on_commit=False)

    def uow_factory() -> UnitOfWork:
        return SqlUnitOfWork(factory)

    lifetime = timedelta(hours=12)
    with uow_factory() as uow:
        uow.accounts.add(Account("a" * 32, "a", 1, NOW))
        for user in ("u1", "u2"):
            uow.console_users.add(ConsoleUser(user * 16, "a" * 32, user, "hash", NOW))
        uow.console_sessions.add(ConsoleSession("old1", "u1" * 16, NOW - timedelta(hours=13)))
        uow.console_sessions.add(ConsoleSession("old2", "u2" * 16, NOW - timedelta(days=40)))
        uow.console_sessions.add(ConsoleSession("live", "u1" * 16, NOW - timedelta(hours=11)))
        uow.commit()
    assert purge_expired_console_sessions(uow_factory, FixedClock(NOW), lifetime) == 2
    with uow_factory() as uow:
        assert uow.console_sessions.exists("live", "u1" * 16)
        assert not uow.console_sessions.exists("old1", "u1" * 16)
        assert not uow.console_sessions.exists("old2", "u2" * 16)
