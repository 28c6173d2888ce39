"""Usage metering as the service bills it: output duration by resolution class and format."""

from __future__ import annotations

from dataclasses import dataclass

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
