"""One account's slow uploads do not take the service away from the others.

Account A opens 48 uploads whose bodies trickle in at a byte a second (more than the 40 worker
threads the API shares); meanwhile account B lists. Bodies are read on the event loop before any
worker thread is involved, so B's calls keep their speed: p99 under 1 s (issue 22). A body that
stalls longer than ``DYNIMG_BODY_IDLE_SECONDS`` is refused and counted as a slow client.
"""

from __future__ import annotations

import collections
import contextlib
import re
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import oss2
import pytest

from tests.support import figures
from tests.support.clients import sdk_api
from tests.support.media import make_clip
from tests.support.rpc import raw_call
from tests.support.server import Credentials, ServerProcess, start_server
from tests.support.uploads import create_upload, oss_bucket, upload_file

SUITE = "noisy neighbour"
SLOW_UPLOADS = 48


def _trickle(stop: threading.Event, pause: float, most: int = 10**6) -> Iterator[bytes]:
    """A body that sends one byte every ``pause`` seconds until ``stop`` is set (or ``most``
    bytes are sent)."""
    for _ in range(most):
        if stop.is_set():
            return
        yield b"x"
        stop.wait(pause)


def _slow_upload(
    ticket: dict[str, Any], stop: threading.Event, pause: float, most: int = 10**6
) -> None:
    bucket = oss_bucket(ticket["address"], ticket["auth"])
    with contextlib.suppress(Exception):  # refused or cut off: either is fine here
        bucket.put_object(ticket["address"]["FileName"], _trickle(stop, pause, most))


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    home: Path = tmp_path_factory.mktemp("noisy")
    server = start_server(home, DYNIMG_WORKERS="0", DYNIMG_BODY_IDLE_SECONDS="3")
    yield server
    server.stop()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@pytest.mark.timeout(240)
def test_slow_uploads_of_one_account_leave_the_others_lists_fast(node: ServerProcess) -> None:
    noisy = sdk_api("tea-v3", node.endpoint, node.default_credentials())
    quiet = node.new_account("quiet")
    tickets = [create_upload(noisy) for _ in range(SLOW_UPLOADS)]
    stop = threading.Event()
    uploads = [
        threading.Thread(target=_slow_upload, args=(ticket, stop, 1.0), daemon=True)
        for ticket in tickets
    ]
    for upload in uploads:
        upload.start()
    try:
        time.sleep(2)  # every upload is sending its body now
        reading = _gauge(node, "dynimg_request_bodies_reading")
        seconds, codes = [], set()
        started = time.monotonic()
        while time.monotonic() - started < 12:
            began = time.monotonic()
            body = raw_call(node, quiet, "ListDynamicImage", VideoId="0" * 32)
            seconds.append(time.monotonic() - began)
            codes.add(body["Code"])
        ready = httpx.get(f"{node.url}/readyz", timeout=30).status_code
    finally:
        stop.set()
        for upload in uploads:
            upload.join(timeout=30)
    p50, p99 = statistics.median(seconds), _percentile(seconds, 0.99)
    figures.record(
        SUITE,
        f"{SLOW_UPLOADS} slow uploads (1 byte/s, {reading:.0f} bodies arriving): the other "
        f"account's {len(seconds)} Lists p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {max(seconds) * 1000:.0f} ms; /readyz {ready}",
    )
    assert reading >= SLOW_UPLOADS * 0.9, "the slow bodies were arriving during the test"
    assert codes == {"InvalidVideo.NotFound"}
    assert p99 < 1.0, f"p99 {p99:.2f} s"
    assert ready == 200


