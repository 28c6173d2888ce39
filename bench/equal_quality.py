"""Bytes of a lossy format at a target quality: bisection over its ``Quality`` knob.

``match_ssim`` renders at a few ``Quality`` values and bisects the integer range towards the
smallest ``Quality`` whose SSIM-half reaches the target (SSIM-half grows with ``Quality``, give
or take noise). The default comes first, then the end of the range on the target's side (100 or
1): when even that misses the target, the search ends there, two renders in, instead of
spending its budget on a plateau (a lossy 4:2:0 format never reaches a GIF's SSIM-half on a
flat-colour screen recording). It stops when a render lands within ``tolerance`` of the target,
when two neighbouring values bracket it, or after ``budget`` renders. The bytes at the target are
then interpolated between the two renders that bracket it most tightly in SSIM-half (log-linear
in bytes, since bytes grow about geometrically with quality). When no render reaches the target
(or every render exceeds it), the nearest render stands in, ``bracketed`` is false and
``reached`` says which side the target was missed on.

Pure: the render is a function passed in, so this is unit-tested without any encoder.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

QUALITY_RANGE = (1, 100)
DEFAULT_QUALITY = 75
TOLERANCE = 0.0003
"""SSIM-half this close to the target counts as equal: about one ``Quality`` step of WebP."""
BUDGET = 6
"""Renders per format at most, the default and the end of the range included."""


@dataclass(frozen=True)
class Point:
    """One render: its ``Quality``, size and SSIM-half."""

    quality: int
    bytes: int
    ssim: float


@dataclass(frozen=True)
class Match:
    """Where a format meets the target SSIM-half, and the renders it took to find out."""

    target: float
    quality: float
    """``Quality`` at the target, interpolated like the bytes."""
    bytes: float
    """Bytes at the target: interpolated when bracketed, else the nearest render's."""
    bracketed: bool
    """A render below and one at or above the target, or one within tolerance, were found."""
    points: tuple[Point, ...]
    """Every render, in the order made."""

    @property
    def reached(self) -> str:
        """``bracketed``; ``short`` when every render fell below the target (the format did not
        reach it: its bytes there are unknown, more than the nearest's); ``over`` when every
        render exceeded it (the bytes are an upper bound)."""
        if self.bracketed:
            return "bracketed"
        return "short" if self.nearest.ssim < self.target else "over"

    @property
    def nearest(self) -> Point:
        """The render whose SSIM-half is closest to the target."""
        return min(self.points, key=lambda p: abs(p.ssim - self.target))


Render = Callable[[int], tuple[int, float]]
"""``Quality`` -> (bytes, SSIM-half) of the output rendered at it."""


def match_ssim(
    render: Render,
    target: float,
    *,
    start: int = DEFAULT_QUALITY,
    bounds: tuple[int, int] = QUALITY_RANGE,
    tolerance: float = TOLERANCE,
    budget: int = BUDGET,
) -> Match:
    """Bisect ``Quality`` in ``bounds`` (from ``start``) until SSIM-half meets ``target``."""
    points: list[Point] = []
    low, high = bounds  # the smallest Quality reaching the target is in [low, high + 1]
    quality = min(max(start, low), high)
    while len(points) < budget and low <= high:
        point = Point(quality, *render(quality))
        points.append(point)
        if abs(point.ssim - target) <= tolerance:
            break
        if point.ssim >= target:
            high = quality - 1
        else:
            low = quality + 1
        quality = (low + high) // 2
        if len(points) == 1:  # first the end of the range on the target's side: within reach?
            quality = high if point.ssim < target else low
    return _interpolate(target, points, tolerance)


def _interpolate(target: float, points: list[Point], tolerance: float) -> Match:
    under = [p for p in points if p.ssim < target]
    over = [p for p in points if p.ssim >= target]
    if not under or not over:
        near = min(points, key=lambda p: abs(p.ssim - target))
        close = abs(near.ssim - target) <= tolerance
        return Match(target, near.quality, near.bytes, close, tuple(points))
    below = max(under, key=lambda p: p.ssim)
    above = min(over, key=lambda p: p.ssim)
    share = (target - below.ssim) / (above.ssim - below.ssim)
    log_bytes = math.log(below.bytes) + share * (math.log(above.bytes) - math.log(below.bytes))
    quality = below.quality + share * (above.quality - below.quality)
    return Match(target, quality, math.exp(log_bytes), True, tuple(points))
