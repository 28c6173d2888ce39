"""``Crop=auto``: find the black (or flat) bars a film was letterboxed or pillarboxed with.

A few keyframes spread over the clip are decoded (keyframes only: no GOP is decoded through)
and looked at in full-resolution luma. A row (or column) is a bar when, in every sample, its
pixels are flat (standard deviation at most ``FLAT``) and its mean is the same in every sample
(within ``STEADY`` levels): encoders code bars as exactly flat, while a dark scene has noise
and texture and changes between samples. The bar runs from the edge over the lines of its
colour; the picture kept is at least half of each side, else nothing is cut.
"""

from __future__ import annotations

import contextlib
from fractions import Fraction
from pathlib import Path

import av
import av.error
import av.video.frame
import numpy as np
import numpy.typing as npt

from dynimg.adapters.media.colour import settle_matrix
from dynimg.adapters.media.probe import decoding_stream, open_input, stream_origin
from dynimg.domain.clip import ClipWindow
from dynimg.domain.geometry import Box
from dynimg.domain.limits import MediaLimits

SAMPLES = 6
FLAT = 1.5
"""Luma standard deviation of a bar line: flat to within compression noise."""
STEADY = 2.0
"""How far a bar line's mean may move between samples, in luma levels."""
EDGE_NEAR = 4.0
EDGE_FLAT = 3.0
"""Lines after the edge line belong to the bar while within ``EDGE_NEAR`` levels of its mean and
at most ``EDGE_FLAT`` in spread, in every sample."""
MARGIN = 2
"""Lines cut past a bar: the encoder smears the line or two where the picture begins (seen:
a keyframe's first picture line half dark)."""
MIN_KEPT = Fraction(1, 2)

Lines = npt.NDArray[np.float64]


def find_bars(path: Path, window: ClipWindow, limits: MediaLimits) -> Box | None:
    """The picture inside the bars (coded pixels, even sides and offsets), or None when the
    clip has no bars (or nothing could be sampled)."""
    lumas = _samples(path, window, limits)
    if not lumas:
        return None
    height, width = lumas[0].shape
    top, bottom = _bars([luma for luma in lumas if luma.shape == (height, width)])
    left, right = _bars([luma.T for luma in lumas if luma.shape == (height, width)])
    top, left = top + top % 2, left + left % 2
    kept_h = (height - top - bottom) // 2 * 2
    kept_w = (width - left - right) // 2 * 2
    if kept_h < height * MIN_KEPT or kept_w < width * MIN_KEPT:
        return None
    if (kept_w, kept_h) == (width // 2 * 2, height // 2 * 2):
        return None
    return Box(left, top, kept_w, kept_h)


def _bars(lumas: list[npt.NDArray[np.uint8]]) -> tuple[int, int]:
    """How many lines from the first and from the last edge are bars in every sample."""
    means = np.stack([luma.mean(axis=1) for luma in lumas])
    spreads = np.stack([luma.std(axis=1) for luma in lumas])
    runs = _run(means, spreads), _run(means[:, ::-1], spreads[:, ::-1])
    return tuple(run + MARGIN if run else 0 for run in runs)  # type: ignore[return-value]


def _run(means: Lines, spreads: Lines) -> int:
    """How many lines from the start are bar: the edge line is flat and steady, and the
    lines after it stay near its colour and nearly flat (the encoder smears the line or two
    where the picture begins)."""
    if spreads[:, 0].max() > FLAT or np.ptp(means[:, 0]) > STEADY:
        return 0
    near = np.abs(means - means[:, :1]) <= EDGE_NEAR
    bar = np.all(near & (spreads <= EDGE_FLAT), axis=0)
    misses = np.flatnonzero(~bar)
    return int(misses[0]) if misses.size else bar.size


def _samples(path: Path, window: ClipWindow, limits: MediaLimits) -> list[npt.NDArray[np.uint8]]:
    """Full-resolution luma of the keyframe at or after each of ``SAMPLES`` times."""
    container = open_input(path, limits)
    with container:
        stream = decoding_stream(container, limits)
        stream.codec_context.skip_frame = "NONKEY"
        base = Fraction(stream.time_base or Fraction(1, 90000))
        origin = stream_origin(stream)
        step = window.length / SAMPLES
        lumas: list[npt.NDArray[np.uint8]] = []
        for k in range(SAMPLES):
            at = origin + window.start + step * k
            with contextlib.suppress(av.error.FFmpegError):
                container.seek(int(at / base), stream=stream, backward=False)
            if (frame := _next_frame(container, stream)) is not None:
                lumas.append(_luma(frame))
        return lumas


def _next_frame(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream
) -> av.video.frame.VideoFrame | None:
    with contextlib.suppress(av.error.FFmpegError, StopIteration):
        for packet in container.demux(stream):
            if frames := packet.decode():
                return frames[0]
    return None


def _luma(frame: av.video.frame.VideoFrame) -> npt.NDArray[np.uint8]:
    grey = settle_matrix(frame).reformat(format="gray", threads=1)
    return np.asarray(grey.to_ndarray(), dtype=np.uint8)
