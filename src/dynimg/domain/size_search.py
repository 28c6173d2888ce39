"""Fitting an animated image under ``Container.MaxFileSize``: which encodes to try, in order.

Quality is given up in a fixed order, the cheapest for the eye first:

1. ``Quality`` (formats with a quality knob: WebP) from the requested value down to 20;
2. ``Lossy`` (GIF's lossy LZW) from the requested value up to 120: the cheapest for the eye of
   GIF's dials (a quarter to a third fewer bytes for about 0.005 SSIM-half at 60-100);
3. colours (formats with a palette: GIF) from ``MaxColors`` down to 16;
4. frame rate from ``Fps`` down to a quarter of it, but not below 4 fps;
5. size from ``Width`` x ``Height`` down to a quarter of each side, no side below 32 pixels.

A step only starts once the ones before it are at their floor, so the whole order is one path
from the requested settings (level 0) to every floor (the last level), along which the size
falls. The search looks for the least degraded point of that path whose file fits.

It does not bisect blindly. File size follows rough laws: the log of the size falls about
linearly with WebP quality, with the bits of the palette, and with the log of the frame rate and
of the side (see ``_PRIORS``). Summing those gives, for any settings, a predicted log reduction
``D``. The first guess jumps straight to the ``D`` the target needs; later guesses correct the
law's slope with the sizes actually measured (secant in (``D``, log size), kept inside the
bracket of the best fitting and the worst overshooting attempt). A guess aims at 95 % of the
target and a fit within ``TOLERANCE`` of it is taken at once.

At most ``MAX_ENCODES`` encodes are made. The last one allowed, if nothing fit yet, is the
all-floors encode, so the outcome is always either a file that fits or the smallest size the
path can reach, measured rather than guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from dynimg.domain.encode_settings import (
    ALWAYS,
    ORDER,
    OWN,
    EncodeSettings,
    Knob,
    floors,
    fps_text,
    set_knob,
)

MAX_ENCODES = 8
"""Encodes one job may make to fit (the first, requested one included)."""
TOLERANCE = 0.10
"""A fit this close below the target (10 %) is good enough to stop searching."""
AIM = 1 - TOLERANCE / 2
NARROW = 0.025
"""Attempts this close (the law expects ~2.5 % between them) leave nothing worth an encode."""


@dataclass(frozen=True)
class Attempt:
    """An encode that was made, and the bytes it came to."""

    settings: EncodeSettings
    size_bytes: int


@dataclass(frozen=True)
class SizeSearchReport:
    """What the search did: shown to the user on the job and by ``dynimg render``."""

    target_bytes: int
    attempts: tuple[Attempt, ...]
    chosen: int | None
    """Index of the attempt written, None when nothing fit."""
    knobs: frozenset[Knob] = frozenset(ORDER)
    """The knobs the format has; the others are left out of what is shown."""

    @property
    def smallest_bytes(self) -> int:
        return min(a.size_bytes for a in self.attempts)

    def to_document(self) -> dict[str, Any]:
        """The report as the job shows it (``SizeSearch`` in GetDynamicImageJob)."""
        doc: dict[str, Any] = {
            "TargetBytes": self.target_bytes,
            "Encodes": len(self.attempts),
            "Attempts": [self._attempt(a) for a in self.attempts],
        }
        if self.chosen is not None:
            doc["Chosen"] = self.chosen
        return doc

    def _attempt(self, attempt: Attempt) -> dict[str, Any]:
        settings = attempt.settings
        doc: dict[str, Any] = {"Quality": settings.quality} if Knob.QUALITY in self.knobs else {}
        if Knob.LOSSY in self.knobs:
            doc["Lossy"] = settings.lossy
        if Knob.COLORS in self.knobs:
            doc["MaxColors"] = settings.colors
        doc |= {"Fps": fps_text(settings.fps), "Width": settings.width}
        return doc | {"Height": settings.height, "Bytes": attempt.size_bytes}


@dataclass(frozen=True)
class _Stage:
    knob: Knob
    start: float
    floor: float
    """Both in the knob's law space (see ``_LAWS``)."""


_PRIORS: dict[Knob, float] = {
    Knob.QUALITY: 0.012,  # per quality point (WebP)
    Knob.LOSSY: 0.004,  # per Lossy point (GIF): about -0.35 in ln(size) from 0 to 100
    Knob.COLORS: 0.12,  # per bit of palette (GIF)
    Knob.FPS: 0.8,  # per unit of ln(fps): fewer frames, each a larger change
    Knob.SIZE: 1.7,  # per unit of ln(scale): pixels^0.85
}
"""Slope of ln(size) per unit of each knob's law space, fitted to the sizes of the test clips
(gradient and noise, GIF and WebP); the search corrects it from the sizes it measures."""


def _law(knob: Knob, settings: EncodeSettings, start: EncodeSettings) -> float:
    if knob is Knob.QUALITY:
        return float(settings.quality)
    if knob is Knob.LOSSY:
        return -float(settings.lossy)  # more lossy, smaller: the law falls as Lossy rises
    if knob is Knob.COLORS:
        return math.log2(settings.colors)
    if knob is Knob.FPS:
        return math.log(settings.fps)
    return math.log(settings.width / start.width)


