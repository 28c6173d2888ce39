"""The one claim/run/finish/retry/give-up path that every kind of durable work goes through.

A kind (:class:`WorkKind`) says where its rows are, its :class:`~dynimg.domain.work.RetryPolicy`
and what one attempt does; this module does the rest, the same way for all: claim the row
(a new attempt, leased), perform the work outside any transaction while the heartbeat renews
the lease (kinds whose policy asks for one), then, in one short transaction fenced by the
attempt, finish it, schedule a retry or give up, as the policy decides for the fault.
Recovering rows whose worker died and finding due work go through the same queue verbs.

Tracing: an attempt runs in a span that continues the trace stored with its row (the request
that made the work), so a job is one trace from the API through the worker to its callback,
whichever dispatcher carried the announcement.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Generic, TypeVar

from dynimg.domain.tasks import TaskKind
from dynimg.domain.work import Claim, Fault, Outcome, RetryPolicy
from dynimg.ports.clock import Clock
from dynimg.ports.tracing import NO_TRACING, Attributes, Tracer
from dynimg.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from dynimg.ports.work import WorkQueue
from dynimg.services.heartbeat import Heartbeat, Liveness

T = TypeVar("T")
P = TypeVar("P")
R = TypeVar("R")
AfterCommit = Callable[[], None]


def nothing() -> None:
    """An after-commit action that does nothing."""


@dataclass(frozen=True)
class Runtime:
    """What the lifecycle itself needs: transactions, the time, and where spans go."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    tracer: Tracer = NO_TRACING


class WorkKind(ABC, Generic[T, P, R]):
    """One kind of durable work: rows ``T``, an attempt producing ``P``, recorded as ``R``."""

    task: TaskKind
    policy: RetryPolicy
    abandoned: Fault
    """The fault recorded when the attempt's worker died (its lease ran out)."""

    @abstractmethod
    def queue(self, uow: UnitOfWork) -> WorkQueue[T, R]:
        """Where this kind's rows are."""

    @abstractmethod
    def perform(self, claim: Claim[T], liveness: Liveness) -> P:
        """One attempt's work, outside any transaction; signs of life go to ``liveness``."""

    @abstractmethod
    def fault(self, claim: Claim[T], exc: Exception) -> Fault:
        """What ``exc`` (raised by :meth:`perform`) means; called in the ``except`` block."""

    @abstractmethod
    def result(self, produced: P) -> R:
        """What the row records of a successful attempt."""

    def finished(self, uow: UnitOfWork, claim: Claim[T], produced: P) -> AfterCommit:
        """Writes that go with success, in its transaction; returns what to do after commit."""
        return nothing

    def gave_up(self, uow: UnitOfWork, claim: Claim[T], fault: Fault) -> AfterCommit:
        """Writes that go with giving up, in its transaction; returns what to do after."""
        return nothing

    def settled(self, claim: Claim[T], outcome: Outcome) -> None:
        """An attempt ended with ``outcome`` (report it)."""

    def lost(self, claim: Claim[T], produced: P) -> None:
        """The attempt lost its row before it could finish: undo what it wrote outside the
        database (the attempt that holds the row records its own)."""

    def context(self, ref: str) -> AbstractContextManager[object]:
        """What an attempt at ``ref`` runs within (its log context)."""
        return nullcontext()

    def attributes(self, claim: Claim[T]) -> Attributes:
        """What the attempt's span says of the row besides its kind and ref (ids, never
        secrets): a job's id and account."""
        return {}


def run(rt: Runtime, kind: WorkKind[T, P, R], ref: str) -> Outcome | None:
    """Claim ``ref`` and run one attempt; None when it was not claimable or the run lost it."""
    now = rt.clock.now()
    with rt.uow_factory() as uow:
        claim = kind.queue(uow).claim(ref, now, now + kind.policy.lease, kind.policy.fair_share)
        uow.commit()
    if claim is None:
        return None
    with kind.context(ref), _span(rt, kind, claim):
        outcome = _attempt(rt, kind, claim)
        rt.tracer.annotate({"work.outcome": str(outcome or "lost")})
    if outcome is not None:
        kind.settled(claim, outcome)
    return outcome