@pytest.mark.timeout(120)
def test_a_stalled_body_is_refused_and_counted_as_a_slow_client(node: ServerProcess) -> None:
    api = sdk_api("tea-v3", node.endpoint, node.default_credentials())
    before = _counter(node, 'dynimg_slow_clients_total{reason="body_idle"}')
    stalled = create_upload(api)
    _slow_upload(stalled, threading.Event(), pause=6.0, most=2)  # a byte, 6 s of nothing, a byte
    assert _counter(node, 'dynimg_slow_clients_total{reason="body_idle"}') == before + 1
    with pytest.raises(oss2.exceptions.NotFound):
        oss_bucket(stalled["address"], stalled["auth"]).head_object(stalled["address"]["FileName"])
    # The passing half: a body that keeps coming in, if slowly, is stored.
    ticket = create_upload(api)
    stop = threading.Event()
    timer = threading.Timer(4.0, stop.set)
    timer.start()
    bucket = oss_bucket(ticket["address"], ticket["auth"])
    bucket.put_object(ticket["address"]["FileName"], _trickle(stop, 1.0))
    size = int(bucket.head_object(ticket["address"]["FileName"]).content_length)
    assert 3 <= size <= 6, size


def _metrics(node: ServerProcess) -> str:
    return httpx.get(f"{node.url}/metrics", timeout=30).text


def _counter(node: ServerProcess, name: str) -> float:
    for line in _metrics(node).splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def _gauge(node: ServerProcess, name: str) -> float:
    return _counter(node, name)


PREVIEWS = 40
CONSOLE_PASSWORD = "noisy neighbour's password"


def _console_client(node: ServerProcess, username: str) -> httpx.Client:
    """A console session of ``username`` (signed in, its CSRF token sent with every POST)."""
    client = httpx.Client(base_url=node.url, timeout=120)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/console/sign-in").text)
    assert token is not None
    form = {"username": username, "password": CONSOLE_PASSWORD, "csrf": token.group(1)}
    assert client.post("/console/sign-in", data=form).status_code in {200, 303}
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/console/templates").text)
    assert token is not None
    client.headers.update({"x-csrf-token": token.group(1), "Accept": "application/json"})
    return client


def _rss_mb(pid: int) -> float:
    """Resident memory of a process (0 once it is gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in lines if line.startswith("VmRSS:")), 0.0)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


@pytest.mark.timeout(240)
def test_previews_of_one_account_leave_the_api_small_and_the_others_fast(
    node: ServerProcess, tmp_path: Path
) -> None:
    noisy = sdk_api("tea-v3", node.endpoint, node.default_credentials())
    node.new_console_user("default", "previewer", CONSOLE_PASSWORD)
    quiet = node.new_account("quiet-previews")
    ticket = create_upload(noisy)
    upload_file(ticket, make_clip(tmp_path / "big.mp4", seconds=3, size=(1280, 720)).path)
    form = {"video_id": ticket["VideoId"], "format": "gif", "seek": "0", "duration": "3"}
    alone = _list_seconds(node, quiet, 3)
    pid = node.process.pid  # with DYNIMG_WORKERS=0, serve is the API process
    before = _rss_mb(pid)
    peak, children_peak, outcomes = [before], [0.0], collections.Counter[int]()
    stop = threading.Event()

    signed_in = _console_client(node, "previewer")  # one sign-in: its hash is costly too

    def preview(_: int) -> None:
        with httpx.Client(
            base_url=node.url, timeout=120, cookies=signed_in.cookies, headers=signed_in.headers
        ) as client:
            while not stop.is_set():
                answer = client.post("/console/templates/preview", data=form)
                outcomes[answer.status_code] += 1
                stop.wait(float(answer.headers.get("Retry-After", 0)))  # as a client is told

    def watch() -> None:
        while not stop.wait(0.05):
            peak.append(_rss_mb(pid))
            children_peak.append(sum(_rss_mb(child) for child in _children(pid)))

    threads = [threading.Thread(target=preview, args=(n,), daemon=True) for n in range(PREVIEWS)]
    threads.append(threading.Thread(target=watch, daemon=True))
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)  # every client is asking for previews now
        seconds = _list_seconds(node, quiet, 8)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        signed_in.close()
    p50, rendered = statistics.median(seconds), outcomes[200]
    figures.record(
        SUITE,
        f"{PREVIEWS} clients asking for previews of a 1280x720 clip at once ({rendered} rendered, "
        f"{outcomes[429]} answered 429 busy): API process RSS {before:.0f} MB before, peak "
        f"{max(peak):.0f} MB (its preview processes {max(children_peak):.0f} MB at most, in "
        f"all); the other account's Lists p50 {statistics.median(alone) * 1000:.0f} ms alone, "
        f"with them: its {len(seconds)} Lists p50 {p50 * 1000:.0f} ms, "
        f"p99 {_percentile(seconds, 0.99) * 1000:.0f} ms",
    )
    assert rendered > 0, outcomes
    assert set(outcomes) <= {200, 429}, outcomes
    assert max(peak) < 600, f"peak RSS {max(peak):.0f} MB"
    # Issue 22's bound is 100 ms; on a machine so loaded that the account's calls alone take
    # more than a third of that, three times their own p50 (before: 30 times, 1.9 s).
    bound = max(0.1, 3 * statistics.median(alone))
    assert p50 < bound, f"p50 {p50:.3f} s (bound {bound:.3f} s)"


def _list_seconds(node: ServerProcess, creds: Credentials, seconds: float) -> list[float]:
    """How long each of an account's ListDynamicImage calls took, made for ``seconds``."""
    took = []
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        began = time.monotonic()
        body = raw_call(node, creds, "ListDynamicImage", VideoId="0" * 32)
        took.append(time.monotonic() - began)
        assert body["Code"] == "InvalidVideo.NotFound"
    return took


