"""``Seek=auto``: choosing the most interesting window of a video from sparse samples.

Numbers in, window out; the media adapter measures the samples (see docs/media.md). Each sample
stands for the stretch of video around it (from the midpoint with its previous sample to the
midpoint with its next), so the video's *interest* is a step function of time and a window's
score is its mean interest over the window, less a penalty for every scene cut inside it:

- interest of a sample = ``0.75 * m / (m + 8) + 0.25 * d / (d + 16)``, with ``m`` its motion
  (mean absolute luma change over about 0.1 s, 0-255) and ``d`` its detail (mean absolute luma
  gradient, 0-255); both terms grow with no ceiling but flatten, so no single frame dominates;
- a *frozen* sample (motion under 0.5) has interest 0, a *black* one (mean luma under 20) -0.5;
- a *cut* is a luma-histogram distance of at least 0.4 (0 = same histogram, 1 = disjoint)
  between two frames looked at in a row; a window that overlaps the time between them loses 1,
  more than any interest can give, so a window with no cut always wins over one with a cut;
- the window never starts in the first or ends in the last 2 seconds of the video (less when
  the video is short: at most a quarter of the spare time at each end).

The score is piecewise linear in the window start, so the best start is at a breakpoint; all of
them are tried, and when the best score holds over a stretch of starts the middle of the first
such stretch is taken. The choice is a pure function of the samples.

A *still* (a thumbnail's ``time=auto``, :func:`best_still`) is judged from the same samples
with the same measures and thresholds, but what makes a good still is the reverse of a good
clip for motion: motion in a still is blur, and a fade is motion of the whole picture. So a
sample's *still score* is its detail term ``d / (d + 16)`` divided by ``1 + m / 8``; a black
sample and one with a scene cut between its two frames (a cut or a flash) do not count; a fade
scores low (its frames differ everywhere, as motion); the first and last 2 seconds
are left out as for windows (at most a quarter of the video at each end). The best sample's
own frame is taken; ties go to the earliest.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

EDGE_SECONDS = 2.0
"""Time kept out of the window at each end of the video (intros, fades, end cards)."""
CUT_DISTANCE = 0.4
"""Histogram distance from which two frames looked at in a row are taken as a scene cut."""
CUT_PENALTY = 1.0
FROZEN_MOTION = 0.5
BLACK_LUMA = 20.0
BLACK_INTEREST = -0.5
_MOTION_HALF, _DETAIL_HALF = 8.0, 16.0
_TIE = 1e-9


@dataclass(frozen=True)
class Sample:
    """What the sampler measured at one moment of the video (times in seconds)."""

    at: float
    """When the sample's first frame is shown."""
    until: float
    """When the frame its motion was measured against is shown (``at`` if there was none)."""
    motion: float
    """Mean absolute luma difference between those two frames, 0-255."""
    detail: float
    """Mean absolute luma gradient of the first frame, 0-255."""
    brightness: float
    """Mean luma of the first frame, 0-255."""
    change_before: float
    """Histogram distance (0-1) from the previous sample's last frame; 0 for the first sample."""
    change_within: float
    """Histogram distance (0-1) between this sample's two frames."""


@dataclass(frozen=True)
class Highlight:
    """The chosen window start and its score (mean interest less cut penalties)."""

    start: float
    score: float


def interest(sample: Sample) -> float:
    """How much a sample is worth watching: see the module's documentation."""
    if sample.brightness < BLACK_LUMA:
        return BLACK_INTEREST
    motion = 0.0 if sample.change_within >= CUT_DISTANCE else sample.motion
    if motion < FROZEN_MOTION:
        return 0.0
    return 0.75 * motion / (motion + _MOTION_HALF) + 0.25 * sample.detail / (
        sample.detail + _DETAIL_HALF
    )


