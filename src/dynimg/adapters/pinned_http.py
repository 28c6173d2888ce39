"""Outgoing HTTP to an address that was checked: resolve once, check, connect to that address.

Resolving a name to check it and letting the HTTP client resolve it again to connect leaves a
gap: a name whose answer changes in between (DNS rebinding) passes the check with a public
address and connects to an internal one. The request built here goes to the checked address
while its ``Host`` header and TLS server name stay the URL's, so what was checked is what is
reached. Callbacks and URL imports both send through it.
"""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import httpx

from dynimg.domain.hosts import is_internal_host


class AddressResolutionFailed(Exception):
    """The URL's host has no address (unknown name, or a name the resolver cannot read)."""


class InternalAddress(Exception):
    """The URL's host resolves to a private or loopback address; ``args[0]`` is that address."""


def checked_address(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to for ``host``; every address it resolves to is checked."""
    try:
        found = socket.getaddrinfo(host.strip("[]"), port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressResolutionFailed(str(exc)) from None
    addresses = [str(info[4][0]) for info in found]
    if not addresses:
        raise AddressResolutionFailed("no address")
    internal = next((a for a in addresses if is_internal_host(a)), None)
    if internal is not None and not allow_private:
        raise InternalAddress(internal)
    return addresses[0]


def pinned_request(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    allow_private: bool,
    headers: dict[str, str],
    content: bytes | None = None,
) -> httpx.Request:
    """A request for ``url`` addressed to its host's checked address, ``Host`` kept."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    address = checked_address(host, port, allow_private=allow_private)
    netloc = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    target = parsed._replace(netloc=netloc).geturl()
    named = host if parsed.port is None else f"{host}:{parsed.port}"
    return http.build_request(
        method,
        target,
        headers={**headers, "Host": named},
        content=content,
        extensions={"sni_hostname": host},
    )
