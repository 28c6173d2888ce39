"""Alibaba CDN URL signing, type A: ``?auth_key={timestamp}-{rand}-{uid}-{md5hash}``.

``md5hash = md5("{path}-{timestamp}-{rand}-{uid}-{private key}")``. dynimg puts the URL's
expiry time in ``timestamp`` (as VOD does), so a CDN in front configured with the same key and
no extra validity period accepts the same URLs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

_AUTH_KEY = re.compile(r"^(\d{10})-([0-9A-Za-z]{1,64})-([0-9]{1,20})-([0-9a-f]{32})$")


def sign_path(path: str, private_key: str, expires: int, uid: str = "0") -> str:
    """``auth_key`` value for ``path`` (starting with '/') valid until ``expires`` (Unix s)."""
    rand = secrets.token_hex(8)
    digest = _digest(path, str(expires), rand, uid, private_key)
    return f"{expires}-{rand}-{uid}-{digest}"


def verify(path: str, auth_key: str, private_keys: list[str], now: int) -> bool:
    """Whether ``auth_key`` is a valid, unexpired signature of ``path`` by any of the keys."""
    match = _AUTH_KEY.match(auth_key)
    if not match:
        return False
    timestamp, rand, uid, claimed = match.groups()
    if int(timestamp) < now:
        return False
    return any(
        hmac.compare_digest(_digest(path, timestamp, rand, uid, key), claimed)
        for key in private_keys
    )


def _digest(path: str, timestamp: str, rand: str, uid: str, key: str) -> str:
    text = f"{path}-{timestamp}-{rand}-{uid}-{key}"
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class DeliveryPolicy:
    """How animated images are delivered: base URL (a CDN may front it), keys, URL lifetime."""

    base_url: str
    keys: tuple[str, ...]
    """The first key signs; all of them verify (key rotation)."""
    lifetime_seconds: int

    def file_url(self, path: str, now: int) -> str:
        """A signed URL for ``path`` that expires ``lifetime_seconds`` from ``now``."""
        auth_key = sign_path(path, self.keys[0], now + self.lifetime_seconds)
        return f"{self.base_url.rstrip('/')}{path}?auth_key={auth_key}"
