"""What use cases report to the Metrics port: callback attempts and give-ups, job times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from dynimg.bootstrap import Services, build_services
from dynimg.domain.outbox import MAX_DELIVERY_ATTEMPTS, OutboxMessage
from dynimg.services import accounts
from dynimg.services.monitoring import jobs_snapshot
from dynimg.services.notifications import deliver_event
from dynimg.settings import load_settings
from tests.support.clock import FixedClock


class RecordingMetrics:
    """A Metrics port that remembers what it was told."""

    def __init__(self) -> None:
        self.callbacks: list[tuple[bool, bool]] = []

    def request_served(self, action: str, code: int, seconds: float) -> None: ...
    def job_finished(self, fmt: str, status: str, seconds: float) -> None: ...
    def rendered(self, fmt: str, seconds: float) -> None: ...
    def uploaded(self, size: int) -> None: ...
    def storage_failed(self, operation: str) -> None: ...

    def body_reading(self, delta: int) -> None: ...

    def slow_client(self, reason: str) -> None: ...

    def callback_attempted(self, delivered: bool, gave_up: bool) -> None:
        self.callbacks.append((delivered, gave_up))


class FailingSender:
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        raise ConnectionRefusedError("receiver down")


class RecordingSender:
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        pass


@pytest.fixture
def services(tmp_path: Path) -> Iterator[tuple[Services, FixedClock, str]]:
    clock = FixedClock()
    services = build_services(load_settings({"DYNIMG_HOME": str(tmp_path)}), clock=clock)
    account, _ = accounts.ensure_default_key(services.deps.uow_factory, clock)
    yield services, clock, account.id
    services.close()


def add_event(services: Services, clock: FixedClock, account_id: str, event_id: str) -> None:
    now = clock.now()
    with services.deps.uow_factory() as uow:
        uow.outbox.add(
            OutboxMessage(
                id=event_id, account_id=account_id, event_type="DynamicImageComplete",
                url="http://receiver.example/cb", auth_key="", payload={}, attempts=0,
                next_attempt_at=now, created_at=now, announced_at=now,
            )
        )  # fmt: skip
        uow.commit()


def test_only_the_last_failed_attempt_counts_as_a_give_up(
    services: tuple[Services, FixedClock, str],
) -> None:
    s, clock, account_id = services
    add_event(s, clock, account_id, "e" * 32)
    metrics = RecordingMetrics()
    while deliver_event(s.deps.uow_factory, clock, FailingSender(), "e" * 32, metrics) is False:
        clock.moment += timedelta(days=1)  # every retry is due by then
    assert len(metrics.callbacks) == MAX_DELIVERY_ATTEMPTS
    assert metrics.callbacks[-1] == (False, True)
    assert all(outcome == (False, False) for outcome in metrics.callbacks[:-1])


def test_a_delivery_is_counted_and_is_no_give_up(
    services: tuple[Services, FixedClock, str],
) -> None:
    s, clock, account_id = services
    add_event(s, clock, account_id, "d" * 32)
    metrics = RecordingMetrics()
    assert deliver_event(s.deps.uow_factory, clock, RecordingSender(), "d" * 32, metrics) is True
    assert metrics.callbacks == [(True, False)]


def test_the_prometheus_give_up_counter_goes_up(
    services: tuple[Services, FixedClock, str],
) -> None:
    from prometheus_client import REGISTRY

    s, clock, account_id = services
    before = REGISTRY.get_sample_value("dynimg_callback_give_ups_total") or 0.0
    add_event(s, clock, account_id, "f" * 32)
    deps = s.deps
    while deliver_event(deps.uow_factory, clock, FailingSender(), "f" * 32, deps.metrics) is False:
        clock.moment += timedelta(days=1)
    assert REGISTRY.get_sample_value("dynimg_callback_give_ups_total") == before + 1


def test_an_empty_queue_has_no_age(services: tuple[Services, FixedClock, str]) -> None:
    s, clock, _ = services
    snapshot = jobs_snapshot(s.deps.uow_factory, clock)
    assert snapshot.by_status == {"Queued": 0, "Processing": 0, "Success": 0, "Fail": 0}
    assert (snapshot.queued, snapshot.oldest_queued_seconds) == (0, 0.0)
