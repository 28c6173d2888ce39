"""A GIF89a file written frame by frame with dynimg's own (lossy) LZW encoder.

Used when ``Lossy`` is above 0 (FFmpeg's GIF encoder, lossless, writes the others). Like
FFmpeg's, each frame is cropped to the rectangle where it differs from what the viewer shows,
pixels there that show already are written as the transparent index (disposal "keep", so the
frame is drawn over the one before), and a frame that changes nothing lengthens the one before.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

import numpy as np

from dynimg.adapters.media import lzw
from dynimg.adapters.media.frame_store import Frame

TRANSPARENT = 255
"""The palette keeps its last entry free (at most 255 colours): it is the transparent index."""
SUB_BLOCK = 255


class GifFile:
    """Writes frames of palette indices (H x W uint8) to an open binary file."""

    def __init__(
        self, out: BinaryIO, size: tuple[int, int], palette: bytes, plays: int, tolerance: int
    ) -> None:
        self._out, self._size, self._palette = out, size, palette
        self._tolerance = tolerance
        self._shown: Frame | None = None
        self._pending: tuple[bytes, int, bytes] | None = None
        """The last frame, held until the next tells whether it lasts longer:
        (bytes before its delay, delay in centiseconds, bytes after it)."""
        out.write(b"GIF89a" + struct.pack("<HHBBB", size[0], size[1], 0xF7, 0, 0) + palette)
        if plays != 1:  # one play is a GIF without the loop extension
            out.write(b"\x21\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", max(plays - 1, 0)))
            out.write(b"\x00")

    def add(
        self, indices: Frame, delay: int, source: Frame | None = None, nearest: Frame | None = None
    ) -> Frame:
        """One frame shown for ``delay`` centiseconds; returns what a viewer shows then (the
        indices given, except where lossy LZW took a colour close enough). With ``source`` (the
        RGB frame) and ``nearest`` (nonzero where the indices are the nearest colour, not
        dithered), lossy LZW judges those pixels against the source (lzw.py)."""
        if self._shown is None:
            box = (slice(0, self._size[1]), slice(0, self._size[0]))
            self._shown = np.zeros_like(indices)
            previous = b""
        else:
            changed = _changed_box(indices, self._shown)
            if changed is None:
                self._lengthen(delay)
                return self._shown
            box, previous = changed, self._shown[changed].tobytes()
        wanted = np.ascontiguousarray(indices[box]).tobytes()
        rgb, near = (b"", b"") if source is None or nearest is None else _cut(box, source, nearest)
        codes, shown = lzw.encode(
            wanted, previous, self._palette, self._tolerance, TRANSPARENT, rgb, near
        )
        self._shown = self._shown.copy()  # the caller may hold the last one
        self._shown[box] = np.frombuffer(shown, np.uint8).reshape(indices[box].shape)
        self._flush()
        self._pending = _frame_parts(box, codes, delay, transparent=bool(previous))
        return self._shown

    def close(self) -> None:
        """Write the last frame and the trailer."""
        self._flush()
        self._out.write(b"\x3b")

    def _lengthen(self, delay: int) -> None:
        assert self._pending is not None
        head, old, tail = self._pending
        self._pending = head, old + delay, tail

    def _flush(self) -> None:
        if self._pending is not None:
            head, delay, tail = self._pending
            self._out.write(head + struct.pack("<H", min(delay, 0xFFFF)) + tail)
            self._pending = None


Box = tuple[slice, slice]


def _cut(box: Box, source: Frame, nearest: Frame) -> tuple[bytes, bytes]:
    return np.ascontiguousarray(source[box]).tobytes(), np.ascontiguousarray(nearest[box]).tobytes()


def _changed_box(indices: Frame, shown: Frame) -> Box | None:
    changed = indices != shown
    rows = np.flatnonzero(changed.any(axis=1))
    if not rows.size:
        return None
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    columns = np.flatnonzero(changed[top:bottom].any(axis=0))
    return slice(top, bottom), slice(int(columns[0]), int(columns[-1]) + 1)


def _frame_parts(
    box: Box, codes: bytes, delay: int, *, transparent: bool
) -> tuple[bytes, int, bytes]:
    """Graphic control extension (disposal: keep) up to its delay; the rest of the frame."""
    head = b"\x21\xf9\x04" + bytes([0x04 | int(transparent)])
    top, left = box[0].start, box[1].start
    width, height = box[1].stop - left, box[0].stop - top
    blocks = b"".join(
        bytes([len(chunk)]) + chunk
        for chunk in (codes[i : i + SUB_BLOCK] for i in range(0, len(codes), SUB_BLOCK))
    )
    descriptor = b"\x2c" + struct.pack("<HHHHB", left, top, width, height, 0)
    tail = bytes([TRANSPARENT, 0]) + descriptor + bytes([lzw.MIN_CODE_SIZE]) + blocks + b"\x00"
    return head, delay, tail
