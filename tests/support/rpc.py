"""Raw signed RPC calls, for dynimg's extension Actions that the official SDKs do not model."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import signer
from tests.support.server import Credentials, ServerProcess


def raw_call(
    server: ServerProcess, creds: Credentials, action: str, **params: Any
) -> dict[str, Any]:
    signed = signer.v1_params(
        {"Action": action, **{k: str(v) for k, v in params.items()}}, creds.key_id, creds.secret
    )
    response = httpx.post(f"{server.url}/?{signer.query_string(signed)}", timeout=30)
    body: dict[str, Any] = response.json()
    body["_status"] = response.status_code
    return body
