"""GIF frames are mapped only where the source moved, and "moved" is judged by local texture."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from dynimg.adapters.media.dither import (
    MOVED,
    STILL_BUSY,
    STILL_SMOOTH,
    FrameAnalyzer,
    Quantizer,
    Stabiliser,
)
from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.domain.templates import Dither
from tests.media.conftest import render
from tests.support.media import ssim_half

WIDTH, HEIGHT = 160, 120
PALETTE = np.array([[r, g, b] for r in (0, 96, 160, 255) for g in (0, 128, 255) for b in (0, 255)])


def _picture(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)


@pytest.mark.parametrize("dither", [Dither.NONE, Dither.BAYER])
def test_only_the_changed_rectangle_is_mapped(dither: Dither) -> None:
    """Pointwise mappings give, inside the changed rectangle, exactly the whole frame's indices
    (the Bayer pattern stays anchored to the picture, not to the rectangle)."""
    frame = _picture(np.random.default_rng(1))
    quantizer = Quantizer(PALETTE.astype(np.uint8), dither)
    whole = quantizer.map(frame, np.full((HEIGHT, WIDTH), MOVED, dtype=np.uint8))
    assert whole is not None
    plane = np.zeros((HEIGHT, WIDTH), dtype=np.uint8)
    plane[37:50, 21:90] = MOVED
    plane[61, 13] = MOVED
    mapped = quantizer.map(frame, plane)
    assert mapped is not None
    box, indices = mapped
    assert box == (slice(37, 62), slice(13, 90))
    assert np.array_equal(indices, whole[1][box])
    assert quantizer.map(frame, np.zeros_like(plane)) is None, "nothing moved, nothing mapped"


def test_unchanged_pixels_keep_the_previous_indices() -> None:
    rng = np.random.default_rng(2)
    quantizer = Quantizer(PALETTE.astype(np.uint8), Dither.NONE)
    stabilise = Stabiliser((HEIGHT, WIDTH))
    first, second = _picture(rng), _picture(rng)
    everywhere = np.full((HEIGHT, WIDTH), MOVED, dtype=np.uint8)
    shown = stabilise(quantizer.map(first, everywhere), everywhere).copy()
    plane = np.zeros((HEIGHT, WIDTH), dtype=np.uint8)
    plane[10:20, 30:40] = MOVED
    plane[15, 35] = 0  # inside the rectangle, yet it did not move
    after = stabilise(quantizer.map(second, plane), plane)
    expected = shown.copy()
    fresh = quantizer.map(second, everywhere)
    assert fresh is not None
    expected[plane == MOVED] = fresh[1][plane == MOVED]
    assert np.array_equal(after, expected)
    assert stabilise(None, np.zeros_like(plane)) is after, "a still frame repeats the last one"


def test_smooth_areas_follow_smaller_changes_than_busy_ones() -> None:
    """A drift of the same few levels updates a flat area but leaves a texture frozen."""
    rng = np.random.default_rng(3)
    frame = np.full((HEIGHT, WIDTH, 3), 120, dtype=np.uint8)
    frame[:, WIDTH // 2 :] = rng.integers(40, 200, (HEIGHT, WIDTH // 2, 3))
    analyze = FrameAnalyzer(Dither.FLOYD_STEINBERG)
    analyze(frame)
    step = STILL_SMOOTH + 1
    assert step <= STILL_BUSY
    plane = analyze(frame + step)
    moved = plane & MOVED == MOVED
    assert moved[4:-4, 4 : WIDTH // 2 - 4].all(), "the flat half follows the drift"
    assert not moved[4:-4, WIDTH // 2 + 4 : -4].any(), "the texture stays frozen"
    assert (analyze(frame + step) & MOVED == 0).all(), "no change since the last drawn values"


def _screen(path: Path, frames: int) -> list[np.ndarray]:
    """A still 'desktop' with a text-like pattern, a square moving across it, and a flat panel
    fading by 5 levels a frame."""
    rng = np.random.default_rng(4)
    desktop = np.full((HEIGHT, WIDTH, 3), (236, 238, 241), dtype=np.uint8)
    desktop[10:60, 10:150] = np.where(rng.random((50, 140, 1)) < 0.3, 40, 236)
    shown = []
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10, options={"crf": "10"})
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv444p"
        for i in range(frames):
            picture = desktop.copy()
            picture[90:116, 100:156] = (60 + 5 * i, 90 + 5 * i, 140 + 5 * i)
            picture[70:86, 8 + 6 * i : 24 + 6 * i] = (220, 40, 40)
            shown.append(picture)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return shown


def test_screen_like_clip_keeps_still_parts_and_follows_motion_and_fades(
    engine: PyAvMediaEngine, tmp_path: Path
) -> None:
    source = _screen(tmp_path / "screen.mp4", 12)
    template = {
        "Container": {"Format": "gif"},
        "Video": {"Width": str(WIDTH), "Fps": "10"},
        "Clip": {"TimeSpan": {"Seek": "0", "Duration": "1.2"}},
    }
    _, animation = render(engine, tmp_path / "screen.mp4", tmp_path / "screen.gif", template)
    assert len(animation.frames) == len(source)
    text = [f[12:58, 12:148] for f in animation.frames]
    assert all(np.array_equal(text[0], t) for t in text), "still text is never redrawn"
    for i, (shown, wanted) in enumerate(zip(animation.frames, source, strict=True)):
        assert ssim_half(shown, wanted) > 0.95, f"frame {i}"
        square = shown[72:84, 10 + 6 * i : 22 + 6 * i].astype(int)
        assert np.abs(square - (220, 40, 40)).mean() < 24, f"the square is at its place in {i}"
        panel = shown[92:114, 102:154].reshape(-1, 3).mean(axis=0)
        assert np.abs(panel - wanted[100, 120]).max() < 2.5, f"the fade is followed in {i}"
