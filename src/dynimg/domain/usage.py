"""Usage metering as the service bills it: output duration by resolution class and format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dynimg.domain.timestamps import parse_utc
from dynimg.errors import InvalidParameter, TimestampFormat

RESOLUTION_CLASSES = (
    ("SD", 640 * 480),
    ("HD", 1280 * 720),
    ("FHD", 1920 * 1080),
    ("2K", 2560 * 1440),
    ("4K", 4096 * 2304),
)


def resolution_class(width: int, height: int) -> str:
    """SD up to 640x480 pixels, HD up to 1280x720, FHD up to 1920x1080, 2K, then 4K."""
    pixels = width * height
    for name, limit in RESOLUTION_CLASSES:
        if pixels <= limit:
            return name
    return "4K"


@dataclass(frozen=True)
class UsageRow:
    """One account's animated-image output on one UTC day, per resolution class and format."""

    day: str
    resolution: str
    format: str
    duration_ms: int
    images: int


@dataclass(frozen=True)
class UsageQuery:
    """DescribeDynamicImageUsage, parsed: the window's ends (None: the defaults)."""

    start: datetime | None = None
    end: datetime | None = None


def read_usage_query(start: str | None, end: str | None) -> UsageQuery:
    """StartTime and EndTime, UTC (``yyyy-MM-ddTHH:mm:ssZ``); EndTime is judged first."""
    end_time = _parse(end, "EndTime") if end else None
    return UsageQuery(_parse(start, "StartTime") if start else None, end_time)


def _parse(text: str, name: str) -> datetime:
    """A UTC time; the error names the parameter and the format it wants."""
    try:
        return parse_utc(text)
    except TimestampFormat:
        raise InvalidParameter(
            name, "must be a UTC time yyyy-MM-ddTHH:mm:ssZ, such as 2026-01-31T00:00:00Z"
        ) from None
