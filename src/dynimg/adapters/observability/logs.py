"""Logging for the service: text or JSON lines, with the request's or job's id, never a secret.

Secrets reach log lines in ways no caller intends (a URL with its signed query string in an
access log, an exception quoting a header), so every line is redacted on its way out rather
than trusting each call site: query strings go, and so does the value after any of the names
in ``SECRET_NAMES``.

Warnings and errors are also rate-limited per process (:class:`RepeatLimiter`): during an outage
the same failure repeats many times a second (a worker polling a database that is down logged
about 100 lines a second), which buries what else happened and can fill a disk.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
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


class RepeatLimiter(logging.Filter):
    """Lets warnings and errors through at most ``per_second`` a second, and the same one
    (logger, message template, exception class) at most once every ``repeat_seconds``.

    What is held back is counted, and the next line of the same kind that goes through says
    how many were suppressed. Lower levels pass untouched (they are opt-in and not a storm's
    symptom). A suppressed record loses its traceback too, which is most of its lines.
    """

    def __init__(self, per_second: int = 10, repeat_seconds: float = 10.0) -> None:
        super().__init__()
        self._rate, self._repeat = per_second, repeat_seconds
        self._tokens, self._refilled = float(per_second), time.monotonic()
        self._last: dict[tuple[str, str, str], float] = {}
        self._held: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        exc_type = record.exc_info[0] if record.exc_info and record.exc_info[0] else None
        key = (record.name, str(record.msg), exc_type.__name__ if exc_type else "")
        with self._lock:
            now = time.monotonic()
            self._refill(now)
            if now - self._last.get(key, -self._repeat) < self._repeat or self._tokens < 1:
                if key in self._held or len(self._held) < 10_000:
                    self._held[key] = self._held.get(key, 0) + 1
                return False
            self._tokens -= 1
            self._last[key] = now
            held = self._held.pop(key, 0)
            if len(self._last) > 10_000:  # many distinct messages: forget the oldest half
                for old in sorted(self._last, key=self._last.__getitem__)[:5_000]:
                    del self._last[old]
        if held:
            record.msg = f"{record.msg} ({held} more like this suppressed)"
        return True

    def _refill(self, now: float) -> None:
        self._tokens = min(self._rate, self._tokens + (now - self._refilled) * self._rate)
        self._refilled = now


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
    handler.addFilter(RepeatLimiter())
    handler.addFilter(RedactingFilter())
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    # Alembic narrates every plugin and migration step at INFO each time a process starts
    # (serve, each worker): noise for operators; its warnings and errors still show.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
