"""SetMessageCallback, GetMessageCallback and DeleteMessageCallback (HTTP callbacks)."""

from __future__ import annotations

from typing import Any

from dynimg.api.context import ActionContext
from dynimg.api.params import Param
from dynimg.api.registry import Action
from dynimg.services import notifications


def set_message_callback(ctx: ActionContext) -> dict[str, Any]:
    allow = ctx.services.settings.allow_private_callbacks
    notifications.set_callback(
        ctx.services.uow_factory, ctx.account, ctx.params, allow_private=allow
    )
    return {}


def get_message_callback(ctx: ActionContext) -> dict[str, Any]:
    callback = notifications.get_callback(ctx.services.uow_factory, ctx.account)
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
    notifications.delete_callback(ctx.services.uow_factory, ctx.account)
    return {}


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
]
