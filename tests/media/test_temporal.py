"""The temporal pass must not leave ghosts: against an encode that reuses nothing from frame to
frame, on footage where fixed thresholds fail (text scrolling out of flat bars, low-light noise).

Each output frame (expanded by its delay to the 10 fps slots) is compared with the source frame
it shows, decoded by PyAV and scaled here; PSNR and SSIM are computed by the test itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from dynimg.adapters.media import dither, webp_frames
from dynimg.adapters.media.engine import PyAvMediaEngine
from dynimg.domain.templates import Dither
from tests.media.conftest import render
from tests.media.footage import bars_region, drifting_sky, low_light, scrolling_text
from tests.support.media import Animation, ssim_half

WIDTH, FPS = 320, 10


@pytest.fixture(scope="module")
def scrolling(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scrolling_text(tmp_path_factory.mktemp("temporal") / "scroll.mp4", crf=30, ink=160)


@pytest.fixture(scope="module")
def dark(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return low_light(tmp_path_factory.mktemp("temporal") / "dark.mp4")


@pytest.fixture(scope="module")
def sky(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return drifting_sky(tmp_path_factory.mktemp("temporal") / "sky.mp4")


@pytest.fixture
def no_reuse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pixel and every block that changed at all decided afresh: the reference without
    ghosts."""
    monkeypatch.setattr(dither, "STILL", -1)
    monkeypatch.setattr(dither.Stabiliser, "_redrawn", lambda self, p, *_: np.ones(p.shape, bool))
    monkeypatch.setattr(webp_frames, "keep_rule", lambda _: webp_frames.KeepRule(0.0, 0.0, 0))


def _slots(animation: Animation) -> list[np.ndarray]:
    """The frame shown in each 1/FPS slot (a frame that lasts two slots counts twice)."""
    shown = []
    for frame, delay in zip(animation.frames, animation.delays_ms, strict=True):
        shown += [frame] * max(1, round(delay * FPS / 1000))
    return shown


def _sources(path: Path, count: int, size: tuple[int, int]) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate or 1)
        decoded = list(container.decode(stream))
    picks = [decoded[min(round(k * rate / FPS), len(decoded) - 1)] for k in range(count)]
    return [
        f.reformat(width=size[0], height=size[1], format="rgb24", interpolation="LANCZOS")
        .to_ndarray()
        .astype(np.uint8)
        for f in picks
    ]


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 10 * np.log10(255**2 / max(mse, 1e-9))


def _encode(
    engine: PyAvMediaEngine, source: Path, out: Path, fmt: str, seconds: float
) -> tuple[list[np.ndarray], list[np.ndarray], int]:
    template: dict[str, Any] = {
        "Container": {"Format": fmt},
        "Video": {"Width": str(WIDTH), "Fps": str(FPS)},
        "Clip": {"TimeSpan": {"Seek": "0", "Duration": str(seconds)}},
    }
    _, animation = render(engine, source, out, template)
    shown = _slots(animation)
    return shown, _sources(source, len(shown), animation.size), out.stat().st_size


@pytest.mark.timeout(240)
@pytest.mark.parametrize("fmt", ["gif", "webp"])
def test_no_ghost_where_text_scrolled_out_of_flat_bars(
    engine: PyAvMediaEngine,
    scrolling: Path,
    tmp_path: Path,
    fmt: str,
    request: pytest.FixtureRequest,
) -> None:
    shown, sources, _ = _encode(engine, scrolling, tmp_path / f"reuse.{fmt}", fmt, 4)
    request.getfixturevalue("no_reuse")
    fresh, _, _ = _encode(engine, scrolling, tmp_path / f"fresh.{fmt}", fmt, 4)
    bars = bars_region(shown[0].shape[0], 320)
    for k, (ours, reference, source) in enumerate(zip(shown, fresh, sources, strict=True)):
        ours_db, fresh_db = _psnr(ours[bars], source[bars]), _psnr(reference[bars], source[bars])
        assert ours_db > fresh_db - 0.15, f"frame {k}: {ours_db:.2f} dB against {fresh_db:.2f}"


@pytest.mark.timeout(240)
@pytest.mark.parametrize("fmt", ["gif", "webp"])
def test_low_light_noise_is_not_frozen_into_the_picture(
    engine: PyAvMediaEngine,
    dark: Path,
    tmp_path: Path,
    fmt: str,
    request: pytest.FixtureRequest,
) -> None:
    shown, sources, size = _encode(engine, dark, tmp_path / f"reuse.{fmt}", fmt, 2)
    request.getfixturevalue("no_reuse")
    fresh, _, fresh_size = _encode(engine, dark, tmp_path / f"fresh.{fmt}", fmt, 2)
    ours = _psnr(np.stack(shown), np.stack(sources))
    reference = _psnr(np.stack(fresh), np.stack(sources))
    assert ours > reference - 0.8, (ours, reference)
    ours_ssim = np.mean([ssim_half(a, b) for a, b in zip(shown, sources, strict=True)])
    fresh_ssim = np.mean([ssim_half(a, b) for a, b in zip(fresh, sources, strict=True)])
    assert ours_ssim > fresh_ssim - 0.006, (ours_ssim, fresh_ssim)
    assert size <= fresh_size, "reuse still pays"


