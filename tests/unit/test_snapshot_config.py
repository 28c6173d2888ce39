"""SnapshotTemplateConfig and SubmitSnapshotJob's inline parameters: Alibaba's names and
defaults, dynimg's bounds, where pictures fall and how a storyboard is written."""

from __future__ import annotations

from typing import Any

import pytest

from dynimg.domain.geometry import Box
from dynimg.domain.snapshot_documents import snapshot_document
from dynimg.domain.snapshots import (
    MAX_COUNT,
    FrameType,
    SnapshotConfig,
    SnapshotType,
    SpriteConfig,
    check_total,
    parse_snapshot_request,
    parse_snapshot_template_config,
)
from dynimg.domain.storyboard import cue_time, place, snapshot_times, storyboard_vtt
from dynimg.errors import ClipOutOfRange, InvalidParameter


def template(kind: str = "NormalSnapshot", **config: Any) -> dict[str, Any]:
    return {"SnapshotType": kind, "SnapshotConfig": config}


def test_alibaba_example_parses_with_its_defaults() -> None:
    doc = template(Count=10, SpecifiedOffsetTime=0, Interval=1)  # AddVodTemplate's example
    assert parse_snapshot_template_config(doc) == SnapshotConfig(
        SnapshotType.NORMAL, count=10, interval_s=1, offset_ms=0
    )


def test_sprite_defaults_and_strings_as_numbers() -> None:
    doc = template("SpriteSnapshot", Count="30", FrameType="INTRA",
                   SpriteSnapshotConfig={"CellWidth": "120", "Columns": "3", "Lines": "10",
                                         "Padding": "20", "Margin": "50", "Color": "White",
                                         "KeepCellPic": "keep"})  # fmt: skip
    config = parse_snapshot_template_config(doc)
    assert config.frame_type is FrameType.INTRA and config.count == 30
    assert config.sprite == SpriteConfig(3, 10, 120, None, 20, 50, (255, 255, 255), True)
    bare = parse_snapshot_template_config(template("SpriteSnapshot", Count=4))
    assert bare.sprite == SpriteConfig()  # 10 x 10, no spacing, black, cells deleted


def test_webvtt_tiles_unless_told_not_to() -> None:
    tiled = parse_snapshot_template_config(template("WebVttSnapshot", Format="vtt"))
    assert tiled.tiled and tiled.sprite == SpriteConfig()
    separate = template("WebVttSnapshot", SubOut={"IsSptFrag": "false"})
    assert not parse_snapshot_template_config(separate).tiled
    with pytest.raises(InvalidParameter, match=r"SnapshotConfig\.Format"):
        parse_snapshot_template_config(template("WebVttSnapshot", Format="srt"))


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("Count", MAX_COUNT + 1, "TemplateConfig.SnapshotConfig.Count"),
        ("Count", 0, "TemplateConfig.SnapshotConfig.Count"),
        ("Interval", -1, "TemplateConfig.SnapshotConfig.Interval"),
        ("Interval", 86_401, "TemplateConfig.SnapshotConfig.Interval"),
        ("Interval", 0.5, "TemplateConfig.SnapshotConfig.Interval"),
        ("SpecifiedOffsetTime", 86_400_000, "TemplateConfig.SnapshotConfig.SpecifiedOffsetTime"),
        ("Width", 7, "TemplateConfig.SnapshotConfig.Width"),
        ("Height", 4097, "TemplateConfig.SnapshotConfig.Height"),
        ("FrameType", "key", "TemplateConfig.SnapshotConfig.FrameType"),
        ("SpriteSnapshotConfig", {"Columns": 0}, "SpriteSnapshotConfig.Columns"),
        ("SpriteSnapshotConfig", {"Padding": -2}, "SpriteSnapshotConfig.Padding"),
        ("SpriteSnapshotConfig", {"Color": "rgb(1,2,3)"}, "SpriteSnapshotConfig.Color"),
        ("SpriteSnapshotConfig", {"KeepCellPic": "yes"}, "SpriteSnapshotConfig.KeepCellPic"),
    ],
)
def test_out_of_bounds_fields_are_refused_by_name(field: str, value: Any, path: str) -> None:
    with pytest.raises(InvalidParameter, match=path.replace(".", r"\.")):
        parse_snapshot_template_config(template("SpriteSnapshot", **{field: value}))
    # the passing half: the bound itself is accepted
    ok = {"Count": MAX_COUNT, "Interval": 86_400, "SpecifiedOffsetTime": 86_399_999,
          "Width": 8, "Height": 4096, "FrameType": "normal",
          "SpriteSnapshotConfig": {"Columns": 1, "Padding": 0, "Color": "#102030",
                                   "KeepCellPic": "delete"}}  # fmt: skip
    parse_snapshot_template_config(template("SpriteSnapshot", **{field: ok[field]}))


def test_type_is_required_and_one_of_three() -> None:
    with pytest.raises(InvalidParameter, match=r"TemplateConfig\.SnapshotType"):
        parse_snapshot_template_config({"SnapshotConfig": {}})
    with pytest.raises(InvalidParameter, match=r"TemplateConfig\.SnapshotType"):
        parse_snapshot_template_config(template("CoverSnapshot"))
    with pytest.raises(InvalidParameter, match=r"TemplateConfig\.SnapshotConfig"):
        parse_snapshot_template_config({"SnapshotType": "NormalSnapshot"})


