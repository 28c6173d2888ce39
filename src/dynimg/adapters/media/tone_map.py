"""HDR (PQ or HLG, BT.2020) pictures to SDR (BT.709), in numpy on the output-size picture.

The steps, each from its standard:

1. The picture arrives as 16-bit R'G'B' (swscale converted the YUV with the source's matrix
   while scaling). A 4,096-entry table per transfer turns code values into light: PQ by its
   EOTF (BT.2100, absolute nits); HLG by its inverse OETF and then the OOTF of a 1,000-nit
   display (light = 1000 x Ys^0.2 x E, Ys the scene luminance, BT.2100).
2. Light is counted in units of HDR reference white, 203 nits (BT.2408), which becomes SDR
   white: faces, paper and walls keep their brightness.
3. BT.2020 primaries become BT.709's (the 3x3 matrix of BT.2087, in linear light).
4. Highlights above SDR white are compressed by the tone-mapping operator, applied to the
   brightest channel of each pixel and scaling all three by the same ratio, which keeps hues;
   colours outside BT.709 then clip per channel. ``bt2390`` (default), BT.2390's EETF, a
   Hermite knee in PQ space from a 1,000-nit source peak down to SDR white: below the knee the
   picture is untouched; ``hable``, John Hable's filmic curve (Uncharted 2), softer and
   darker, computed as FFmpeg's ``zscale=t=linear:npl=100,...,tonemap=hable:desat=0`` chain
   does (light in units of 100 nits, peak 1,000 nits, HLG's gamma per channel as zimg
   applies it); ``clip``: no compression, highlights clip at white.
5. Light is encoded for an SDR display with the inverse of BT.1886 (gamma 2.4), as FFmpeg's
   own colour management (swscale, FFmpeg 8) does for a BT.709 target, through a table
   indexed by the square root of light (fine steps near black, where gamma is steep).

Everything after the first table works on float32 planes of the output size (a 1080p output
costs about 100 MB of temporaries at most), one frame at a time.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dynimg.adapters.media.frame_store import Frame
from dynimg.domain.templates import ToneMap

Floats = npt.NDArray[np.float32]

REFERENCE_WHITE_NITS = 203.0
SOURCE_PEAK_NITS = 1000.0
"""PQ sources are taken as mastered to 1,000 nits (phones, most HDR10 streams), HLG as
shown on its nominal 1,000-nit display."""
HABLE_UNIT_NITS = 100.0
HABLE_PEAK = 10.0
"""``hable`` as the usual FFmpeg chain computes it (``zscale=t=linear:npl=100``, then
``tonemap=hable:desat=0``, whose peak for a linear frame without metadata is 10 units, 1,000
nits): SDR white ends at 0.51 of its light, where BT.2390 keeps it at 1."""
HLG_GAMMA = 1.2
"""The OOTF's system gamma for a 1,000-nit display (BT.2100)."""

_M1, _M2 = 2610 / 16384, 2523 / 4096 * 128
_C1, _C2, _C3 = 3424 / 4096, 2413 / 4096 * 32, 2392 / 4096 * 32
_A = 0.17883277
_B = 1 - 4 * _A
_C = 0.5 - _A * np.log(4 * _A)
BT2020_LUMA = np.array([0.2627, 0.6780, 0.0593], dtype=np.float32)
BT2020_TO_BT709 = np.array(
    [[1.6605, -0.5876, -0.0728], [-0.1246, 1.1329, -0.0083], [-0.0182, -0.1006, 1.1187]],
    dtype=np.float32,
)
"""Linear BT.2020 RGB to linear BT.709 RGB (ITU-R BT.2087)."""
MAX_LIGHT = 10000 / REFERENCE_WHITE_NITS
"""PQ's top, 10,000 nits, in units of reference white: where the operator's table ends."""
_TABLE = 4096
_IN_BITS = 12
_OUT_STEPS = 4096


