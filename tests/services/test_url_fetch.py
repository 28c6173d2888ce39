"""Fetching an import's file (adapters/url_fetch.py) against an HTTP server on loopback, and
UploadMediaByURL's URL rules (domain/url_uploads.py): addresses, sizes, time, redirects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dynimg.adapters.url_fetch import HttpUrlFetcher
from dynimg.domain.url_uploads import check_source_url, read_query, read_upload_urls
from dynimg.errors import (
    FetchAddressRefused,
    FetchFailed,
    FetchTimedOut,
    FetchTooLarge,
    FetchUnreachable,
    InvalidParameter,
)
from tests.support.origin import Origin

pytestmark = pytest.mark.timeout(60)
BODY = bytes(range(256)) * 4096  # 1 MiB


@pytest.fixture(scope="module")
def origin() -> Iterator[Origin]:
    served = Origin({"v.mp4": BODY}, pause=0.2)
    yield served
    served.close()


def fetch(
    url: str, *, allow: bool = True, max_bytes: int = 2 * len(BODY), seconds: float = 30
) -> bytes:
    fetcher = HttpUrlFetcher(allow_private=allow)
    with fetcher.open(url, max_bytes=max_bytes, deadline_seconds=seconds) as download:
        return b"".join(download.chunks)


@pytest.mark.parametrize("path", ["/v.mp4", "/bare/v.mp4", "/to/v.mp4"])
def test_the_file_arrives_whole(origin: Origin, path: str) -> None:
    assert fetch(origin.url + path) == BODY


def test_loopback_is_refused_unless_allowed(origin: Origin) -> None:
    before = sum(origin.hits.values())
    with pytest.raises(FetchAddressRefused, match=r"127\.0\.0\.1, a private or loopback"):
        fetch(origin.url + "/v.mp4", allow=False)
    name = origin.url.replace("127.0.0.1", "localhost")
    with pytest.raises(FetchAddressRefused):  # a name is checked by what it resolves to
        fetch(name + "/v.mp4", allow=False)
    assert sum(origin.hits.values()) == before  # refused before connecting


def test_size_limits_declared_and_counted(origin: Origin) -> None:
    before = origin.hits["/v.mp4"]
    with pytest.raises(FetchTooLarge, match=f"{len(BODY)} bytes; at most 1000"):
        fetch(origin.url + "/v.mp4", max_bytes=1000)  # refused before the body is read
    with pytest.raises(FetchTooLarge):  # no Content-Length: counted as it arrives
        fetch(origin.url + "/bare/v.mp4", max_bytes=len(BODY) - 1)
    assert origin.hits["/v.mp4"] == before + 1


def test_a_slow_download_meets_its_deadline(origin: Origin) -> None:
    with pytest.raises(FetchTimedOut, match="took too long"):
        fetch(origin.url + "/slow/v.mp4", seconds=0.5)


@pytest.mark.parametrize(
    ("code", "error", "transient"),
    [(404, FetchFailed, False), (403, FetchFailed, False), (503, FetchUnreachable, True)],
)
def test_error_answers(
    origin: Origin, code: int, error: type[FetchFailed], transient: bool
) -> None:
    with pytest.raises(error, match=f"HTTP {code}") as raised:
        fetch(f"{origin.url}/status/{code}")
    assert raised.value.transient is transient and raised.value.code == "URLInvalidError"


def test_a_closed_port_is_unreachable_and_worth_retrying() -> None:
    with pytest.raises(FetchUnreachable) as raised:
        fetch("http://127.0.0.1:9/v.mp4")
    assert raised.value.transient


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/v.mp4", "http://0x7f000001/v.mp4", "http://[::1]/v.mp4",
     "http://169.254.169.254/latest", "http://localhost/v.mp4", "http://10.1.2.3/v.mp4"],
)  # fmt: skip
def test_internal_hosts_are_refused_at_submit(url: str) -> None:
    with pytest.raises(InvalidParameter, match="private or loopback"):
        check_source_url(url, allow_private=False)
    assert check_source_url(url, allow_private=True) == url


@pytest.mark.parametrize(
    "text", ["ftp://example.com/v.mp4", "file:///etc/passwd", "example.com/v.mp4", "http://"]
)
def test_only_http_urls(text: str) -> None:
    with pytest.raises(InvalidParameter, match="not an http or https URL"):
        read_upload_urls(text, allow_private=True)


def test_url_lists() -> None:
    encoded = "https://example.com/a%2Cb.mp4,https://example.com/c.mp4,https://example.com/c.mp4"
    assert read_upload_urls(encoded, allow_private=False) == [
        "https://example.com/a,b.mp4", "https://example.com/c.mp4",
    ]  # fmt: skip
    many = ",".join(f"https://example.com/{i}.mp4" for i in range(21))
    with pytest.raises(InvalidParameter, match="at most 20"):
        read_upload_urls(many, allow_private=False)
    assert read_query({"JobIds": "a,b", "UploadURLs": "https://x/y"}) == ("JobIds", ["a", "b"])
    with pytest.raises(InvalidParameter):
        read_query({"JobIds": None, "UploadURLs": ""})
