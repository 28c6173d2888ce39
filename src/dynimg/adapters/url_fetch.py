"""GET a file from the internet for an import: public addresses only unless allowed, every
redirect checked, a size and a time limit.

Every hop goes through ``pinned_http``: the host is resolved once, every address checked, and
the connection goes to the checked address, so DNS rebinding reaches nothing internal.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urljoin, urlparse

import httpx

from dynimg.adapters.pinned_http import AddressResolutionFailed, InternalAddress, pinned_request
from dynimg.errors import (
    FetchAddressRefused,
    FetchFailed,
    FetchTimedOut,
    FetchTooLarge,
    FetchUnreachable,
)
from dynimg.ports.fetching import Download

MAX_REDIRECTS = 5
USER_AGENT = "dynimg-url-import"


class HttpUrlFetcher:
    """Implements ``ports.UrlFetcher`` with httpx."""

    def __init__(
        self, *, allow_private: bool, connect_seconds: float = 10.0, read_seconds: float = 30.0
    ) -> None:
        self._allow_private = allow_private
        self._timeout = httpx.Timeout(read_seconds, connect=connect_seconds)

    @contextmanager
    def open(self, url: str, *, max_bytes: int, deadline_seconds: float) -> Iterator[Download]:
        deadline = time.monotonic() + deadline_seconds
        with httpx.Client(timeout=self._timeout, follow_redirects=False, trust_env=False) as http:
            response = self._follow(http, url)
            try:
                declared = _declared_size(response)
                if declared is not None and declared > max_bytes:
                    raise FetchTooLarge(f"The file is {declared} bytes; at most {max_bytes}.")
                yield Download(declared, _body(response, max_bytes, deadline))
            finally:
                response.close()

    def _follow(self, http: httpx.Client, url: str) -> httpx.Response:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                response = http.send(self._pinned(http, url), stream=True)
            except httpx.HTTPError as exc:
                raise FetchUnreachable(f"{_host(url)} could not be reached: {exc}") from None
            if response.is_redirect:
                response.close()
                url = urljoin(url, response.headers.get("location", ""))
                if urlparse(url).scheme not in ("http", "https"):
                    raise FetchFailed(f"A redirect led to {url[:100]!r}, not an http(s) URL.")
                continue
            if response.status_code >= 500 or response.status_code == 429:
                response.close()
                raise FetchUnreachable(f"The server answered HTTP {response.status_code}.")
            if not 200 <= response.status_code < 300:
                response.close()
                raise FetchFailed(f"The server answered HTTP {response.status_code}.")
            return response
        raise FetchFailed(f"More than {MAX_REDIRECTS} redirects.")

    def _pinned(self, http: httpx.Client, url: str) -> httpx.Request:
        """A GET of ``url`` sent to an address its host resolved to, once checked."""
        host = _host(url)
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        try:
            return pinned_request(
                http, "GET", url, allow_private=self._allow_private, headers=headers
            )
        except AddressResolutionFailed as exc:
            raise FetchUnreachable(f"{host} could not be resolved: {exc}") from None
        except InternalAddress as exc:
            raise FetchAddressRefused(
                f"{host} resolves to {exc.args[0]}, a private or loopback address "
                "(the service allows it with DYNIMG_ALLOW_PRIVATE_URL_UPLOADS=true)."
            ) from None


def _declared_size(response: httpx.Response) -> int | None:
    text = response.headers.get("content-length", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 20 else None


def _body(response: httpx.Response, max_bytes: int, deadline: float) -> Iterator[bytes]:
    received = 0
    try:
        for chunk in response.iter_bytes():  # as the bytes arrive (up to 64 KiB a read)
            received += len(chunk)
            if received > max_bytes:
                raise FetchTooLarge(f"The file is larger than {max_bytes} bytes.")
            if time.monotonic() > deadline:
                raise FetchTimedOut(f"The download took too long ({received} bytes received).")
            yield chunk
    except httpx.HTTPError as exc:
        raise FetchUnreachable(f"The connection failed after {received} bytes: {exc}") from None


def _host(url: str) -> str:
    return urlparse(url).hostname or url[:100]
