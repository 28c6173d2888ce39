"""The tests' picture judge refuses what SSIM-half > 0.9 alone let through."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageFilter

from tests.support.media import scaled, source_frame, ssim_half
from tests.support.pictures import assert_looks_like


def as_gif(rgb: np.ndarray) -> np.ndarray:
    """Through a 256-colour dithered palette, as a GIF writer would."""
    picture = Image.fromarray(rgb).quantize(256, dither=Image.Dither.FLOYDSTEINBERG)
    return np.asarray(picture.convert("RGB"))


def blurred(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb).filter(ImageFilter.GaussianBlur(1)))


def quarter_resolution(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    return scaled(scaled(rgb, (w // 4, h // 4)), (w, h))


def shifted(rgb: np.ndarray) -> np.ndarray:
    return np.roll(rgb, 4, axis=1)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("index", [15, 42])
def test_the_right_picture_passes(index: int) -> None:
    expected = scaled(source_frame(index), (160, 120))
    assert_looks_like(as_gif(expected), expected)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("index", [15, 42])
@pytest.mark.parametrize("damage", [blurred, quarter_resolution, shifted])
def test_blur_resolution_loss_and_shift_fail(
    index: int, damage: Callable[[np.ndarray], np.ndarray]
) -> None:
    expected = scaled(source_frame(index), (160, 120))
    ours = as_gif(damage(expected))
    if index == 15:  # the case SSIM alone did not catch
        assert ssim_half(ours, expected) > 0.9
    with pytest.raises(AssertionError):
        assert_looks_like(ours, expected)
