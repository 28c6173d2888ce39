"""Alibaba's two time formats for clip offsets, as whole milliseconds.

Format 1: ``sssss[.SSS]`` in [0, 86399.999]. Format 2: ``hh:mm:ss[.SSS]`` in
[00:00:00.000, 23:59:59.999]. JSON numbers are taken as format 1.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from dynimg.errors import InvalidParameter

MAX_MS = 86_399_999
_SECONDS = re.compile(r"^(\d{1,5})(?:\.(\d{1,3}))?$")
_CLOCK = re.compile(r"^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$")
_REASON = "must be sssss[.SSS] in [0, 86399.999] or hh:mm:ss[.SSS]"


def parse_timecode(value: Any, path: str) -> int:
    """Milliseconds for a time value in either of Alibaba's formats."""
    if isinstance(value, bool):
        raise InvalidParameter(path, _REASON)
    if isinstance(value, int | float):
        value = format(Decimal(str(value)), "f")
    if not isinstance(value, str):
        raise InvalidParameter(path, _REASON)
    text = value.strip()
    millis = _from_seconds(text) if ":" not in text else _from_clock(text)
    if millis is None or millis > MAX_MS:
        raise InvalidParameter(path, _REASON)
    return millis


def _from_seconds(text: str) -> int | None:
    match = _SECONDS.match(text)
    if not match:
        return None
    return int(match[1]) * 1000 + _fraction_ms(match[2])


def _from_clock(text: str) -> int | None:
    match = _CLOCK.match(text)
    if not match:
        return None
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3])
    if hours > 23 or minutes > 59 or seconds > 59:
        return None
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + _fraction_ms(match[4])


def _fraction_ms(digits: str | None) -> int:
    return int((digits or "0").ljust(3, "0"))


def format_seconds(millis: int) -> str:
    """Milliseconds as Alibaba's format 1, without needless trailing zeros."""
    whole, frac = divmod(millis, 1000)
    return f"{whole}.{frac:03d}".rstrip("0").rstrip(".") if frac else str(whole)
