"""SetMessageCallback, GetMessageCallback, DeleteMessageCallback, and delivering the outbox."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from dynimg.domain.accounts import Account
from dynimg.domain.events import (
    MessageCallback,
    callback_signature,
    parse_event_types,
    validate_auth_key,
    validate_callback_url,
)
from dynimg.domain.fields import read_choice
from dynimg.domain.outbox import DELIVERY_POLICY, OutboxMessage
from dynimg.domain.tasks import TaskKind
from dynimg.domain.timestamps import format_utc
from dynimg.domain.work import Claim, Fault, FaultKind, Outcome
from dynimg.errors import (
    DynimgError,
    IllegalStatus,
    InvalidParameter,
    MissingParameter,
    ResourceNotFound,
)
from dynimg.ports import (
    CallbackSender,
    Clock,
    Dispatcher,
    Metrics,
    NullMetrics,
    UnitOfWork,
    UnitOfWorkFactory,
)
from dynimg.ports.tracing import Attributes
from dynimg.ports.work import OutboxRepository
from dynimg.services import lifecycle
from dynimg.services.heartbeat import Liveness

EVENT_STATES = ("pending", "delivered", "failed")
EVENT_TEST = "Test"
"""What the console's "send a test event" button sends; not one of Alibaba's event types."""

log = logging.getLogger("dynimg.events")


@dataclass(frozen=True)
class CallbackSettings:
    """What SetMessageCallback (or the console's callback form) asks for, as given: each value
    is validated by ``set_callback`` with the API's rules and messages."""

    callback_url: str | None
    auth_key: str | None = None
    auth_switch: str | None = None
    """``on`` or ``off`` (absent: off)."""
    callback_type: str | None = None
    event_types: str | None = None
    app_id: str | None = None


def set_callback(
    uow_factory: UnitOfWorkFactory,
    account: Account,
    wanted: CallbackSettings,
    *,
    allow_private: bool,
) -> MessageCallback:
    """Configure (or change) the account's HTTP callback."""
    kind = read_choice(wanted.callback_type or "HTTP", "CallbackType", ["HTTP", "MNS"])
    if kind == "MNS":
        raise InvalidParameter("CallbackType", "dynimg delivers HTTP callbacks only")
    url = wanted.callback_url
    if not url:
        raise MissingParameter("CallbackURL")
    switch = read_choice(wanted.auth_switch or "off", "AuthSwitch", ["on", "off"]) == "on"
    key = wanted.auth_key or ""
    if switch and not key:
        raise MissingParameter("AuthKey")
    callback = MessageCallback(
        account_id=account.id,
        app_id=wanted.app_id or "app-1000000",
        callback_type=kind,
        callback_url=validate_callback_url(url, allow_private=allow_private),
        event_types=parse_event_types(wanted.event_types),
        auth_switch=switch,
        auth_key=validate_auth_key(key) if key else "",
    )
    with uow_factory() as uow:
        uow.callbacks.put(callback)
        uow.commit()
    return callback


def get_callback(uow_factory: UnitOfWorkFactory, account: Account) -> MessageCallback:
    with uow_factory() as uow:
        callback = uow.callbacks.get(account.id)
    if callback is None:
        raise ResourceNotFound("No message callback is configured.")
    return callback


def delete_callback(uow_factory: UnitOfWorkFactory, account: Account) -> None:
    with uow_factory() as uow:
        uow.callbacks.delete(account.id)
        uow.commit()


def deliver_event(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    sender: CallbackSender,
    message_id: str,
    metrics: Metrics | None = None,
) -> bool | None:
    """Send one due event if this worker can claim it; True when it was delivered.

    None when it was not claimable (not due, delivered, given up, or another worker has it).
    Each attempt is reported to ``metrics``, with whether it was the event's last.
    """
    work = DeliveryWork(clock, sender, metrics or NullMetrics())
    outcome = lifecycle.run(lifecycle.Runtime(uow_factory, clock), work, message_id)
    return None if outcome is None else outcome is Outcome.DONE


class DeliveryWork(lifecycle.WorkKind[OutboxMessage, None, None]):
    """Delivering one callback event, as a kind of durable work."""

    task = TaskKind.DELIVER
    policy = DELIVERY_POLICY
    abandoned = Fault(FaultKind.CRASH, "Abandoned", "the delivering worker died")

    def __init__(self, clock: Clock, sender: CallbackSender, metrics: Metrics) -> None:
        self.clock, self.sender, self.metrics = clock, sender, metrics

    def queue(self, uow: UnitOfWork) -> OutboxRepository:
        return uow.outbox

    def perform(self, claim: Claim[OutboxMessage], liveness: Liveness) -> None:
        message = claim.record
        self.sender.post(message.url, message.body(), _headers(self.clock, message))

    def fault(self, claim: Claim[OutboxMessage], exc: Exception) -> Fault:
        # The error names the failure's kind only: a receiver's reply may carry anything.
        error = type(exc).__name__ if not isinstance(exc, DynimgError) else exc.message
        log.warning("event %s failed (attempt %s): %s", claim.ref, claim.attempt, error)
        return Fault(FaultKind.CRASH, "DeliveryFailed", error)

    def result(self, produced: None) -> None:
        return None

    def attributes(self, claim: Claim[OutboxMessage]) -> Attributes:
        message = claim.record
        return {"event.id": claim.ref, "event.type": message.event_type,
                "account.id": message.account_id}  # fmt: skip

    def settled(self, claim: Claim[OutboxMessage], outcome: Outcome) -> None:
        delivered, gave_up = outcome is Outcome.DONE, outcome is Outcome.GAVE_UP
        self.metrics.callback_attempted(delivered=delivered, gave_up=gave_up)


def send_test_event(
    uow_factory: UnitOfWorkFactory, clock: Clock, dispatcher: Dispatcher, account: Account
) -> str:
    """Queue a ``Test`` event to the account's callback, delivered (and retried) like any
    other, so its result shows in the recent deliveries; returns the event's id."""
    now = clock.now()
    with uow_factory() as uow:
        callback = uow.callbacks.get(account.id)
        if callback is None:
            raise ResourceNotFound("No message callback is configured.")
        payload = {"EventTime": format_utc(now), "EventType": EVENT_TEST, "Status": "success"}
        message = OutboxMessage.queued(callback, EVENT_TEST, payload, now)
        uow.outbox.add(message)
        uow.commit()
    dispatcher.announce(TaskKind.DELIVER, message.id)
    return message.id


def list_events(
    uow_factory: UnitOfWorkFactory, account: Account, state: str | None, page: int, size: int
) -> tuple[int, Sequence[OutboxMessage]]:
    """An account's callback events, newest first, optionally only one state."""
    if state is not None and state not in EVENT_STATES:
        raise InvalidParameter("State", f"must be one of {', '.join(EVENT_STATES)}")
    with uow_factory() as uow:
        return uow.outbox.list(account.id, state, (page - 1) * size, size)


def redeliver_event(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    dispatcher: Dispatcher,
    account: Account,
    event_id: str,
) -> None:
    """Send a given-up event again, with a fresh attempt budget."""
    with uow_factory() as uow:
        message = uow.outbox.get(account.id, event_id)
        if message is None:
            raise ResourceNotFound("The callback event does not exist.")
        if not message.gave_up:
            raise IllegalStatus("Only events that were given up on can be redelivered.")
        uow.outbox.redeliver(account.id, event_id, clock.now())
        uow.commit()
    dispatcher.announce(TaskKind.DELIVER, event_id)


def _headers(clock: Clock, message: OutboxMessage) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if message.auth_key:
        timestamp = int(clock.now().timestamp())
        headers["X-VOD-TIMESTAMP"] = str(timestamp)
        headers["X-VOD-SIGNATURE"] = callback_signature(message.url, timestamp, message.auth_key)
    return headers
