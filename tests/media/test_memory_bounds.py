"""No valid request exceeds the per-job memory bound (docs/media.md): measured, not assumed."""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys
import weakref
from pathlib import Path

import numpy as np
import pytest

from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.adapters.media.palette import PaletteBuilder
from dynimg.adapters.media.sprites import prepare_sprites
from dynimg.domain.limits import MediaLimits
from dynimg.domain.rendering import WatermarkLayer
from dynimg.domain.watermarks import WatermarkType, parse_watermark_config
from dynimg.errors import MediaLimitExceeded
from tests.media.conftest import render
from tests.support.media import make_clip

JOB_MEMORY_BOUND_MB = 512


def test_palette_samples_do_not_keep_frames_alive() -> None:
    builder = PaletteBuilder(255, expected_frames=2, frame_pixels=64 * 64)
    frame = np.zeros((64, 64, 3), dtype=np.uint8)
    alive = weakref.ref(frame)
    builder.add(frame)
    del frame
    gc.collect()
    assert alive() is None, "a sample view held the whole decoded frame until the end"
    assert len(builder.build()) >= 1


def test_a_huge_border_is_drawn_no_wider_than_the_font() -> None:
    config = parse_watermark_config(
        WatermarkType.TEXT, {"Content": "Hi", "FontSize": 40, "BorderWidth": 4096}
    )
    [sprite] = prepare_sprites((WatermarkLayer("t", config),), (640, 360), MediaLimits())
    height, width = sprite.frames[0].shape[:2]
    assert width < 400 and height < 200, (width, height)


def test_output_frames_beyond_the_pixel_limit_are_refused(
    engine: PyAvMediaEngine, clip: object, tmp_path: Path
) -> None:
    source = make_clip(tmp_path / "c.mp4", seconds=1).path
    template = {
        "Container": {"Format": "gif"},
        "Video": {"Width": "4096", "Fps": "5"},
        "Clip": {"TimeSpan": {"Seek": "0"}},
    }
    with pytest.raises(MediaLimitExceeded) as refused:
        render(engine, source, tmp_path / "big.gif", template)
    assert "pixels per frame" in refused.value.message
    banner = {**template, "Video": {"Width": "4096", "Height": "256", "Fps": "5"}}
    result, _ = render(engine, source, tmp_path / "banner.gif", banner)
    assert (result.width, result.height) == (4096, 256), "a wide banner is still fine"


PEAK_REPORTER = """
import atexit, re, runpy, sys
from pathlib import Path

def report():
    status = Path("/proc/self/status").read_text()
    sys.stderr.write("\\nPEAK_KB=" + re.search(r"VmHWM:\\s+(\\d+)", status)[1] + "\\n")

atexit.register(report)
sys.argv = ["dynimg", *sys.argv[1:]]
runpy.run_module("dynimg", run_name="__main__", alter_sys=True)
"""


def peak_rss_mb(dynimg_args: list[str]) -> float:
    """Peak RSS of one ``dynimg`` process, as the process itself sees it when it exits.

    VmHWM, not the parent's ru_maxrss: a child started from this (large) test process by
    vfork/exec inherits its parent's high-water mark in ru_maxrss, which then measures pytest.
    """
    command = [sys.executable, "-c", PEAK_REPORTER, *dynimg_args]
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 0, done.stderr
    peaks = re.findall(r"^PEAK_KB=(\d+)$", done.stderr, re.MULTILINE)
    assert peaks, done.stderr
    return int(peaks[-1]) / 1024


@pytest.mark.parametrize(
    ("fmt", "max_file_size"),
    [
        ("gif", None),
        ("webp", None),
        ("mp4", None),  # AV1, as avif
        # Re-encoded from the kept frames: they and the GIF writer's frames are held together.
        ("gif", 50_000_000),
    ],
)
def test_the_largest_allowed_output_stays_under_the_job_memory_bound(
    fmt: str, max_file_size: int | None, tmp_path: Path
) -> None:
    # The worst case the limits allow, but short: largest output frame, noisy (worst for the
    # palette, the dither and the encoders), a long text with the widest border drawn.
    source = make_clip(tmp_path / "noise.mp4", seconds=1.5, fps=30, size=(1920, 1080),
                       noise=True, options={"preset": "ultrafast"}).path  # fmt: skip
    mark = "0" * 32
    template = {
        "Container": {"Format": fmt, "MaxFileSize": max_file_size},
        "Video": {"Width": "1920", "Fps": "30"},
        "Clip": {"TimeSpan": {"Seek": "0", "Duration": "1.4"}},
        "WatermarkIds": [mark],
    }
    watermark = {"WatermarkId": mark, "Type": "Text", "WatermarkConfig": {
        "Content": "水印 watermark " * 8, "FontSize": 120, "BorderWidth": 4096}}  # fmt: skip
    output = str(tmp_path / f"o.{fmt}")
    options = ["--template-config", json.dumps(template), "--watermark", json.dumps(watermark)]
    peak = peak_rss_mb(["render", str(source), output, *options])
    print(f"{fmt}: peak RSS {peak:.0f} MB for 1920x1080, 42 frames, noise, 4096 border"
          f" (MaxFileSize {max_file_size})")  # fmt: skip
    assert peak < JOB_MEMORY_BOUND_MB
    if max_file_size is not None:
        assert Path(output).stat().st_size <= max_file_size, "it was re-encoded (56 MB at first)"
