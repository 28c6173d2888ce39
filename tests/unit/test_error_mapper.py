from __future__ import annotations

import logging

import pytest

from dynimg.api.error_mapper import error_response
from dynimg.errors import InternalError, MissingParameter, ServiceUnavailable


def test_client_errors_are_reported_as_raised() -> None:
    status, body = error_response(MissingParameter("VideoId"), "RID", "host")
    assert status == 400
    assert body["Code"] == "MissingParameter" and "'VideoId'" in body["Message"]
    assert body["RequestId"] == "RID" and body["HostId"] == "host"


def test_unexpected_errors_leak_nothing(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="dynimg.api"):
        status, body = error_response(RuntimeError("/srv/secret path"), "RID", "host")
    assert status == 500
    assert body["Code"] == "InternalError"
    assert body["Message"] == InternalError().message
    assert "secret" not in str(body)
    assert "secret path" in caplog.text


def test_server_errors_keep_their_code_but_not_their_detail() -> None:
    status, body = error_response(ServiceUnavailable("db at 10.0.0.3 down"), "RID", "h")
    assert (status, body["Code"]) == (503, "ServiceUnAvailable")
    assert "10.0.0.3" not in body["Message"]


def test_recommend_points_at_the_errors_table_that_exists() -> None:
    from pathlib import Path

    _, body = error_response(MissingParameter("VideoId"), "RID", "host")
    page, _, anchor = body["Recommend"].partition("#")
    docs = Path(__file__).parents[2] / page
    assert docs.is_file(), body["Recommend"]
    assert f"## {anchor.capitalize()}" in docs.read_text(encoding="utf-8")
