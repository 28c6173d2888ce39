"""SetMessageCallback, GetMessageCallback, DeleteMessageCallback, and delivering the outbox."""

from __future__ import annotations

import logging
from dataclasses import replace

from dynimg.domain.accounts import Account
from dynimg.domain.events import (
    MessageCallback,
    callback_signature,
    parse_event_types,
    validate_auth_key,
    validate_callback_url,
)
from dynimg.domain.fields import read_choice
from dynimg.domain.outbox import MAX_DELIVERY_ATTEMPTS, OutboxMessage, retry_delay
from dynimg.errors import InvalidParameter, MissingParameter, ResourceNotFound
from dynimg.ports import CallbackSender, Clock, UnitOfWorkFactory

log = logging.getLogger("dynimg.events")


def set_callback(
    uow_factory: UnitOfWorkFactory,
    account: Account,
    params: dict[str, str | None],
    *,
    allow_private: bool,
) -> MessageCallback:
    """Configure (or change) the account's HTTP callback."""
    kind = read_choice(params.get("CallbackType") or "HTTP", "CallbackType", ["HTTP", "MNS"])
    if kind == "MNS":
        raise InvalidParameter("CallbackType", "dynimg delivers HTTP callbacks only")
    url = params.get("CallbackURL")
    if not url:
        raise MissingParameter("CallbackURL")
    switch = read_choice(params.get("AuthSwitch") or "off", "AuthSwitch", ["on", "off"]) == "on"
    key = params.get("AuthKey") or ""
    if switch and not key:
        raise MissingParameter("AuthKey")
    callback = MessageCallback(
        account_id=account.id,
        app_id=params.get("AppId") or "app-1000000",
        callback_type=kind,
        callback_url=validate_callback_url(url, allow_private=allow_private),
        event_types=parse_event_types(params.get("EventTypeList")),
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


def deliver_due(uow_factory: UnitOfWorkFactory, clock: Clock, sender: CallbackSender) -> int:
    """Send every event that is due; failures are retried with backoff, then given up on."""
    now = clock.now()
    with uow_factory() as uow:
        due = uow.outbox.due(now, 50)
    for message in due:
        _deliver(uow_factory, clock, sender, message)
    return len(due)


def _deliver(
    uow_factory: UnitOfWorkFactory, clock: Clock, sender: CallbackSender, message: OutboxMessage
) -> None:
    headers = {"Content-Type": "application/json"}
    if message.auth_key:
        timestamp = int(clock.now().timestamp())
        headers["X-VOD-TIMESTAMP"] = str(timestamp)
        headers["X-VOD-SIGNATURE"] = callback_signature(message.url, timestamp, message.auth_key)
    attempts = message.attempts + 1
    try:
        sender.post(message.url, message.payload.encode(), headers)
    except Exception as exc:
        done = replace(message, attempts=attempts)
        give_up = attempts >= MAX_DELIVERY_ATTEMPTS
        log.warning(
            "event %s to %s failed (attempt %s): %s", message.id, message.url, attempts, exc
        )
        with uow_factory() as uow:
            uow.outbox.record(
                done.id,
                attempts=attempts,
                gave_up=give_up,
                last_error=str(exc)[:500],
                next_attempt_at=clock.now() + retry_delay(attempts),
            )
            uow.commit()
        return
    with uow_factory() as uow:
        uow.outbox.record(message.id, attempts=attempts, delivered_at=clock.now(), last_error="")
        uow.commit()
