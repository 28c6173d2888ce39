"""Alibaba CDN URL signing, type A: ``?auth_key={timestamp}-{rand}-{uid}-{md5hash}``.

``md5hash = md5("{path}-{timestamp}-{rand}-{uid}-{private key}")``. dynimg puts the URL's
expiry time in ``timestamp`` (as VOD does), so a CDN in front configured with the same key and
no extra validity period accepts the same URLs.

On-demand URLs (``/videos/{VideoId}/animated.gif?start=...``) carry parameters that choose what
is rendered, so their hash covers the query too: :func:`signed_text` appends the canonical
query (every parameter but ``auth_key``, sorted and percent-encoded) to the path. Reordering
the parameters keeps the signature valid; changing, adding or removing one breaks it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from dynimg.domain.signing import canonical_query

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


def signed_text(path: str, query: Sequence[tuple[str, str]]) -> str:
    """What an on-demand URL's ``auth_key`` signs: the path and its canonical query."""
    pairs = [(name, value) for name, value in query if name != "auth_key"]
    return f"{path}?{canonical_query(pairs)}" if pairs else path


def signer_uid(auth_key: str) -> str | None:
    """The ``uid`` part of a well-formed ``auth_key`` (check the signature first)."""
    match = _AUTH_KEY.match(auth_key)
    return match[3] if match else None


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

    def query_url(self, path: str, query: Sequence[tuple[str, str]], uid: str, expires: int) -> str:
        """A URL for ``path`` with ``query`` whose ``auth_key`` covers both, for ``uid``."""
        auth_key = sign_path(signed_text(path, query), self.keys[0], expires, uid)
        tail = signed_text("", query)
        joiner = "&" if tail else "?"
        return f"{self.base_url.rstrip('/')}{path}{tail}{joiner}auth_key={auth_key}"
