"""Logging for the service: text or JSON lines, with the request's or job's id, never a secret.

Secrets reach log lines in ways no caller intends (a URL with its signed query string in an
access log, an exception quoting a header), so every line is redacted on its way out rather
than trusting each call site: query strings go, and so does the value after any of the names
in ``SECRET_NAMES``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Literal

from dynimg import log_context

REDACTED = "[redacted]"
SECRET_NAMES = (
    "AccessKeySecret", "access_key_secret", "SecurityToken", "x-oss-security-token", "AuthKey",
    "auth_key", "Signature", "password", "secret", "Authorization",
)  # fmt: skip
_QUERY = re.compile(r"\?[^\s\"'<>]+")
_NAMED = re.compile(
    r"(?i)(\b(?:" + "|".join(re.escape(name) for name in SECRET_NAMES) + r")\b[\"']?\s*[=:]\s*"
    r"[\"']?)(?:(?:OSS|Bearer|Basic)\s+)?[^\s&\"',;}]+"
)
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` without query strings, URL passwords, or values of secret-named fields."""
    text = _QUERY.sub("?" + REDACTED, text)
    text = _URL_PASSWORD.sub(r"\1" + REDACTED + "@", text)
    return _NAMED.sub(r"\1" + REDACTED, text)


class RedactingFilter(logging.Filter):
    """Replaces a record's message by its redacted text, so no handler can see the secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: keep only its format string
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        return True


class TextFormatter(logging.Formatter):
    """``LEVEL logger message [request_id=... job_id=...]``, tracebacks redacted too."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(f"{name}={value}" for name, value in log_context.current().items())
        line = super().format(record)
        return redact(f"{line} [{ids}]" if ids else line)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the ids bound now."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
            **log_context.current(),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, fmt: Literal["text", "json"]) -> None:
    """Send every log record (uvicorn's and Celery's included) through one redacting handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RedactingFilter())
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    # Alembic narrates every plugin and migration step at INFO each time a process starts
    # (serve, each worker): noise for operators; its warnings and errors still show.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