@pytest.mark.timeout(240)
def test_kept_patterns_follow_a_drifting_gradient(
    engine: PyAvMediaEngine, sky: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # Judged pixel by pixel and by 4x4 means, or left alone while each step of the drift
    # stayed within the still threshold, kept patterns fell 0.01 SSIM-half behind.
    shown, sources, size = _encode(engine, sky, tmp_path / "reuse.gif", "gif", 2)
    request.getfixturevalue("no_reuse")
    fresh, _, fresh_size = _encode(engine, sky, tmp_path / "fresh.gif", "gif", 2)
    for k, (ours, reference, source) in enumerate(zip(shown, fresh, sources, strict=True)):
        ours_ssim, fresh_ssim = ssim_half(ours, source), ssim_half(reference, source)
        assert ours_ssim > fresh_ssim - 0.004, (
            f"frame {k}: {ours_ssim:.4f} against {fresh_ssim:.4f}"
        )
    assert size <= fresh_size, "reuse still pays"


def _float_rule(
    palette: np.ndarray, previous: np.ndarray, indices: np.ndarray, source: np.ndarray,
    plane: np.ndarray, mode: Dither,
) -> np.ndarray:  # fmt: skip
    """The rule as docs/media.md states it, in float32 RGB (the engine's first version): where
    the new colour replaces the previous one. The engine's integer arithmetic must decide
    exactly as this does."""
    colours = np.zeros((256, 3), np.float32)
    colours[: len(palette)] = palette
    wanted = source.astype(np.float32)
    old, new = colours[previous], colours[indices]
    old_error = np.linalg.norm(old - wanted, axis=2)
    new_error = np.linalg.norm(new - wanted, axis=2)
    moved = plane >= dither.MOVED
    redraw = moved & (old_error > new_error + dither.SLACK)
    if mode is Dither.NONE:
        return redraw

    def block_error(values: np.ndarray, side: int = 2) -> np.ndarray:
        """Per pixel, the length of its 2x2 block's mean error (edges repeated)."""
        height, width = values.shape[:2]
        pad = ((0, -height % side), (0, -width % side), (0, 0))
        padded = np.pad(values, pad, mode="edge")
        blocks = padded.reshape(padded.shape[0] // side, side, padded.shape[1] // side, side, 3)
        norms = np.linalg.norm(blocks.mean(axis=(1, 3)), axis=2)
        return np.repeat(np.repeat(norms, side, axis=0), side, axis=1)[:height, :width]

    # The result, kept and new colours, judged per block against the new pattern: where its
    # mean is further off, every pixel of the block in a pattern (not busy) is redrawn.
    shown = colours[np.where(redraw, indices, previous)]
    stale = block_error(shown - wanted) > block_error(new - wanted) + dither.SLACK
    return redraw | (stale & ((plane & dither.BUSY) == 0))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("mode", list(Dither))
@pytest.mark.parametrize("shape", [(3, 3), (37, 53), (120, 160)])
@pytest.mark.parametrize("step", [1, 4])
def test_the_temporal_rule_decides_as_its_float_statement(
    mode: Dither, shape: tuple[int, int], step: int
) -> None:
    # Few, close colours and small errors: the lengths compared are often exactly a level
    # apart, where float and integer arithmetic could part (and a wrong tie would show);
    # colours 4 levels apart give still pixels whose pattern went stale.
    rng = np.random.default_rng(sum(shape))
    palette = (100 + step * rng.integers(0, 3, (8, 3))).astype(np.uint8)
    previous = rng.integers(0, 8, shape).astype(np.uint8)
    indices = previous.copy()
    changed = rng.random(shape) < 0.6
    indices[changed] = rng.integers(0, 8, int(changed.sum()))
    noise = rng.integers(-2, 3, (*shape, 3))
    source = np.clip(palette[indices].astype(int) + noise, 0, 255).astype(np.uint8)
    busy = (rng.random(shape) < 0.5).astype(np.uint8)
    plane = busy | np.where(rng.random(shape) < 0.7, dither.MOVED, 0).astype(np.uint8)
    # A strip of 8 rows at a time (whole blocks), as a small memory share makes it.
    stabiliser = dither.Stabiliser(shape, palette, mode, 8 * shape[1] * dither.KEEP_BYTES_PER_PIXEL)
    redraw = stabiliser._redrawn(previous, indices, source, plane)
    expected = _float_rule(palette, previous, indices, source, plane, mode)
    assert np.array_equal(redraw, expected)
    assert redraw.size < 100 or 0 < redraw.mean() < 1, "both decisions occur"
    if mode is Dither.FLOYD_STEINBERG and step > 1 and redraw.size > 100:
        assert (redraw & (plane < dither.MOVED)).any(), "a still pixel is redrawn"
