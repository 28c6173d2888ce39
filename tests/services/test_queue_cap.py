"""A per-account cap on unfinished jobs: one account cannot fill the queue for everyone."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from dynimg.api.error_mapper import error_headers, error_response
from dynimg.bootstrap import Services
from dynimg.domain.jobs import JobResult, SubmitJob
from dynimg.domain.snapshots import SnapshotConfig, SnapshotType
from dynimg.errors import QueueFull
from dynimg.services import jobs, snapshots
from dynimg.services.snapshots import SnapshotRequest
from dynimg.settings import load_settings
from tests.support import figures
from tests.support.tenants import Announcements, Tenant, tenant

SUITE = "queue cap per account (tests/services/test_queue_cap.py)"
LIMIT = 5


def submit(services: Services, who: Tenant, limit: int = LIMIT) -> str:
    d = services.deps
    command = SubmitJob(who.video_id, who.template_id)
    return jobs.submit_job(d.uow_factory, d.clock, Announcements(), who.account, command, limit).id


def snapshot(services: Services, who: Tenant) -> str:
    d = services.deps
    request = SnapshotRequest(who.video_id, None, SnapshotConfig(SnapshotType.NORMAL))
    job = snapshots.submit_snapshot_job(
        d.uow_factory, d.clock, Announcements(), who.account, request, LIMIT
    )
    return job.id


@pytest.mark.timeout(60)
def test_an_account_with_its_queue_full_is_throttled_and_others_are_not(any_db: Services) -> None:
    services = any_db
    heavy, light = tenant(services, "heavy"), tenant(services, "light")
    backlog = [submit(services, heavy) for _ in range(LIMIT)]
    started = time.perf_counter()
    with pytest.raises(QueueFull) as refused:
        submit(services, heavy)
    refused_ms = (time.perf_counter() - started) * 1000
    assert submit(services, light), "another account is not throttled"
    status, body = error_response(refused.value, "RID", "host")
    assert (status, body["Code"]) == (429, "Throttling")
    assert error_headers(refused.value)["Retry-After"] == "5"
    # A running job still counts; a finished one frees its place.
    d = services.deps
    now = d.clock.now()
    with d.uow_factory() as uow:
        claim = uow.jobs.claim(backlog[0], now, now + timedelta(minutes=1))
        assert claim is not None
        uow.commit()
    with pytest.raises(QueueFull):
        submit(services, heavy)
    with d.uow_factory() as uow:
        assert uow.jobs.finish(backlog[0], claim.attempt, now, JobResult(None, None))
        uow.commit()
    assert submit(services, heavy), "a finished job makes room"
    assert submit(services, heavy, limit=0), "0: no limit"
    # Snapshot jobs have the same cap, counted apart.
    for _ in range(LIMIT):
        snapshot(services, heavy)
    with pytest.raises(QueueFull):
        snapshot(services, heavy)
    name = services.settings.effective_database_url.split(":")[0]
    figures.record(
        SUITE, f"queue cap of {LIMIT} jobs per account ({name}): the next submission answered "
        f"429 Throttling in {refused_ms:.1f} ms; another account's submission accepted",
    )  # fmt: skip


def test_the_default_cap_is_a_few_hundred() -> None:
    assert 100 <= load_settings({}).account_queue_limit <= 1000
