"""Clip semantics, frame timing, sizes and formats, checked on the files written."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import pytest

from dynimg.adapters.media import decode
from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.errors import ClipOutOfRange, EmptyClip
from tests.media.conftest import config, render
from tests.support.media import Clip, frame_index, make_clip, scaled, source_frame
from tests.support.pictures import assert_looks_like


@pytest.mark.parametrize("fmt", ["gif", "webp"])
def test_structure_of_both_formats(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path, fmt: str
) -> None:
    result, animation = render(engine, clip.path, tmp_path / f"out.{fmt}", config(fmt))
    assert animation.format == fmt.upper()
    assert animation.size == (160, 120)
    assert len(animation.frames) == result.frames == 10
    assert animation.delays_ms == [100] * 10
    assert animation.loop == 0
    assert result.size_bytes == (tmp_path / f"out.{fmt}").stat().st_size
    assert (result.width, result.height, result.fps, result.duration_ms) == (160, 120, 10.0, 1000)


@pytest.mark.parametrize("fmt", ["gif", "webp"])
@pytest.mark.parametrize(
    ("seek", "expected"),
    [
        # 1.06 s is nearer source frame 32 (1.0667 s) than 31 (1.0333 s), and so on by 0.1 s.
        ("1.060", [32, 35, 38, 41, 44]),
        # 1.05 s is halfway between frames 31 and 32: the earlier, on screen then, is shown.
        ("1.050", [31, 34, 37, 40, 43]),
    ],
)
def test_each_output_frame_is_the_source_frame_nearest_its_time(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path, fmt: str, seek: str, expected: list[int]
) -> None:
    template = config(fmt, Seek=f"00:00:0{seek}", Duration="0.5")
    _, animation = render(engine, clip.path, tmp_path / f"out.{fmt}", template)
    shown = [frame_index(frame) for frame in animation.frames]
    times = [Fraction(seek) + Fraction(k, 10) for k in range(5)]
    assert shown == [min(range(60), key=lambda i: (abs(Fraction(i, 30) - t), i)) for t in times]
    assert shown == expected


@pytest.mark.parametrize(("seek", "seeks"), [("0.2", 0), ("1.05", 1)])
def test_the_source_is_opened_once_and_decoding_goes_on_from_the_probe(
    engine: PyAvMediaEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seek: str, seeks: int
) -> None:
    # Keyframes every 0.5 s. Within the first GOP the render decodes on from the picture the
    # probe decoded; past a keyframe it seeks there. Either way the file is opened once and
    # every output frame is the one shown at its time.
    keyed = make_clip(
        tmp_path / "keyed.mp4", options={"x264-params": "keyint=15:min-keyint=15:scenecut=0"}
    )
    opened: list[object] = []
    real_open, real_seek = av.open, decode._seek_before
    monkeypatch.setattr(av, "open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    sought: list[int] = []
    monkeypatch.setattr(
        decode, "_seek_before", lambda c, s, at: sought.append(at) or real_seek(c, s, at)
    )
    template = config("webp", Seek=seek, Duration="0.5")
    _, animation = render(engine, keyed.path, tmp_path / "out.webp", template)
    shown = [frame_index(frame) for frame in animation.frames]
    assert shown == [int((Fraction(seek) + Fraction(k, 10)) * 30) for k in range(5)]
    assert (len(opened), len(sought)) == (1, seeks)


@pytest.mark.parametrize("duration", ["0.1", "0.9", "1.7"])
def test_webp_of_one_frame_and_with_a_one_frame_last_segment(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path, duration: str
) -> None:
    # 1 frame is a still for libwebp; 9 and 17 frames leave one frame in the last segment.
    template = config("webp", Seek="0", Duration=duration)
    result, animation = render(engine, clip.path, tmp_path / "out.webp", template)
    frames = round(float(duration) * 10)
    assert result.frames == len(animation.frames) == frames
    assert animation.delays_ms == [100] * frames
    assert animation.loop == 0
    assert [frame_index(f) for f in animation.frames] == [3 * k for k in range(frames)]


def test_frames_look_like_the_source(engine: PyAvMediaEngine, clip: Clip, tmp_path: Path) -> None:
    _, animation = render(engine, clip.path, tmp_path / "out.gif", config("gif"))
    for k, frame in enumerate(animation.frames):
        expected = scaled(source_frame(15 + 3 * k), (160, 120))
        assert_looks_like(frame, expected)


def test_end_wins_over_duration(engine: PyAvMediaEngine, clip: Clip, tmp_path: Path) -> None:
    template = config("gif", Seek="0.5", Duration="1", End="0.5")  # 0.5 s to 2 - 0.5 = 1.5 s
    result, animation = render(engine, clip.path, tmp_path / "out.gif", template)
    assert result.frames == 10 and sum(animation.delays_ms) == 1000
    assert frame_index(animation.frames[-1]) == int((0.5 + 0.9) * 30)


def test_a_clip_past_the_end_is_cut_there(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    result, animation = render(engine, clip.path, tmp_path / "o.webp", config("webp", Seek="1.5"))
    assert result.frames == 5
    assert sum(animation.delays_ms) == result.duration_ms == 500


def test_gif_delays_carry_their_rounding(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    template = {**config("gif", Seek="0", Duration="1"), "Video": {"Width": "160", "Fps": "30"}}
    _, animation = render(engine, clip.path, tmp_path / "out.gif", template)
    assert len(animation.frames) == 30
    assert set(animation.delays_ms) == {30, 40}
    assert sum(animation.delays_ms) == 1000


def test_fps_never_exceeds_the_source(engine: PyAvMediaEngine, clip: Clip, tmp_path: Path) -> None:
    template = {**config("webp"), "Video": {"Width": "160", "Fps": "60"}}
    result, animation = render(engine, clip.path, tmp_path / "out.webp", template)
    assert result.fps == 30 and len(animation.frames) == 30
    assert [frame_index(f) for f in animation.frames[:3]] == [15, 16, 17]


@pytest.mark.parametrize(
    ("video", "size"),
    [
        ({"Width": "160"}, (160, 120)),
        ({"Height": "180"}, (240, 180)),
        ({"Width": "200", "Height": "128"}, (200, 128)),
        ({}, (320, 240)),
    ],
)
def test_output_size(
    engine: PyAvMediaEngine,
    clip: Clip,
    tmp_path: Path,
    video: dict[str, str],
    size: tuple[int, int],
) -> None:
    template = {**config("gif", Seek="0", Duration="0.2"), "Video": video}
    _, animation = render(engine, clip.path, tmp_path / "out.gif", template)
    assert animation.size == size


def test_seek_at_the_end_is_out_of_range(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    with pytest.raises(ClipOutOfRange):
        render(engine, clip.path, tmp_path / "out.gif", config("gif", Seek="2"))


def test_end_that_trims_everything_is_an_empty_clip(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    with pytest.raises(EmptyClip):
        render(engine, clip.path, tmp_path / "out.gif", config("gif", Seek="1", End="1"))
    assert not (tmp_path / "out.gif").exists()


@pytest.mark.parametrize("plays", [1, 3])
def test_loop_extra(engine: PyAvMediaEngine, clip: Clip, tmp_path: Path, plays: int) -> None:
    for fmt in ("gif", "webp"):
        template = {**config(fmt), "Loop": plays}
        _, animation = render(engine, clip.path, tmp_path / f"out.{fmt}", template)
        if fmt == "webp":
            assert animation.loop == plays
        else:
            assert animation.loop == (None if plays == 1 else plays - 1)


def test_variable_frame_rate_is_timed_by_timestamps(
    engine: PyAvMediaEngine, tmp_path: Path
) -> None:
    # Frames at irregular times (ms): the frame shown at t is the one nearest t (of two as
    # near, the earlier).
    pts = [0, 40, 150, 160, 330, 340, 500, 620, 700, 910, 1000, 1200]
    vfr = make_clip(
        tmp_path / "vfr.mkv", pts=pts, time_base=Fraction(1, 1000), fps=25, codec="libx264"
    )
    template = config("gif", Seek="0", Duration="1")
    _, animation = render(engine, vfr.path, tmp_path / "o.gif", template)
    # A frame shown twice in a row may be written once, lasting twice as long.
    shown = [
        frame_index(f)
        for f, ms in zip(animation.frames, animation.delays_ms, strict=True)
        for _ in range(round(ms / 100))
    ]
    expected = [
        min(range(len(pts)), key=lambda i: (abs(pts[i] - t), i)) for t in range(0, 1000, 100)
    ]
    assert expected == [0, 2, 3, 4, 5, 6, 7, 8, 8, 9]
    assert shown == expected


@pytest.mark.parametrize("fmt", ["gif", "webp"])
def test_progress_is_reported(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path, fmt: str
) -> None:
    import json

    from dynimg.domain.rendering import RenderSpec
    from dynimg.domain.template_parsing import parse_template_config

    seen: list[float] = []
    spec = RenderSpec(parse_template_config(json.loads(json.dumps(config(fmt)))))
    engine.render(clip.path, spec, tmp_path / f"o.{fmt}", seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) == 11
