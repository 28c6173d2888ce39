from __future__ import annotations

from typing import Any

import pytest

from dynimg.domain.json_document import nesting_depth, parse_json_object
from dynimg.domain.template_parsing import parse_template_config, parse_watermark_ids
from dynimg.domain.templates import DEFAULT_FPS, Dither, ImageFormat, TimeSpan
from dynimg.domain.timecode import format_seconds, parse_timecode
from dynimg.errors import InvalidParameter

BASE: dict[str, Any] = {"Container": {"Format": "gif"}, "Clip": {"TimeSpan": {"Seek": "5"}}}


@pytest.mark.parametrize(
    ("text", "millis"),
    [
        ("0", 0),
        ("12000.556", 12_000_556),
        ("5.5", 5_500),
        ("86399.999", 86_399_999),
        ("00:00:05.003", 5_003),
        ("01:02:03", 3_723_000),
        ("23:59:59.999", 86_399_999),
        (7, 7_000),
        (1.25, 1_250),
    ],
)
def test_timecodes(text: Any, millis: int) -> None:
    assert parse_timecode(text, "T") == millis


@pytest.mark.parametrize(
    "text", ["86400", "-1", "1.2345", "24:00:00", "00:60:00", "1:2:3", "abc", "", True, None]
)
def test_bad_timecodes(text: Any) -> None:
    with pytest.raises(InvalidParameter):
        parse_timecode(text, "T")


def test_format_seconds() -> None:
    assert [format_seconds(m) for m in (0, 1500, 2000, 1234)] == ["0", "1.5", "2", "1.234"]


def test_minimal_config_gets_documented_defaults() -> None:
    config = parse_template_config(BASE)
    assert config.format is ImageFormat.GIF
    assert (config.width, config.height, config.fps) == (None, None, DEFAULT_FPS)
    assert config.time_span == TimeSpan(seek_ms=5000)
    assert (config.quality, config.loop, config.max_colors) == (75, 0, 256)
    assert config.dither is Dither.FLOYD_STEINBERG


def test_end_wins_over_duration() -> None:
    doc = {**BASE, "Clip": {"TimeSpan": {"Seek": "1", "Duration": "3", "End": "00:00:02"}}}
    assert parse_template_config(doc).time_span == TimeSpan(seek_ms=1000, end_ms=2000)


def test_numbers_as_json_numbers_or_strings() -> None:
    doc = {**BASE, "Video": {"Width": 640, "Height": "360", "Fps": 12.5}}
    config = parse_template_config(doc)
    assert (config.width, config.height, config.fps) == (640, 360, 12.5)


