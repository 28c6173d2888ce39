"""The MaxFileSize search on its own: which encodes it proposes, against known size laws."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest

from dynimg.domain.encode_settings import EncodeSettings, Knob
from dynimg.domain.rendering import effective_template
from dynimg.domain.size_search import MAX_ENCODES, SizeSearch
from dynimg.domain.template_parsing import parse_template_config
from dynimg.errors import InvalidParameter

GIF = frozenset({Knob.COLORS})
WEBP = frozenset({Knob.QUALITY})
START = EncodeSettings(75, 256, Fraction(10), 320, 240)
Law = Callable[[EncodeSettings], int]


def webp_law(s: EncodeSettings) -> int:
    frames = math.ceil(2 * s.fps)
    return int(3000 * frames * math.exp(0.015 * (s.quality - 75)) * (s.width / 320) ** 1.6)


def gif_law(s: EncodeSettings) -> int:
    frames = math.ceil(2 * s.fps)
    bits = math.log2(s.colors) / 8
    return int(12000 * frames**0.9 * bits**1.2 * (s.width * s.height / 76800) ** 0.9)


def search(law: Law, target: int, knobs: frozenset[Knob]) -> SizeSearch:
    run = SizeSearch(target, START, knobs, clip_seconds=Fraction(2))
    while (settings := run.propose()) is not None:
        run.record(settings, law(settings))
    return run


@pytest.mark.parametrize(
    ("law", "knobs", "target"),
    [
        (webp_law, WEBP, 50_000),  # quality alone
        (webp_law, WEBP, 20_000),  # quality at its floor, then fps
        (webp_law, WEBP, 3_000),  # then size
        (gif_law, GIF, 150_000),
        (gif_law, GIF, 60_000),
        (gif_law, GIF, 8_000),
    ],
)
def test_targets_are_met_close_below_within_the_cap(law: Law, knobs: Any, target: int) -> None:
    report = search(law, target, knobs).report()
    assert report.chosen is not None
    reached = report.attempts[report.chosen].size_bytes
    assert 0.85 * target <= reached <= target, (reached, report.attempts)
    assert len(report.attempts) <= MAX_ENCODES


def test_of_two_fits_as_reduced_the_larger_is_chosen() -> None:
    """Sizes that round apart but reduce alike (the law reads the width): the file nearer the
    target is kept, whichever came first."""
    run = SizeSearch(10_000, START, GIF, clip_seconds=Fraction(2))
    first = EncodeSettings(75, 256, Fraction(10), 78, 58)
    second = EncodeSettings(75, 256, Fraction(10), 78, 60)
    assert run.reduction(first) == run.reduction(second)
    run.record(first, 8_454)
    run.record(second, 9_387)
    report = run.report()
    assert report.chosen == 1 and report.attempts[1].size_bytes == 9_387


def test_a_target_already_met_costs_one_encode() -> None:
    report = search(webp_law, 10**9, WEBP).report()
    assert (len(report.attempts), report.chosen) == (1, 0)


def test_the_order_gives_up_quality_before_frames_and_frames_before_size() -> None:
    run = search(webp_law, 20_000, WEBP)
    chosen = run.report().attempts[run.report().chosen or 0].settings
    assert chosen.quality == 20 and chosen.fps < 10 and (chosen.width, chosen.height) == (320, 240)
    run = search(gif_law, 60_000, GIF)
    chosen = run.report().attempts[run.report().chosen or 0].settings
    assert chosen.colors == 16 and chosen.quality == 75, "GIF has no quality knob"
    assert chosen.fps == 10 or chosen.width == 320


GIF_LOSSY = frozenset({Knob.LOSSY, Knob.COLORS})


def lossy_gif_law(s: EncodeSettings) -> int:
    return int(gif_law(s) * math.exp(-0.004 * s.lossy))


def test_gif_turns_lossy_up_before_giving_up_colours() -> None:
    # Lossy alone can take this clip from 178 kB to 110 kB: colours stay.
    run = search(lossy_gif_law, 140_000, GIF_LOSSY)
    report = run.report()
    chosen = report.attempts[report.chosen or 0].settings
    assert 0 < chosen.lossy <= 120 and chosen.colors == 256, report.attempts
    assert "Lossy" in report.to_document()["Attempts"][-1]
    assert "lossy" in chosen.describe(GIF_LOSSY)
    # Further down, Lossy is at its ceiling before colours go.
    report = search(lossy_gif_law, 60_000, GIF_LOSSY).report()
    chosen = report.attempts[report.chosen or 0].settings
    assert chosen.lossy == 120 and chosen.colors < 256, report.attempts


def test_an_unreachable_target_ends_at_the_floors_and_says_how_small() -> None:
    run = search(gif_law, 500, GIF)
    report = run.report()
    assert report.chosen is None and len(report.attempts) == 2, "the law jumps to the floors"
    floor = report.attempts[-1].settings
    assert (floor.colors, floor.fps, floor.width, floor.height) == (16, 4, 80, 60)
    assert report.smallest_bytes == gif_law(floor)
    assert "16 colours, 4 fps, 80x60" in floor.describe(GIF) and "quality" not in floor.describe(
        GIF
    )


def test_a_wrong_law_still_fits_within_the_cap_or_reaches_the_floors() -> None:
    def stubborn(s: EncodeSettings) -> int:  # quality and colours do nothing at all
        return int(40_000 * (float(s.fps) / 10) * (s.width / 320) ** 2)

    report = search(stubborn, 9_000, WEBP).report()
    assert report.chosen is not None and report.attempts[report.chosen].size_bytes <= 9_000
    assert len(report.attempts) <= MAX_ENCODES


def test_the_report_document() -> None:
    report = search(webp_law, 20_000, WEBP).report()
    doc = report.to_document()
    assert doc["TargetBytes"] == 20_000 and doc["Encodes"] == len(report.attempts)
    assert doc["Chosen"] == report.chosen
    assert set(doc["Attempts"][0]) == {"Quality", "Fps", "Width", "Height", "Bytes"}


BASE: dict[str, Any] = {"Container": {"Format": "gif"}, "Clip": {"TimeSpan": {"Seek": "0"}}}


def test_max_file_size_is_validated_and_can_be_overridden() -> None:
    assert parse_template_config(BASE).max_file_size is None
    sized = {**BASE, "Container": {"Format": "gif", "MaxFileSize": "200000"}}
    assert parse_template_config(sized).max_file_size == 200_000
    for bad in (1023, 4 * 1024**3 + 1, "1e5", True):
        with pytest.raises(InvalidParameter) as refused:
            parse_template_config({**BASE, "Container": {"Format": "gif", "MaxFileSize": bad}})
        assert refused.value.parameter == "TemplateConfig.Container.MaxFileSize"
    override = effective_template(sized, {"Container": {"MaxFileSize": 50_000}})
    assert (override.max_file_size, override.format.value) == (50_000, "gif")
    with pytest.raises(InvalidParameter) as refused:
        effective_template(sized, {"Container": {"Format": "webp"}})
    assert refused.value.parameter == "OverrideParams.Container.Format"
    with pytest.raises(InvalidParameter) as refused:
        effective_template(sized, {"Container": {"MaxFileSize": 10}})
    assert refused.value.parameter == "OverrideParams.Container.MaxFileSize"
