"""Judging a rendered picture against the one expected: structure, error and sharpness.

SSIM at half size alone forgives too much: a blurred frame, one rendered at a quarter of the
resolution and scaled up, or one shifted by 4 px all keep it above 0.9 on smooth test pictures.
:func:`assert_looks_like` adds two bounds computed here with numpy: the mean absolute error
(levels of 255) and the sharpness ratio, the variance of the Laplacian of the picture seen at
half size (so GIF dither noise averages out) over the expected picture's.
"""

from __future__ import annotations

import numpy as np

from tests.support.media import ssim_half

MAX_MEAN_ERROR = 6.0
MIN_SHARPNESS = 0.6


def mean_error(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two pictures of the same shape, in levels of 255."""
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean())


def sharpness(rgb: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian of the luma, seen at half size."""
    h, w = rgb.shape[0] // 2 * 2, rgb.shape[1] // 2 * 2
    luma = rgb[:h, :w].astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    half = luma.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
    laplacian = (
        half[:-2, 1:-1] + half[2:, 1:-1] + half[1:-1, :-2] + half[1:-1, 2:] - 4 * half[1:-1, 1:-1]
    )
    return float(laplacian.var())


def assert_looks_like(
    ours: np.ndarray,
    expected: np.ndarray,
    *,
    min_ssim: float = 0.9,
    max_error: float = MAX_MEAN_ERROR,
    min_sharpness: float = MIN_SHARPNESS,
) -> None:
    """``ours`` shows ``expected``: alike in structure, close in value, as sharp."""
    ours = np.ascontiguousarray(ours, dtype=np.uint8)
    expected = np.ascontiguousarray(expected, dtype=np.uint8)
    score, error = ssim_half(ours, expected), mean_error(ours, expected)
    ratio = sharpness(ours) / max(sharpness(expected), 1e-9)
    figures = f"SSIM-half {score:.3f}, mean error {error:.2f}, sharpness ratio {ratio:.2f}"
    assert score > min_ssim, figures
    assert error < max_error, figures
    assert ratio > min_sharpness, figures