class SizeSearch:
    """Proposes encodes until one fits close below ``target`` or nothing better can be found."""

    def __init__(
        self,
        target: int,
        start: EncodeSettings,
        knobs: frozenset[Knob],
        clip_seconds: Fraction,
        cap: int = MAX_ENCODES,
    ) -> None:
        self.target, self.start, self._cap = target, start, max(cap, 2)
        self.knobs = knobs & OWN | ALWAYS
        self.floor = floors(start, self.knobs)
        self._seconds = clip_seconds
        self._stages = [
            _Stage(k, _law(k, start, start), _law(k, self.floor, start))
            for k in ORDER
            if _law(k, start, start) != _law(k, self.floor, start)
        ]
        self.attempts: list[Attempt] = []

    def record(self, settings: EncodeSettings, size_bytes: int) -> None:
        self.attempts.append(Attempt(settings, size_bytes))

    def propose(self) -> EncodeSettings | None:
        """The next settings to encode, None when the search is over."""
        if not self.attempts:
            return self.start
        best = self._best_fit()
        if len(self.attempts) >= self._cap:
            return None
        if best is not None and best.size_bytes >= self.target * (1 - TOLERANCE):
            return None
        over = self._worst_over()
        if over is None:  # the requested settings fit
            return None
        if best is None:
            return self._below(over)
        return self._between(over, best)

    def report(self) -> SizeSearchReport:
        best = self._best_fit()
        chosen = None if best is None else self.attempts.index(best)
        return SizeSearchReport(self.target, tuple(self.attempts), chosen, self.knobs)

    def _below(self, over: Attempt) -> EncodeSettings | None:
        """Nothing fits yet: jump along the path by the law, to the floors at the latest."""
        if over.settings == self.floor:
            return None  # the floors overshoot: the target cannot be reached
        if len(self.attempts) >= self._cap - 1:
            return self.floor
        needed = math.log(over.size_bytes / (self.target * AIM)) / self._slope_correction()
        wanted = self.reduction(over.settings) + needed
        for bump in range(6):  # rounding may land on settings already tried: a little further
            guess = self.settings_for(wanted + 0.05 * bump)
            if not self._measured(guess):
                return guess
        return self.floor

    def _between(self, over: Attempt, fit: Attempt) -> EncodeSettings | None:
        """Secant between the closest overshooting and fitting attempts, inside that bracket."""
        d_over, d_fit = self.reduction(over.settings), self.reduction(fit.settings)
        if d_fit - d_over < NARROW:
            return None  # the law expects too small a gain from anything in between
        aim = math.log(self.target * AIM)
        above, below = math.log(over.size_bytes) - aim, math.log(fit.size_bytes) - aim
        middle = (d_over + d_fit) / 2
        wanted = middle
        if above > below:
            if self._one_sided():  # Illinois: the end kept twice counts half
                above, below = self._halved(above, below)
            wanted = d_over + above * (d_fit - d_over) / (above - below)
            # Keep clear of the ends, or a bad law creeps up on the target one step at a time.
            margin = 0.1 * (d_fit - d_over)
            wanted = min(max(wanted, d_over + margin), d_fit - margin)
        for candidate in (wanted, middle):
            guess = self.settings_for(candidate)
            if not self._measured(guess):
                return guess
        return None  # no settings left between the two: the fitting one is the best

    def _one_sided(self) -> bool:
        """Whether the last two encodes fell on the same side of the target: the secant keeps
        missing one way, and the bracket shrinks only from that side."""
        if len(self.attempts) < 3:
            return False
        last, before = self.attempts[-1], self.attempts[-2]
        return (last.size_bytes > self.target) == (before.size_bytes > self.target)

    def _halved(self, above: float, below: float) -> tuple[float, float]:
        """Regula falsi's Illinois step: halve the distance to the target of the bracket end
        the last two encodes did not replace, so the next guess lands nearer to it."""
        if self.attempts[-1].size_bytes > self.target:
            return above, below / 2
        return above / 2, below

    def _best_fit(self) -> Attempt | None:
        fits = [a for a in self.attempts if a.size_bytes <= self.target]
        # Of two as reduced (the law reads the width alone, so 78x58 and 78x60 tie), the larger
        # file: it is the one nearer the target.
        return min(fits, key=lambda a: (self.reduction(a.settings), -a.size_bytes), default=None)

    def _worst_over(self) -> Attempt | None:
        """Of the attempts too big, the most degraded (the nearest to fitting)."""
        overs = [a for a in self.attempts if a.size_bytes > self.target]
        return max(overs, key=lambda a: self.reduction(a.settings), default=None)

    def _slope_correction(self) -> float:
        """How much faster sizes fell than the law said, within [0.1, 3]: a secant through
        the two most degraded attempts, which is where the search goes on from."""
        points = sorted((self.reduction(a.settings), math.log(a.size_bytes)) for a in self.attempts)
        if len(points) < 2 or points[-1][0] - points[-2][0] < 0.05:
            return 1.0
        (d0, s0), (d1, s1) = points[-2], points[-1]
        return min(max((s0 - s1) / (d1 - d0), 0.1), 3.0)

    def _measured(self, settings: EncodeSettings) -> bool:
        return any(a.settings == settings for a in self.attempts)

    def reduction(self, settings: EncodeSettings) -> float:
        """``D``: by how much the law says ln(size) falls from the requested settings."""
        return sum(
            _PRIORS[stage.knob] * (stage.start - _law(stage.knob, settings, self.start))
            for stage in self._stages
        )

    def settings_for(self, wanted: float) -> EncodeSettings:
        """The first settings along the path whose reduction reaches ``wanted``."""
        for index, stage in enumerate(self._stages):
            span = _PRIORS[stage.knob] * (stage.start - stage.floor)
            if wanted <= span or index == len(self._stages) - 1:
                fraction = min(max(wanted / span, 0.0), 1.0) if span else 1.0
                base = self._at_floor_before(index)
                return set_knob(stage.knob, base, self.start, self.floor, fraction, self._seconds)
            wanted -= span
        return self.floor

    def _at_floor_before(self, index: int) -> EncodeSettings:
        settings = self.start
        for stage in self._stages[:index]:
            settings = set_knob(stage.knob, settings, self.start, self.floor, 1.0, self._seconds)
        return settings
