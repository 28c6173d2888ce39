"""Typed readers for the loosely typed values of Alibaba's JSON configs.

Alibaba documents most numbers as strings ("640") while clients also send JSON numbers, so both
are accepted; booleans, fractions where integers are expected, and out-of-range values are not.
Each reader names the offending field (e.g. ``TemplateConfig.Video.Width``) in its error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from dynimg.errors import InvalidParameter

_INT = re.compile(r"^[+-]?\d{1,12}$")
_FLOAT = re.compile(r"^[+-]?(\d{1,12}(\.\d{0,9})?|\.\d{1,9})$")


def read_int(value: Any, path: str, low: int, high: int) -> int:
    """An integer in [low, high], given as a JSON integer or a string of digits."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidParameter(path, f"must be an integer in [{low}, {high}]")
    if isinstance(value, str):
        if not _INT.match(value.strip()):
            raise InvalidParameter(path, f"must be an integer in [{low}, {high}]")
        value = int(value)
    number = int(value)
    if not low <= number <= high:
        raise InvalidParameter(path, f"must be an integer in [{low}, {high}]")
    return number


def read_float(value: Any, path: str) -> float:
    """A finite decimal number, given as a JSON number or a decimal string."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidParameter(path, "must be a number")
    if isinstance(value, str) and not _FLOAT.match(value.strip()):
        raise InvalidParameter(path, "must be a number")
    try:
        number = float(value)
    except OverflowError:  # a JSON integer beyond the float range
        raise InvalidParameter(path, "must be a finite number") from None
    if not math.isfinite(number):
        raise InvalidParameter(path, "must be a finite number")
    return number


def read_choice(value: Any, path: str, choices: Iterable[str]) -> str:
    """One of ``choices``, compared case-insensitively, returned in its canonical spelling."""
    options = list(choices)
    if isinstance(value, str):
        for option in options:
            if value.strip().lower() == option.lower():
                return option
    raise InvalidParameter(path, "must be one of " + ", ".join(options))


def read_bool(value: Any, path: str) -> bool:
    """A boolean given as JSON true/false or the strings "true"/"false"."""
    if isinstance(value, bool):
        return value
    return read_choice(value, path, ["true", "false"]) == "true"


def read_object(value: Any, path: str) -> Mapping[str, Any]:
    """A JSON object."""
    if not isinstance(value, Mapping):
        raise InvalidParameter(path, "must be a JSON object")
    return value


def read_text(value: Any, path: str, *, max_bytes: int, allow_empty: bool = False) -> str:
    """A string of at most ``max_bytes`` UTF-8 bytes."""
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise InvalidParameter(path, "must be a non-empty string")
    if len(value.encode("utf-8")) > max_bytes:
        raise InvalidParameter(path, f"must be at most {max_bytes} bytes")
    return value
