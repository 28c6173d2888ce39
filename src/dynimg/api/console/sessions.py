"""Console sessions: signed cookies with idle and absolute timeouts, CSRF tokens, throttling.

The cookie holds ``{"u": user id or None, "i": session id, "c": CSRF token, "s": sign-in time}``,
signed with itsdangerous. The session id must still be recorded in the database (see
``services.console_users``): signing out deletes it there, so a copy of the cookie is refused.
It is re-signed on every response, so its signature time is the last request and ``max_age``
is the idle timeout; ``s`` bounds the whole session. A visitor who is not signed in
still gets a cookie: the sign-in form needs a CSRF token too (login CSRF).
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from dynimg.domain.accounts import Account
from dynimg.domain.console_users import ConsoleUser

COOKIE = "dynimg_console"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Visitor:
    """Who is making a request: a session, and its user and account once signed in."""

    csrf: str
    started: int
    user_id: str | None = None
    session_id: str = ""
    user: ConsoleUser | None = None
    account: Account | None = None


class SessionCodec:
    """Reads and writes the session cookie."""

    def __init__(self, key: str, idle_seconds: int, absolute_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="dynimg-console-session")
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds

    def load(self, request: Request) -> Visitor:
        """The request's session, or a fresh anonymous one when it is missing or expired."""
        raw = request.cookies.get(COOKIE, "")
        try:
            data: dict[str, Any] = self._serializer.loads(raw, max_age=self.idle_seconds)
            started = int(data["s"])
            if time.time() - started > self.absolute_seconds:
                raise BadSignature("session too old")
            return Visitor(csrf=str(data["c"]), started=started, user_id=data.get("u"),
                           session_id=str(data.get("i") or ""))  # fmt: skip
        except (BadSignature, KeyError, TypeError, ValueError):
            return new_visitor()

    def store(self, response: Response, visitor: Visitor, secure: bool) -> None:
        """Re-sign the session onto ``response`` (this also restarts the idle timer)."""
        value = self._serializer.dumps(
            {
                "u": visitor.user_id,
                "i": visitor.session_id,
                "c": visitor.csrf,
                "s": visitor.started,
            }
        )
        response.set_cookie(
            COOKIE, value, max_age=self.absolute_seconds, path="/console",
            httponly=True, samesite="lax", secure=secure,
        )  # fmt: skip


def new_visitor(user: ConsoleUser | None = None, session_id: str = "") -> Visitor:
    """A new session; signing in starts one so a token seen before sign-in is not reused."""
    return Visitor(
        csrf=secrets.token_urlsafe(24),
        started=int(time.time()),
        user_id=user.id if user else None,
        session_id=session_id,
        user=user,
    )


def signed_in(visitor: Visitor, user: ConsoleUser, account: Account) -> Visitor:
    """The visitor with their user and account loaded."""
    return replace(visitor, user=user, account=account)


async def csrf_ok(request: Request, visitor: Visitor) -> bool:
    """Whether an unsafe request carries the session's CSRF token (header or form field)."""
    sent = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if sent is None and content_type in FORM_TYPES:
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    return sent is not None and hmac.compare_digest(sent.encode(), visitor.csrf.encode())
