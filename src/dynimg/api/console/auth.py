"""Signing in and out (here or everywhere), and the language switch."""

from __future__ import annotations

import functools
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dynimg.api.console.core import Console, page
from dynimg.api.console.i18n import LANG_COOKIE, LANGUAGES
from dynimg.api.console.sessions import Visitor, new_visitor
from dynimg.api.console.stream_slots import SIGN_IN_WAIT_SECONDS
from dynimg.errors import SignInFailed, SignInsBusy
from dynimg.services.console_users import (
    authenticate,
    end_all_sessions,
    end_session,
    start_session,
)


async def sign_in_form(console: Console, request: Request, visitor: Visitor) -> Response:
    if visitor.account is not None:
        return RedirectResponse("/console/videos", status_code=303)
    return console.render(request, visitor, "sign_in.html", next=_next(request), username="")


async def sign_in(console: Console, request: Request, visitor: Visitor) -> Response:
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    address = request.client.host if request.client else ""
    if console.throttle.blocked(username, address):
        return _form_error(console, request, visitor, username, 429,
                           "Too many failed sign-ins. Try again in a few minutes.")  # fmt: skip
    s = console.deps
    busy = SignInsBusy()
    try:
        async with console.password_checks.held(address, busy, SIGN_IN_WAIT_SECONDS):
            user = await run_in_threadpool(
                functools.partial(authenticate, s.uow_factory, s.passwords, username, password)
            )
    except SignInsBusy:
        return _form_error(console, request, visitor, username, 429, busy.message)
    except SignInFailed:
        console.throttle.failed(username, address)
        return _form_error(console, request, visitor, username, 401, "Wrong username or password.")
    console.throttle.succeeded(username, address)
    lifetime = timedelta(seconds=console.sessions.absolute_seconds)
    session_id = await run_in_threadpool(start_session, s.uow_factory, s.clock, user, lifetime)
    # A fresh session and CSRF token on sign-in.
    request.state.visitor = new_visitor(user, session_id)
    return RedirectResponse(_next(request, form.get("next")), status_code=303)


async def sign_out(console: Console, request: Request, visitor: Visitor) -> Response:
    """End this session in the database too: a copy of its cookie is refused from now on."""
    if visitor.session_id:
        await run_in_threadpool(end_session, console.deps.uow_factory, visitor.session_id)
    request.state.visitor = new_visitor()
    return RedirectResponse("/console/sign-in", status_code=303)


async def sign_out_everywhere(console: Console, request: Request, visitor: Visitor) -> Response:
    """End every session of this user, in every browser, this one included."""
    user_id = visitor.user_id
    assert user_id is not None  # a signed-in page
    await run_in_threadpool(end_all_sessions, console.deps.uow_factory, user_id)
    request.state.visitor = new_visitor()
    return RedirectResponse("/console/sign-in", status_code=303)


async def switch_language(console: Console, request: Request, visitor: Visitor) -> Response:
    language = request.path_params["lang"]
    back = _next(request, request.query_params.get("next"))
    response = RedirectResponse(back, status_code=303)
    if language in LANGUAGES:
        response.set_cookie(LANG_COOKIE, language, max_age=365 * 86400, path="/console",
                            samesite="lax")  # fmt: skip
    return response


async def home(console: Console, request: Request, visitor: Visitor) -> Response:
    return RedirectResponse("/console/videos", status_code=303)


def _form_error(
    console: Console, request: Request, visitor: Visitor, username: str, status: int, message: str
) -> Response:
    return console.render(
        request, visitor, "sign_in.html", status, next=_next(request), username=username,
        error=message,
    )  # fmt: skip


def _next(request: Request, value: object = None) -> str:
    """Where to go after signing in: a console path only, never another site."""
    target = value if isinstance(value, str) else request.query_params.get("next", "")
    if target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/videos"


def routes(console: Console) -> list[Route]:
    return [
        Route("/", page(console, home), methods=["GET"]),
        Route("/sign-in", page(console, sign_in_form, public=True), methods=["GET"]),
        Route("/sign-in", page(console, sign_in, public=True), methods=["POST"]),
        Route("/sign-out", page(console, sign_out, public=True), methods=["POST"]),
        Route("/sign-out-everywhere", page(console, sign_out_everywhere), methods=["POST"]),
        Route("/lang/{lang}", page(console, switch_language, public=True), methods=["GET"]),
    ]
