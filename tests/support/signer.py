"""A client-side signer written from Alibaba's documentation, independent of dynimg's code.

Used for raw-HTTP tests that need requests the official SDKs will not produce (stale
timestamps, reused nonces, wrong keys, unsigned headers).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode


def _pe(text: str) -> str:
    return quote(text, safe="~")


def utc_stamp(offset: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + offset).strftime("%Y-%m-%dT%H:%M:%SZ")


def v1_params(
    params: dict[str, str],
    key_id: str,
    secret: str,
    *,
    method: str = "POST",
    timestamp: str | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """``params`` plus the common parameters and an HMAC-SHA1 Signature."""
    signed = {
        "Format": "JSON",
        "Version": "2017-03-21",
        "AccessKeyId": key_id,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "Timestamp": timestamp or utc_stamp(),
        "SignatureNonce": nonce or uuid.uuid4().hex,
        **params,
    }
    canonical = "&".join(f"{_pe(k)}={_pe(v)}" for k, v in sorted(signed.items()))
    string_to_sign = f"{method}&%2F&{_pe(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return {**signed, "Signature": base64.b64encode(digest).decode()}


def v1_string_to_sign(method: str, params: dict[str, str]) -> str:
    unsigned = {k: v for k, v in params.items() if k != "Signature"}
    canonical = "&".join(f"{_pe(k)}={_pe(v)}" for k, v in sorted(unsigned.items()))
    return f"{method}&%2F&{_pe(canonical)}"


def v3_headers(
    action: str,
    query: dict[str, str],
    key_id: str,
    secret: str,
    *,
    host: str,
    body: bytes = b"",
    date: str | None = None,
    nonce: str | None = None,
    extra: dict[str, str] | None = None,
    unsigned: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Headers for an ACS3-HMAC-SHA256 request, signing every header but ``unsigned``."""
    headers = {
        "host": host,
        "x-acs-action": action,
        "x-acs-version": "2017-03-21",
        "x-acs-date": date or utc_stamp(),
        "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        **(extra or {}),
    }
    names = sorted(h for h in headers if h not in unsigned)
    canonical_query = "&".join(f"{_pe(k)}={_pe(v)}" for k, v in sorted(query.items()))
    canonical_headers = "".join(f"{h}:{headers[h].strip()}\n" for h in names)
    request = "\n".join(
        [
            "POST",
            "/",
            canonical_query,
            canonical_headers,
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(request.encode()).hexdigest()
    signature = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (
        f"ACS3-HMAC-SHA256 Credential={key_id},"
        f"SignedHeaders={';'.join(names)},Signature={signature}"
    )
    return headers


def query_string(params: dict[str, str]) -> str:
    """The query as the Tea SDK builds it (urlencode: space as '+')."""
    return urlencode(params)
