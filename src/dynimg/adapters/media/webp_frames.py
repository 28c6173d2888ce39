"""Animated WebP built from independently encoded frames, each only where the picture changed.

libwebp's animation encoder (what FFmpeg's ``libwebp_anim`` wraps) turns every YUV frame into
ARGB to compare it with the previous one, then back into YUV to encode it, tries two disposal
candidates, and runs on one thread. Here the frame stays in yuv420p from the scaler to the VP8
encoder: 8x8 blocks are compared with what the viewer already has, blocks that did not change
become transparent (blended over the previous frame), the frame is cropped to the changed
blocks, and frames are encoded on a small thread pool (PyAV releases the GIL) and joined into
one RIFF file. A frame with no change at all lengthens the previous one instead.
"""

from __future__ import annotations

import math
import struct
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt

from dynimg.adapters.media.webp_container import (
    ALPHA_FLAG,
    ANIMATION_FLAG,
    NO_BLEND,
    WHITE_BACKGROUND,
    Chunk,
    chunks,
    uint24,
)
from dynimg.adapters.media.yuv import Plane, planes_of

Mask = npt.NDArray[np.bool_]
BLOCK = 8
"""Side of the blocks compared between frames (libwebp's animation encoder uses 8 as well)."""
ENCODER_THREADS = 2
METHOD = 2
"""libwebp's method (0-6). Measured on the benchmark's 640 px Big Buck Bunny case: 2 encodes in
43% of the time of 4 for about 5% more bytes at the same SSIM; 3 costs as much as 4."""


@dataclass(frozen=True)
class ChangeLimits:
    """When a block counts as changed since it was last drawn: one sample moved by more than
    ``spike``, or its samples by more than ``mean`` on average."""

    spike: int
    mean: float


def change_limits(quality: int) -> ChangeLimits:
    """The change limits at a quality.

    libwebp's animation encoder redraws a pixel that moved by more than a step of 31 at quality
    0 down to 1 at 100 (5 at 75). Per sample, that both redraws blocks for a grain speck and lets
    a fade of a few levels over a whole block pass until one sample crosses it. Here, with a
    step one smaller (4 at 75), a block is redrawn when one sample moved by more than the step
    and 4 (8 at 75), or when its samples moved by more than 5/16 of the step on average (1.25
    at 75). (Twice the step as the spike limit, the same at 75, let noise at low qualities
    through so unevenly that the size search for MaxFileSize missed its targets.) On the
    benchmark's corpus, against the per-sample step of 4: SSIM-half +0.0009 median and
    +0.0010 on the worst case, bytes -1.4%; a mean of 1.0 gave +0.0013 at -0.4%, 1.5 gave
    +0.0000 at -3.8% with the worst case 0.0004 lower (9 clips, WebP at quality 75).
    """
    root = math.sqrt(quality / 100)
    step = max(int(31 * (1 - root) + root + 0.5) - 1, 1)
    return ChangeLimits(spike=step + 4, mean=step * 5 / 16)


@dataclass(frozen=True)
class Region:
    """What one output frame encodes: a rectangle of the canvas and, if partial, its alpha."""

    x: int
    y: int
    planes: tuple[Plane, Plane, Plane]
    alpha: Plane | None
    """None: the whole rectangle is new (drawn without blending)."""

    @property
    def size(self) -> tuple[int, int]:
        return self.planes[0].shape[1], self.planes[0].shape[0]


