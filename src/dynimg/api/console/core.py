"""What every console page shares: the session check, CSRF, rendering and error pages."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlparse

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from dynimg.api.console.i18n import LANGUAGES, choose_language, translator
from dynimg.api.console.sessions import (
    SessionCodec,
    Visitor,
    csrf_ok,
    new_visitor,
    signed_in,
)
from dynimg.api.console.stream_slots import (
    COVERS_IN_ALL,
    PASSWORD_CHECKS_IN_ALL,
    PASSWORD_CHECKS_PER_CLIENT,
    PREVIEWS_IN_ALL,
    PREVIEWS_PER_ACCOUNT,
    StreamSlots,
)
from dynimg.api.error_mapper import error_headers
from dynimg.api.wiring import Services
from dynimg.domain.accounts import Account
from dynimg.domain.ids import new_request_id
from dynimg.errors import DynimgError, RequestTooLarge
from dynimg.services.console_users import session_user

log = logging.getLogger("dynimg.console")
SAFE_METHODS = frozenset({"GET", "HEAD"})
MAX_MULTIPART_BYTES = 8 * 1024 * 1024
"""Largest multipart form (a watermark image): parsed before the handler runs, so bounded here."""
Handler = Callable[["Console", Request, Visitor], Awaitable[Response]]


class Console:
    """The console's shared state: services, the session codec, the throttle and templates."""

    def __init__(self, services: Services) -> None:
        settings = services.settings
        self.services = services
        self.deps = services.deps
        self.sessions = SessionCodec(
            services.console_session_key(),
            settings.console_idle_minutes * 60,
            settings.console_session_hours * 3600,
        )
        self.throttle = services.deps.sign_ins
        self.job_streams = StreamSlots()
        self.previews = StreamSlots(PREVIEWS_PER_ACCOUNT, PREVIEWS_IN_ALL)
        """Previews rendering now, per account and in this process."""
        self.covers = StreamSlots(COVERS_IN_ALL, COVERS_IN_ALL)
        """Video covers rendering now in this process."""
        self.password_checks = StreamSlots(PASSWORD_CHECKS_PER_CLIENT, PASSWORD_CHECKS_IN_ALL)
        """Sign-ins checking a password now, per client address and in this process."""
        self.templates = Environment(
            loader=PackageLoader("dynimg.api.console", "html"),
            autoescape=select_autoescape(default=True),
        )
        files = urlparse(services.deps.delivery.base_url)
        self.files_origin = f"{files.scheme}://{files.netloc}"

    def render(
        self, request: Request, visitor: Visitor, name: str, status: int = 200, **values: Any
    ) -> HTMLResponse:
        """A page from ``html/name`` with the visitor, language and CSRF token filled in."""
        language = choose_language(request)
        html = self.templates.get_template(name).render(
            visitor=visitor, csrf=visitor.csrf, lang=language, languages=LANGUAGES,
            _=translator(language), path=request.url.path, **values,
        )  # fmt: skip
        return HTMLResponse(html, status_code=status)

    def account(self, visitor: Visitor) -> Account:
        """The signed-in visitor's account (pages that need one only run when signed in)."""
        assert visitor.account is not None
        return visitor.account


def page(console: Console, handler: Handler, *, public: bool = False) -> Callable[..., Any]:
    """Wrap a handler: load the session, refuse unsafe requests without the CSRF token,
    send anonymous visitors to sign in, and turn errors into pages without stack traces."""

    async def endpoint(request: Request) -> Response:
        visitor = await run_in_threadpool(_load, console, request)
        response = await _guarded(console, handler, request, visitor, public)
        console.sessions.store(response, request.state.visitor, request.url.scheme == "https")
        _secure_headers(console, response)
        return response

    return endpoint


def _load(console: Console, request: Request) -> Visitor:
    visitor = console.sessions.load(request)
    if visitor.user_id is not None:
        found = session_user(console.deps.uow_factory, visitor.user_id, visitor.session_id)
        visitor = signed_in(visitor, *found) if found else new_visitor()
    request.state.visitor = visitor  # a handler that signs in or out replaces it
    return visitor


async def _guarded(
    console: Console, handler: Handler, request: Request, visitor: Visitor, public: bool
) -> Response:
    try:
        _check_multipart_size(request)
        if request.method not in SAFE_METHODS and not await csrf_ok(request, visitor):
            return _refusal(console, request, visitor, 403, "CsrfTokenMissing",
                            "The form expired. Please try again.")  # fmt: skip
        if visitor.account is None and not public:
            return _to_sign_in(request)
        return await handler(console, request, visitor)
    except DynimgError as exc:
        refusal = _refusal(console, request, visitor, exc.http_status, exc.code, exc.message)
        refusal.headers.update(error_headers(exc))  # Retry-After when throttled
        return refusal
    except HTTPException as exc:  # Starlette's own refusals (a form of too many fields, ...)
        if not 400 <= exc.status_code < 500:
            raise
        return _refusal(console, request, visitor, exc.status_code, "InvalidParameter", exc.detail)
    except Exception:
        request_id = new_request_id()
        log.exception("console request %s failed (%s)", request.url.path, request_id)
        message = f"Something went wrong on the server. (RequestId {request_id})"
        return _refusal(console, request, visitor, 500, "InternalError", message)


def _check_multipart_size(request: Request) -> None:
    if not request.headers.get("content-type", "").startswith("multipart/"):
        return
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > MAX_MULTIPART_BYTES:
        raise RequestTooLarge(f"A form may carry at most {MAX_MULTIPART_BYTES // 2**20} MiB.")


def _refusal(
    console: Console, request: Request, visitor: Visitor, status: int, code: str, message: str
) -> Response:
    """An error as JSON for the page's scripts, else as a page: code and message, no trace."""
    if wants_json(request):
        return JSONResponse({"Code": code, "Message": message}, status_code=status)
    return console.render(request, visitor, "error.html", status, code=code, message=message)


def wants_json(request: Request) -> bool:
    """Whether the page's own script made the request (it asks for JSON)."""
    return "application/json" in request.headers.get("accept", "")


def _to_sign_in(request: Request) -> Response:
    if wants_json(request):
        return JSONResponse({"Code": "SignInRequired", "Message": "Sign in first."}, 401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/console/sign-in?next={quote(target)}", status_code=303)


def _secure_headers(console: Console, response: Response) -> None:
    """Everything comes from dynimg itself; no inline script, no framing."""
    origin = console.files_origin
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; img-src 'self' blob: {origin}; media-src 'self' blob:; "
        "style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
