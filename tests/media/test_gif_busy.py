"""The busy mask is the mean luma gradient over 5x5 as Pillow's ``BoxBlur(2)`` rounds it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFilter

from dynimg.adapters.media.dither import BUSY_THRESHOLD, FrameAnalyzer, busy_mask
from dynimg.domain.templates import Dither


def _pillow_busy_mask(frame: np.ndarray) -> np.ndarray:
    """The statement: 8-bit |dx| + |dy| (capped at 255), Pillow's box blur, the threshold."""
    luma = np.asarray(Image.fromarray(frame).convert("L")).astype(np.int16)
    energy = np.zeros_like(luma)
    energy[:, 1:] = np.abs(np.diff(luma, axis=1))
    energy[1:] += np.abs(np.diff(luma, axis=0))
    plane = np.minimum(energy, 255).astype(np.uint8)
    blurred = np.asarray(Image.fromarray(plane).filter(ImageFilter.BoxBlur(2)))
    return blurred > BUSY_THRESHOLD


@pytest.mark.parametrize("shape", [(1, 1), (1, 6), (4, 3), (5, 5), (37, 53), (120, 160)])
@pytest.mark.parametrize("spread", [3, 8, 12, 40, 255])
def test_busy_mask_matches_pillows_box_blur(shape: tuple[int, int], spread: int) -> None:
    # Small spreads put the 5x5 mean right at the threshold, where a rounding slip shows.
    rng = np.random.default_rng(shape[0] * 1000 + shape[1] + spread)
    base = rng.integers(0, 256 - spread, size=(1, 1, 3))
    frame = (base + rng.integers(0, spread + 1, size=(*shape, 3))).astype(np.uint8)
    assert np.array_equal(busy_mask(frame), _pillow_busy_mask(frame))


def test_the_reference_frame_follows_only_moved_pixels() -> None:
    rng = np.random.default_rng(7)
    first = rng.integers(0, 240, size=(30, 40, 3), dtype=np.uint8)  # no wrap below
    second = first.copy()
    second[5:20, 10:30, 1] += 9  # moved: green changed beyond STILL
    second[25:, :, 0] += 1  # still: within STILL, the reference keeps the old value
    third = second.copy()
    third[25:, :, 0] += 2  # 3 since the reference: moved now
    analyse = FrameAnalyzer(Dither.NONE)
    analyse(first)
    analyse(second)
    plane = analyse(third)
    expected = np.zeros(first.shape[:2], dtype=bool)
    expected[25:] = True
    assert np.array_equal(plane >= 2, expected)