@pytest.mark.parametrize(
    ("video", "field"),
    [
        ({"Width": "127"}, "Width"),
        ({"Width": "4097"}, "Width"),
        ({"Width": "640.5"}, "Width"),
        ({"Width": True}, "Width"),
        ({"Height": "abc"}, "Height"),
        ({"Fps": "0"}, "Fps"),
        ({"Fps": "60.01"}, "Fps"),
        ({"Fps": "nan"}, "Fps"),
    ],
)
def test_video_ranges(video: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_template_config({**BASE, "Video": video})
    assert caught.value.parameter == f"TemplateConfig.Video.{field}"


def test_extras_are_validated() -> None:
    doc = {**BASE, "Quality": "90", "Loop": 3, "MaxColors": "64", "Dither": "Bayer"}
    config = parse_template_config(doc)
    assert (config.quality, config.loop, config.max_colors, config.dither) == (
        90,
        3,
        64,
        Dither.BAYER,
    )
    for key, value in [("Quality", 0), ("MaxColors", 1), ("Dither", "atkinson"), ("Loop", -1)]:
        with pytest.raises(InvalidParameter):
            parse_template_config({**BASE, key: value})


def test_lossy_is_validated_at_the_edge() -> None:
    assert parse_template_config(BASE).lossy is None, "the engine's default unless asked for"
    assert parse_template_config({**BASE, "Lossy": 0}).lossy == 0
    assert parse_template_config({**BASE, "Lossy": "80"}).lossy == 80
    assert parse_template_config({**BASE, "Lossy": 200}).lossy == 200
    for value in (-1, 201, "lots", 2.5):
        with pytest.raises(InvalidParameter) as caught:
            parse_template_config({**BASE, "Lossy": value})
        assert caught.value.parameter == "TemplateConfig.Lossy"
    apng = {**BASE, "Container": {"Format": "apng"}, "Lossy": 40}
    with pytest.raises(InvalidParameter, match="does not apply"):
        parse_template_config(apng)


def test_watermark_ids() -> None:
    ids = ["a" * 32, "USER_DEFAULT_WATERMARK"]
    assert parse_watermark_ids(ids, "W") == tuple(ids)
    assert parse_watermark_ids(",".join(ids), "W") == tuple(ids)
    with pytest.raises(InvalidParameter):
        parse_watermark_ids(["a" * 32, "b" * 32, "c" * 32, "d" * 32, "e" * 32], "W")
    with pytest.raises(InvalidParameter):
        parse_watermark_ids(["../etc"], "W")


def test_required_fields() -> None:
    for doc in ({"Clip": BASE["Clip"]}, {"Container": BASE["Container"]}, {**BASE, "Clip": {}}):
        with pytest.raises(InvalidParameter):
            parse_template_config(doc)


def test_zero_duration_is_refused() -> None:
    with pytest.raises(InvalidParameter):
        parse_template_config({**BASE, "Clip": {"TimeSpan": {"Seek": "1", "Duration": "0"}}})


def test_json_documents_are_bounded() -> None:
    assert nesting_depth('{"a": "[[[[", "b": [[1]]}') == 3
    with pytest.raises(InvalidParameter):
        parse_json_object("[" * 100 + "]" * 100, "P")
    with pytest.raises(InvalidParameter):
        parse_json_object('{"a": "' + "x" * 70_000 + '"}', "P")
    with pytest.raises(InvalidParameter):
        parse_json_object("[1]", "P")


@pytest.mark.parametrize("fmt", ["apng", "avif", "mp4"])
def test_the_added_formats_parse(fmt: str) -> None:
    config = parse_template_config({**BASE, "Container": {"Format": fmt}})
    assert config.format is ImageFormat(fmt)


@pytest.mark.parametrize(
    ("fmt", "extra", "value"),
    [
        ("apng", "Quality", 50),
        ("apng", "MaxColors", 64),
        ("avif", "Dither", "bayer"),
        ("mp4", "MaxColors", 16),
        ("mp4", "Loop", 2),
    ],
)
def test_extras_a_new_format_cannot_honour_are_refused(fmt: str, extra: str, value: Any) -> None:
    doc = {**BASE, "Container": {"Format": fmt}, extra: value}
    with pytest.raises(InvalidParameter) as error:
        parse_template_config(doc)
    assert error.value.parameter == f"TemplateConfig.{extra}"


def test_the_extras_each_new_format_takes() -> None:
    avif = parse_template_config(
        {**BASE, "Container": {"Format": "avif"}, "Quality": 40, "Loop": 3}
    )
    assert (avif.quality, avif.loop) == (40, 3)
    mp4 = parse_template_config({**BASE, "Container": {"Format": "mp4"}, "Quality": 90, "Loop": 0})
    assert (mp4.quality, mp4.loop) == (90, 0)
    assert parse_template_config({**BASE, "Container": {"Format": "apng"}, "Loop": 2}).loop == 2
    # GIF and WebP keep ignoring extras they do not use, as before.
    assert parse_template_config({**BASE, "Quality": 10, "Dither": "none"}).quality == 10


def test_mp4_sides_must_be_even() -> None:
    doc = {**BASE, "Container": {"Format": "mp4"}, "Video": {"Width": 321, "Height": 240}}
    with pytest.raises(InvalidParameter) as error:
        parse_template_config(doc)
    assert error.value.parameter == "TemplateConfig.Video.Width"
    assert parse_template_config({**doc, "Video": {"Width": 322}}).width == 322
    assert parse_template_config({**doc, "Container": {"Format": "avif"}}).width == 321


def test_an_mp4_cannot_be_a_cover() -> None:
    doc = {**BASE, "Container": {"Format": "mp4"}, "SetDefaultCover": True}
    with pytest.raises(InvalidParameter) as error:
        parse_template_config(doc)
    assert error.value.parameter == "TemplateConfig.SetDefaultCover"
    assert parse_template_config({**doc, "Container": {"Format": "avif"}}).set_default_cover