def test_a_fixed_cell_size_too_large_for_a_sheet_is_refused_at_once() -> None:
    too_wide = {"CellWidth": 4096, "CellHeight": 2304, "Columns": 5, "Lines": 1}
    with pytest.raises(InvalidParameter, match=r"20480x2304 sheets"):
        parse_snapshot_template_config(template("SpriteSnapshot", SpriteSnapshotConfig=too_wide))
    fits = {"CellWidth": 4096, "CellHeight": 2304, "Columns": 4, "Lines": 1}
    parse_snapshot_template_config(template("SpriteSnapshot", SpriteSnapshotConfig=fits))


def test_inline_request_defaults_and_sprites() -> None:
    assert parse_snapshot_request({"VideoId": "v"}) == SnapshotConfig(SnapshotType.NORMAL)
    sprite = '{"CellWidth": 120, "CellHeight": 68, "Columns": 3, "Lines": 10}'
    config = parse_snapshot_request(
        {"Count": "50", "Interval": "0", "SpriteSnapshotConfig": sprite}
    )
    assert config.type is SnapshotType.SPRITE and config.count == 50 and config.interval_s == 0
    with pytest.raises(InvalidParameter, match="Count"):
        parse_snapshot_request({"Count": "100000"})
    with pytest.raises(InvalidParameter, match="SpriteSnapshotConfig"):
        parse_snapshot_request({"SpriteSnapshotConfig": "{'CellWidth': 120}"})


def test_specified_times_replace_count_and_interval() -> None:
    config = parse_snapshot_request({"SpecifiedOffsetTimes": "[3000, 0, 1500]", "Count": "9"})
    assert config.offsets_ms == (3000, 0, 1500)
    assert snapshot_times(config, 10_000) == [0, 1500, 3000]  # decoded forward, listed so
    assert parse_snapshot_template_config(snapshot_document(config)) == config  # stored as is
    with pytest.raises(ClipOutOfRange):
        snapshot_times(config, 2000)
    with pytest.raises(InvalidParameter, match="SpecifiedOffsetTimes"):
        parse_snapshot_request({"SpecifiedOffsetTimes": "[]"})
    with pytest.raises(InvalidParameter, match=r"SpecifiedOffsetTimes\[1\]"):
        parse_snapshot_request({"SpecifiedOffsetTimes": '[1, "x"]'})


def test_total_pixels_are_bounded() -> None:
    check_total(MAX_COUNT, (320, 180))
    with pytest.raises(InvalidParameter, match="Count"):
        check_total(MAX_COUNT, (1920, 1080))


def test_times_with_interval_stop_at_the_end_or_at_count() -> None:
    config = SnapshotConfig(SnapshotType.NORMAL, count=5, interval_s=2, offset_ms=1000)
    assert snapshot_times(config, 60_000) == [1000, 3000, 5000, 7000, 9000]
    assert snapshot_times(config, 6_000) == [1000, 3000, 5000]
    even = SnapshotConfig(SnapshotType.NORMAL, count=4, interval_s=0)
    assert snapshot_times(even, 10_000) == [0, 2500, 5000, 7500]
    with pytest.raises(ClipOutOfRange):
        snapshot_times(config, 1000)


def test_cells_fill_rows_then_the_next_sheet() -> None:
    sprite = SpriteConfig(columns=3, lines=2, padding=4, margin=10)
    assert place(sprite, (100, 50), 0).box == Box(10, 10, 100, 50)
    assert place(sprite, (100, 50), 4).box == Box(114, 64, 100, 50)
    next_sheet = place(sprite, (100, 50), 6)
    assert (next_sheet.sheet, next_sheet.box) == (1, Box(10, 10, 100, 50))


def test_vtt_cues_run_from_one_picture_to_the_next() -> None:
    assert cue_time(3_723_004) == "01:02:03.004"
    text = storyboard_vtt([0, 1500], 2000, ["a.jpg#xywh=0,0,8,8", "a.jpg#xywh=8,0,8,8"])
    assert text.splitlines() == [
        "WEBVTT", "", "00:00:00.000 --> 00:00:01.500", "a.jpg#xywh=0,0,8,8", "",
        "00:00:01.500 --> 00:00:02.000", "a.jpg#xywh=8,0,8,8",
    ]  # fmt: skip
    assert text.endswith("\n")


@pytest.mark.parametrize(
    "doc",
    [
        template(Count=3),
        template(
            "SpriteSnapshot", Width=90, SpriteSnapshotConfig={"CellHeight": 40, "Color": "red"}
        ),
        template("WebVttSnapshot", FrameType="intra", SubOut={"IsSptFrag": False}),
        template("WebVttSnapshot", Interval=0, SpriteSnapshotConfig={"KeepCellPic": "keep"}),
    ],
)
def test_a_config_reads_back_from_its_document(doc: dict[str, Any]) -> None:
    config = parse_snapshot_template_config(doc)
    assert parse_snapshot_template_config(snapshot_document(config)) == config


@pytest.mark.parametrize(("fmt", "time_ms"), [("jpg", None), ("webp", 1500), ("avif", 0)])
def test_a_thumbnail_job_reads_back_but_no_template_can_ask_for_one(
    fmt: str, time_ms: int | None
) -> None:
    from dynimg.domain.snapshots import JOB_TYPES, parse_snapshot_template_config
    from dynimg.domain.thumbnails import ThumbnailParams, parse_thumbnail_params

    config = ThumbnailParams(fmt, time_ms, 320).snapshot_config()
    document = snapshot_document(config)
    assert parse_snapshot_template_config(document, types=JOB_TYPES) == config
    with pytest.raises(InvalidParameter, match="SnapshotType"):
        parse_snapshot_template_config(document)
    spelled = {"time": "auto" if time_ms is None else f"{time_ms / 1000}", "width": "320"}
    assert parse_thumbnail_params(fmt, spelled).snapshot_config() == config
