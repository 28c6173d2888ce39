"""The SQL repositories and unit of work, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import sessionmaker

from dynimg.adapters.db.migrate import upgrade
from dynimg.adapters.db.tables import dynamic_image_jobs
from dynimg.adapters.db.unit_of_work import SqlUnitOfWork
from dynimg.domain.accounts import AccessKey, Account
from dynimg.domain.events import MessageCallback
from dynimg.domain.jobs import DynamicImageJob, JobRequest
from dynimg.domain.outbox import OutboxMessage
from dynimg.domain.rendering import effective_template, read_overrides
from dynimg.domain.template_documents import read_template_config
from dynimg.domain.template_parsing import parse_template_config
from dynimg.domain.templates import Template, TemplateType, TimeSpan
from tests.db.conftest import T0


@pytest.fixture
def uow_factory(engine: Engine) -> sessionmaker:  # type: ignore[type-arg]
    upgrade(engine)
    return sessionmaker(engine, expire_on_commit=False)


def account(name: str = "alice", uid: int = 1) -> Account:
    return Account(id=name.ljust(32, "0"), name=name, uid=uid, created_at=T0)


def template(owner: Account, template_id: str, minutes: int = 0) -> Template:
    when = T0 + timedelta(minutes=minutes)
    stored = read_template_config('{"Container":{"Format":"gif"},"Clip":{"TimeSpan":{"Seek":0}}}')
    return Template(
        id=template_id,
        account_id=owner.id,
        name="名前",
        type=TemplateType.DYNAMIC_IMAGE,
        config=stored.config,
        document=stored.document,
        app_id="app-1000000",
        is_default=False,
        created_at=when,
        modified_at=when,
    )


def test_accounts_and_keys_round_trip(uow_factory: sessionmaker) -> None:  # type: ignore[type-arg]
    alice = account()
    key = AccessKey(id="K1", account_id=alice.id, secret="s", enabled=True, created_at=T0)
    with SqlUnitOfWork(uow_factory) as uow:
        uow.accounts.add(alice)
        uow.access_keys.add(key)
        uow.commit()
    with SqlUnitOfWork(uow_factory) as uow:
        assert uow.accounts.get_by_name("alice") == alice
        assert uow.access_keys.get("K1") == key
        assert uow.access_keys.set_enabled("K1", False)
        assert not uow.access_keys.set_enabled("missing", False)
        uow.commit()
    with SqlUnitOfWork(uow_factory) as uow:
        stored = uow.access_keys.get("K1")
        assert stored is not None and not stored.enabled
        assert stored.created_at == T0 and stored.created_at.tzinfo is not None


def test_leaving_without_commit_rolls_back(uow_factory: sessionmaker) -> None:  # type: ignore[type-arg]
    with SqlUnitOfWork(uow_factory) as uow:
        uow.accounts.add(account())
    with SqlUnitOfWork(uow_factory) as uow:
        assert uow.accounts.get_by_name("alice") is None


def test_templates_are_scoped_to_their_account(uow_factory: sessionmaker) -> None:  # type: ignore[type-arg]
    alice, bob = account("alice", 1), account("bob", 2)
    with SqlUnitOfWork(uow_factory) as uow:
        uow.accounts.add(alice)
        uow.accounts.add(bob)
        uow.templates.add(template(alice, "t1", 0))
        uow.templates.add(template(alice, "t2", 1))
        uow.commit()
    with SqlUnitOfWork(uow_factory) as uow:
        assert [t.id for t in uow.templates.list(alice.id, "DynamicImage")] == ["t2", "t1"]
        assert uow.templates.list(bob.id, "DynamicImage") == []
        assert uow.templates.get(bob.id, "t1") is None
        assert not uow.templates.delete(bob.id, "t1")
        stored = uow.templates.get(alice.id, "t1")
        assert stored is not None and stored.name == "名前"
        uow.templates.update(replace(stored, name="renamed"))
        assert uow.templates.delete(alice.id, "t2")
        uow.commit()
    with SqlUnitOfWork(uow_factory) as uow:
        assert [t.name for t in uow.templates.list(alice.id, "DynamicImage")] == ["renamed"]


TEMPLATE = '{"Container":{"Format":"gif"},"Video":{"Width":320},"Clip":{"TimeSpan":{"Seek":"1"}}}'
OVERRIDES = '{"Video":{"Width":"160"},"Clip":{"TimeSpan":{"Seek":"2","Duration":"1.5"}}}'


def test_a_job_keeps_its_effective_config_and_older_rows_load_as_well(
    uow_factory: sessionmaker,  # type: ignore[type-arg]
) -> None:
    alice = account()
    overrides = read_overrides(OVERRIDES)
    config = effective_template(read_template_config(TEMPLATE).document, overrides.document)
    assert (config.width, config.time_span) == (160, TimeSpan(2000, duration_ms=1500))
    job = DynamicImageJob.queued(JobRequest(alice.id, "v1", "t1", config, overrides), T0)
    with SqlUnitOfWork(uow_factory) as uow:
        uow.accounts.add(alice)
        uow.jobs.add(job)
        uow.commit()
    jobs = dynamic_image_jobs
    with uow_factory() as session:
        stored = session.execute(select(jobs.c.template_config).where(jobs.c.id == job.id))
        assert parse_template_config(json.loads(stored.scalar_one())) == config
        # Rows written before jobs kept their effective config hold the template's own.
        session.execute(update(jobs).where(jobs.c.id == job.id).values(template_config=TEMPLATE))
        session.commit()
    with SqlUnitOfWork(uow_factory) as uow:
        assert uow.jobs.get(alice.id, job.id) == job


def test_nonces_refuse_replays_until_they_expire(uow_factory: sessionmaker) -> None:  # type: ignore[type-arg]
    later = T0 + timedelta(minutes=30)
    with SqlUnitOfWork(uow_factory) as uow:
        assert uow.nonces.remember("K", "n1", T0, later)
        assert not uow.nonces.remember("K", "n1", T0, later)
        assert uow.nonces.remember("K2", "n1", T0, later)
        uow.commit()
    with SqlUnitOfWork(uow_factory) as uow:
        assert not uow.nonces.remember("K", "n1", T0 + timedelta(minutes=1), later)
        assert uow.nonces.remember("K", "n1", later, later + timedelta(minutes=30))
        assert uow.nonces.purge(later + timedelta(hours=1)) == 2
        uow.commit()


def test_a_nonce_sent_concurrently_is_accepted_once(uow_factory: sessionmaker) -> None:  # type: ignore[type-arg]
    def attempt(_: int) -> bool:
        with SqlUnitOfWork(uow_factory) as uow:
            fresh = uow.nonces.remember("K", "race", T0, T0 + timedelta(minutes=30))
            uow.commit()
        return fresh

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, range(16)))
    assert results.count(True) == 1


def test_an_event_sends_the_bytes_it_was_stored_with(uow_factory: sessionmaker) -> None:  # type: ignore[type-arg]
    alice = account()
    callback = MessageCallback(
        alice.id, "app-1000000", "HTTP", "http://receiver.example/cb", ("ALL",), True, "k"
    )
    # Keys out of alphabetical order, non-ASCII text and a nested object: what every retry sends
    # is the first attempt's compact JSON, byte for byte (a receiver may hash or sign it).
    payload = {"Status": "success", "EventType": "Test", "Name": "名前", "Info": {"b": 1, "a": 2.5}}
    message = OutboxMessage.queued(callback, "Test", payload, T0)
    with SqlUnitOfWork(uow_factory) as uow:
        uow.accounts.add(alice)
        uow.outbox.add(message)
        uow.commit()
    sent = '{"Status":"success","EventType":"Test","Name":"名前","Info":{"b":1,"a":2.5}}'.encode()
    assert message.body() == sent
    with SqlUnitOfWork(uow_factory) as uow:
        stored = uow.outbox.get(alice.id, message.id)
        _, [listed] = uow.outbox.list(alice.id, None, 0, 10)
    assert stored is not None and stored.payload == payload and stored.auth_key == "k"
    assert stored.body() == listed.body() == sent
