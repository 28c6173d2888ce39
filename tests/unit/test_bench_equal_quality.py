"""bench/equal_quality.py on its own: the Quality bisection against known SSIM and size laws."""

from __future__ import annotations

import importlib.util
import math
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest


def _load() -> ModuleType:
    # bench/ is scripts, not a package: load the one pure module by path
    path = Path(__file__).parents[2] / "bench" / "equal_quality.py"
    spec = importlib.util.spec_from_file_location("bench_equal_quality", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


eq = _load()


def ssim_law(q: int) -> float:
    return 0.90 + 0.001 * q


def bytes_law(q: float) -> float:
    return 1000 * math.exp(0.1 * q)


class Renders:
    """A fake encoder following the laws, counting what it was asked for."""

    def __init__(self, ssim: Callable[[int], float] = ssim_law) -> None:
        self.asked: list[int] = []
        self._ssim = ssim

    def __call__(self, quality: int) -> tuple[int, float]:
        assert 1 <= quality <= 100
        self.asked.append(quality)
        return round(bytes_law(quality)), self._ssim(quality)


@pytest.mark.parametrize("crossing", [3.5, 40.5, 74.5, 75.5, 90.5, 99.5])
def test_the_bytes_at_the_target_are_interpolated_between_bracketing_renders(
    crossing: float,
) -> None:
    renders = Renders()
    match = eq.match_ssim(renders, ssim_law(0) + 0.001 * crossing, tolerance=0.0)
    assert match.reached == "bracketed"
    assert renders.asked[0] == 75
    assert len(renders.asked) <= eq.BUDGET
    assert match.quality == pytest.approx(crossing, abs=1e-6)
    assert match.bytes == pytest.approx(bytes_law(crossing), rel=0.002)


def test_a_render_within_tolerance_ends_the_search() -> None:
    renders = Renders()
    match = eq.match_ssim(renders, ssim_law(75) + 0.0002, tolerance=0.0003)
    assert renders.asked == [75]
    assert match.bracketed
    assert match.bytes == round(bytes_law(75))


def test_the_search_checks_the_far_end_then_bisects_towards_the_target() -> None:
    renders = Renders()
    eq.match_ssim(renders, ssim_law(20) + 0.0005, tolerance=0.0)
    assert renders.asked == [75, 1, 38, 19, 28, 23]


def test_a_target_above_every_quality_is_reported_unbracketed_at_the_top() -> None:
    renders = Renders()
    match = eq.match_ssim(renders, 1.001, budget=10)
    assert not match.bracketed
    assert match.reached == "short"
    assert match.nearest.quality == 100
    assert match.bytes == round(bytes_law(100))
    assert renders.asked == [75, 100]


def test_a_target_below_every_quality_is_reported_unbracketed_at_the_bottom() -> None:
    renders = Renders()
    match = eq.match_ssim(renders, 0.5, budget=10)
    assert not match.bracketed
    assert match.reached == "over"
    assert match.quality == 1
    assert renders.asked == [75, 1]


def test_the_budget_bounds_the_renders() -> None:
    renders = Renders()
    eq.match_ssim(renders, ssim_law(2) + 0.0005, budget=3, tolerance=0.0)
    assert renders.asked == [75, 1, 38]


def test_noise_still_gives_the_tightest_bracket_in_ssim() -> None:
    renders = Renders(lambda q: ssim_law(q) + (0.004 if q % 2 else -0.003))
    target = ssim_law(50) + 0.0005
    match = eq.match_ssim(renders, target, tolerance=0.0)
    below = max((p for p in match.points if p.ssim < target), key=lambda p: p.ssim)
    above = min((p for p in match.points if p.ssim >= target), key=lambda p: p.ssim)
    assert len({p.quality for p in match.points}) > 3  # more than the two bracketing renders
    share = (target - below.ssim) / (above.ssim - below.ssim)
    expected = below.bytes * (above.bytes / below.bytes) ** share
    assert match.reached == "bracketed"
    assert match.bytes == pytest.approx(expected, rel=1e-9)
    assert match.quality == pytest.approx(below.quality + share * (above.quality - below.quality))
