"""HTTP ``Range`` headers, as the file delivery and the console's video player read them."""

from __future__ import annotations

import re

_RANGE = re.compile(r"^bytes=([0-9]{0,19})-([0-9]{0,19})$")
"""One byte range; 19 digits pass any file size, and longer numbers are not parsed at all."""


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """[start, end) of a single ``bytes=`` range within ``size``; None when malformed or empty."""
    match = _RANGE.match(header.strip())
    if not match or not (match[1] or match[2]):
        return None
    if not match[1]:
        length = int(match[2])
        return (max(size - length, 0), size) if length else None
    start = int(match[1])
    end = min(int(match[2]) + 1, size) if match[2] else size
    return (start, end) if start < end else None
