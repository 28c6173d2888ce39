"""Codecs, containers, bit depths, rotation and pixel aspect of the source."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.errors import UnreadableMedia
from tests.media.conftest import config, render
from tests.support.media import frame_index, make_clip, source_frame
from tests.support.pictures import assert_looks_like


@pytest.mark.parametrize(
    ("codec", "container", "pix_fmt"),
    [
        ("libx264", "mov", "yuv420p"),
        ("libx264", "mkv", "yuv420p10le"),
        ("libx265", "mp4", "yuv420p"),
        ("libx265", "mkv", "yuv420p10le"),
        ("libvpx-vp9", "webm", "yuv420p"),
        ("libsvtav1", "mp4", "yuv420p"),
        ("libsvtav1", "mkv", "yuv420p10le"),
    ],
)
def test_codecs_containers_and_bit_depths(
    engine: PyAvMediaEngine, tmp_path: Path, codec: str, container: str, pix_fmt: str
) -> None:
    source = make_clip(tmp_path / f"in.{container}", codec=codec, pix_fmt=pix_fmt, seconds=1.5)
    info = engine.probe(source.path)
    assert info.pixel_format.startswith(pix_fmt[:7])
    _, animation = render(engine, source.path, tmp_path / "out.webp", config("webp"))
    assert [frame_index(f) for f in animation.frames] == [15 + 3 * k for k in range(10)]


@pytest.mark.parametrize("fmt", ["gif", "webp"])
@pytest.mark.parametrize(
    ("stored", "clockwise", "corner"), [(-90, 90, "top-right"), (90, 270, "bottom-left")]
)
def test_portrait_phone_video_comes_out_upright(
    engine: PyAvMediaEngine, tmp_path: Path, fmt: str, stored: int, clockwise: int, corner: str
) -> None:
    # Coded landscape with a red top-left marker; the display matrix turns it a quarter turn,
    # as phones store portrait video, so the marker must end up in the turned corner. WebP
    # turns the YUV planes themselves (GIF turns RGB): both directions, both paths.
    phone = make_clip(tmp_path / "phone.mp4", rotation=stored, marker=True, seconds=1)
    assert engine.probe(phone.path).rotation == clockwise
    template = {**config(fmt, Seek="0", Duration="0.3"), "Video": {"Height": "160"}}
    _, animation = render(engine, phone.path, tmp_path / f"out.{fmt}", template)
    assert animation.size == (120, 160)
    first = animation.frames[0].astype(int)
    corners = {
        "top-left": first[5:20, 5:20],
        "top-right": first[5:20, -20:-5],
        "bottom-left": first[-20:-5, 5:20],
        "bottom-right": first[-20:-5, -20:-5],
    }
    for name, patch in corners.items():
        red = patch.mean(axis=(0, 1))
        is_marker = red[0] > 190 and red[1] < 70 and red[2] < 70
        assert is_marker == (name == corner), (name, red)
    upright = np.rot90(np.asarray(source_frame(0, 320, 240)), k=-clockwise // 90)
    picture = np.asarray(Image.fromarray(upright).resize((120, 160), Image.Resampling.LANCZOS))
    middle = (slice(40, 120), slice(30, 90))  # away from the marker
    assert_looks_like(first[middle], picture[middle])


def test_non_square_pixels_keep_the_display_aspect(engine: PyAvMediaEngine, tmp_path: Path) -> None:
    anamorphic = make_clip(tmp_path / "sar.mp4", sar=Fraction(2, 1), seconds=1)
    assert engine.probe(anamorphic.path).display_size == (640, 240)
    template = {**config("gif", Seek="0", Duration="0.2"), "Video": {"Width": "320"}}
    _, animation = render(engine, anamorphic.path, tmp_path / "out.gif", template)
    assert animation.size == (320, 120)
    assert frame_index(animation.frames[0]) == 0
    assert np.asarray(animation.frames[0]).shape == (120, 320, 3)


def test_a_video_of_unknown_length_renders_to_its_end(
    engine: PyAvMediaEngine, tmp_path: Path
) -> None:
    # A raw H.264 stream carries no duration: a clip without Duration once asked for an
    # 86,400 s window and was refused as too long.
    raw = make_clip(tmp_path / "raw.h264", seconds=1.5)
    info = engine.probe(raw.path)
    assert info.duration is None and info.fps == 30  # FFmpeg's default average would say 25
    _, animation = render(engine, raw.path, tmp_path / "out.gif", config("gif", Seek="0.5"))
    assert [frame_index(f) for f in animation.frames] == [15 + 3 * k for k in range(10)]


def test_an_animated_webp_source_is_refused_for_what_it_is(
    engine: PyAvMediaEngine, tmp_path: Path
) -> None:
    frames = [Image.new("RGB", (64, 48), (40 * k, 0, 0)) for k in range(4)]
    source = tmp_path / "sticker.webp"
    frames[0].save(source, save_all=True, append_images=frames[1:], duration=100, loop=0)
    with pytest.raises(UnreadableMedia, match="Animated WebP is not accepted"):
        engine.probe(source)
