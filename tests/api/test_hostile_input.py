"""Odd input is a client error, never a 500, and XML answers always parse (issue 22.10)."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import httpx

from tests.api.test_gateway_errors import xml_call
from tests.support.clients import sdk_api
from tests.support.server import Credentials, ServerProcess

HOSTILE_TITLE = "bad\x01title\x1b with \uffff and \ud7ff end"


def test_xml_answers_parse_whatever_a_stored_title_holds(
    server: ServerProcess, creds: Credentials
) -> None:
    api = sdk_api("tea-v3", server.endpoint, creds)
    video_id = api.call("CreateUploadVideo", Title=HOSTILE_TITLE, FileName="a.mp4")["VideoId"]
    for action, params in (("GetVideoInfo", {"VideoId": video_id}), ("GetVideoList", {})):
        response = xml_call(server, creds, Action=action, **params)
        assert response.status_code == 200, response.text
        root = ElementTree.fromstring(response.content)  # a real parser: malformed XML raises
        titles = [element.text for element in root.iter("Title")]
        assert "bad\ufffdtitle\ufffd with \ufffd and \ud7ff end" in titles, titles
    # The passing half: JSON keeps the title exactly as stored.
    assert api.call("GetVideoInfo", VideoId=video_id)["Video"]["Title"] == HOSTILE_TITLE


def _console_form(server: ServerProcess) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=server.url, timeout=30)
    page = client.get("/console/sign-in")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, page.text[:300]
    return client, match.group(1)


def test_a_form_of_too_many_fields_is_a_client_error_even_unauthenticated(
    server: ServerProcess,
) -> None:
    client, csrf = _console_form(server)
    try:
        fields = "&".join(f"f{n}=x" for n in range(1500))
        flooded = client.post(
            "/console/sign-in", content=f"csrf={csrf}&username=a&password=b&{fields}",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        assert flooded.status_code == 400, flooded.text[:300]
        # The passing half: the same form without the flood is an ordinary wrong password.
        plain = client.post(
            "/console/sign-in", data={"csrf": csrf, "username": "a", "password": "b"}
        )
        assert plain.status_code == 401
    finally:
        client.close()


PASSWORD = "correct horse battery staple"


def _signed_in(server: ServerProcess) -> tuple[httpx.Client, dict[str, str]]:
    """A console session of a user of the default account, and the headers its script sends."""
    server.new_console_user("default", "hostile-input", PASSWORD)
    client, csrf = _console_form(server)
    signed = client.post(
        "/console/sign-in", data={"csrf": csrf, "username": "hostile-input", "password": PASSWORD}
    )
    assert signed.status_code == 303, signed.text[:300]
    page = client.get("/console/videos")
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match
    return client, {"X-CSRF-Token": match.group(1), "Accept": "application/json"}


def test_odd_console_input_is_a_client_error(server: ServerProcess) -> None:
    client, headers = _signed_in(server)
    try:
        odd = [
            ("form-encoded start", b"file_name=a.mp4&size=10", "application/x-www-form-urlencoded"),
            ("5,000-digit size", b'{"file_name": "a.mp4", "size": ' + b"9" * 5000 + b"}", None),
            ("deep nesting", b"[" * 100_000 + b"]" * 100_000, None),
        ]
        for what, body, content_type in odd:
            answer = client.post(
                "/console/videos/uploads", content=body,
                headers={**headers, "content-type": content_type or "application/json"},
            )  # fmt: skip
            assert answer.status_code == 400, (what, answer.status_code, answer.text[:200])
        # The passing half: a well-formed start opens an upload, and its parts are numbered.
        started = client.post(
            "/console/videos/uploads", json={"file_name": "a.mp4", "size": 10}, headers=headers
        )
        assert started.status_code == 200, started.text[:300]
        upload = started.json()
        base = f"/console/videos/{upload['video_id']}/uploads/{upload['grant']}/{upload['upload']}"
        for number, status in (("9" * 5000, 400), ("0", 400), ("1", 200)):
            put = client.put(f"{base}/parts/{number}", content=b"0123456789", headers=headers)
            assert put.status_code == status, (number[:10], put.status_code, put.text[:200])
        nested = "[" * 100_000 + "]" * 100_000
        submitted = client.post(
            "/console/jobs", data={"override_params": nested, "video_id": upload["video_id"]},
            headers=headers,
        )  # fmt: skip
        assert 400 <= submitted.status_code < 500, submitted.text[:300]
    finally:
        client.close()
