"""On-demand URLs in tests: the helper Action through the official SDKs, and re-signing."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest

from tests.support import auth_key as type_a
from tests.support.clients import collect_leaked_sockets
from tests.support.server import Credentials, ServerProcess


def url_through_core_sdk(server: ServerProcess, creds: Credentials, **params: str) -> str:
    """GetAnimatedImageUrl sent by aliyun-python-sdk-core's CommonRequest (any Action)."""
    client = AcsClient(creds.key_id, creds.secret, "cn-shanghai")
    request = CommonRequest(
        domain=server.endpoint, version="2017-03-21", action_name="GetAnimatedImageUrl"
    )
    request.set_protocol_type("http")
    request.set_method("POST")
    request.set_accept_format("JSON")
    for name, value in params.items():
        request.add_query_param(name, value)
    try:
        body: dict[str, Any] = json.loads(client.do_action_with_exception(request))
    finally:
        collect_leaked_sockets()
    return str(body["AnimatedImageURL"])


def resign(
    server: ServerProcess,
    url: str,
    *,
    query: dict[str, str] | None = None,
    path: str | None = None,
    expires: int | None = None,
    uid: str | None = None,
) -> str:
    """``url`` with another query, path, expiry or uid, signed properly with the server's key
    by the tests' own type-A signer (a URL the server signed is checked against it too)."""
    parts = urlsplit(url)
    old = dict(parse_qsl(parts.query))
    _, _, old_uid, _ = old["auth_key"].split("-")
    key = (Path(server.home) / "url-signing.key").read_text().strip()
    signed_uri = type_a.on_demand_uri(parts.path, list(old.items()))
    assert type_a.is_signed_by(signed_uri, old["auth_key"], key), "type-A signed by the server"
    del old["auth_key"]
    return type_a.signed_on_demand_url(
        server.url,
        path or parts.path,
        list((query if query is not None else old).items()),
        key,
        timestamp=expires if expires is not None else int(time.time()) + 600,
        uid=uid or old_uid,
    )


def tampered(url: str, **changes: str) -> str:
    """``url`` with some query values changed and its auth_key kept."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | changes
    return parts._replace(query=urlencode(query)).geturl()


def get_until_done(url: str, timeout: float = 60) -> httpx.Response:
    """GET ``url``, again after Retry-After while it answers 202."""
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(url, timeout=60)
        if response.status_code != 202 or time.monotonic() > deadline:
            return response
        time.sleep(float(response.headers["Retry-After"]) / 4)


def on_demand_jobs(
    server: ServerProcess, creds: Credentials, video_id: str
) -> list[dict[str, Any]]:
    """The video's jobs, which are its renders."""
    from tests.support.rpc import raw_call

    body = raw_call(server, creds, "ListDynamicImageJobs", VideoId=video_id, PageSize=100)
    jobs: list[dict[str, Any]] = body["DynamicImageJobList"]
    return jobs
