"""A small client for dynimg's (and Alibaba's) RPC API, used by the client commands."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from dynimg.domain.signing import canonical_query, percent_encode, sign
from dynimg.errors import RemoteError, ServiceUnavailable

API_VERSION = "2017-03-21"


class VodClient:
    """Signs requests with HMAC-SHA1 (SignatureVersion 1.0) and returns the JSON body."""

    def __init__(self, endpoint: str, key_id: str, secret: str, timeout: float = 30) -> None:
        self._endpoint = endpoint.rstrip("/")
        self._key_id, self._secret = key_id, secret
        self._http = httpx.Client(timeout=timeout)

    def call(self, action: str, **params: Any) -> dict[str, Any]:
        query = self._signed(
            {k: str(v) for k, v in params.items() if v is not None} | {"Action": action}
        )
        try:
            response = self._http.post(f"{self._endpoint}/?{urlencode(query)}")
        except httpx.TransportError as exc:
            raise ServiceUnavailable(f"cannot reach {self._endpoint}: {exc}") from exc
        try:
            body: dict[str, Any] = response.json()
        except ValueError as exc:
            raise ServiceUnavailable(f"{self._endpoint} did not answer like dynimg") from exc
        if response.status_code >= 400:
            raise RemoteError(str(body.get("Code")), str(body.get("Message")), response.status_code)
        return body

    def close(self) -> None:
        self._http.close()

    def _signed(self, params: dict[str, str]) -> dict[str, str]:
        common = {
            "Format": "JSON",
            "Version": API_VERSION,
            "AccessKeyId": self._key_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        signed = common | params
        string_to_sign = (
            f"POST&{percent_encode('/')}&{percent_encode(canonical_query(list(signed.items())))}"
        )
        return signed | {"Signature": sign("1.0", string_to_sign, self._secret)}