SIGN_INS = 40


@pytest.mark.timeout(240)
def test_a_sign_in_flood_leaves_the_api_small_and_the_others_fast(node: ServerProcess) -> None:
    """Forty clients trying passwords at once (no account needed: an unknown username costs an
    argon2id check of 64 MiB too); distinct usernames, so the failure throttle never kicks in."""
    quiet = node.new_account("quiet-sign-ins")
    alone = _list_seconds(node, quiet, 3)
    pid = node.process.pid  # with DYNIMG_WORKERS=0, serve is the API process
    before = _rss_mb(pid)
    peak, outcomes = [before], collections.Counter[int]()
    stop = threading.Event()

    def guess(n: int) -> None:
        with httpx.Client(base_url=node.url, timeout=120) as client:
            token = re.search(r'name="csrf" value="([^"]+)"', client.get("/console/sign-in").text)
            assert token is not None
            for attempt in range(10**6):
                if stop.is_set():
                    return
                form = {"username": f"intruder-{n}-{attempt}", "password": "guess",
                        "csrf": token.group(1)}  # fmt: skip
                outcomes[client.post("/console/sign-in", data=form).status_code] += 1

    def watch() -> None:
        while not stop.wait(0.05):
            peak.append(_rss_mb(pid))

    threads = [threading.Thread(target=guess, args=(n,), daemon=True) for n in range(SIGN_INS)]
    threads.append(threading.Thread(target=watch, daemon=True))
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)  # every client is signing in now
        seconds = _list_seconds(node, quiet, 8)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    p50 = statistics.median(seconds)
    figures.record(
        SUITE,
        f"{SIGN_INS} clients trying passwords at once ({outcomes[401]} checked and refused, "
        f"{outcomes[429]} answered 429 busy): API process RSS {before:.0f} MB before, peak "
        f"{max(peak):.0f} MB; the other account's Lists p50 {statistics.median(alone) * 1000:.0f} "
        f"ms alone, with them: its {len(seconds)} Lists p50 {p50 * 1000:.0f} ms, "
        f"p99 {_percentile(seconds, 0.99) * 1000:.0f} ms",
    )
    assert outcomes[401] > 0 and set(outcomes) <= {401, 429}, outcomes
    assert max(peak) < 600, f"peak RSS {max(peak):.0f} MB"
    bound = max(0.1, 3 * statistics.median(alone))  # as for previews
    assert p50 < bound, f"p50 {p50:.3f} s (bound {bound:.3f} s)"
