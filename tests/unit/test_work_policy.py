"""The one retry decision: crashes and outages each spend their own allowance."""

from __future__ import annotations

from datetime import timedelta

from dynimg.domain.jobs import job_policy
from dynimg.domain.outbox import DELIVERY_POLICY, MAX_DELIVERY_ATTEMPTS
from dynimg.domain.tasks import PROBE_POLICY
from dynimg.domain.work import Claim, Fault, FaultKind

CRASH = Fault(FaultKind.CRASH, "InternalError", "boom")
OUTAGE = Fault(FaultKind.OUTAGE, "ServiceUnAvailable", "storage")
REFUSED = Fault(FaultKind.REFUSED, "InvalidMedia.Unreadable", "bad file")
JOBS = job_policy(timedelta(seconds=60), 300.0, timedelta(seconds=60))


def claim(attempt: int, crashes: int) -> Claim[None]:
    return Claim("ref", attempt, crashes, None)


def test_a_refused_attempt_is_never_retried() -> None:
    assert JOBS.retry_after(REFUSED, claim(1, 0)) is None


def test_crashes_back_off_and_give_up_after_the_third() -> None:
    assert JOBS.retry_after(CRASH, claim(1, 0)) == timedelta(seconds=2)
    assert JOBS.retry_after(CRASH, claim(2, 1)) == timedelta(seconds=4)
    assert JOBS.retry_after(CRASH, claim(3, 2)) is None


def test_outages_do_not_spend_crashes_and_crashes_do_not_spend_outages() -> None:
    assert JOBS.retry_after(CRASH, claim(9, 0)) == timedelta(seconds=2), "8 outages before"
    assert JOBS.retry_after(OUTAGE, claim(3, 2)) == timedelta(seconds=15), "first outage"
    assert JOBS.retry_after(OUTAGE, claim(9, 0)) == timedelta(minutes=10), "capped"
    assert JOBS.retry_after(OUTAGE, claim(10, 0)) is None
    assert JOBS.retry_after(OUTAGE, claim(12, 2)) is None


def test_a_kind_without_an_outage_allowance_counts_outages_as_crashes() -> None:
    assert DELIVERY_POLICY.counted(OUTAGE).kind is FaultKind.CRASH
    last = claim(MAX_DELIVERY_ATTEMPTS, MAX_DELIVERY_ATTEMPTS - 1)
    assert DELIVERY_POLICY.retry_after(OUTAGE, last) is None
    assert DELIVERY_POLICY.retry_after(CRASH, claim(20, 19)) == timedelta(hours=1)
    assert PROBE_POLICY.counted(OUTAGE) is OUTAGE
