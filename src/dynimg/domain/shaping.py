"""Frame order and speed: when each chosen frame plays once the clip's frames are known.

The TimeSpan is source time. At ``Speed`` s, output frame k (at k/fps of output time) shows the
source at k*s/fps into the window, and a window of L seconds plays in L/s seconds. ``reverse``
plays the same frames last to first and ``bounce`` forward then back, without repeating the
frames it turns around on; either way each frame is shown as long as it is playing forward.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from dynimg.domain.templates import Playback


def speed_ratio(speed: float) -> Fraction:
    """The template's Speed as an exact fraction (0.333 stays 333/1000, 0.5 is 1/2)."""
    return Fraction(str(speed)).limit_denominator(1000)


def source_times(output_times: Sequence[Fraction], speed: float) -> list[Fraction]:
    """Where in the window (source seconds) each output frame time falls."""
    ratio = speed_ratio(speed)
    return [t * ratio for t in output_times]


def shaped_order(frames: int, playback: Playback) -> list[int]:
    """The forward frame index shown by each output frame."""
    forward = list(range(frames))
    if playback is Playback.REVERSE:
        return forward[::-1]
    if playback is Playback.BOUNCE:
        return forward + forward[-2:0:-1]
    return forward


def shaped_count(frames: int, playback: Playback) -> int:
    """How many output frames ``frames`` forward frames become."""
    return len(shaped_order(frames, playback))


@dataclass(frozen=True)
class ShapedTimeline:
    """The output: which forward frame each output frame shows, when it starts, when all ends."""

    order: tuple[int, ...]
    starts: tuple[Fraction, ...]
    end: Fraction


def shape_timeline(starts: Sequence[Fraction], end: Fraction, playback: Playback) -> ShapedTimeline:
    """Reorder forward frames (output ``starts`` from 0, the last lasting until ``end``)."""
    lengths = [b - a for a, b in zip(starts, [*starts[1:], end], strict=True)]
    order = shaped_order(len(starts), playback)
    shaped: list[Fraction] = []
    at = Fraction(0)
    for index in order:
        shaped.append(at)
        at += lengths[index]
    return ShapedTimeline(tuple(order), tuple(shaped), at)
