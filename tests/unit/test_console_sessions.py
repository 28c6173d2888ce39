"""Console session cookies: idle and absolute timeouts, tampering."""

from __future__ import annotations

import time

import pytest
from starlette.requests import Request
from starlette.responses import Response

from dynimg.api.console.sessions import COOKIE, SessionCodec, Visitor

IDLE, ABSOLUTE = 600, 3600


def _round_trip(codec: SessionCodec, visitor: Visitor) -> str:
    response = Response()
    codec.store(response, visitor, secure=False)
    header = response.headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/console" in header
    return header.split(";", 1)[0].split("=", 1)[1]


def _request(cookie: str) -> Request:
    return Request({"type": "http", "headers": [(b"cookie", f"{COOKIE}={cookie}".encode())]})


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


def test_a_session_survives_activity_but_not_idleness(clock: list[float]) -> None:
    codec = SessionCodec("k" * 32, IDLE, ABSOLUTE)
    visitor = Visitor(csrf="token", started=int(clock[0]), user_id="u1")
    cookie = _round_trip(codec, visitor)
    clock[0] += IDLE - 10
    assert codec.load(_request(cookie)).user_id == "u1"
    cookie = _round_trip(codec, codec.load(_request(cookie)))  # a request re-signs it
    clock[0] += IDLE - 10
    assert codec.load(_request(cookie)).user_id == "u1"
    clock[0] += 20
    assert codec.load(_request(cookie)).user_id is None


def test_a_session_ends_at_the_absolute_timeout_however_active(clock: list[float]) -> None:
    codec = SessionCodec("k" * 32, IDLE, ABSOLUTE)
    visitor = Visitor(csrf="token", started=int(clock[0]), user_id="u1")
    clock[0] += ABSOLUTE + 1
    cookie = _round_trip(codec, visitor)  # freshly signed, but the session began too long ago
    assert codec.load(_request(cookie)).user_id is None


def test_a_tampered_or_foreign_cookie_is_an_anonymous_session(clock: list[float]) -> None:
    codec = SessionCodec("k" * 32, IDLE, ABSOLUTE)
    cookie = _round_trip(codec, Visitor(csrf="token", started=int(clock[0]), user_id="u1"))
    other = SessionCodec("x" * 32, IDLE, ABSOLUTE)
    assert other.load(_request(cookie)).user_id is None
    assert codec.load(_request(cookie[:-2] + "AA")).user_id is None
