"""HTTP callbacks: POST with a 5 s timeout, to public addresses only unless allowed."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import httpx

from dynimg.domain.hosts import is_internal_host
from dynimg.domain.outbox import DELIVERY_TIMEOUT_SECONDS


class DeliveryRefused(Exception):
    """The callback URL resolves to an address dynimg may not call."""


class HttpCallbackSender:
    """Implements ``ports.CallbackSender`` with httpx; success is HTTP 200, as at Alibaba."""

    def __init__(self, *, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._http = httpx.Client(timeout=DELIVERY_TIMEOUT_SECONDS, follow_redirects=False)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        if not self._allow_private:
            self._check_public(url)
        response = self._http.post(url, content=body, headers=headers)
        if response.status_code != 200:
            raise DeliveryRefused(f"HTTP {response.status_code}")

    def close(self) -> None:
        self._http.close()

    @staticmethod
    def _check_public(url: str) -> None:
        # Checked against what the name resolves to now, not when it was configured.
        host = urlparse(url).hostname or ""
        for *_, address in socket.getaddrinfo(host, None):
            if is_internal_host(str(address[0])):
                raise DeliveryRefused(
                    f"{host} resolves to an internal address "
                    "(allowed only with DYNIMG_ALLOW_PRIVATE_CALLBACKS=true)"
                )
