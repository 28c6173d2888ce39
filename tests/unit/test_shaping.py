"""Crop, Playback and Speed: their rules, overrides and the timeline math."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from dynimg.domain.geometry import Box, centre_crop
from dynimg.domain.limits import MediaLimits
from dynimg.domain.rendering import effective_template
from dynimg.domain.shaping import shape_timeline, shaped_order, source_times
from dynimg.domain.template_parsing import parse_template_config
from dynimg.domain.templates import Crop, Playback
from dynimg.errors import InvalidParameter, MediaLimitExceeded
from dynimg.services.previews import preview_config

BASE: dict[str, Any] = {"Container": {"Format": "gif"}, "Clip": {"TimeSpan": {"Seek": "5"}}}
SQUARE: dict[str, Any] = {**BASE, "Video": {"Width": 256, "Height": "256", "Crop": "Fill"}}


def test_defaults_and_values() -> None:
    plain = parse_template_config(BASE)
    assert (plain.crop, plain.playback, plain.speed) == (Crop.NONE, Playback.FORWARD, 1.0)
    clip = {"TimeSpan": {"Seek": "5"}, "Playback": "Bounce", "Speed": "0.25"}
    config = parse_template_config({**SQUARE, "Clip": clip})
    assert (config.crop, config.playback, config.speed) == (Crop.FILL, Playback.BOUNCE, 0.25)
    assert parse_template_config({**BASE, "Clip": {**clip, "Speed": 4}}).speed == 4.0


@pytest.mark.parametrize(
    ("doc", "parameter", "message"),
    [
        ({**BASE, "Video": {"Width": 256, "Crop": "fill"}}, "TemplateConfig.Video.Crop",
         "fill needs both Width and Height"),
        ({**BASE, "Video": {"Crop": "stretch"}}, "TemplateConfig.Video.Crop",
         "must be one of none, fill"),
        ({**BASE, "Clip": {"TimeSpan": {"Seek": "5"}, "Playback": "pingpong"}},
         "TemplateConfig.Clip.Playback", "must be one of forward, reverse, bounce"),
        ({**BASE, "Clip": {"TimeSpan": {"Seek": "5"}, "Speed": "0.2"}},
         "TemplateConfig.Clip.Speed", "must be in [0.25, 4]"),
        ({**BASE, "Clip": {"TimeSpan": {"Seek": "5"}, "Speed": 4.01}},
         "TemplateConfig.Clip.Speed", "must be in [0.25, 4]"),
        ({**BASE, "Clip": {"TimeSpan": {"Seek": "5"}, "Speed": "fast"}},
         "TemplateConfig.Clip.Speed", "must be a number"),
    ],
)  # fmt: skip
def test_bad_values_are_named(doc: dict[str, Any], parameter: str, message: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_template_config(doc)
    assert caught.value.parameter == parameter
    assert message in caught.value.message


def test_overrides_replace_each_value() -> None:
    merged = effective_template(
        {**SQUARE, "Clip": {"TimeSpan": {"Seek": "1"}, "Speed": 2}},
        {"Clip": {"Playback": "reverse"}, "Video": {"Crop": "none", "Width": 300}},
    )
    assert (merged.crop, merged.playback, merged.speed) == (Crop.NONE, Playback.REVERSE, 2.0)
    assert (merged.width, merged.height, merged.time_span.seek_ms) == (300, 256, 1000)
    square = effective_template(
        {**BASE, "Video": {"Width": 320}}, {"Video": {"Height": 320, "Crop": "fill"}}
    )
    assert (square.width, square.height, square.crop) == (320, 320, Crop.FILL)


@pytest.mark.parametrize(
    ("override", "parameter", "message"),
    [
        ({"Clip": {"Speed": "9"}}, "OverrideParams.Clip.Speed", "must be in [0.25, 4]"),
        ({"Clip": {"Playback": "back"}}, "OverrideParams.Clip.Playback", "must be one of"),
        ({"Video": {"Crop": "fill"}}, "OverrideParams.Video.Crop", "needs both Width and Height"),
        ({"Clip": {"Loop": 1}}, "OverrideParams.Clip.Loop", "only Playback, Speed, TimeSpan"),
    ],
)
def test_bad_overrides_are_named(override: dict[str, Any], parameter: str, message: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        effective_template({**BASE, "Video": {"Width": 256}}, override)
    assert caught.value.parameter == parameter
    assert message in caught.value.message


def test_frame_orders() -> None:
    assert shaped_order(4, Playback.FORWARD) == [0, 1, 2, 3]
    assert shaped_order(4, Playback.REVERSE) == [3, 2, 1, 0]
    assert shaped_order(4, Playback.BOUNCE) == [0, 1, 2, 3, 2, 1]  # then 0 again as it loops
    assert [shaped_order(n, Playback.BOUNCE) for n in (1, 2)] == [[0], [0, 1]]


def test_each_frame_keeps_its_length() -> None:
    # Three frames of 1/10 s and a last one cut short by the end of the clip.
    starts = [Fraction(k, 10) for k in range(4)]
    end = Fraction(35, 100)
    forward = shape_timeline(starts, end, Playback.FORWARD)
    assert (list(forward.starts), forward.end) == (starts, end)
    reverse = shape_timeline(starts, end, Playback.REVERSE)
    assert reverse.order == (3, 2, 1, 0)
    assert reverse.starts == (0, Fraction(5, 100), Fraction(15, 100), Fraction(25, 100))
    assert reverse.end == end
    bounce = shape_timeline(starts, end, Playback.BOUNCE)
    assert bounce.order == (0, 1, 2, 3, 2, 1)
    assert bounce.starts[4:] == (end, end + Fraction(1, 10)) and bounce.end == Fraction(55, 100)


def test_speed_maps_output_time_to_source_time() -> None:
    output = [Fraction(k, 10) for k in range(3)]
    assert source_times(output, 2.0) == [0, Fraction(2, 10), Fraction(4, 10)]
    assert source_times(output, 0.333) == [0, Fraction(333, 10000), Fraction(666, 10000)]


@pytest.mark.parametrize(
    ("source", "aspect", "target", "box"),
    [
        ((320, 240), Fraction(1), (128, 128), Box(40, 0, 240, 240)),
        ((240, 320), Fraction(1), (256, 128), Box(0, 100, 240, 120)),
        ((320, 240), Fraction(1), (640, 480), Box(0, 0, 320, 240)),
        ((480, 480), Fraction(4, 3), (256, 256), Box(60, 0, 360, 480)),  # anamorphic 4:3
        ((1920, 1080), Fraction(1), (4096, 128), Box(0, 510, 1920, 60)),
    ],
)
def test_centre_crop(
    source: tuple[int, int], aspect: Fraction, target: tuple[int, int], box: Box
) -> None:
    assert centre_crop(source, aspect, target) == box


def test_kept_frames_are_bounded() -> None:
    limits = MediaLimits(max_held_frame_bytes=10 * 2**20)
    limits.check_held(320, 240, 45)  # 10,368,000 bytes
    with pytest.raises(MediaLimitExceeded) as caught:
        limits.check_held(320, 240, 46)
    assert "Reverse and bounce keep every frame: 46 frames of 320x240" in caught.value.message


def test_a_cropped_preview_keeps_its_shape() -> None:
    banner = parse_template_config(
        {**BASE, "Video": {"Width": 1024, "Height": 256, "Crop": "fill"}}
    )
    small = preview_config(banner)
    assert (small.width, small.height, small.crop) == (240, 60, Crop.FILL)
    assert preview_config(parse_template_config(BASE)).height is None


def test_the_preview_keeps_playback_and_speed_but_no_size_search() -> None:
    shaped = parse_template_config(
        {**BASE, "Container": {"Format": "webp", "MaxFileSize": 4096},
         "Clip": {"TimeSpan": {"Seek": "1", "Duration": "6"}, "Playback": "bounce",
                  "Speed": "2"}}
    )  # fmt: skip
    small = preview_config(shaped)
    assert (small.playback, small.speed, small.max_file_size) == (Playback.BOUNCE, 2.0, None)
    assert (small.time_span.seek_ms, small.time_span.duration_ms) == (1000, 3000)
