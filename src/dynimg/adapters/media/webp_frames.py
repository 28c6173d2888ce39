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
from typing import Any

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
from dynimg.adapters.media.webp_reencode import mean_noise, quantiser_noise
from dynimg.adapters.media.yuv import Plane, planes_of

Mask = npt.NDArray[np.bool_]
BLOCK = 8
"""Side of the blocks compared between frames (libwebp's animation encoder uses 8 as well)."""
ENCODER_THREADS = 2
METHOD = 2
"""libwebp's method (0-6). Measured on the benchmark's 640 px Big Buck Bunny case: 2 encodes in
43% of the time of 4 for about 5% more bytes at the same SSIM; 3 costs as much as 4."""
WHOLE_METHOD = 3
"""libwebp's method for a frame drawn whole (no alpha): on the benchmark's 14 cases, bytes 0.961x
to 0.930x the recipe's (median), SSIM-half +0.0020 to +0.0034, for 5-11% more CPU."""


WHOLE = 0.9
"""A frame with at least this share of its rectangle's blocks to draw is drawn whole, without
alpha. libwebp flattens transparent blocks to one colour, which costs the changed blocks
beside them VP8's intra prediction, and the alpha plane costs bytes of its own: when almost
every block changes, encoding the few kept ones as well is cheaper, and closer to the source.
At most a tenth of a frame is then drawn that would not have been, so a frame's size moves by
little when the share crosses this (MaxFileSize's search needs sizes that follow the settings;
at a half, frames of noise at low quality flipped all at once and sizes jumped by 77%). On the
benchmark's 14 cases at quality 75: bytes 0.976x to 0.961x the recipe's (median), no case
larger or lower in SSIM-half (0.5: 0.964x; 0.7 about as 0.9 on 7 cases)."""


@dataclass(frozen=True)
class KeepRule:
    """What encoding a block again at the output's quality would leave of the new source
    (:mod:`dynimg.adapters.media.webp_reencode`): a block the viewer shows is kept only while
    its difference from the new source is within that."""

    texture_noise: float
    """Per-sample squared error busy texture keeps after a re-encode (the AC quantiser's)."""
    mean_noise: float
    """Per-sample squared error a block's mean keeps (the DC quantiser's)."""
    slack: int
    """Levels any one sample may move regardless (rounding in the scaler and the source)."""