class ChangeTracker:
    """Compares each frame with what the viewer shows, block by block, and crops it.

    The reference keeps, per block, the source samples that were last encoded there; comparing
    with it rather than with the previous frame stops a slow drift from never being drawn.
    Planes are compared in 8-bit arithmetic in buffers kept from frame to frame and padded to
    whole blocks, so that a frame allocates nothing the size of a plane (the int16 difference
    and full-size masks this replaced cost 1-1.7 ms a 640 px frame, a third of it page faults).
    """

    def __init__(self, limits: ChangeLimits) -> None:
        self._limits = limits
        self._planes: list[_PaddedPlane] | None = None

    def __call__(self, planes: list[Plane]) -> Region | None:
        """The region to encode for this frame, or None when nothing changed."""
        if self._planes is None:
            blocks = (-(-planes[0].shape[0] // BLOCK), -(-planes[0].shape[1] // BLOCK))
            sides = (BLOCK, BLOCK // 2, BLOCK // 2)
            self._planes = [_PaddedPlane(p, s, blocks) for p, s in zip(planes, sides, strict=True)]
            return Region(0, 0, (planes[0], planes[1], planes[2]), None)
        changed = self._planes[0].changed(planes[0], self._limits)
        for padded, plane in zip(self._planes[1:], planes[1:], strict=True):
            changed |= padded.changed(plane, self._limits)
        if not changed.any():
            return None
        for padded in self._planes:
            padded.keep(changed)
        rows, cols = np.nonzero(changed.any(axis=1))[0], np.nonzero(changed.any(axis=0))[0]
        return _region(planes, changed, (rows[0], rows[-1] + 1, cols[0], cols[-1] + 1))


class _PaddedPlane:
    """One plane's reference samples, the frame being compared and a scratch difference, all
    padded to whole blocks (the padding is zero in both, so it never counts as changed)."""

    def __init__(self, plane: Plane, side: int, blocks: tuple[int, int]) -> None:
        shape = (blocks[0] * side, blocks[1] * side)
        self._side, self._shape = side, plane.shape
        self._reference = np.zeros(shape, dtype=np.uint8)
        self._reference[: plane.shape[0], : plane.shape[1]] = plane
        self._current = np.zeros(shape, dtype=np.uint8)
        self._scratch = np.empty(shape, dtype=np.uint8)
        self._low = np.empty(shape, dtype=np.uint8)
        self._far = np.zeros(shape, dtype=np.bool_)
        # Bytes of a block row read as one unsigned integer: nonzero when any byte is.
        self._word = np.dtype(f"u{side}")
        # Samples of the picture in each block: fewer in the partial last row and column, whose
        # mean change is over those only.
        inside = np.zeros(shape, dtype=np.uint16)
        inside[: plane.shape[0], : plane.shape[1]] = 1
        self._samples = inside.reshape(blocks[0], side, blocks[1], side).sum(axis=(1, 3))

    def changed(self, plane: Plane, limits: ChangeLimits) -> Mask:
        """Per block, whether it changed beyond ``limits`` since it was last drawn."""
        height, width = self._shape
        self._current[:height, :width] = plane
        current, reference, scratch = self._current, self._reference, self._scratch
        # |a - b| as max - min: 8-bit arithmetic, no widening to int16.
        np.maximum(current, reference, out=scratch)
        np.subtract(scratch, np.minimum(current, reference, out=self._low), out=scratch)
        np.greater(scratch, limits.spike, out=self._far)
        words = self._far.view(self._word).reshape(-1, self._side, self._far.shape[1] // self._side)
        spikes = np.bitwise_or.reduce(words, axis=1) != 0
        # Summed per block in 16 bits (at most 64 x 255).
        rows = scratch.reshape(-1, self._side, scratch.shape[1]).sum(axis=1, dtype=np.uint16)
        sums = rows.reshape(rows.shape[0], -1, self._side).sum(axis=2, dtype=np.uint16)
        return np.asarray(spikes | (sums > limits.mean * self._samples), dtype=np.bool_)

    def keep(self, changed: Mask) -> None:
        """Take the compared frame's samples into the reference where a block changed."""
        # Block rows as words again: a masked copy per word is 8x fewer masked steps.
        shape = (changed.shape[0], self._side, changed.shape[1])
        np.copyto(
            self._reference.view(self._word).reshape(shape),
            self._current.view(self._word).reshape(shape),
            where=changed[:, None, :],
        )


def _region(planes: list[Plane], changed: Mask, box: tuple[int, int, int, int]) -> Region:
    """The changed blocks' bounding rectangle of the frame, and its alpha when not all of it
    changed."""
    top, bottom, left, right = (int(v) * BLOCK for v in box)
    y0, x0 = top // 2, left // 2
    luma = planes[0][top:bottom, left:right]
    height, width = luma.shape
    chroma = (slice(y0, y0 + -(-height // 2)), slice(x0, x0 + -(-width // 2)))
    crop = (luma, planes[1][chroma], planes[2][chroma])
    inside = changed[box[0] : box[1], box[2] : box[3]]
    if inside.all():
        return Region(left, top, crop, None)
    alpha = np.repeat(np.repeat(inside.astype(np.uint8) * 255, BLOCK, axis=0), BLOCK, axis=1)
    return Region(left, top, crop, alpha[:height, :width])


def encode_region(region: Region, quality: int) -> list[Chunk]:
    """The frame-data chunks (ALPH and VP8) of one region, from libwebp via PyAV."""
    width, height = region.size
    pixel_format = "yuv420p" if region.alpha is None else "yuva420p"
    frame = av.VideoFrame(width, height, pixel_format)
    sources = [*region.planes, *([] if region.alpha is None else [region.alpha])]
    for target, source in zip(planes_of(frame), sources, strict=True):
        target[:] = source
    context = av.CodecContext.create("libwebp", "w")
    context.width, context.height, context.pix_fmt = width, height, pixel_format
    context.time_base = Fraction(1, 1000)
    context.options = {"quality": str(quality), "compression_level": str(METHOD)}
    data = b"".join(bytes(p) for p in [*context.encode(frame), *context.encode(None)])
    return [c for c in chunks(data) if c.fourcc in (b"ALPH", b"VP8 ", b"VP8L")]


@dataclass
class _Encoded:
    """Where a frame goes on the canvas and its data, without its pixels (freed once encoded)."""

    x: int
    y: int
    size: tuple[int, int]
    blended: bool
    data: Future[list[Chunk]]
    duration_ms: int


class FrameAnimation:
    """Frames in, one animated WebP out; encoding runs in the background as frames arrive."""

    def __init__(self, size: tuple[int, int], quality: int, loop: int, in_flight: int) -> None:
        self._size, self._quality, self._loop = size, quality, loop
        self._tracker = ChangeTracker(change_limits(quality))
        self._pool = ThreadPoolExecutor(ENCODER_THREADS, thread_name_prefix="dynimg-webp")
        self._slots = threading.Semaphore(in_flight)
        self._frames: list[_Encoded] = []

    def add(self, frame: av.VideoFrame) -> None:
        """Queue one frame for encoding at once; blocks while too many wait for encoding. How
        long it shows is given by :meth:`lasts` once known: the encoder needs no duration, so
        the first frame's encode starts without waiting for the second."""
        region = self._tracker(planes_of(frame))
        if region is None:
            return  # nothing changed: shown as part of the frame before, which lasts longer
        self._slots.acquire()
        future = self._pool.submit(self._encode, region)
        blended = region.alpha is not None
        self._frames.append(_Encoded(region.x, region.y, region.size, blended, future, 0))

    def lasts(self, duration_ms: int) -> None:
        """The frame added last shows for ``duration_ms`` (added to the one it merged into)."""
        self._frames[-1].duration_ms += duration_ms

    def finish(self) -> bytes:
        """The whole file, once every frame is encoded."""
        try:
            anmf = [self._anmf(item) for item in self._frames]
        finally:
            self._pool.shutdown()
        alpha = any(item.blended for item in self._frames)
        width, height = self._size
        canvas = uint24(width - 1) + uint24(height - 1)
        flags = ANIMATION_FLAG | (ALPHA_FLAG if alpha else 0)
        header = [
            Chunk(b"VP8X", bytes([flags, 0, 0, 0]) + canvas),
            Chunk(b"ANIM", WHITE_BACKGROUND + struct.pack("<H", self._loop)),
        ]
        body = b"WEBP" + b"".join(c.encode() for c in [*header, *anmf])
        return b"RIFF" + struct.pack("<I", len(body)) + body

    def abort(self) -> None:
        """Drop queued work after a failure."""
        self._pool.shutdown(cancel_futures=True)

    def _encode(self, region: Region) -> list[Chunk]:
        try:
            return encode_region(region, self._quality)
        finally:
            self._slots.release()

    @staticmethod
    def _anmf(item: _Encoded) -> Chunk:
        width, height = item.size
        flags = 0 if item.blended else NO_BLEND  # dispose: none
        header = (
            uint24(item.x // 2) + uint24(item.y // 2) + uint24(width - 1)
            + uint24(height - 1) + uint24(max(item.duration_ms, 1)) + bytes([flags])
        )  # fmt: skip
        return Chunk(b"ANMF", header + b"".join(c.encode() for c in item.data.result()))
