from __future__ import annotations

from fractions import Fraction

import pytest

from dynimg.domain.clip import effective_fps, frame_times, resolve_window, rounded_delays
from dynimg.domain.geometry import Box, corner_box, output_size
from dynimg.domain.rendering import effective_template, parse_overrides
from dynimg.domain.templates import TimeSpan
from dynimg.domain.watermarks import (
    ImageWatermarkConfig,
    Length,
    TextWatermarkConfig,
    WatermarkType,
    parse_color,
    parse_watermark_config,
)
from dynimg.errors import ClipOutOfRange, EmptyClip, InvalidParameter


def test_window_rules() -> None:
    ten, longest = Fraction(10), Fraction(60)
    assert resolve_window(TimeSpan(2000, 3000), ten, longest).end == 5
    assert resolve_window(TimeSpan(2000, 3000, 1000), ten, longest).end == 9  # End wins
    assert resolve_window(TimeSpan(2000), ten, longest).end == 10
    assert resolve_window(TimeSpan(8000, 5000), ten, longest).end == 10  # cut at the end
    with pytest.raises(ClipOutOfRange):
        resolve_window(TimeSpan(10_000), ten, longest)
    with pytest.raises(EmptyClip):
        resolve_window(TimeSpan(5000, None, 5000), ten, longest)


def test_a_video_of_unknown_length_runs_for_the_longest_clip_at_most() -> None:
    longest = Fraction(60)
    assert resolve_window(TimeSpan(2000), None, longest).end == 62
    assert resolve_window(TimeSpan(0, 3000), None, longest).end == 3
    with pytest.raises(EmptyClip):
        resolve_window(TimeSpan(0, None, 1000), None, longest)  # End needs the duration


def test_delays_add_up_exactly() -> None:
    starts = frame_times(Fraction(1), Fraction(30))
    delays = rounded_delays(starts, Fraction(1), 100)
    assert sum(delays) == 100 and set(delays) == {3, 4}
    assert (
        rounded_delays(frame_times(Fraction(7, 10), Fraction(10)), Fraction(7, 10), 100) == [10] * 7
    )
    odd = frame_times(Fraction(1), Fraction(7))
    assert sum(rounded_delays(odd, Fraction(1), 1000)) == 1000


def test_fps_caps() -> None:
    assert effective_fps(60, Fraction(30), gif=False) == 30
    assert effective_fps(60, Fraction(60), gif=True) == 50
    assert effective_fps(12.5, None, gif=False) == Fraction(25, 2)


def test_output_sizes() -> None:
    assert output_size((1920, 1080), 640, None) == (640, 360)
    assert output_size((1080, 1920), None, 640) == (360, 640)
    assert output_size((1920, 1080), 500, 500) == (500, 500)
    assert output_size((1920, 1080), None, None) == (1920, 1080)
    width, height = output_size((1921, 1081), None, None)
    assert width % 2 == height % 2 == 0 and abs(width - 1921) == abs(height - 1081) == 1


def test_corner_boxes() -> None:
    assert corner_box("TopLeft", (100, 50), (10, 5), (2, 3)) == Box(2, 3, 10, 5)
    assert corner_box("BottomRight", (100, 50), (10, 5), (2, 3)) == Box(88, 42, 10, 5)


def test_image_watermark_config() -> None:
    config = parse_watermark_config(
        WatermarkType.IMAGE,
        {"ReferPos": "BottonLeft", "Dx": "0.1", "Dy": "8", "Width": "0.25"},
    )
    assert isinstance(config, ImageWatermarkConfig)
    assert config.refer_pos == "BottomLeft"
    assert config.dx == Length(0.1, True) and config.dy == Length(8, False)
    assert config.box((200, 100), (40, 20)) == Box(20, 100 - 25 - 8, 50, 25)
    for bad in ({"Dx": "5"}, {"Width": "1.5"}, {"ReferPos": "Middle"}, {"Timeline": {"Start": -1}}):
        with pytest.raises(InvalidParameter):
            parse_watermark_config(WatermarkType.IMAGE, bad)


def test_text_watermark_config() -> None:
    config = parse_watermark_config(
        WatermarkType.TEXT, {"Content": "x", "FontColor": "Blue", "FontSize": "80"}
    )
    assert isinstance(config, TextWatermarkConfig)
    assert (config.font_color, config.font_size, config.font_name) == ((0, 0, 255), 80, "SimSun")
    for bad in (
        {},
        {"Content": "x", "FontSize": 200},
        {"Content": "x", "FontAlpha": 0},
        {"Content": "x", "FontName": "Comic Sans"},
        {"Content": "x", "FontColor": "ultraviolet"},
    ):
        with pytest.raises(InvalidParameter):
            parse_watermark_config(WatermarkType.TEXT, bad)
    assert parse_color("#FF8000", "c") == (255, 128, 0)


def test_overrides() -> None:
    overrides = parse_overrides(
        {
            "Watermarks": [
                {"WatermarkId": "a", "Content": "hi"},
                {"WatermarkId": "b", "FileUrl": "u"},
            ]
        }
    )
    assert overrides["a"].content == "hi" and overrides["b"].file_url == "u"
    with pytest.raises(InvalidParameter):
        parse_overrides({"WatermarkIds": ["a"]})
    template = {"Container": {"Format": "gif"}, "Clip": {"TimeSpan": {"Seek": "1"}}}
    with pytest.raises(InvalidParameter) as caught:
        effective_template(template, {"Container": {"Format": "webp"}})  # only MaxFileSize
    assert caught.value.parameter == "OverrideParams.Container.Format"
    with pytest.raises(InvalidParameter) as caught:
        effective_template(template, {"Video": {"Width": 10}})
    assert caught.value.parameter == "OverrideParams.Video.Width"
    with pytest.raises(InvalidParameter) as caught:
        effective_template(template, {"Video": {"Crop": "fill"}})
    assert caught.value.parameter == "OverrideParams.Video.Crop"
    merged = effective_template(
        {**template, "Video": {"Width": 320, "Fps": 12}},
        {"Video": {"Fps": 5}, "Clip": {"TimeSpan": {"Seek": "2", "Duration": "1"}}, "Loop": 3},
    )
    assert (merged.width, merged.fps, merged.loop) == (320, 5, 3)
    assert (merged.time_span.seek_ms, merged.time_span.duration_ms) == (2000, 1000)
    with pytest.raises(InvalidParameter):
        parse_overrides({"Watermarks": [{"Content": "no id"}]})
