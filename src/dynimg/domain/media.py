"""What dynimg knows about a video file after probing it."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class MediaInfo:
    """Container and video stream properties; times in seconds as exact fractions."""

    container: str
    video_codec: str
    width: int
    """Coded width in pixels, before rotation and pixel-aspect correction."""
    height: int
    pixel_format: str
    sample_aspect_ratio: Fraction
    rotation: int
    """Clockwise degrees (0, 90, 180, 270) to turn decoded frames to display them upright."""
    duration: Fraction | None
    fps: Fraction | None
    bit_rate: int | None
    size_bytes: int
    has_audio: bool

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height as shown: square pixels, upright."""
        width = (
            round(self.width * self.sample_aspect_ratio) if self.sample_aspect_ratio else self.width
        )
        if self.rotation in (90, 270):
            return self.height, width
        return width, self.height
