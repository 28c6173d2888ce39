"""Snapshot jobs in the engine: pictures at the right moments, sprite sheets laid out as asked
and a WebVTT storyboard whose every cue shows the right cell, judged from the files alone."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from dynimg.adapters.media.probe import probe
from dynimg.adapters.media.snapshot_render import take_snapshots
from dynimg.domain.limits import MediaLimits
from dynimg.domain.snapshots import SnapshotType, parse_snapshot_template_config
from dynimg.domain.storyboard import SnapshotOutput
from dynimg.errors import InvalidParameter
from tests.support.media import Clip, frame_index, make_clip, source_frame, ssim_half
from tests.support.storyboard import parse_vtt

FPS = 10
GOP = 20


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Clip:
    """7.5 s at 10 fps, 320x240, a keyframe every 2 s (frame i shows its index in bars)."""
    path = tmp_path_factory.mktemp("snapshots") / "video.mp4"
    return make_clip(path, seconds=7.5, fps=FPS, options={"g": str(GOP), "bf": "2"})


def run(clip: Clip, out: Path, template: dict[str, Any]) -> SnapshotOutput:
    out.mkdir(exist_ok=True)
    config = parse_snapshot_template_config(template)
    return take_snapshots(clip.path, probe(clip.path, MediaLimits()), config, out, MediaLimits())


def rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def expected(index: int, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(Image.fromarray(source_frame(index)).resize(size, Image.Resampling.LANCZOS))


@pytest.mark.timeout(60)
def test_storyboard_cues_point_at_cells_that_show_their_moment(video: Clip, tmp_path: Path) -> None:
    sprite = {"Columns": 3, "Lines": 2, "Padding": 6, "Margin": 10, "Color": "#ff0000"}
    result = run(video, tmp_path, {
        "SnapshotType": "WebVttSnapshot",
        "SnapshotConfig": {"Count": 20, "Interval": 1, "Width": 160,
                           "SpriteSnapshotConfig": sprite},
    })  # fmt: skip
    cues = parse_vtt((tmp_path / "storyboard.vtt").read_text(encoding="utf-8"))
    assert [c.start_ms for c in cues] == [i * 1000 for i in range(8)]  # 7.5 s: Count gives way
    assert cues[-1].end_ms == 7500
    assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(cues))
    sheets = sorted({c.target for c in cues})
    assert sheets == ["sprite-00001.jpg", "sprite-00002.jpg"]  # 6 cells fill the first sheet
    listed = [f for f in result.files if f.type is SnapshotType.SPRITE]
    assert [(f.name, f.width, f.height) for f in listed] == [
        ("sprite-00001.jpg", 2 * 10 + 3 * 160 + 2 * 6, 2 * 10 + 2 * 120 + 6),
        ("sprite-00002.jpg", 2 * 10 + 2 * 160 + 6, 2 * 10 + 120),  # the rest: one line, 2 cells
    ]
    for cue in cues:
        sheet = rgb(tmp_path / cue.target)
        assert cue.xywh is not None
        x, y, w, h = cue.xywh
        assert (w, h) == (160, 120) and x + w <= sheet.shape[1] and y + h <= sheet.shape[0]
        cell = sheet[y : y + h, x : x + w]
        moment = cue.start_ms * FPS // 1000
        assert frame_index(cell) == moment
        assert ssim_half(cell, expected(moment, (160, 120))) > 0.9
    first = rgb(tmp_path / "sprite-00001.jpg")
    red = (255, 0, 0)
    assert np.abs(first[:8, :8].astype(int) - red).max() < 40  # the margin's colour
    assert np.abs(first[20:120, 172:174].astype(int) - red).max() < 40  # padding between cells


def test_normal_snapshots_spread_evenly_with_interval_zero(video: Clip, tmp_path: Path) -> None:
    result = run(video, tmp_path, {
        "SnapshotType": "NormalSnapshot",
        "SnapshotConfig": {"Count": 5, "Interval": 0, "SpecifiedOffsetTime": 500, "Height": 60},
    })  # fmt: skip
    assert result.times_ms == (500, 1900, 3300, 4700, 6100)
    for file, at in zip(result.files, result.times_ms, strict=True):
        picture = rgb(tmp_path / file.name)
        assert picture.shape == (60, 80, 3) and (file.width, file.height) == (80, 60)
        assert frame_index(picture) == at * FPS // 1000


def test_intra_takes_the_nearest_keyframes_and_no_keyframe_twice(
    video: Clip, tmp_path: Path
) -> None:
    result = run(video, tmp_path, {
        "SnapshotType": "NormalSnapshot",
        "SnapshotConfig": {"Count": 10, "Interval": 0, "FrameType": "intra", "Width": 160},
    })  # fmt: skip
    shown = [frame_index(rgb(tmp_path / f.name)) for f in result.files]
    assert shown == [0, 20, 40, 60]  # four keyframes in 7.5 s: fewer pictures than Count
    assert list(result.times_ms) == [0, 2000, 4000, 6000]
    near = run(video, tmp_path / "near", {
        "SnapshotType": "NormalSnapshot",
        "SnapshotConfig": {"Count": 1, "SpecifiedOffsetTime": 1400, "FrameType": "intra"},
    })  # fmt: skip
    assert near.times_ms == (2000,)  # nearer than the keyframe at 0 before it
    assert frame_index(rgb(tmp_path / "near" / near.files[0].name)) == GOP


def test_sprite_cells_kept_on_request(video: Clip, tmp_path: Path) -> None:
    sprite = {"Columns": 2, "Lines": 2, "CellWidth": 64, "KeepCellPic": "keep"}
    result = run(video, tmp_path, {
        "SnapshotType": "SpriteSnapshot",
        "SnapshotConfig": {"Count": 3, "Interval": 2, "SpriteSnapshotConfig": sprite},
    })  # fmt: skip
    kinds = [(f.type, f.index, f.width, f.height) for f in result.files]
    assert kinds == [
        (SnapshotType.SPRITE_ORIGIN, 1, 320, 240),
        (SnapshotType.SPRITE_ORIGIN, 2, 320, 240),
        (SnapshotType.SPRITE_ORIGIN, 3, 320, 240),
        (SnapshotType.SPRITE, 1, 128, 96),
    ]
    sheet = rgb(tmp_path / "sprite-00001.jpg")
    assert frame_index(sheet[48:, :64]) == 40  # third cell: second line, first column
    assert sheet[60:, 64:].mean() < 20  # the empty fourth cell stays the (black) background


def test_a_sheet_too_large_for_the_source_is_refused_before_decoding(
    video: Clip, tmp_path: Path
) -> None:
    sprite = {"Columns": 60}
    template = {"SnapshotType": "SpriteSnapshot",
                "SnapshotConfig": {"Count": 5, "SpriteSnapshotConfig": sprite}}  # fmt: skip
    with pytest.raises(InvalidParameter, match="SpriteSnapshotConfig"):
        run(video, tmp_path, template)  # 60 cells of 320 px: 19200 px wide
    assert not list(tmp_path.iterdir())
    sprite["Columns"] = 50
    run(video, tmp_path, template)  # 16000 px: within the bound


def test_rotated_video_snapshots_are_upright(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "turned.mp4", seconds=1, fps=FPS, rotation=90)
    result = run(clip, tmp_path / "out", {
        "SnapshotType": "NormalSnapshot", "SnapshotConfig": {"Count": 1, "Width": 120},
    })  # fmt: skip
    (picture,) = result.files
    assert (picture.width, picture.height) == (120, 160)  # display is 240x320
    assert rgb(tmp_path / "out" / picture.name).shape == (160, 120, 3)
