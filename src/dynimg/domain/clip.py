"""Clip math: which part of a video an animated image shows, and when each output frame starts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from dynimg.domain.templates import TimeSpan
from dynimg.errors import ClipOutOfRange, EmptyClip

GIF_MAX_FPS = Fraction(50)
"""GIF delays are whole centiseconds and browsers slow delays under 2 cs down to 10 cs."""


@dataclass(frozen=True)
class ClipWindow:
    """The captured part, in seconds from the start of the video: [start, end)."""

    start: Fraction
    end: Fraction

    @property
    def length(self) -> Fraction:
        return self.end - self.start


def resolve_window(span: TimeSpan, duration: Fraction | None, longest: Fraction) -> ClipWindow:
    """Apply Seek/Duration/End to a video of ``duration`` seconds (None when unknown).

    End (the length trimmed off the tail) wins over Duration; with neither, the clip runs to the
    end. A clip that would run past the end is cut there. When the duration is unknown (a raw
    H.264 stream, a still picture) a clip with neither runs for ``longest`` seconds, the longest
    clip accepted, and the decoder ends it where the video really ends.
    """
    start = Fraction(span.seek_ms, 1000)
    if duration is not None and start >= duration:
        raise ClipOutOfRange(
            f"Seek {float(start):g}s is not before the end of the video ({float(duration):.3f}s)."
        )
    if span.end_ms is not None:
        if duration is None:
            raise EmptyClip("End needs the video's duration, which could not be determined.")
        end = duration - Fraction(span.end_ms, 1000)
    elif span.duration_ms is not None:
        end = start + Fraction(span.duration_ms, 1000)
    else:
        end = duration if duration is not None else start + longest
    if duration is not None:
        end = min(end, duration)
    if end <= start:
        raise EmptyClip()
    return ClipWindow(start, end)


def frame_times(length: Fraction, fps: Fraction) -> list[Fraction]:
    """Start times (from the clip start) of the output frames: every 1/fps while inside the clip."""
    count = math.ceil(length * fps)
    return [Fraction(k) / fps for k in range(count)]


def rounded_delays(starts: list[Fraction], end: Fraction, unit: int) -> list[int]:
    """Per-frame delays in 1/``unit`` seconds that add up exactly to the rounded clip length.

    Each boundary is rounded on its own, so the rounding error is carried forward instead of
    accumulating (10 fps as centiseconds stays 10, 10, 10; 30 fps becomes 3, 4, 3, 3, 4, ...).
    """
    bounds = [*starts, end]
    ticks = [math.floor(b * unit + Fraction(1, 2)) for b in bounds]
    return [max(ticks[i + 1] - ticks[i], 1) for i in range(len(starts))]


def effective_fps(requested: float, source_fps: Fraction | None, *, gif: bool) -> Fraction:
    """The output rate: the template's, never above the source's, and at most 50 for GIF."""
    fps = Fraction(str(requested)).limit_denominator(1001)
    if source_fps and source_fps > 0:
        fps = min(fps, source_fps)
    return min(fps, GIF_MAX_FPS) if gif else fps
