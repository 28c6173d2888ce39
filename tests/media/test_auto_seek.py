"""``Seek=auto`` on real encoded video: the busy part, never across the cut, fast and stable."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.adapters.media.highlight import (
    MAX_FRAMES,
    plan_probes,
    resolve_auto_seek,
    sample_video,
)
from dynimg.adapters.media.probe import probe
from dynimg.domain.limits import MediaLimits
from dynimg.domain.template_parsing import parse_template_config
from tests.media.conftest import config, render
from tests.support.media import Clip, make_highlight_clip, make_long_clip
from tests.support.server import run_cli

CUT = 13.0
"""Where make_highlight_clip cuts from scene A (dark) to scene B (bright)."""


@pytest.fixture(scope="module")
def highlight(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_highlight_clip(tmp_path_factory.mktemp("auto") / "highlight.mp4")


def assert_busy_and_uncut(seek_ms: int) -> None:
    start = seek_ms / 1000
    assert start + 4 <= CUT + 1e-3, f"the 4 s from {start} s would run across the cut"
    assert start >= 8.5, f"{start} s: at most half a second of the slow part belongs in"


def test_it_picks_the_busy_part_before_the_cut(
    engine: PyAvMediaEngine, highlight: Path, tmp_path: Path
) -> None:
    template = config("gif", Seek="auto", Duration="4")
    result, animation = render(engine, highlight, tmp_path / "best.gif", template)
    assert_busy_and_uncut(result.seek_ms)
    assert len(animation.frames) == 40 and result.duration_ms == 4000
    brightness = [float(frame[:, :, 1].mean()) for frame in animation.frames]
    assert max(brightness) < 150, "every frame is from scene A: the clip holds no cut"
    moved = [
        abs(float(a.mean()) - float(b.mean()))
        for a, b in zip(animation.frames, animation.frames[1:], strict=False)
    ]
    assert sum(1 for m in moved if m > 0) > 30, "the square moves in the chosen clip"


def test_override_params_can_ask_for_auto_and_the_choice_is_stable(
    engine: PyAvMediaEngine, highlight: Path, tmp_path: Path
) -> None:
    override = {"Clip": {"TimeSpan": {"Seek": "auto", "Duration": "4"}}}
    seeks = {
        render(engine, highlight, tmp_path / f"{n}.webp", config("webp"), override=override)[
            0
        ].seek_ms
        for n in range(3)
    }
    assert len(seeks) == 1
    info, limits = probe(highlight, MediaLimits()), MediaLimits()
    looks = [sample_video(highlight, info, limits, time.monotonic() + 60) for _ in range(2)]
    assert looks[0] == looks[1], "the same file gives the same samples"
    fixed = render(engine, highlight, tmp_path / "f.webp", config("webp", Seek="3", Duration="1"))[
        0
    ]
    assert fixed.seek_ms == 3000


def test_dynimg_render_prints_the_chosen_seek(highlight: Path, tmp_path: Path) -> None:
    template = json.dumps(config("webp", Seek="auto", Duration="4"))
    result = run_cli(
        tmp_path, "render", str(highlight), str(tmp_path / "o.webp"), "--template-config", template
    )
    match = re.search(r"seek=(\d+\.\d{3})s", result.stdout)
    assert match, result.stdout
    assert_busy_and_uncut(round(float(match[1]) * 1000))


def test_a_ten_minute_video_is_looked_at_sparsely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_long_clip(tmp_path / "long.mp4", minutes=10, fps=10)
    info, limits = probe(path, MediaLimits()), MediaLimits()
    template = parse_template_config(config("gif", Seek="auto", Duration="3"))
    started = time.perf_counter()
    chosen = resolve_auto_seek(path, info, template, limits, time.monotonic() + 60)
    elapsed = time.perf_counter() - started
    look = sample_video(path, info, limits, time.monotonic() + 60)
    with capsys.disabled():
        print(
            f"\nSeek=auto on a 10-minute 96x54 video (6000 frames): {elapsed:.2f} s, "
            f"{len(look.samples)} samples, {look.decoded} frames decoded, "
            f"chose {chosen.time_span.seek_ms / 1000:g} s"
        )
    assert look.decoded <= MAX_FRAMES < 6000, "never a full decode"
    assert look.keyframes == 120, "keyframes every 5 s"
    assert len(look.samples) >= 100, "still one sample every few seconds"
    assert 2000 <= chosen.time_span.seek_ms <= 595_000
    assert elapsed < 10


def test_the_plan_shares_the_budget_between_gops_and_never_revisits_one() -> None:
    times = [0.25 + 0.5 * k for k in range(120)]  # a 60 s video, 2 probes a second
    dense = plan_probes(times, [float(k) for k in range(60)], budget=3600, fps=30, motion_frames=3)
    assert [t for _, t in dense] == times, "keyframes every second: every probe is affordable"
    sparse = plan_probes(times, [0.0, 10.0, 20.0, 30.0, 40.0, 50.0], 480, 30, 3)
    # 80 frames per 10 s GOP: probes up to 2.57 s after each keyframe
    assert [t for _, t in sparse[:6]] == [0.25, 0.75, 1.25, 1.75, 2.25, 10.25]
    keys = [key for key, _ in sparse]
    assert keys == sorted(keys), "each GOP is visited once, in order"
    tight = plan_probes(times, [0.0, 30.0], 4, 30, 3)
    assert tight == [(0.0, 0.0), (30.0, 30.0)], "beyond the share: the keyframe itself"


def test_a_clip_as_long_as_the_video_starts_at_zero(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    result, animation = render(
        engine, clip.path, tmp_path / "all.gif", config("gif", Seek="auto", Duration="5")
    )
    assert result.seek_ms == 0 and len(animation.frames) == 20
