"""The encode settings a size search moves along, and how far each knob can be turned.

:mod:`dynimg.domain.size_search` decides which point of this path to try; this module says what
a point is: the knobs, their order, their floors and how a knob moves from the requested value
to its floor.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction

from dynimg.domain.geometry import round_even

QUALITY_FLOOR = 20
LOSSY_CEILING = 120
COLORS_FLOOR = 16
FPS_FLOOR = Fraction(4)
FPS_MIN_RATIO = Fraction(1, 4)
SIZE_MIN_RATIO = 0.25
MIN_SIDE = 32


class Knob(StrEnum):
    """What the search may turn down, in the order it does."""

    QUALITY = "quality"
    LOSSY = "lossy"
    COLORS = "colors"
    FPS = "fps"
    SIZE = "size"


ORDER = (Knob.QUALITY, Knob.LOSSY, Knob.COLORS, Knob.FPS, Knob.SIZE)
ALWAYS = frozenset({Knob.FPS, Knob.SIZE})
"""Knobs every format has; QUALITY, LOSSY and COLORS depend on the writer."""
OWN = frozenset({Knob.QUALITY, Knob.LOSSY, Knob.COLORS})


@dataclass(frozen=True)
class EncodeSettings:
    """One encode's parameters."""

    quality: int
    colors: int
    fps: Fraction
    width: int
    height: int
    lossy: int = 0

    def describe(self, knobs: frozenset[Knob] = frozenset(ORDER)) -> str:
        """The settings in words, leaving out the knobs the format does not have."""
        parts = [f"quality {self.quality}"] if Knob.QUALITY in knobs else []
        parts += [f"lossy {self.lossy}"] if Knob.LOSSY in knobs else []
        parts += [f"{self.colors} colours"] if Knob.COLORS in knobs else []
        return ", ".join([*parts, f"{fps_text(self.fps)} fps", f"{self.width}x{self.height}"])


def floors(start: EncodeSettings, knobs: frozenset[Knob]) -> EncodeSettings:
    scale = min(1.0, max(SIZE_MIN_RATIO, MIN_SIDE / min(start.width, start.height)))
    return EncodeSettings(
        quality=min(start.quality, QUALITY_FLOOR) if Knob.QUALITY in knobs else start.quality,
        lossy=max(start.lossy, LOSSY_CEILING) if Knob.LOSSY in knobs else start.lossy,
        colors=min(start.colors, COLORS_FLOOR) if Knob.COLORS in knobs else start.colors,
        fps=min(start.fps, max(start.fps * FPS_MIN_RATIO, FPS_FLOOR)),
        width=_scaled(start.width, scale),
        height=_scaled(start.height, scale),
    )


def _scaled(side: int, scale: float) -> int:
    return side if scale >= 1 else min(side, round_even(side * scale))


_Setter = Callable[[EncodeSettings, EncodeSettings, EncodeSettings, float], EncodeSettings]


def set_knob(
    knob: Knob,
    base: EncodeSettings,
    start: EncodeSettings,
    floor: EncodeSettings,
    fraction: float,
    seconds: Fraction,
) -> EncodeSettings:
    """``base`` with ``knob`` moved ``fraction`` of the way (in law space) from start to floor."""
    if fraction <= 0:
        return base
    if knob is Knob.FPS:
        return _set_fps(base, start, floor, fraction, seconds)
    return _SETTERS[knob](base, start, floor, fraction)


def fps_text(fps: Fraction) -> str:
    return f"{float(fps):.4g}"


def _set_quality(
    base: EncodeSettings, start: EncodeSettings, floor: EncodeSettings, f: float
) -> EncodeSettings:
    return replace(base, quality=round(start.quality + (floor.quality - start.quality) * f))


def _set_lossy(
    base: EncodeSettings, start: EncodeSettings, floor: EncodeSettings, f: float
) -> EncodeSettings:
    return replace(base, lossy=round(start.lossy + (floor.lossy - start.lossy) * f))


def _set_colors(
    base: EncodeSettings, start: EncodeSettings, floor: EncodeSettings, f: float
) -> EncodeSettings:
    bits = math.log2(start.colors) + (math.log2(floor.colors) - math.log2(start.colors)) * f
    return replace(base, colors=min(max(round(2**bits), floor.colors), start.colors))


def _set_fps(
    base: EncodeSettings, start: EncodeSettings, floor: EncodeSettings, f: float, seconds: Fraction
) -> EncodeSettings:
    """A rate that gives a whole number of frames over the clip: rates between two such
    numbers make the same frames, and the same file."""
    if f >= 1:
        return replace(base, fps=floor.fps)
    value = math.exp(math.log(start.fps) + (math.log(floor.fps) - math.log(start.fps)) * f)
    frames = max(round(value * seconds), 1)
    return replace(base, fps=min(max(Fraction(frames) / seconds, floor.fps), start.fps))


def _set_size(
    base: EncodeSettings, start: EncodeSettings, floor: EncodeSettings, f: float
) -> EncodeSettings:
    if f >= 1:
        return replace(base, width=floor.width, height=floor.height)
    scale = math.exp(math.log(floor.width / start.width) * f)
    width = min(max(_scaled(start.width, scale), floor.width), start.width)
    height = min(max(_scaled(start.height, scale), floor.height), start.height)
    return replace(base, width=width, height=height)


_SETTERS: dict[Knob, _Setter] = {
    Knob.QUALITY: _set_quality,
    Knob.LOSSY: _set_lossy,
    Knob.COLORS: _set_colors,
    Knob.SIZE: _set_size,
}