def keep_rule(quality: int) -> KeepRule:
    """The keep rule at a quality: 18.75 and 0.75 (RMS 4.3 and 0.87 levels) at 75."""
    return KeepRule(quantiser_noise(quality), mean_noise(quality), slack=1)


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

    def __init__(self, rule: KeepRule) -> None:
        self._rule = rule
        self._planes: list[_PaddedPlane] | None = None

    def __call__(self, planes: list[Plane]) -> Region | None:
        """The region to encode for this frame, or None when nothing changed."""
        if self._planes is None:
            blocks = (-(-planes[0].shape[0] // BLOCK), -(-planes[0].shape[1] // BLOCK))
            sides = (BLOCK, BLOCK // 2, BLOCK // 2)
            self._planes = [_PaddedPlane(p, s, blocks) for p, s in zip(planes, sides, strict=True)]
            return Region(0, 0, (planes[0], planes[1], planes[2]), None)
        changed = self._planes[0].changed(planes[0], self._rule)
        for padded, plane in zip(self._planes[1:], planes[1:], strict=True):
            changed |= padded.changed(plane, self._rule)
        if not changed.any():
            return None
        rows, cols = np.nonzero(changed.any(axis=1))[0], np.nonzero(changed.any(axis=0))[0]
        box = (rows[0], rows[-1] + 1, cols[0], cols[-1] + 1)
        inside = changed[box[0] : box[1], box[2] : box[3]]  # a view: marks ``changed``
        if inside.mean() >= WHOLE:
            inside[:] = True
        for padded in self._planes:
            padded.keep(changed)
        return _region(planes, changed, box)


class _PaddedPlane:
    """One plane's reference samples, the frame being compared and scratch buffers, all padded
    to whole blocks (the padding is zero in both, so it never counts as changed)."""

    def __init__(self, plane: Plane, side: int, blocks: tuple[int, int]) -> None:
        shape = (blocks[0] * side, blocks[1] * side)
        self._side, self._shape = side, plane.shape
        self._reference = np.zeros(shape, dtype=np.uint8)
        self._reference[: plane.shape[0], : plane.shape[1]] = plane
        self._current = np.zeros(shape, dtype=np.uint8)
        self._scratch = np.empty(shape, dtype=np.uint8)
        self._low = np.empty(shape, dtype=np.uint8)
        self._squares = np.empty(shape, dtype=np.uint16)
        self._steps = np.zeros(shape, dtype=np.uint8)  # zero where no right neighbour
        # Bytes of a block row read as one unsigned integer (for the masked copy in keep).
        self._word = np.dtype(f"u{side}")
        # Samples of the picture in each block: fewer in the partial last row and column, whose
        # figures are over those only.
        inside = np.zeros(shape, dtype=np.uint8)
        inside[: plane.shape[0], : plane.shape[1]] = 1
        self._samples = self._sums(inside).astype(np.int64)
        self._reference_sums = self._sums(self._reference).astype(np.int64)
        self._current_sums = self._reference_sums.copy()

    def changed(self, plane: Plane, rule: KeepRule) -> Mask:
        """Per block, whether showing what was last drawn there is further from ``plane`` than
        a re-encode would be (``rule``), so the block has to be drawn again."""
        height, width = self._shape
        self._current[:height, :width] = plane
        distance = _distance(self._current, self._reference, self._scratch, self._low)
        peak = self._blocks(distance, np.maximum)
        # Beyond SPIKE_CAP a sample is a change anyway: capped, 64 squares fit 16 bits.
        np.minimum(distance, SPIKE_CAP, out=distance)
        np.square(distance, out=self._squares, dtype=np.uint16)
        energy = self._sums(self._squares).astype(np.int64)
        self._current_sums = self._sums(self._current).astype(np.int64)
        shift = self._current_sums - self._reference_sums
        return _redraw(self._samples, shift, energy, peak, self.texture(), rule)

    def texture(self) -> npt.NDArray[np.float64]:
        """Per block, the high-frequency energy per sample of the new samples, from the mean
        step to the right neighbour: sigma² for noise of sigma (its steps are 2 sigma / sqrt(pi)
        on average); less than that for a sharp edge, none for an edge along the rows (an
        underestimate only makes the rule stricter), and half a step's worth saves a pass."""
        height, width = self._shape
        current, steps = self._current, self._steps
        _distance(current[:height, 1:width], current[:height, : width - 1],
                  steps[:height, : width - 1], self._low[:height, : width - 1])  # fmt: skip
        mean_step = self._sums(steps) / self._samples
        return np.asarray(math.pi / 4 * mean_step * mean_step, dtype=np.float64)

    def _sums(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Per block, the sum of ``values`` in 16 bits (64 samples of up to 1023)."""
        return self._blocks(values, np.add, np.uint16)

    def _blocks(
        self, values: npt.NDArray[Any], ufunc: np.ufunc, dtype: type | None = None
    ) -> npt.NDArray[Any]:
        """Per block, ``values`` reduced by ``ufunc``: over each block's rows at once, then
        column by column of the block (a reduction along a last axis of 8 is 3x slower)."""
        side = self._side
        rows = ufunc.reduce(values.reshape(-1, side, values.shape[1]), axis=1, dtype=dtype)
        blocks: npt.NDArray[Any] = rows[:, ::side].copy()
        for column in range(1, side):
            ufunc(blocks, rows[:, column::side], out=blocks)
        return blocks

    def keep(self, changed: Mask) -> None:
        """Take the compared frame's samples into the reference where a block changed."""
        # Block rows as words again: a masked copy per word is 8x fewer masked steps.
        shape = (changed.shape[0], self._side, changed.shape[1])
        np.copyto(
            self._reference.view(self._word).reshape(shape),
            self._current.view(self._word).reshape(shape),
            where=changed[:, None, :],
        )
        np.copyto(self._reference_sums, self._current_sums, where=changed)


SPIKE_CAP = 31
"""A sample that moved further is always a change (the spike limit is lower from quality 25)."""


def _distance(
    a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8], out: npt.NDArray[np.uint8],
    low: npt.NDArray[np.uint8],
) -> npt.NDArray[np.uint8]:  # fmt: skip
    """|a - b| into ``out`` as max - min: 8-bit arithmetic, no widening to int16."""
    np.maximum(a, b, out=out)
    return np.subtract(out, np.minimum(a, b, out=low), out=out)


def _redraw(
    samples: npt.NDArray[np.int64], shift: npt.NDArray[np.int64],
    energy: npt.NDArray[np.int64], peak: npt.NDArray[np.uint8],
    texture: npt.NDArray[np.float64], rule: KeepRule,
) -> Mask:  # fmt: skip
    """Per block of ``samples`` samples whose new samples differ from the shown ones by
    ``shift`` in sum, ``energy`` in sum of squares and ``peak`` at most: whether it is redrawn.

    Kept only when the change is within what a re-encode leaves: its mean within the DC
    quantiser's error, the rest of its energy within the block's own texture (which a re-encode
    loses up to the AC quantiser's error; a flat block's is near zero), and no sample further
    than three times the RMS of both, and ``rule.slack``.
    """
    # Rounding: a quarter of the samples may move by the slack even in a flat block.
    wiggle = np.minimum(texture, rule.texture_noise) + rule.slack * rule.slack / 4
    squared = samples * samples
    mean_moved = shift * shift > squared * rule.mean_noise
    # Energy about the mean change, times samples²: integers up to here, exact.
    rest_moved = samples * energy - shift * shift > squared * wiggle
    spike = peak > np.minimum(3 * np.sqrt(wiggle + rule.mean_noise) + rule.slack, SPIKE_CAP)
    return np.asarray(mean_moved | rest_moved | spike, dtype=np.bool_)


def reencode_error(plane: Plane, quality: int) -> float:
    """The per-sample squared error the keep rule expects encoding ``plane`` (a whole luma
    plane) at ``quality`` to leave, averaged over its blocks (held to libwebp's in the tests)."""
    blocks = (-(-plane.shape[0] // BLOCK), -(-plane.shape[1] // BLOCK))
    padded = _PaddedPlane(plane, BLOCK, blocks)
    padded.changed(plane, keep_rule(quality))
    return float(np.mean(np.minimum(padded.texture(), quantiser_noise(quality))))


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
    # A whole frame at method 3: 3% fewer bytes over the corpus for 5-11% more CPU; a partial
    # frame stays at METHOD (at 3, libwebp loses quality where few blocks are opaque).
    method = WHOLE_METHOD if region.alpha is None else METHOD
    context.options = {"quality": str(quality), "compression_level": str(method)}
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
        self._tracker = ChangeTracker(keep_rule(quality))
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