def pq_to_nits(signal: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """PQ's EOTF: signal 0..1 to absolute light in nits (SMPTE ST 2084)."""
    p = np.power(np.clip(signal, 0, 1), 1 / _M2)
    return 10000 * np.power(np.maximum(p - _C1, 0) / (_C2 - _C3 * p), 1 / _M1)


def nits_to_pq(nits: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """PQ's inverse EOTF: light in nits to signal 0..1."""
    y = np.power(np.clip(nits / 10000, 0, 1), _M1)
    return np.power((_C1 + _C2 * y) / (1 + _C3 * y), _M2)


def hlg_to_scene(signal: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """HLG's inverse OETF: signal 0..1 to relative scene light 0..1."""
    high = (np.exp((np.maximum(signal, 0.5) - _C) / _A) + _B) / 12
    return np.where(signal <= 0.5, signal * signal / 3, high)


class ToneMapper:
    """Turns 16-bit BT.2020 R'G'B' pictures of one transfer into 8-bit BT.709 RGB."""

    def __init__(self, hlg: bool, operator: ToneMap) -> None:
        codes = (np.arange(1 << _IN_BITS, dtype=np.float64) + 0.5) / (1 << _IN_BITS)
        peak = SOURCE_PEAK_NITS / REFERENCE_WHITE_NITS
        light = hlg_to_scene(codes) if hlg else pq_to_nits(codes) / REFERENCE_WHITE_NITS
        self._ootf: Floats | None = None
        if hlg and operator is ToneMap.HABLE:
            # FFmpeg's zscale (zimg) applies the OOTF's gamma to each channel, not to the
            # luminance as BT.2100 does: more saturated, and what its chain shows.
            light = np.power(light, HLG_GAMMA) * peak
        elif hlg:
            # HLG's OOTF: light = 1000 nits x Ys^0.2 x E, counted in units of reference white.
            roots = np.linspace(0, 1, _TABLE)
            ootf = np.power(np.maximum(roots * roots, 1e-9), HLG_GAMMA - 1) * peak
            self._ootf = ootf.astype(np.float32)
        self._light = light.astype(np.float32)
        self._ratio = _curve(operator, peak)
        roots = np.linspace(0, 1, _OUT_STEPS)
        encoded = np.power(roots * roots, 1 / 2.4) * 255 + 0.5
        self._encode = encoded.astype(np.uint8)

    def __call__(self, rgb16: npt.NDArray[np.uint16]) -> Frame:
        """``rgb16`` (height x width x 3, full-range R'G'B') as SDR ``rgb24``."""
        light = self._light[rgb16 >> (16 - _IN_BITS)]
        if self._ootf is not None:
            light *= _by_root(light @ BT2020_LUMA, self._ootf, 1.0)[..., None]
        # BT.709 first, as FFmpeg's chain does: the operator sees the brightest channel of
        # the colour that is shown (a saturated one's is brighter than in BT.2020).
        light = light @ BT2020_TO_BT709.T
        # Channel by channel: numpy's max over the last axis is five times slower.
        brightest = np.maximum(np.maximum(light[..., 0], light[..., 1]), light[..., 2])
        light *= _by_root(brightest, self._ratio, MAX_LIGHT)[..., None]
        np.clip(light, 0, 1, out=light)
        np.sqrt(light, out=light)
        light *= _OUT_STEPS - 1
        indices = (light + 0.5).astype(np.uint16)
        return np.asarray(self._encode[indices], dtype=np.uint8)


def _by_root(values: Floats, table: Floats, top: float) -> Floats:
    """``table`` (sampled evenly in the square root of 0..``top``) looked up for ``values``:
    a gather, where ``np.interp`` took ten times as long; the steps are finest near black."""
    index = np.sqrt(values)
    index *= (_TABLE - 1) / np.sqrt(top)
    np.clip(index, 0, _TABLE - 1, out=index)
    result: Floats = table[index.astype(np.uint16)]
    return result


def _curve(operator: ToneMap, peak: float) -> Floats:
    """The operator as the ratio to scale light by (units of SDR white), sampled evenly in
    the square root of light up to the brightest PQ can code."""
    grid = np.square(np.linspace(0, np.sqrt(MAX_LIGHT), _TABLE))
    grid[0] = 1e-6
    if operator is ToneMap.HABLE:
        # FFmpeg's chain counts light in units of its nominal peak luminance, 100 nits (zscale
        # npl=100), and takes the peak of a frame without metadata as 10 of them.
        units = REFERENCE_WHITE_NITS / HABLE_UNIT_NITS
        mapped = _hable(grid * units) / _hable(np.array(HABLE_PEAK))
    elif operator is ToneMap.BT2390:
        mapped = _bt2390(grid, peak)
    else:
        mapped = np.minimum(grid, 1.0)
    return np.asarray(mapped / grid, dtype=np.float32)


def _hable(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    a, b, c, d, e, f = 0.15, 0.50, 0.10, 0.20, 0.02, 0.30
    result: npt.NDArray[np.float64] = (x * (a * x + c * b) + d * e) / (x * (a * x + b) + d * f)
    return result - e / f


def _bt2390(light: npt.NDArray[np.float64], peak: float) -> npt.NDArray[np.float64]:
    """BT.2390's EETF from a source peak to SDR white (1.0), both in units of SDR white."""
    white = REFERENCE_WHITE_NITS
    source_peak = nits_to_pq(np.array(peak * white))
    e1 = nits_to_pq(light * white) / source_peak
    target = float(nits_to_pq(np.array(white)) / source_peak)
    knee = 1.5 * target - 0.5
    t = np.clip((e1 - knee) / (1 - knee), 0, 1)
    t2, t3 = t * t, t * t * t
    spline = (
        (2 * t3 - 3 * t2 + 1) * knee + (t3 - 2 * t2 + t) * (1 - knee) + (3 * t2 - 2 * t3) * target
    )
    e2 = np.where(e1 < knee, e1, spline)
    return pq_to_nits(e2 * source_peak) / white
