"""Failed console sign-ins: counted per user and address, the oldest forgotten first when too
many pairs build up, shared between API processes through Redis, and the address is the peer's
unless the peer is a configured proxy (X-Forwarded-For from anyone else gives no fresh tries)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from dynimg.adapters.sign_in_throttle import LocalSignInThrottle, SharedSignInThrottle
from tests.support.server import ServerProcess, start_server
from tests.support.tcp_proxy import TcpProxy

PASSWORD = "correct horse battery staple"


def test_throttle_counts_per_username_and_address() -> None:
    throttle = LocalSignInThrottle(limit=2, window=60)
    throttle.failed("Alice", "10.0.0.1")
    throttle.failed("alice", "10.0.0.1")
    assert throttle.blocked("ALICE", "10.0.0.1")
    assert not throttle.blocked("alice", "10.0.0.2")
    assert not throttle.blocked("bob", "10.0.0.1")
    throttle.succeeded("alice", "10.0.0.1")
    assert not throttle.blocked("alice", "10.0.0.1")


def test_a_flood_of_names_forgets_the_oldest_pairs_never_all() -> None:
    throttle = LocalSignInThrottle(limit=2, window=600)
    for n in range(100_000):  # a flood of made-up names, failing once each
        throttle.failed(f"made-up-{n}", "10.6.6.6")
    throttle.failed("victim", "10.0.0.1")
    throttle.failed("victim", "10.0.0.1")
    assert throttle.blocked("victim", "10.0.0.1")
    throttle.failed("one-more", "10.6.6.6")  # over 100,000 pairs now
    assert throttle.blocked("victim", "10.0.0.1"), "its recent failures are kept"
    throttle.failed("made-up-1", "10.6.6.6")
    throttle.failed("made-up-1", "10.6.6.6")
    assert throttle.blocked("made-up-1", "10.6.6.6"), "an evicted pair counts afresh"


def test_processes_share_failures_through_redis(redis_prefix: tuple[str, str]) -> None:
    url, prefix = redis_prefix
    one, other = SharedSignInThrottle(url, prefix), SharedSignInThrottle(url, prefix)
    for _ in range(5):
        one.failed("alice", "10.0.0.1")
    assert other.blocked("alice", "10.0.0.1"), "the other process refuses her too"
    assert not other.blocked("alice", "10.0.0.2")
    other.succeeded("alice", "10.0.0.1")
    assert not one.blocked("alice", "10.0.0.1")


@pytest.mark.timeout(30)
def test_a_hung_redis_falls_back_to_this_process_counts_quickly(
    redis_prefix: tuple[str, str],
) -> None:
    url, prefix = redis_prefix
    parsed = urlparse(url)
    with TcpProxy((parsed.hostname or "", parsed.port or 6379), "hang") as proxy:
        throttle = SharedSignInThrottle(proxy.url("redis", "/0"), prefix)
        started = time.monotonic()
        for _ in range(5):
            throttle.failed("alice", "10.0.0.1")
        assert throttle.blocked("alice", "10.0.0.1")
        assert time.monotonic() - started < 1.5


def _sign_in(node: ServerProcess, username: str, password: str, **headers: str) -> int:
    with httpx.Client(base_url=node.url, timeout=30) as client:
        page = client.get("/console/sign-in")
        match = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert match, page.text[:500]
        answer = client.post(
            "/console/sign-in",
            data={"username": username, "password": password, "csrf": match.group(1)},
            headers=headers,
        )
    return answer.status_code


@pytest.mark.parametrize("trusted", ["", "127.0.0.1"])
@pytest.mark.timeout(180)
def test_forwarded_for_counts_only_from_a_trusted_proxy(tmp_path: Path, trusted: str) -> None:
    env = {"DYNIMG_WORKERS": "0"} | ({"DYNIMG_TRUSTED_PROXIES": trusted} if trusted else {})
    node = start_server(tmp_path, **env)
    try:
        node.new_console_user("default", "carol", PASSWORD)
        assert [_sign_in(node, "carol", "wrong") for _ in range(5)] == [401] * 5
        assert _sign_in(node, "carol", PASSWORD) == 429, "blocked from this address"
        spoofed = _sign_in(node, "carol", PASSWORD, **{"X-Forwarded-For": "203.0.113.9"})
    finally:
        node.stop()
    if trusted:  # the passing half: behind a configured proxy, its clients are counted apart
        assert spoofed == 303
    else:
        assert spoofed == 429, "a header anyone can send gives no fresh attempts"
