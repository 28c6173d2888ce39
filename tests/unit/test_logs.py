"""Log lines: JSON with the bound ids, and no secret gets out, however it was logged."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from dynimg import log_context
from dynimg.adapters.observability.logs import (
    JsonFormatter,
    RedactingFilter,
    TextFormatter,
    redact,
)

SECRET = "Zx9SuperSecretValue"


@pytest.fixture(params=["json", "text"])
def captured(request: pytest.FixtureRequest) -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if request.param == "json" else TextFormatter())
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger(f"dynimg.test-logs.{request.param}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    yield logger, stream
    logger.removeHandler(handler)


@pytest.mark.parametrize(
    "message",
    [
        f"GET /?Action=X&AccessKeyId=abc&Signature={SECRET} HTTP/1.1",
        f"PUT http://127.0.0.1:8080/dynimg/v.mp4?security-token={SECRET}",
        f"callback AuthKey={SECRET} set",
        f'{{"AccessKeySecret": "{SECRET}"}}',
        f"SecurityToken: {SECRET}",
        f"header Authorization: OSS STS.abc:{SECRET}",
        f"broker amqp://guest:{SECRET}@rabbit:5672//",
        f"x-oss-security-token={SECRET}",
    ],
)
def test_a_secret_in_a_message_does_not_get_out(
    captured: tuple[logging.Logger, io.StringIO], message: str
) -> None:
    logger, stream = captured
    logger.warning("seen: %s", message)
    assert SECRET not in stream.getvalue()
    assert "[redacted]" in stream.getvalue()


def test_a_secret_in_a_traceback_does_not_get_out(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    try:
        raise ValueError(f"bad AccessKeySecret={SECRET}")
    except ValueError:
        logger.exception("failed")
    assert "ValueError" in stream.getvalue() and SECRET not in stream.getvalue()


def test_json_lines_carry_the_bound_ids() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("dynimg.test-logs.ids")
    logger.propagate = False
    logger.setLevel(logging.INFO)  # what the formatter writes, whatever the root's level
    logger.addHandler(handler)
    try:
        logger.warning("before")
        with log_context.bound(log_context.request_id, "REQ-1"):
            with log_context.bound(log_context.job_id, "JOB-1"):
                logger.warning("inside %s", "both")
            logger.warning("request only")
    finally:
        logger.removeHandler(handler)
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(e["message"], e.get("request_id"), e.get("job_id")) for e in entries] == [
        ("before", None, None),
        ("inside both", "REQ-1", "JOB-1"),
        ("request only", "REQ-1", None),
    ]
    assert all(e["level"] == "warning" and e["logger"] == logger.name for e in entries)
    assert entries[0]["time"].endswith("+00:00")


def test_ordinary_text_is_left_alone() -> None:
    text = "SignatureDoesNotMatch: job abc attempt 2 failed; what? 3 frames"
    assert redact(text) == text
