"""Crop=fill, reverse, bounce and speed, read back from the files written.

The clip fixture's frames show their own index (tests/support/media.py), so the order of the
output is read from the pictures; at Fps 10 from a 30 fps source, Seek 0.5 s, output frame k
shows source frame 15 + 3k.
"""

from __future__ import annotations

import json
import tracemalloc
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dynimg.adapters.media.decode import Picture
from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.adapters.media.shaping import ShapingWriter
from dynimg.domain.limits import MediaLimits
from dynimg.domain.templates import Playback
from dynimg.errors import MediaLimitExceeded
from tests.media.conftest import config, render
from tests.media.test_watermarks import RED, is_close, mean_color, png
from tests.support.media import (
    Clip,
    frame_index,
    make_clip,
    read_animation,
    scaled,
    source_frame,
)
from tests.support.pictures import assert_looks_like, mean_error
from tests.support.server import run_cli

FORWARD = [15 + 3 * k for k in range(10)]


def shaped(fmt: str = "gif", **clip: Any) -> dict[str, Any]:
    template = config(fmt)
    template["Clip"] = {**template["Clip"], **clip}
    return template


@pytest.mark.parametrize("fmt", ["gif", "webp"])
def test_reverse_plays_the_same_frames_last_to_first(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"r.{fmt}"
    result, animation = render(engine, clip.path, out, shaped(fmt, Playback="reverse"))
    assert [frame_index(f) for f in animation.frames] == FORWARD[::-1]
    assert animation.delays_ms == [100] * 10
    assert (result.frames, result.duration_ms) == (10, 1000)


@pytest.mark.parametrize("fmt", ["gif", "webp"])
def test_bounce_goes_forward_then_back_without_repeating_the_turns(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"b.{fmt}"
    result, animation = render(engine, clip.path, out, shaped(fmt, Playback="bounce"))
    assert [frame_index(f) for f in animation.frames] == FORWARD + FORWARD[-2:0:-1]
    assert animation.delays_ms == [100] * 18
    assert (result.frames, result.duration_ms) == (18, 1800)


def test_watermark_timelines_count_output_time(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    logo = str(png(tmp_path / "logo.png", RED))
    timeline = {"Start": "0.2", "Duration": "0.3"}
    placed = {"ReferPos": "TopLeft", "Width": "40", "Timeline": timeline}
    watermark = {"Type": "Image", "FileUrl": logo, "WatermarkConfig": placed}
    template = shaped(Playback="reverse")
    _, animation = render(engine, clip.path, tmp_path / "w.gif", template, [watermark])
    assert [frame_index(f) for f in animation.frames] == FORWARD[::-1]
    shown = [is_close(mean_color(f, 0, 0, 40, 20), RED) for f in animation.frames]
    assert shown == [False] * 2 + [True] * 3 + [False] * 5


def test_kept_frames_spill_to_disk_and_come_back_in_order(clip: Clip, tmp_path: Path) -> None:
    # 160x120 RGB frames are 57,600 bytes: a 100 KB budget keeps one in memory.
    tiny = PyAvMediaEngine(MediaLimits(frame_memory_bytes=100_000))
    _, animation = render(tiny, clip.path, tmp_path / "b.webp", shaped("webp", Playback="bounce"))
    assert [frame_index(f) for f in animation.frames] == FORWARD + FORWARD[-2:0:-1]


class Recorder:
    """A writer that only notes which frame came when."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, Fraction]] = []

    def add(self, picture: Picture, start: Fraction) -> None:
        assert isinstance(picture, np.ndarray)
        self.seen.append((int(picture[0, 0, 0]), start))

    def finish(self, end: Fraction, path: Path) -> list[int]:
        return []

    def abort(self) -> None:
        pass


def test_kept_frames_stay_within_their_memory_budget() -> None:
    # 40 frames of 640x480 are 37 MB; with a 4 MB budget the rest waits in a temporary file.
    times = [Fraction(k, 10) for k in range(40)]
    writer = Recorder()
    shaper = ShapingWriter(writer, Playback.REVERSE, times, [], 4 * 2**20, lambda _: None)
    tracemalloc.start()
    try:
        for k in range(40):
            shaper.add(k, np.full((480, 640, 3), k, dtype=np.uint8))
        shaper.finish(Fraction(4), Path("unused"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert writer.seen == [(39 - k, Fraction(k, 10)) for k in range(40)]
    assert peak < 8 * 2**20, f"{peak / 2**20:.1f} MB"


@pytest.mark.parametrize("fmt", ["gif", "webp"])
def test_speed_2_plays_the_time_span_in_half_the_time(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"s.{fmt}"
    result, animation = render(engine, clip.path, out, shaped(fmt, Speed="2"))
    assert [frame_index(f) for f in animation.frames] == [15, 21, 27, 33, 39]
    assert animation.delays_ms == [100] * 5
    assert (result.frames, result.duration_ms, result.fps) == (5, 500, 10.0)


def test_speed_half_plays_it_in_twice_the_time(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    result, animation = render(engine, clip.path, tmp_path / "s.gif", shaped(Speed="0.5"))
    # Output frame k shows the source at 0.5 s + k * 0.05 s: 30 fps frame floor(15 + 1.5 k).
    assert [frame_index(f) for f in animation.frames] == [15 + 3 * k // 2 for k in range(20)]
    assert animation.delays_ms == [100] * 20
    assert (result.frames, result.duration_ms) == (20, 2000)


def test_slow_motion_fps_is_capped_by_the_frames_that_go_by(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    # 30 fps at a quarter speed is 7.5 source frames per second: more would repeat frames.
    template = shaped(Speed="0.25")
    template["Video"] = {"Width": "160", "Fps": "30"}
    template["Clip"]["TimeSpan"] = {"Seek": "0", "Duration": "0.4"}
    result, animation = render(engine, clip.path, tmp_path / "s.gif", template)
    assert result.fps == 7.5 and result.frames == 12
    shown = [frame_index(f) for f in animation.frames]
    assert shown == list(range(12))  # output k at k/7.5 s shows the source at k/30 s


def test_output_frames_are_what_the_limits_count(clip: Clip, tmp_path: Path) -> None:
    # 10 frames forward; bounce makes 18 and half speed 20 output frames.
    strict = PyAvMediaEngine(MediaLimits(max_output_frames=15))
    render(strict, clip.path, tmp_path / "f.gif", shaped())
    for extra in ({"Playback": "bounce"}, {"Speed": "0.5"}):
        with pytest.raises(MediaLimitExceeded) as refused:
            render(strict, clip.path, tmp_path / "x.gif", shaped(**extra))
        assert "at most 15 are accepted" in refused.value.message
    render(strict, clip.path, tmp_path / "fast.gif", shaped(Speed="4", Playback="bounce"))


def test_reverse_beyond_the_kept_frames_limit_is_refused(clip: Clip, tmp_path: Path) -> None:
    small = PyAvMediaEngine(MediaLimits(max_held_frame_bytes=20 * 57_600 - 1))
    whole = {"Seek": "0", "Duration": "2"}
    render(small, clip.path, tmp_path / "f.gif", shaped(TimeSpan=whole))  # forward keeps none
    with pytest.raises(MediaLimitExceeded) as refused:
        render(small, clip.path, tmp_path / "r.gif", shaped(TimeSpan=whole, Playback="reverse"))
    assert "Reverse and bounce keep every frame: 20 frames of 160x120" in refused.value.message


@pytest.mark.parametrize("fmt", ["gif", "webp"])
def test_crop_fill_is_exactly_the_size_and_shows_the_centre(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path, fmt: str
) -> None:
    template = config(fmt)
    template["Video"] = {"Width": "128", "Height": "128", "Fps": "10", "Crop": "fill"}
    result, animation = render(engine, clip.path, tmp_path / f"c.{fmt}", template)
    assert animation.size == (128, 128) and (result.width, result.height) == (128, 128)
    for k in (0, 9):
        source = source_frame(15 + 3 * k)
        centre = scaled(source[:, 40:280], (128, 128))  # 240 x 240 from the middle of 320
        stretched = scaled(source, (128, 128))
        frame = animation.frames[k]
        assert_looks_like(frame, centre)
        # The smooth gradient looks alike either way; the bars' edges tell centre from stretch
        # (measured: 1.4-2.5 levels off the centre crop, 6-7 off the stretched frame).
        assert mean_error(frame, centre) < min(4, mean_error(frame, stretched) / 2)


def test_crop_fill_of_a_portrait_phone_video(engine: PyAvMediaEngine, tmp_path: Path) -> None:
    # Coded 320x240 turned upright to 240x320; a 256x128 banner keeps its middle 240x120.
    phone = make_clip(tmp_path / "phone.mp4", rotation=-90, seconds=0.2)
    template = config("gif", Seek="0", Duration="0.1")
    template["Video"] = {"Width": "256", "Height": "128", "Crop": "fill"}
    _, animation = render(engine, phone.path, tmp_path / "p.gif", template)
    assert animation.size == (256, 128)
    upright = np.rot90(source_frame(0), k=-1)  # 240 wide, 320 high
    expected = scaled(np.ascontiguousarray(upright[100:220]), (256, 128))
    assert_looks_like(animation.frames[0], expected, max_error=4)


def test_dynimg_render_takes_them_as_overrides(clip: Clip, tmp_path: Path) -> None:
    override = {"Clip": {"Playback": "reverse", "Speed": "2"}}
    out = tmp_path / "r.webp"
    result = run_cli(tmp_path, "render", str(clip.path), str(out), "--template-config",
                     json.dumps(config("webp")), "--override", json.dumps(override))  # fmt: skip
    assert "frames=5" in result.stdout and "duration=0.500s" in result.stdout
    assert [frame_index(f) for f in read_animation(out).frames] == [39, 33, 27, 21, 15]
    refused = run_cli(tmp_path, "render", str(clip.path), str(out), "--template-config",
                      json.dumps(config("webp")), "--override", json.dumps(
                          {"Clip": {"Speed": "8"}}), check=False)  # fmt: skip
    assert refused.returncode == 1
    assert "error: InvalidParameter:" in refused.stderr
    assert "'OverrideParams.Clip.Speed' is not valid: must be in [0.25, 4]" in refused.stderr


def test_the_kept_frames_limit_is_a_setting(tmp_path: Path) -> None:
    # 90 frames of 320x240 are 20.7 MB as RGB: over a 16 MB setting when reversed.
    source = make_clip(tmp_path / "c.mp4", seconds=3, options={"preset": "ultrafast"}).path
    template = {**config("gif", Seek="0"), "Video": {"Fps": "30"}}
    template["Clip"]["Playback"] = "reverse"
    refused = run_cli(tmp_path, "render", str(source), str(tmp_path / "o.gif"),
                      "--template-config", json.dumps(template), check=False,
                      DYNIMG_MAX_HELD_FRAMES_MB="16")  # fmt: skip
    assert refused.returncode == 1
    assert "error: MediaLimit.Exceeded: Reverse and bounce keep every frame" in refused.stderr
