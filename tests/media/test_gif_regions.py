"""GIF frames are mapped only where the source moved, and "moved" is judged by local texture."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from dynimg.adapters.media.dither import (
    MOVED,
    SLACK,
    STILL,
    FrameAnalyzer,
    Quantizer,
    Stabiliser,
    _put,
)
from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.domain.templates import Dither
from tests.media.conftest import render
from tests.support.pictures import assert_looks_like

WIDTH, HEIGHT = 160, 120
WHOLE_FRAME = 1 << 30
"""Working memory enough for the stabiliser to decide a whole frame at once."""
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


def _distance(colours: np.ndarray, frame: np.ndarray) -> np.ndarray:
    return np.linalg.norm(colours.astype(float) - frame.astype(float), axis=-1)


def test_a_pixel_keeps_its_colour_only_while_it_is_as_close_as_the_new_one() -> None:
    """Where the source moved, the previous colour stays only if it is no further from the new
    source pixel than the colour mapped now (give or take SLACK); where it did not, it stays."""
    rng = np.random.default_rng(2)
    palette = PALETTE.astype(np.uint8)
    quantizer = Quantizer(palette, Dither.NONE)
    stabilise = Stabiliser((HEIGHT, WIDTH), palette, Dither.NONE, WHOLE_FRAME)
    first = _picture(rng)
    # The second frame: the first plus noise of a few levels, as grain or compression gives.
    second = np.clip(first + rng.integers(-40, 41, first.shape), 0, 255).astype(np.uint8)
    everywhere = np.full((HEIGHT, WIDTH), MOVED, dtype=np.uint8)
    shown = stabilise(quantizer.map(first, everywhere), everywhere, first).copy()
    plane = everywhere.copy()
    plane[15, 35] = 0  # it did not move: it keeps its index whatever the source says
    after = stabilise(quantizer.map(second, plane), plane, second)
    fresh = quantizer.map(second, everywhere)
    assert fresh is not None
    kept, moved = after == shown, plane == MOVED
    assert after[15, 35] == shown[15, 35]
    error_after = _distance(palette[after], second)
    error_fresh = _distance(palette[fresh[1]], second)
    assert (error_after[moved] <= error_fresh[moved] + SLACK + 1e-6).all(), "never a worse colour"
    redrawn = moved & ~kept
    assert np.array_equal(after[redrawn], fresh[1][redrawn])
    assert 0.2 < kept[moved].mean() < 0.9, "some colours stay (as close), others are redrawn"
    assert stabilise(None, np.zeros_like(plane), second) is after, "a still frame repeats"


@pytest.mark.parametrize("share", [0.0, 0.05, 0.5, 0.97, 1.0])
def test_indices_put_where_a_mask_says_as_a_masked_copy_puts_them(share: float) -> None:
    """The branch-free masked copy the mapping and the temporal rule use, into a part of a
    larger plane (a view with gaps between its rows, as a frame's changed rectangle is)."""
    rng = np.random.default_rng(int(share * 100))
    plane = rng.integers(0, 256, (HEIGHT, WIDTH), dtype=np.uint8)
    values = rng.integers(0, 256, (50, 70), dtype=np.uint8)
    mask = rng.random(values.shape) < share
    expected = plane.copy()
    np.copyto(expected[10:60, 20:90], values, where=mask)
    _put(plane[10:60, 20:90], values, mask)
    assert np.array_equal(plane, expected)


@pytest.mark.parametrize("dither", list(Dither))
def test_deciding_in_strips_of_rows_gives_the_whole_frames_indices(dither: Dither) -> None:
    """The stabiliser's working memory is bounded by deciding a few rows at a time; its blocks
    (and so its choices) stay those of the whole frame, even in a rectangle of odd height."""
    rng = np.random.default_rng(4)
    palette = PALETTE.astype(np.uint8)
    quantizer = Quantizer(palette, dither)
    plane = FrameAnalyzer(dither)(_picture(rng))
    plane[:3] &= 0xFF ^ MOVED  # nothing moved in the top 3 and bottom 2 rows: a box of 115
    plane[-2:] &= 0xFF ^ MOVED
    frames = [_picture(rng) for _ in range(3)]
    results = []
    for memory in (WHOLE_FRAME, 1):  # 1 byte: strips of 4 rows, the least
        stabilise = Stabiliser((HEIGHT, WIDTH), palette, dither, memory)
        results.append([stabilise(quantizer.map(f, plane), plane, f).copy() for f in frames])
    for whole, strips in zip(*results, strict=True):
        assert np.array_equal(whole, strips)
    assert not np.array_equal(results[0][1], results[0][2]), "frames decided, not all kept"


def test_only_changes_above_still_call_for_a_new_decision() -> None:
    rng = np.random.default_rng(3)
    frame = rng.integers(40, 200, (HEIGHT, WIDTH, 3)).astype(np.uint8)
    analyze = FrameAnalyzer(Dither.FLOYD_STEINBERG)
    assert (analyze(frame) & MOVED == MOVED).all(), "the first frame is drawn everywhere"
    assert (analyze(frame + STILL) & MOVED == 0).all(), "a change of STILL levels is none"
    assert (analyze(frame + STILL + 1) & MOVED == MOVED).all(), "a larger change is decided"
    again = analyze(frame + STILL + 1 + STILL)
    assert (again & MOVED == 0).all(), "measured from the values the last decision saw"


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
        assert_looks_like(shown, wanted, min_ssim=0.95)
        square = shown[72:84, 10 + 6 * i : 22 + 6 * i].astype(int)
        assert np.abs(square - (220, 40, 40)).mean() < 24, f"the square is at its place in {i}"
        panel = shown[92:114, 102:154].reshape(-1, 3).mean(axis=0)
        assert np.abs(panel - wanted[100, 120]).max() < 2.5, f"the fade is followed in {i}"