def _span(rt: Runtime, kind: WorkKind[T, P, R], claim: Claim[T]) -> AbstractContextManager[object]:
    """The attempt's span, in the trace its row was stored under."""
    attributes = {
        "work.kind": kind.task.value,
        "work.ref": claim.ref,
        "work.attempt": claim.attempt,
    }
    return rt.tracer.span(
        f"{kind.task.value} attempt", {**attributes, **kind.attributes(claim)}, parent=claim.trace
    )


def _attempt(rt: Runtime, kind: WorkKind[T, P, R], claim: Claim[T]) -> Outcome | None:
    liveness = Liveness(kind.policy)
    with _heartbeat(rt, kind, claim, liveness):
        try:
            produced = kind.perform(claim, liveness)
        except Exception as exc:
            return fail(rt, kind, claim, kind.fault(claim, exc))
        return _finish(rt, kind, claim, produced)


def _heartbeat(
    rt: Runtime, kind: WorkKind[T, P, R], claim: Claim[T], liveness: Liveness
) -> AbstractContextManager[object]:
    if not kind.policy.heartbeat:
        return nullcontext()

    def renew() -> None:
        with rt.uow_factory() as uow:
            kind.queue(uow).renew(claim.ref, claim.attempt, rt.clock.now() + kind.policy.lease)
            uow.commit()

    name = f"{kind.task} {claim.ref} attempt {claim.attempt}"
    return Heartbeat(name, kind.policy, liveness, renew)


def _finish(rt: Runtime, kind: WorkKind[T, P, R], claim: Claim[T], produced: P) -> Outcome | None:
    with rt.uow_factory() as uow:
        now = rt.clock.now()
        won = kind.queue(uow).finish(claim.ref, claim.attempt, now, kind.result(produced))
        after = kind.finished(uow, claim, produced) if won else nothing
        uow.commit()
    if not won:
        kind.lost(claim, produced)
        return None
    after()
    return Outcome.DONE


def fail(rt: Runtime, kind: WorkKind[T, P, R], claim: Claim[T], fault: Fault) -> Outcome | None:
    """Retry after ``fault`` if the kind's policy allows, else give up; None if lost."""
    fault = kind.policy.counted(fault)
    delay = kind.policy.retry_after(fault, claim)
    if delay is None:
        return give_up(rt, kind, claim, fault)
    with rt.uow_factory() as uow:
        at = rt.clock.now() + delay
        held = kind.queue(uow).schedule_retry(claim.ref, claim.attempt, at, fault)
        uow.commit()
    return Outcome.RETRY if held else None


def give_up(rt: Runtime, kind: WorkKind[T, P, R], claim: Claim[T], fault: Fault) -> Outcome | None:
    """End the row for good with ``fault``; None when this attempt no longer holds it."""
    with rt.uow_factory() as uow:
        if not kind.queue(uow).give_up(claim.ref, claim.attempt, rt.clock.now(), fault):
            return None
        after = kind.gave_up(uow, claim, fault)
        uow.commit()
    after()
    return Outcome.GAVE_UP


def recover(rt: Runtime, kind: WorkKind[T, P, R]) -> int:
    """Rows whose worker died (lease ran out): waiting again, or given up once the kind's
    policy says the attempts are spent; returns how many were found."""
    with rt.uow_factory() as uow:
        expired = kind.queue(uow).expired(rt.clock.now())
    for claim in expired:
        if kind.policy.retry_after(kind.abandoned, claim) is None:
            outcome = give_up(rt, kind, claim, kind.abandoned)
            if outcome is not None:
                kind.settled(claim, outcome)
            continue
        with rt.uow_factory() as uow:
            kind.queue(uow).release(claim.ref, claim.attempt, rt.clock.now())
            uow.commit()
    return len(expired)
