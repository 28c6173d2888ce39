"""Animated WebP: lossy libwebp frames, each cropped to what changed, encoded in parallel.

See :mod:`dynimg.adapters.media.webp_frames` for how frames are compared, encoded and joined;
this module adapts it to the engine's writer interface (frame start times in, delays out).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from dynimg.adapters.media.decode import Picture
from dynimg.adapters.media.scaler import Scaler
from dynimg.adapters.media.webp_frames import ENCODER_THREADS, FrameAnimation
from dynimg.domain.clip import rounded_delays
from dynimg.domain.templates import DynamicImageTemplateConfig

MAX_QUEUED_FRAMES = 48
"""Frames waiting for an encoder; beyond this, decoding waits (bounded memory)."""
MAX_QUEUED_BYTES = 96 * 1024 * 1024
"""...and never more than this many bytes of them: 48 watermarked 1080p frames (RGB) were
300 MB, which took a job past its memory bound."""


class WebpWriter:
    """Streams frames into the encoders; the file is written when the clip is complete."""

    def __init__(
        self, config: DynamicImageTemplateConfig, size: tuple[int, int], frames: int
    ) -> None:
        del frames  # every frame is encoded on its own: the count changes nothing
        frame_bytes = size[0] * size[1] * 3
        in_flight = max(
            ENCODER_THREADS * 2, min(MAX_QUEUED_FRAMES, MAX_QUEUED_BYTES // frame_bytes)
        )
        self._animation = FrameAnimation(size, config.quality, config.loop, in_flight)
        self._starts: list[Fraction] = []
        self._scaler = Scaler()  # for drawn (RGB) frames

    def add(self, frame: Picture, start: Fraction) -> None:
        self._close_last(start)
        self._animation.add(self._scaler.as_format(frame, "yuv420p"))
        self._starts.append(start)

    def finish(self, end: Fraction, path: Path) -> list[int]:
        """Close the last frame (lasting until ``end``), join the frames, write ``path``."""
        self._close_last(end)
        path.write_bytes(self._animation.finish())
        return rounded_delays(self._starts, end, 1000)

    def abort(self) -> None:
        """Stop the encoders after a failure."""
        self._animation.abort()

    def _close_last(self, until: Fraction) -> None:
        """The frame added last lasts until ``until``."""
        if self._starts:
            start = self._starts[-1]
            self._animation.lasts(max(_ms(until) - _ms(start), 1))


def _ms(seconds: Fraction) -> int:
    return int(seconds * 1000 + Fraction(1, 2))
