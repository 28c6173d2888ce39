"""Whether a file is an animated image (GIF, APNG, animated WebP), from its first bytes: cheap,
and without Pillow, so that rendering a video never imports it."""

from __future__ import annotations

from pathlib import Path

from dynimg.adapters.media.webp_container import ANIMATION_FLAG


def animated_kind(path: Path) -> str | None:
    """``gif``, ``apng`` or ``webp`` when the file's first bytes say it is one of those
    animations (a GIF with any frame count); None for anything else, still images included."""
    try:
        with path.open("rb") as file:
            head = file.read(64)
    except OSError:
        return None  # missing or unreadable: the probe says so in its own words
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:16] == b"WEBPVP8X" and len(head) > 20:
        return "webp" if head[20] & ANIMATION_FLAG else None
    if head[:8] == b"\x89PNG\r\n\x1a\n" and b"acTL" in _png_head(path):
        return "apng"
    return None


def _png_head(path: Path) -> bytes:
    """The chunks before the first image data, where an APNG's ``acTL`` must be."""
    with path.open("rb") as file:
        head = file.read(1 << 16)
    end = head.find(b"IDAT")
    return head if end < 0 else head[:end]
