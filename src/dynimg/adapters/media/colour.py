"""Colour facts of decoded frames: which YUV matrix converts them, and whether they are HDR.

FFmpeg's values (``AVColorSpace``, ``AVColorTransferCharacteristic``, ``AVColorPrimaries``,
the numbers of ITU-T H.273) are used as they are: PyAV exposes them as plain integers.
"""

from __future__ import annotations

import av.video.frame
from av.video.reformatter import Colorspace

BT709 = 1
UNSPECIFIED = 2
BT601 = 6
"""SMPTE 170M: BT.601's matrix, what swscale uses for an unspecified one."""
BT2020_NCL = 9
BT2020_CL = 10
ICTCP = 14
BT2020_PRIMARIES = 9
LIMITED_RANGE = 1

SWSCALE_MATRICES = frozenset({0, BT709, UNSPECIFIED, 4, 5, BT601, 7, BT2020_NCL})
"""The matrices swscale converts (FFmpeg 8): it refuses the others with EOPNOTSUPP, which
failed every job on such a video (issue 22.5)."""

PQ = 16
"""SMPTE ST 2084, HDR10's transfer."""
HLG = 18
"""ARIB STD-B67, hybrid log-gamma: what phones record HDR video in."""
HDR_TRANSFERS = frozenset({PQ, HLG})


def settle_matrix(frame: av.video.frame.VideoFrame) -> av.video.frame.VideoFrame:
    """``frame`` with a matrix swscale can convert: its own, or the nearest one it has.

    BT.2020's constant-luminance, chroma-derived and ICtCp matrices (10 to 14, HDR masters)
    become BT.2020's non-constant one, the matrix of the primaries they come with; YCgCo and
    reserved values become unspecified (swscale then uses BT.601, as for untagged video).
    Colours of such rare sources are approximate; the render no longer fails.
    """
    matrix = frame.colorspace
    if matrix not in SWSCALE_MATRICES:
        bt2020 = BT2020_CL <= matrix <= ICTCP or frame.color_primaries == BT2020_PRIMARIES
        frame.colorspace = BT2020_NCL if bt2020 else UNSPECIFIED
    return frame


def conversion_matrix(frame: av.video.frame.VideoFrame) -> int:
    """The matrix swscale converts ``frame`` with: its own, BT.601 when unspecified (BT.470BG's
    matrix is BT.601's)."""
    matrix = settle_matrix(frame).colorspace
    return BT601 if matrix in (0, UNSPECIFIED, 5) else matrix


def matrix_change(frame: av.video.frame.VideoFrame, target: Colorspace) -> Colorspace | None:
    """``target`` (swscale's number for a matrix) when ``frame`` is YUV of another matrix,
    None when it already is in ``target``'s: decoded YUV then passes through unconverted."""
    wanted = BT709 if target == Colorspace.ITU709 else BT601
    return None if conversion_matrix(frame) == wanted else target
