"""How close to a new frame a block encoded again by libwebp would get: the WebP keep rule.

A block the viewer already shows is kept (left transparent over the previous frame) only when
what it shows is about as close to the new source as encoding the block again would get. Lossy
VP8 quantises each 4x4 transform coefficient with a step set by the quality; what it loses in a
block is, per coefficient, either the whole coefficient (one smaller than the step is zeroed)
or about step²/12 (rounding error spread evenly over a step). Per sample that is

    min(texture, step²/12)          (orthonormal units: VP8's coefficients are twice those)

where ``texture`` is the block's own high-frequency energy: a flat or smoothly shaded block
re-encodes almost exactly (its few coefficients are large and predicted), busy texture or grain
loses up to the quantiser's noise. libwebp 1.x, measured on 128x128 luma at qualities 30-90:
noise of sigma 1-12 over flat, shaded and textured bases loses min(sigma², step²/12) within
15% (tests/media/test_webp_reencode.py holds the estimate to that).
"""

from __future__ import annotations

AC_STEPS = (
    4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
    20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
    36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51,
    52, 53, 54, 55, 56, 57, 58, 60, 62, 64, 66, 68, 70, 72, 74, 76,
    78, 80, 82, 84, 86, 88, 90, 92, 94, 96, 98, 100, 102, 104, 106, 108,
    110, 112, 114, 116, 119, 122, 125, 128, 131, 134, 137, 140, 143, 146, 149, 152,
    155, 158, 161, 164, 167, 170, 173, 177, 181, 185, 189, 193, 197, 201, 205, 209,
    213, 217, 221, 225, 229, 234, 239, 245, 249, 254, 259, 264, 269, 274, 279, 284,
)  # fmt: skip
"""VP8's AC quantiser step per quantiser index (RFC 6386, ``ac_qlookup``)."""
DC_STEPS = (
    4, 5, 6, 7, 8, 9, 10, 10, 11, 12, 13, 14, 15, 16, 17, 17,
    18, 19, 20, 20, 21, 21, 22, 22, 23, 23, 24, 25, 25, 26, 27, 28,
    29, 30, 31, 32, 33, 34, 35, 36, 37, 37, 38, 39, 40, 41, 42, 43,
    44, 45, 46, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58,
    59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74,
    75, 76, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89,
    91, 93, 95, 96, 98, 100, 101, 102, 104, 106, 108, 110, 112, 114, 116, 118,
    122, 124, 126, 128, 130, 132, 134, 136, 138, 140, 143, 145, 148, 151, 154, 157,
)  # fmt: skip
"""VP8's DC quantiser step per quantiser index (RFC 6386, ``dc_qlookup``)."""


def quantiser_index(quality: int) -> int:
    """The quantiser index libwebp gives an average segment at ``quality`` (0-100).

    libwebp's ``QualityToCompression``: a linear compressibility (2/3 of the quality up to 75,
    then twice the quality less one), its cube root (file size goes about as the step cubed),
    scaled to the 128 indices. Its segments then move a busy area's index up and a smooth
    area's down by up to about ten; the average one is the estimate.
    """
    q = min(max(quality, 0), 100) / 100
    linear = q * 2 / 3 if q < 0.75 else 2 * q - 1
    return min(max(int(127 * (1 - linear ** (1 / 3))), 0), 127)


def quantiser_noise(quality: int) -> float:
    """Per-sample squared error re-encoding busy texture at ``quality`` leaves: the step (in
    orthonormal units, half VP8's) squared over 12; 18.75 (4.3 levels RMS) at quality 75."""
    step = AC_STEPS[quantiser_index(quality)] / 2
    return step * step / 12


def mean_noise(quality: int) -> float:
    """Per-sample squared error left in a block's mean by re-encoding at ``quality``: VP8's DC
    coefficient is 8 times a 4x4 block's mean, so the mean moves in steps of a DC step over 8;
    0.75 at quality 75 (a shift of one level over a block is drawn)."""
    step = DC_STEPS[quantiser_index(quality)] / 8
    return step * step / 12