def best_window(samples: Sequence[Sample], video_seconds: float, clip_seconds: float) -> Highlight:
    """The start (seconds) of the best ``clip_seconds`` window of a ``video_seconds`` video."""
    if clip_seconds >= video_seconds or not samples:
        return Highlight(0.0, 0.0)
    ordered = sorted(samples, key=lambda s: s.at)
    spare = video_seconds - clip_seconds
    edge = min(EDGE_SECONDS, spare / 4)
    low, high = edge, spare - edge
    curve = _InterestCurve(ordered, video_seconds)
    cuts = _cuts(ordered)
    scored = [
        (start, curve.mean(start, start + clip_seconds) - _penalty(cuts, start, clip_seconds))
        for start in _candidates(curve, cuts, clip_seconds, low, high)
    ]
    top = max(score for _, score in scored)
    return Highlight(_middle_of_first_best_run(scored, top), top)


def _penalty(cuts: Sequence[tuple[float, float]], start: float, length: float) -> float:
    return CUT_PENALTY * sum(1 for a, b in cuts if a < start + length and b > start)


def _middle_of_first_best_run(scored: Sequence[tuple[float, float]], top: float) -> float:
    """Between two neighbouring breakpoints the score is linear: equal ends make a flat stretch,
    and its middle is furthest from the uncertain edges of what the samples saw."""
    run: list[float] = []
    for start, score in scored:
        if score >= top - _TIE:
            run.append(start)
        elif run:
            break
    return (run[0] + run[-1]) / 2


class _InterestCurve:
    """Interest as a step function of time, with its running integral for window means."""

    def __init__(self, samples: Sequence[Sample], end: float) -> None:
        times = [s.at for s in samples]
        self.bounds = [0.0] + [(a + b) / 2 for a, b in itertools.pairwise(times)] + [end]
        self.values = [interest(s) for s in samples]
        self._integral = [0.0]
        for index, value in enumerate(self.values):
            width = max(self.bounds[index + 1] - self.bounds[index], 0.0)
            self._integral.append(self._integral[-1] + value * width)

    def area_to(self, x: float) -> float:
        index = min(max(bisect.bisect_right(self.bounds, x) - 1, 0), len(self.values) - 1)
        return self._integral[index] + self.values[index] * (x - self.bounds[index])

    def mean(self, start: float, end: float) -> float:
        return (self.area_to(end) - self.area_to(start)) / (end - start)


def _cuts(samples: Sequence[Sample]) -> list[tuple[float, float]]:
    """Time intervals that each hold a scene cut (somewhere between two frames looked at)."""
    found = []
    for previous, sample in zip([None, *samples], samples, strict=False):
        if previous is not None and sample.change_before >= CUT_DISTANCE:
            found.append((previous.until, sample.at))
        if sample.change_within >= CUT_DISTANCE:
            found.append((sample.at, sample.until))
    return found


def _candidates(
    curve: _InterestCurve,
    cuts: Sequence[tuple[float, float]],
    length: float,
    low: float,
    high: float,
) -> list[float]:
    """Window starts where the score can change slope or jump, inside ``[low, high]``."""
    points = {low, high}
    for bound in curve.bounds:
        points.update((bound, bound - length))
    for cut_start, cut_end in cuts:
        points.update((cut_end, cut_start - length))
    return sorted(p for p in points if low <= p <= high)


def still_score(sample: Sample) -> float:
    """How good a sample's first frame is as a still (see the module's documentation); -1 for
    one that must not be chosen."""
    if sample.brightness < BLACK_LUMA or sample.change_within >= CUT_DISTANCE:
        return -1.0
    sharpness = 1 / (1 + sample.motion / _MOTION_HALF)
    return sample.detail / (sample.detail + _DETAIL_HALF) * sharpness


def best_still(samples: Sequence[Sample], video_seconds: float) -> float:
    """The time (seconds) of the best still of a ``video_seconds`` video; 0 without samples.

    Samples in the first and last :data:`EDGE_SECONDS` (a quarter of the video at most) are
    only chosen when every other one is unusable."""
    if not samples:
        return 0.0
    edge = min(EDGE_SECONDS, video_seconds / 4)
    inside = [s for s in samples if edge <= s.at <= video_seconds - edge]
    ranked = [(still_score(s), -s.at, s) for s in (inside or samples)]
    best = max(ranked, key=lambda r: (r[0], r[1]))
    if best[0] < 0 and inside:  # all unusable inside: the edges may still hold a picture
        best = max(((still_score(s), -s.at, s) for s in samples), key=lambda r: (r[0], r[1]))
    return best[2].at
