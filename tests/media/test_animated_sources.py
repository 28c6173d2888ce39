"""Animated images rewritten as videos: their own timing, transparency over white, limits."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.domain.limits import MediaLimits
from dynimg.errors import MediaLimitExceeded

pytestmark = pytest.mark.timeout(60)
PILLOW = {"gif": "GIF", "apng": "PNG", "webp": "WEBP"}


def _animation(path: Path, fmt: str, delays: list[int], alpha: int = 255) -> Path:
    frames = [Image.new("RGBA", (32, 24), (200, 40 * i, 0, alpha)) for i in range(len(delays))]
    options = {"lossless": True} if fmt == "webp" else {}
    frames[0].save(path, PILLOW[fmt], save_all=True, append_images=frames[1:], duration=delays,
                   loop=0, disposal=1 if fmt != "webp" else 0, **options)  # fmt: skip
    return path


def _timing(path: Path) -> list[tuple[int, int]]:
    with av.open(str(path)) as container:
        return [(p.pts, p.duration) for p in container.demux(video=0) if p.pts is not None]


@pytest.mark.parametrize("fmt", ["gif", "apng", "webp"])
def test_each_frame_lasts_its_own_delay(tmp_path: Path, fmt: str) -> None:
    source = _animation(tmp_path / f"a.{fmt}", fmt, [50, 250, 100, 400])
    info = PyAvMediaEngine().animation_to_video(source, tmp_path / "v.mkv")
    assert info is not None
    assert (info.container, info.width, info.height, float(info.duration or 0)) == (
        fmt, 32, 24, 0.8
    )  # fmt: skip
    assert _timing(tmp_path / "v.mkv") == [(0, 50), (50, 250), (300, 100), (400, 400)]
    probed = PyAvMediaEngine().probe(tmp_path / "v.mkv")
    assert probed.duration == info.duration


def test_transparency_is_laid_over_white_and_stills_are_left_alone(tmp_path: Path) -> None:
    source = _animation(tmp_path / "a.apng", "apng", [100, 100], alpha=0)
    assert PyAvMediaEngine().animation_to_video(source, tmp_path / "v.mkv") is not None
    with av.open(str(tmp_path / "v.mkv")) as container:
        first = next(container.decode(video=0)).to_ndarray(format="rgb24")
    assert np.all(first == 255)
    Image.new("RGB", (8, 8)).save(tmp_path / "still.png")
    Image.new("RGB", (8, 8)).save(tmp_path / "still.webp")
    for still in ("still.png", "still.webp"):
        assert PyAvMediaEngine().animation_to_video(tmp_path / still, tmp_path / "x.mkv") is None


def test_the_image_limits_hold_before_any_frame_is_decoded(tmp_path: Path) -> None:
    source = _animation(tmp_path / "a.webp", "webp", [100] * 6)
    engine = PyAvMediaEngine(MediaLimits(max_image_frames=5))
    with pytest.raises(MediaLimitExceeded, match="6 frames"):
        engine.animation_to_video(source, tmp_path / "v.mkv")
