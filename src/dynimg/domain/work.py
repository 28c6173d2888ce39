"""The one life of durable work: claim, run, then finish, retry or give up, as data per kind.

Every kind of background work (rendering a job, probing an upload, delivering an event) lives
in a row and goes through the same transitions::

    waiting ──claim──▶ held (attempt n, lease) ──finish──▶ done
       ▲                 │   │
       └─schedule_retry──┘   └──give_up──▶ given up
       └─release (the attempt's worker died: its lease ran out)

A claim bumps the row's attempt, and every later write names the attempt it holds (the fence),
so an attempt that lost its lease can no longer change anything. What happens after a failure
is decided in one place, :meth:`RetryPolicy.retry_after`, from the kind's policy (plain data)
and the kind of fault: the work's own fault ends it at once, a crash spends the kind's crash
allowance, and a dependency outage (storage, database, broker) waits on its own schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any, Generic, TypeVar

T_co = TypeVar("T_co", covariant=True)

MAX_EXPONENT = 30
"""Backoff doubling stops growing here; a cap (when a schedule has one) is reached long before."""


class FaultKind(StrEnum):
    """Why an attempt failed, which decides what the failure spends."""

    REFUSED = "refused"
    """The work itself cannot succeed (bad input, a missing video): give up at once."""
    CRASH = "crash"
    """Something unexpected went wrong, or the attempt's worker died: spends a crash."""
    OUTAGE = "outage"
    """A dependency the work needs is failing: wait for it on the outage schedule."""


@dataclass(frozen=True)
class Fault:
    """A failed attempt as the row records it."""

    kind: FaultKind
    code: str
    """A machine-readable code (an Alibaba error code for jobs)."""
    message: str
    """What the row says, for people; never a receiver's reply or internal details."""
    detail: Mapping[str, Any] | None = None
    """Kind-specific record of the failure as a document (a job's size search), None when
    none."""


@dataclass(frozen=True)
class Backoff:
    """A retry schedule: ``first`` after the first failure, times ``factor`` after each more."""

    first: timedelta
    factor: int = 2
    cap: timedelta | None = None

    def after(self, attempt: int) -> timedelta:
        """The wait after failed attempt number ``attempt`` (1 for the first)."""
        factor: int = self.factor ** min(max(attempt - 1, 0), MAX_EXPONENT)
        delay = self.first * factor
        return delay if self.cap is None else min(delay, self.cap)


@dataclass(frozen=True)
class RetryPolicy:
    """How one kind of work is held, retried and given up on.

    Attempts are counted by the claim, whatever ended them; ``max_attempts`` bounds the
    attempts a kind gets when they crash, ``outage_attempts`` (when set) those that meet a
    failing dependency, which wait on the longer ``outage_backoff`` instead.
    """

    lease: timedelta
    """How long a claim holds its row before another worker may take it over."""
    max_attempts: int
    backoff: Backoff
    outage_attempts: int | None = None
    """Attempts while a dependency fails; None: an outage is treated like a crash."""
    outage_backoff: Backoff | None = None
    heartbeat: bool = False
    """Whether a running attempt renews its lease (long work); else the lease must suffice."""
    deadline: timedelta | None = None
    """With a heartbeat: past this the attempt counts as stuck and its lease lapses."""
    stall: timedelta | None = None
    """With a heartbeat: this long without a sign of life the attempt counts as stuck."""
    fair_share: int | None = None
    """Rows of one account held at once while another account, under its share, has due
    work waiting (more when nobody else waits: workers never idle for fairness); None: no
    accounts (first due, first served)."""

    def counted(self, fault: Fault) -> Fault:
        """``fault`` as this kind counts it: an outage is a crash where outages have no
        allowance of their own."""
        if fault.kind is FaultKind.OUTAGE and self.outage_attempts is None:
            return replace(fault, kind=FaultKind.CRASH)
        return fault

    def retry_after(self, fault: Fault, claim: Claim[object]) -> timedelta | None:
        """How long to wait before retrying after ``fault`` ended ``claim``'s attempt; None:
        give up. Crashes and outages each spend their own allowance, never the other's."""
        kind = self.counted(fault).kind
        if kind is FaultKind.REFUSED:
            return None
        if kind is FaultKind.OUTAGE and self.outage_attempts is not None:
            outages = claim.attempt - claim.crashes  # this attempt included
            backoff = self.outage_backoff or self.backoff
            return backoff.after(outages) if outages < self.outage_attempts else None
        crashes = claim.crashes + 1  # this one included
        return self.backoff.after(crashes) if crashes < self.max_attempts else None


@dataclass(frozen=True)
class Claim(Generic[T_co]):
    """A row held by one attempt: every write after the claim is fenced by ``attempt``."""

    ref: str
    attempt: int
    crashes: int
    """Earlier attempts that crashed or whose worker died (not those that met an outage)."""
    record: T_co
    """The row as the claim left it."""
    trace: str | None = None
    """The W3C ``traceparent`` of the span that stored the row (None: untraced): the attempt
    continues that trace, whichever process or broker carried the announcement."""


class Outcome(StrEnum):
    """How one attempt ended for its row."""

    DONE = "done"
    RETRY = "retry"
    GAVE_UP = "gave_up"
