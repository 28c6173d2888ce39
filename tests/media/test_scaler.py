"""Scaling YUV sources to RGB: fast, and the same pixels as swscale's exact one-step path."""

from __future__ import annotations

import av
import numpy as np
import pytest
from av.video.reformatter import Interpolation, VideoReformatter

from dynimg.adapters.media.scaler import EXACT, Scaler


def textured(pix_fmt: str) -> av.VideoFrame:
    """A 320x240 picture with smooth gradients, saturated colour edges and fine detail."""
    y, x = np.mgrid[0:240, 0:320]
    rgb = np.stack([x * 0.8, y, 255 - x * 0.6], axis=-1)
    rgb[60:180, 101:219] = (230, 30, 40)  # sharp chroma edges at odd columns
    rgb[::7, ::3] = (20, 200, 20)  # detail finer than the chroma grid
    frame = av.VideoFrame.from_ndarray(np.clip(rgb, 0, 255).astype(np.uint8), format="rgb24")
    return frame.reformat(format=pix_fmt, interpolation=Interpolation.LANCZOS | EXACT)


@pytest.mark.parametrize("pix_fmt", ["yuv420p", "yuvj420p", "yuv420p10le", "nv12"])
def test_scaled_rgb_matches_the_exact_one_step_conversion(pix_fmt: str) -> None:
    source = textured(pix_fmt)
    expected = VideoReformatter().reformat(
        source, width=160, height=120, format="rgb24",
        interpolation=Interpolation.LANCZOS | EXACT, threads=1,
    ).to_ndarray().astype(int)  # fmt: skip
    scaler = Scaler()
    for _ in range(2):  # the kept contexts give the same result again
        shown = scaler(
            source, width=160, height=120, format="rgb24", interpolation="LANCZOS"
        ).to_ndarray()
        assert shown.shape == (120, 160, 3)
        difference = np.abs(shown.astype(int) - expected)
        assert difference.max() <= 1 and difference.mean() < 0.05, (
            difference.max(),
            difference.mean(),
        )
