"""Mapping RGB frames onto a palette: error diffusion, ordered, or none.

The default is *adaptive* error diffusion: Floyd-Steinberg where the picture is smooth (skies,
gradients: where banding would show) and the plain nearest colour where it is busy (texture
hides banding, and dither noise there only costs bytes). A temporal pass then keeps a pixel's
previous index while its source colour has not really changed, so static areas stop shimmering
and the GIF encoder can leave them transparent.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image

from dynimg.adapters.media.frame_store import Frame
from dynimg.adapters.media.palette import Palette
from dynimg.domain.templates import Dither

Indices = npt.NDArray[np.uint8]
BUSY_THRESHOLD = 14.0
"""Mean absolute luma gradient (0-255 scale) above which a neighbourhood counts as busy."""
STILL_THRESHOLD = 6
"""Largest per-channel change of a source pixel that still counts as "unchanged"."""
_BAYER_8 = np.array(
    [
        [0, 32, 8, 40, 2, 34, 10, 42],
        [48, 16, 56, 24, 50, 18, 58, 26],
        [12, 44, 4, 36, 14, 46, 6, 38],
        [60, 28, 52, 20, 62, 30, 54, 22],
        [3, 35, 11, 43, 1, 33, 9, 41],
        [51, 19, 59, 27, 49, 17, 57, 25],
        [15, 47, 7, 39, 13, 45, 5, 37],
        [63, 31, 55, 23, 61, 29, 53, 21],
    ],
    dtype=np.float32,
)


class Quantizer:
    """Turns RGB frames into palette indices, frame after frame."""

    def __init__(self, palette: Palette, dither: Dither) -> None:
        self._dither = dither
        self._palette_image = Image.new("P", (1, 1))
        padded = np.zeros((256, 3), dtype=np.uint8)
        padded[: len(palette)] = palette
        padded[len(palette) :] = palette[0]
        self._palette_image.putpalette(padded.tobytes())
        self._colors = len(palette)
        self._previous: Indices | None = None
        self._reference: Frame | None = None

    def __call__(self, frame: Frame) -> Indices:
        indices = self._map(frame)
        return self._stabilise(frame, indices)

    def _map(self, frame: Frame) -> Indices:
        if self._dither is Dither.NONE:
            return self._remap(frame, Image.Dither.NONE)
        if self._dither is Dither.BAYER:
            return self._remap(_ordered(frame), Image.Dither.NONE)
        diffused = self._remap(frame, Image.Dither.FLOYDSTEINBERG)
        plain = self._remap(frame, Image.Dither.NONE)
        return np.where(busy_mask(frame), plain, diffused)

    def _remap(self, frame: Frame, dither: Image.Dither) -> Indices:
        image = Image.fromarray(frame).quantize(palette=self._palette_image, dither=dither)
        indices = np.asarray(image)
        if self._colors < 256:
            # Padding entries repeat colour 0; fold them back so they stay unused.
            indices = np.where(indices >= self._colors, 0, indices).astype(np.uint8)
        return indices

    def _stabilise(self, frame: Frame, indices: Indices) -> Indices:
        if self._previous is None or self._reference is None:
            self._previous, self._reference = indices, frame.copy()
            return indices
        change = np.abs(frame.astype(np.int16) - self._reference).max(axis=2)
        moved = change > STILL_THRESHOLD
        stable = np.where(moved, indices, self._previous).astype(np.uint8)
        self._reference[moved] = frame[moved]
        self._previous = stable
        return stable


def busy_mask(frame: Frame) -> npt.NDArray[np.bool_]:
    """Where the picture is busy: mean luma gradient over a 5x5 neighbourhood above a threshold."""
    weights = np.array([0.299, 0.587, 0.114], dtype=np.float32)
    luma = (frame.astype(np.float32) @ weights).astype(np.float32)
    gradient = np.zeros_like(luma)
    gradient[:, 1:] += np.abs(np.diff(luma, axis=1))
    gradient[1:, :] += np.abs(np.diff(luma, axis=0))
    return _box_mean(gradient, 2) > BUSY_THRESHOLD


def _box_mean(values: npt.NDArray[np.float32], radius: int) -> npt.NDArray[np.float32]:
    size = 2 * radius + 1
    padded = np.pad(values, radius, mode="edge")
    integral = np.zeros((padded.shape[0] + 1, padded.shape[1] + 1), dtype=np.float64)
    integral[1:, 1:] = padded.cumsum(axis=0).cumsum(axis=1)
    total = (
        integral[size:, size:]
        - integral[:-size, size:]
        - integral[size:, :-size]
        + integral[:-size, :-size]
    )
    return (total / (size * size)).astype(np.float32)


def _ordered(frame: Frame) -> Frame:
    height, width = frame.shape[:2]
    tiles = np.tile(_BAYER_8, (height // 8 + 1, width // 8 + 1))[:height, :width]
    offset = (tiles / 64.0 - 0.5) * 24.0
    return np.clip(frame + offset[..., None], 0, 255).astype(np.uint8)
