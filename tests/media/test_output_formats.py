"""APNG, animated AVIF and MP4 via ``dynimg render``, decoded back and compared to the source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.errors import InvalidParameter
from tests.media.conftest import config, render
from tests.support.media import (
    Clip,
    frame_index,
    mp4_facts,
    read_animation,
    scaled,
    source_frame,
    ssim_half,
)
from tests.support.pictures import assert_looks_like
from tests.support.server import run_cli

LOOPS = {"apng": 2, "avif": 3, "mp4": None}
"""What each format is asked to loop (an MP4 has no loop count: its player loops it)."""
MIN_SSIM = {"apng": 0.98, "avif": 0.9, "mp4": 0.9}
"""APNG is lossless (only scaling differs); AV1 at the default Quality stays well above this."""


@pytest.mark.parametrize("fmt", ["apng", "avif", "mp4"])
def test_render_writes_each_format(clip: Clip, tmp_path: Path, fmt: str) -> None:
    template = config(fmt, Seek="0.5", Duration="1")
    template["Video"] = {"Width": "160", "Fps": "30"}
    if LOOPS[fmt] is not None:
        template["Loop"] = LOOPS[fmt]
    output = tmp_path / f"out.{fmt}"
    result = run_cli(
        tmp_path, "render", str(clip.path), str(output), "--template-config", json.dumps(template)
    )
    line = result.stdout.strip()
    for part in (f"format={fmt}", "width=160", "height=120", "frames=30", "duration=1.000s"):
        assert part in line
    assert f"bytes={output.stat().st_size}" in line
    animation = read_animation(output)
    assert animation.size == (160, 120) and len(animation.frames) == 30
    # 30 fps in milliseconds: boundaries rounded one by one, adding up to exactly the clip.
    assert sum(animation.delays_ms) == 1000 and set(animation.delays_ms) <= {33, 34}
    assert animation.loop == LOOPS[fmt]
    # Source frame 15 is at 0.5 s; every output frame shows the source frame of its own time.
    assert [frame_index(f) for f in animation.frames] == list(range(15, 45))
    for k, frame in enumerate(animation.frames):
        assert_looks_like(frame, scaled(source_frame(15 + k), (160, 120)), min_ssim=MIN_SSIM[fmt])


def test_an_mp4_is_silent_starts_with_a_keyframe_and_streams(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    result, _ = render(engine, clip.path, tmp_path / "o.mp4", config("mp4"))
    facts = mp4_facts(tmp_path / "o.mp4")
    assert (facts.codec_tag, facts.pix_fmt, facts.audio_streams) == ("av01", "yuv420p", 0)
    assert facts.first_is_keyframe and facts.moov_before_mdat
    assert (result.frames, result.duration_ms) == (10, 1000)


def test_quality_trades_bytes_for_fidelity(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    low, worse = render(engine, clip.path, tmp_path / "l.avif", {**config("avif"), "Quality": 5})
    high, better = render(engine, clip.path, tmp_path / "h.avif", {**config("avif"), "Quality": 95})
    assert low.size_bytes * 1.5 < high.size_bytes
    source = scaled(source_frame(15), (160, 120))
    assert ssim_half(worse.frames[0], source) < ssim_half(better.frames[0], source) - 0.003


def test_a_watermark_is_drawn_on_yuv_output(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    """AVIF and MP4 take decoded YUV frames as they are, unless a watermark is drawn on them."""
    text = {"Content": "dynimg", "FontSize": 28, "FontColor": "white", "Top": 70, "Left": 4}
    watermark = {"WatermarkId": "t", "Type": "Text", "WatermarkConfig": text}
    template = {**config("mp4"), "WatermarkIds": ["0" * 32]}
    watermark["WatermarkId"] = "0" * 32
    _, animation = render(engine, clip.path, tmp_path / "w.mp4", template, [watermark])
    box = animation.frames[0][70:105, 4:156].astype(int)
    assert np.all(box > 200, axis=2).sum() > 150, "the text is drawn"
    assert frame_index(animation.frames[0]) == 15


@pytest.mark.parametrize("fmt", ["apng", "avif", "mp4"])
def test_a_one_frame_clip(engine: PyAvMediaEngine, clip: Clip, tmp_path: Path, fmt: str) -> None:
    result, animation = render(
        engine, clip.path, tmp_path / f"one.{fmt}", config(fmt, Seek="0.5", Duration="0.05")
    )
    assert (result.frames, result.duration_ms, len(animation.frames)) == (1, 50, 1)
    assert frame_index(animation.frames[0]) == 15


REALTIME_PROBE = """
import json, os, sys
from pathlib import Path
from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.errors import InvalidParameter
from dynimg.domain.rendering import RenderSpec
from dynimg.domain.template_parsing import parse_template_config

template = parse_template_config(json.loads(sys.argv[3]))
PyAvMediaEngine().render(Path(sys.argv[1]), RenderSpec(template), Path(sys.argv[2]))
realtime = (os.SCHED_FIFO, os.SCHED_RR)
tasks = os.listdir("/proc/self/task")
print(json.dumps({"threads": len(tasks), "realtime": sum(
    os.sched_getscheduler(int(t)) in realtime for t in tasks), "can": os.geteuid() == 0}))
"""


@pytest.mark.parametrize("fmt", ["avif", "mp4"])
def test_the_av1_encoder_leaves_no_thread_in_real_time_scheduling(
    clip: Clip, tmp_path: Path, fmt: str
) -> None:
    # SVT-AV1 puts the thread that opens it, and every thread it starts, in SCHED_FIFO 99 when
    # it may (as root, as CI and most containers run): such threads starve the machine.
    template = json.dumps(config(fmt, Seek="0", Duration="0.5"))
    output = tmp_path / f"out.{fmt}"
    done = subprocess.run(
        [sys.executable, "-c", REALTIME_PROBE, str(clip.path), str(output), template],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["realtime"] == 0, seen
    assert os.sched_getscheduler(0) not in (os.SCHED_FIFO, os.SCHED_RR), "nor this process"


def test_the_engine_encodes_h264_only_where_the_operator_allows_it(
    engine: PyAvMediaEngine, clip: Clip, tmp_path: Path
) -> None:
    """The engine is the last check (a template made while H.264 was allowed, run after the
    operator turned it off); ``dynimg render`` reads DYNIMG_ALLOW_H264 like the workers."""
    template = config("mp4") | {"Codec": "h264"}
    with pytest.raises(InvalidParameter, match="DYNIMG_ALLOW_H264"):
        render(engine, clip.path, tmp_path / "no.mp4", template)
    assert not (tmp_path / "no.mp4").exists()
    output = tmp_path / "h264.mp4"
    args = ("render", str(clip.path), str(output), "--template-config", json.dumps(template))
    refused = run_cli(tmp_path, *args, check=False)
    assert refused.returncode != 0 and "DYNIMG_ALLOW_H264" in refused.stderr + refused.stdout
    run_cli(tmp_path, *args, DYNIMG_ALLOW_H264="true")
    facts = mp4_facts(output)
    assert (facts.codec_tag, facts.pix_fmt, facts.audio_streams) == ("avc1", "yuv420p", 0)
    assert facts.first_is_keyframe and facts.moov_before_mdat
    animation = read_animation(output)
    assert [frame_index(f) for f in animation.frames] == [15 + 3 * k for k in range(10)]
