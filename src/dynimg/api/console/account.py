"""The account page: AccessKeys (secret shown once), the callback with a test event and the
recent deliveries, usage by day, and the user's password and sessions."""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dynimg.api.console.core import Console, page
from dynimg.api.console.sessions import Visitor
from dynimg.domain.outbox import OutboxMessage
from dynimg.domain.usage import UsageQuery, UsageRow
from dynimg.errors import DynimgError, ResourceNotFound
from dynimg.services import accounts, console_users, notifications, usage

RECENT_EVENTS = 20


async def account_page(console: Console, request: Request, visitor: Visitor) -> Response:
    return await _page(console, request, visitor)


async def create_key(console: Console, request: Request, visitor: Visitor) -> Response:
    """The new key's secret is in this response only: it is never shown again."""
    s = console.deps
    key = await run_in_threadpool(
        accounts.create_access_key, s.uow_factory, s.clock, console.account(visitor).name
    )
    return await _page(console, request, visitor, new_key={"id": key.id, "secret": key.secret})


async def enable_key(console: Console, request: Request, visitor: Visitor) -> Response:
    return await _set_key_enabled(console, request, visitor, True)


async def disable_key(console: Console, request: Request, visitor: Visitor) -> Response:
    return await _set_key_enabled(console, request, visitor, False)


async def _set_key_enabled(
    console: Console, request: Request, visitor: Visitor, enabled: bool
) -> Response:
    await run_in_threadpool(
        accounts.set_account_key_enabled, console.deps.uow_factory, console.account(visitor),
        request.path_params["key_id"], enabled,
    )  # fmt: skip
    return RedirectResponse("/console/account", status_code=303)


async def set_callback(console: Console, request: Request, visitor: Visitor) -> Response:
    form = await request.form()
    key = str(form.get("auth_key") or "").strip()
    wanted = notifications.CallbackSettings(
        callback_url=str(form.get("callback_url") or "").strip(), auth_key=key or None,
        auth_switch="on" if key else "off",
    )  # fmt: skip
    s = console.deps
    try:
        await run_in_threadpool(
            functools.partial(
                notifications.set_callback, s.uow_factory, console.account(visitor), wanted,
                allow_private=console.services.settings.allow_private_callbacks,
            )
        )  # fmt: skip
    except DynimgError as exc:
        return await _page(console, request, visitor, 400, error=f"{exc.code}: {exc.message}")
    return RedirectResponse("/console/account", status_code=303)


async def change_password(console: Console, request: Request, visitor: Visitor) -> Response:
    """A new password; every other session of this user is signed out, this one stays."""
    form = await request.form()
    assert visitor.user is not None  # a signed-in page
    s = console.deps
    try:
        await run_in_threadpool(
            functools.partial(
                console_users.change_password, s.uow_factory, s.passwords, visitor.user,
                current=str(form.get("current_password") or ""),
                new=str(form.get("new_password") or ""), session_id=visitor.session_id,
            )
        )  # fmt: skip
    except DynimgError as exc:
        return await _page(console, request, visitor, exc.http_status, password_error=exc.message)
    return RedirectResponse("/console/account?password=changed", status_code=303)


async def test_event(console: Console, request: Request, visitor: Visitor) -> Response:
    s = console.deps
    await run_in_threadpool(
        notifications.send_test_event, s.uow_factory, s.clock, s.dispatcher,
        console.account(visitor),
    )  # fmt: skip
    return RedirectResponse("/console/account#deliveries", status_code=303)


def _callback_url(console: Console, visitor: Visitor) -> str:
    try:
        found = notifications.get_callback(console.deps.uow_factory, console.account(visitor))
    except ResourceNotFound:
        return ""
    return found.callback_url


def _event_row(event: OutboxMessage) -> dict[str, Any]:
    state = "delivered" if event.delivered_at else "failed" if event.gave_up else "pending"
    return {"id": event.id, "type": event.event_type, "state": state,
            "attempts": event.attempts, "error": event.last_error,
            "created": event.created_at.strftime("%Y-%m-%d %H:%M:%S")}  # fmt: skip


def _usage_by_day(rows: list[UsageRow]) -> list[dict[str, Any]]:
    seconds: dict[str, float] = defaultdict(float)
    images: dict[str, int] = defaultdict(int)
    for row in rows:
        seconds[row.day] += row.duration_ms / 1000
        images[row.day] += row.images
    return [{"day": day, "seconds": round(seconds[day], 1), "images": images[day]}
            for day in sorted(seconds)]  # fmt: skip


async def _page(
    console: Console,
    request: Request,
    visitor: Visitor,
    status: int = 200,
    new_key: dict[str, str] | None = None,
    error: str = "",
    password_error: str = "",
) -> Response:
    s = console.deps
    account = console.account(visitor)
    keys = await run_in_threadpool(accounts.list_account_keys, s.uow_factory, account)
    callback = await run_in_threadpool(_callback_url, console, visitor)
    _total, events = await run_in_threadpool(
        notifications.list_events, s.uow_factory, account, None, 1, RECENT_EVENTS
    )
    first, last, rows = await run_in_threadpool(
        usage.describe, s.uow_factory, s.clock, account, UsageQuery()
    )
    days = _usage_by_day(rows)
    return console.render(
        request, visitor, "account.html", status, new_key=new_key, error=error,
        keys=[{"id": k.id, "enabled": k.enabled, "created": k.created_at.strftime("%Y-%m-%d %H:%M")}
              for k in keys],
        callback_url=callback, events=[_event_row(e) for e in events], usage=days,
        usage_max=max([d["seconds"] for d in days] or [1]), first=first, last=last,
        password_error=password_error,
        password_changed=request.query_params.get("password") == "changed",
    )  # fmt: skip


def routes(console: Console) -> list[Route]:
    return [
        Route("/account", page(console, account_page), methods=["GET"]),
        Route("/account/keys", page(console, create_key), methods=["POST"]),
        Route("/account/keys/{key_id}/enable", page(console, enable_key), methods=["POST"]),
        Route("/account/keys/{key_id}/disable", page(console, disable_key), methods=["POST"]),
        Route("/account/callback", page(console, set_callback), methods=["POST"]),
        Route("/account/callback/test", page(console, test_event), methods=["POST"]),
        Route("/account/password", page(console, change_password), methods=["POST"]),
    ]
