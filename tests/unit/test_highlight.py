"""``Seek=auto`` scoring: numbers in, window out."""

from __future__ import annotations

import pytest

from dynimg.domain.highlight import Sample, best_still, best_window, interest, still_score
from dynimg.domain.template_parsing import parse_time_span
from dynimg.errors import InvalidParameter


def samples(
    motion: list[float], *, step: float = 0.5, **overrides: dict[int, float]
) -> list[Sample]:
    """One sample every ``step`` s with the given motions; ``overrides`` set a field by index."""
    made = []
    for index, value in enumerate(motion):
        fields = {
            "at": index * step,
            "until": index * step + 0.1,
            "motion": value,
            "detail": 10.0,
            "brightness": 120.0,
            "change_before": 0.0,
            "change_within": 0.0,
        }
        for name, by_index in overrides.items():
            fields[name] = by_index.get(index, fields[name])
        made.append(Sample(**fields))
    return made


def test_the_busiest_window_wins() -> None:
    motion = [0.0] * 20 + [20.0] * 8 + [0.0] * 20  # busy from 10 s to 14 s of 24 s
    chosen = best_window(samples(motion), 24.0, 3.0)
    assert chosen.start >= 9.75 and chosen.start + 3 <= 14.0


def test_a_cut_inside_the_window_is_avoided() -> None:
    # Busy 8-16 s, a cut between the samples at 12.0 and 12.5 s: the best cut-free 4 s end there.
    motion = [2.0] * 16 + [30.0] * 16 + [0.0] * 16
    chosen = best_window(samples(motion, change_before={25: 0.9}), 24.0, 4.0)
    assert chosen.start + 4 <= 12.1 + 1e-9 and chosen.start >= 7.75
    assert chosen.score > 0


def test_a_cut_between_a_probes_two_frames_counts_too() -> None:
    motion = [2.0] * 16 + [30.0] * 16 + [0.0] * 16
    chosen = best_window(samples(motion, change_within={24: 0.9}), 24.0, 4.0)
    assert chosen.start + 4 <= 12.0 + 1e-9


def test_black_and_frozen_samples_are_worth_nothing_or_less() -> None:
    moving = samples([10.0])[0]
    assert interest(moving) > 0.4
    assert interest(samples([0.3])[0]) == 0.0
    assert interest(samples([10.0], brightness={0: 5.0})[0]) < 0
    assert interest(samples([10.0], change_within={0: 0.9})[0]) == 0.0, "a cut is no motion"


def test_black_is_worse_than_still() -> None:
    motion = [0.0] * 48
    black = {i: 5.0 for i in range(4, 20)}
    chosen = best_window(samples(motion, brightness=black), 24.0, 4.0)
    assert chosen.start >= 10.0 - 1e-9


def test_the_first_and_last_seconds_are_kept_out() -> None:
    motion = [40.0] * 6 + [1.5] * 36 + [40.0] * 6  # busy only in the first and last 3 s
    chosen = best_window(samples(motion), 24.0, 4.0)
    assert 2.0 <= chosen.start <= 24.0 - 4.0 - 2.0


def test_short_videos_and_long_clips() -> None:
    assert best_window(samples([5.0] * 8), 4.0, 4.0).start == 0.0
    assert best_window(samples([5.0] * 8), 4.0, 9.0).start == 0.0
    short = best_window(samples([0.0, 0.0, 9.0, 9.0, 9.0, 0.0]), 3.0, 1.0)
    assert 0.5 <= short.start <= 1.5, "the edges shrink to a quarter of the spare time"


def test_sparse_samples_still_choose_a_window() -> None:
    # One sample every 10 s (a long video with far-apart keyframes), a 3 s clip.
    motion = [0.0, 0.0, 0.0, 25.0, 0.0, 0.0]
    chosen = best_window(samples(motion, step=10.0), 60.0, 3.0)
    assert chosen.start >= 25.0 and chosen.start + 3 <= 35.0


def test_the_choice_is_a_pure_function() -> None:
    made = samples([float((i * 7) % 11) for i in range(200)], change_before={50: 0.8, 120: 0.5})
    first = best_window(made, 100.0, 5.0)
    assert all(best_window(list(reversed(made)), 100.0, 5.0) == first for _ in range(3))


def test_seek_auto_needs_a_duration() -> None:
    span = parse_time_span({"Clip": {"TimeSpan": {"Seek": "auto", "Duration": "3"}}}, "T")
    assert span.auto and span.seek_ms == 0 and span.duration_ms == 3000
    assert parse_time_span({"Clip": {"TimeSpan": {"Seek": " AUTO ", "Duration": 2}}}, "T").auto
    for bad in ({"Seek": "auto"}, {"Seek": "auto", "End": "1"}, {"Seek": "automatic"}):
        with pytest.raises(InvalidParameter) as caught:
            parse_time_span({"Clip": {"TimeSpan": {**bad, "Duration": None}}}, "T")
        assert caught.value.code == "InvalidParameter"


def test_a_still_is_sharp_detailed_and_not_black() -> None:
    # 20 s, a sample every 0.5 s: detail everywhere, motion everywhere but at 11 s.
    detail = {i: 40.0 for i in range(40)}
    made = samples([12.0] * 22 + [0.0] + [12.0] * 17, detail=detail)
    assert best_still(made, 20.0) == 11.0, "motion is blur in a still"
    # The still stretch is black, or a cut between its frames: the sharpest usable one wins.
    assert best_still(samples([12.0] * 22 + [0.0] + [12.0] * 17, detail=detail,
                              brightness={22: 5.0}), 20.0) == 2.0  # fmt: skip
    assert best_still(samples([12.0] * 22 + [0.0] + [12.0] * 17, detail=detail,
                              change_within={22: 0.9}), 20.0) == 2.0  # fmt: skip
    # Detail wins between equally still samples; the first and last 2 s are left out.
    flat = samples([0.0] * 40, detail={0: 90.0, 39: 90.0, 30: 30.0})
    assert best_still(flat, 20.0) == 15.0
    assert still_score(flat[30]) > still_score(flat[31]) > 0


def test_a_still_comes_from_the_edges_only_when_nothing_else_will_do() -> None:
    dark = samples([0.0] * 40, brightness={i: 5.0 for i in range(4, 37)}, detail={1: 50.0})
    assert best_still(dark, 20.0) == 0.5
    assert best_still([], 20.0) == 0.0
