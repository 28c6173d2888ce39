"""The GIF palette uses its entries: a clip of few hues (a sky, a gradient, a dark scene) gets
as many colours as it has, not one per 16-level cube of Pillow's octree seed."""

from __future__ import annotations

import numpy as np
import pytest

from dynimg.adapters.media.palette import PaletteBuilder


def _palette(frame: np.ndarray, colors: int = 256) -> np.ndarray:
    builder = PaletteBuilder(
        colors, expected_frames=1, frame_pixels=frame.shape[0] * frame.shape[1]
    )
    builder.add(frame)
    return builder.build()


def _sky(height: int = 120, width: int = 320) -> np.ndarray:
    """A smooth two-way gradient of blues: thousands of colours in a few octree cubes."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    red = 70 + 40 * x / width + 10 * y / height
    green = 120 + 60 * y / height
    blue = 200 + 40 * x / width
    return np.rint(np.stack([red, green, blue], axis=2)).astype(np.uint8)


@pytest.mark.timeout(60)
def test_a_gradient_of_few_hues_gets_every_entry_and_a_fine_fit() -> None:
    sky = _sky()
    palette = _palette(sky)

    assert len(palette) == 256
    pixels = sky.reshape(-1, 1, 3).astype(np.int32)
    distance = np.abs(pixels - palette[None].astype(np.int32)).max(axis=2).min(axis=1)
    # A quarter of the colours by area would need to be 8 levels off with the octree alone.
    assert distance.max() <= 4
    assert np.mean(distance) <= 1.5


@pytest.mark.timeout(60)
def test_fewer_colours_than_entries_are_kept_exactly() -> None:
    greys = np.arange(100, 140, dtype=np.uint8)  # 40 greys, all in three octree cubes
    shares = np.repeat(greys, 8)
    shares = np.concatenate([shares, np.full(160, 100, np.uint8)])  # one covers more (flat)
    frame = np.repeat(shares[None, :, None], 3, axis=2).repeat(16, axis=0)

    palette = _palette(frame)

    assert {(g, g, g) for g in greys.tolist()} <= {tuple(c) for c in palette.tolist()}
