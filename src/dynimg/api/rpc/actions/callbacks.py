"""SetMessageCallback, GetMessageCallback, DeleteMessageCallback, and the event log.

ListCallbackEvents and RedeliverCallbackEvent are dynimg extensions: Alibaba gives up on an
event silently; dynimg keeps every event with its delivery state and can send one again.
"""

from __future__ import annotations

from typing import Any

from dynimg.api.rpc.action import Action
from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import Param
from dynimg.domain.fields import read_int
from dynimg.domain.outbox import OutboxMessage
from dynimg.domain.timestamps import format_utc
from dynimg.services import notifications


def set_message_callback(ctx: ActionContext) -> dict[str, Any]:
    allow = ctx.services.settings.allow_private_callbacks
    p = ctx.params
    wanted = notifications.CallbackSettings(
        callback_url=p.get("CallbackURL"), auth_key=p.get("AuthKey"),
        auth_switch=p.get("AuthSwitch"), callback_type=p.get("CallbackType"),
        event_types=p.get("EventTypeList"), app_id=p.get("AppId"),
    )  # fmt: skip
    notifications.set_callback(ctx.deps.uow_factory, ctx.account, wanted, allow_private=allow)
    return {}


def get_message_callback(ctx: ActionContext) -> dict[str, Any]:
    callback = notifications.get_callback(ctx.deps.uow_factory, ctx.account)
    return {
        "MessageCallback": {
            "AppId": callback.app_id,
            "CallbackType": callback.callback_type,
            "CallbackURL": callback.callback_url,
            "EventTypeList": ",".join(callback.event_types),
            "AuthSwitch": "on" if callback.auth_switch else "off",
            "AuthKey": callback.auth_key,
        }
    }


def delete_message_callback(ctx: ActionContext) -> dict[str, Any]:
    notifications.delete_callback(ctx.deps.uow_factory, ctx.account)
    return {}


def list_callback_events(ctx: ActionContext) -> dict[str, Any]:
    page = read_int(ctx.params.get("PageNo") or 1, "PageNo", 1, 10**6)
    size = read_int(ctx.params.get("PageSize") or 20, "PageSize", 1, 100)
    total, events = notifications.list_events(
        ctx.deps.uow_factory, ctx.account, ctx.params.get("State"), page, size
    )
    return {"Total": total, "EventList": [event_info(event) for event in events]}


def redeliver_callback_event(ctx: ActionContext) -> dict[str, Any]:
    s = ctx.deps
    notifications.redeliver_event(
        s.uow_factory, s.clock, s.dispatcher, ctx.account, ctx.require("EventId")
    )
    return {}


def event_info(event: OutboxMessage) -> dict[str, Any]:
    """One event and where its delivery stands."""
    state = "delivered" if event.delivered_at else "failed" if event.gave_up else "pending"
    info: dict[str, Any] = {
        "EventId": event.id,
        "EventType": event.event_type,
        "CallbackURL": event.url,
        "State": state,
        "Attempts": event.attempts,
        "CreationTime": format_utc(event.created_at),
    }
    if event.delivered_at:
        info["DeliveryTime"] = format_utc(event.delivered_at)
    elif not event.gave_up:
        info["NextAttemptTime"] = format_utc(event.next_attempt_at)
    if event.last_error:
        info["LastError"] = event.last_error
    return info


ACTIONS = [
    Action(
        "SetMessageCallback",
        set_message_callback,
        (
            Param("CallbackType", max_bytes=8),
            Param("CallbackURL", max_bytes=2048),
            Param("EventTypeList", max_bytes=1024),
            Param("AuthSwitch", max_bytes=4),
            Param("AuthKey", max_bytes=64),
            Param("AppId", max_bytes=64),
            Param("MnsEndpoint", max_bytes=256),
            Param("MnsQueueName", max_bytes=256),
        ),
    ),
    Action("GetMessageCallback", get_message_callback, (Param("AppId", max_bytes=64),)),
    Action("DeleteMessageCallback", delete_message_callback, (Param("AppId", max_bytes=64),)),
    Action(
        "ListCallbackEvents",
        list_callback_events,
        tuple(Param(n, max_bytes=16) for n in ("State", "PageNo", "PageSize")),
    ),
    Action(
        "RedeliverCallbackEvent",
        redeliver_callback_event,
        (Param("EventId", required=True, max_bytes=64),),
    ),
]
