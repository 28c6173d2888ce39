"""HTTP callbacks: POST with a 5 s timeout, to public addresses only unless allowed."""

from __future__ import annotations

from urllib.parse import urlparse

import httpx

from dynimg.adapters.pinned_http import AddressResolutionFailed, InternalAddress, pinned_request
from dynimg.domain.outbox import DELIVERY_TIMEOUT_SECONDS


class DeliveryRefused(Exception):
    """The callback URL resolves to an address dynimg may not call."""


class HttpCallbackSender:
    """Implements ``ports.CallbackSender`` with httpx; success is HTTP 200, as at Alibaba.

    The receiver's name is resolved and checked at every delivery (not when it was configured)
    and the POST goes to the address that was checked (``pinned_http``), so a name that changes
    its answer between the check and the connection reaches nothing internal.
    """

    def __init__(
        self, *, allow_private: bool, timeout_seconds: float = DELIVERY_TIMEOUT_SECONDS
    ) -> None:
        self._allow_private = allow_private
        self._http = httpx.Client(timeout=timeout_seconds, follow_redirects=False)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        host = urlparse(url).hostname or ""
        try:
            request = pinned_request(
                self._http,
                "POST",
                url,
                allow_private=self._allow_private,
                headers=headers,
                content=body,
            )
        except InternalAddress:
            raise DeliveryRefused(
                f"{host} resolves to an internal address "
                "(allowed only with DYNIMG_ALLOW_PRIVATE_CALLBACKS=true)"
            ) from None
        except AddressResolutionFailed:
            raise DeliveryRefused(f"{host} could not be resolved") from None
        response = self._http.send(request)
        if response.status_code != 200:
            raise DeliveryRefused(f"HTTP {response.status_code}")

    def close(self) -> None:
        self._http.close()
