"""10-bit HDR clips (HLG or PQ, BT.2020) made with PyAV's libx265, as a phone records them,
and FFmpeg's own SDR rendition of their frames to judge dynimg's tone mapping by.

The scene is written in linear light from BT.2100's formulas (here, not the product's): a
colour gradient of diffuse surfaces up to about 200 nits (inside BT.709's gamut, as most
footage is), a dark band, and a highlight of 1,000 nits that moves one step a frame.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import av
import imageio_ffmpeg
import numpy as np
from av.video.reformatter import VideoReformatter

HLG, PQ = 18, 16
BT2020 = 9
SIZE = (320, 180)
PEAK_NITS = 1000.0
_BT709_TO_BT2020 = np.array(
    [[0.6274, 0.3293, 0.0433], [0.0691, 0.9195, 0.0114], [0.0164, 0.0880, 0.8956]]
)
"""BT.2087's matrix, linear BT.709 RGB to BT.2020 RGB."""


def _pq_signal(nits: np.ndarray) -> np.ndarray:
    m1, m2 = 0.1593017578125, 78.84375
    c1, c2, c3 = 0.8359375, 18.8515625, 18.6875
    y = np.power(np.clip(nits / 10000, 0, 1), m1)
    return np.asarray(np.power((c1 + c2 * y) / (1 + c3 * y), m2))


def _hlg_signal(scene: np.ndarray) -> np.ndarray:
    a = 0.17883277
    b, c = 1 - 4 * a, 0.5 - a * np.log(4 * a)
    low = np.sqrt(3 * np.clip(scene, 0, 1 / 12))
    high = a * np.log(np.maximum(12 * scene - b, 1e-9)) + c
    return np.asarray(np.where(scene <= 1 / 12, low, high))


def scene_nits(index: int, size: tuple[int, int] = SIZE) -> np.ndarray:
    """Frame ``index`` of the scene: display light in nits, BT.2020 RGB."""
    width, height = size
    x, y = np.meshgrid(np.linspace(0, 1, width), np.linspace(0, 1, height))
    bt709 = np.stack([0.2 + 0.7 * x, 0.3 + 0.5 * y * x, 0.9 - 0.6 * x], axis=-1) * 200
    bt709[:, : width // 8] = 0.5
    rows, cols = np.mgrid[0:height, 0:width]
    disk = (cols - width * (0.35 + 0.04 * index)) ** 2 + (rows - height / 2) ** 2
    bt709[disk < (height / 6) ** 2] = (PEAK_NITS, PEAK_NITS * 0.95, PEAK_NITS * 0.85)
    return np.clip(bt709 @ _BT709_TO_BT2020.T, 0, None)


def make_hdr_clip(path: Path, transfer: int, frames: int = 6) -> Path:
    """An HEVC Main 10 clip of the scene, tagged BT.2020 and ``transfer``, 10 fps."""
    width, height = SIZE
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx265", rate=10, options={"x265-params": "log-level=1"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p10le"
        context = stream.codec_context
        context.color_primaries, context.color_trc, context.colorspace = BT2020, transfer, BT2020
        context.color_range = 1
        for index in range(frames):
            nits = scene_nits(index)
            # HLG is scene light: 1,000 nits on its nominal display is its signal's top.
            signal = _hlg_signal(nits / PEAK_NITS) if transfer == HLG else _pq_signal(nits)
            rgb = (np.clip(signal, 0, 1) * 65535 + 0.5).astype(np.uint16)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb48le")
            frame.colorspace = BT2020
            frame = frame.reformat(format="yuv420p10le", dst_colorspace="bt2020")
            frame.color_primaries, frame.color_trc, frame.color_range = BT2020, transfer, 1
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


@functools.cache
def ffmpeg_sdr(path: Path) -> list[np.ndarray]:
    """Every frame as FFmpeg renders it in SDR: swscale's colour management (FFmpeg 8) to
    BT.709 primaries and transfer, linearising PQ or HLG and mapping them to SDR itself.
    PyAV's FFmpeg has neither ``zscale`` nor a way to feed the ``tonemap`` filter linear
    light above SDR white, so this is FFmpeg's reference for an HDR to SDR conversion."""
    # One context for every frame: swscale builds its colour-management tables once per context,
    # which takes seconds.
    reformatter = VideoReformatter()
    with av.open(str(path)) as container:
        return [
            np.asarray(
                reformatter.reformat(
                    frame, format="rgb24", dst_color_trc=1, dst_color_primaries=1
                ).to_ndarray()
            )
            for frame in container.decode(video=0)
        ]


def as_if_sdr(path: Path) -> list[np.ndarray]:
    """Every frame converted as dynimg did before it knew HDR: code values taken for SDR."""
    with av.open(str(path)) as container:
        return [np.asarray(f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]


ZSCALE_HABLE = (
    "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
    "tonemap=tonemap=hable:desat=0,zscale=t=bt709,format=gbrp"
)
"""The HDR-to-SDR chain FFmpeg users run (zscale and the tonemap filter, Hable's curve), ending
in 8-bit RGB rather than YUV so no matrix stands between it and the comparison."""


@functools.cache
def ffmpeg_zscale_hable(path: Path) -> list[np.ndarray]:
    """Every frame as FFmpeg's zscale+tonemap=hable chain renders it (imageio-ffmpeg's static
    FFmpeg: PyAV's has no zscale)."""
    width, height = SIZE
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path),
               "-vf", ZSCALE_HABLE, "-pix_fmt", "rgb24", "-f", "rawvideo", "-"]  # fmt: skip
    raw = subprocess.run(command, capture_output=True, check=True, timeout=60).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)
    return list(frames)


def ffmpeg_zscale_hable_picture(rgb16: np.ndarray, transfer: int) -> np.ndarray:
    """One 16-bit BT.2020 R'G'B' picture (PQ or HLG) through the same chain, fed to FFmpeg as
    raw RGB: what it makes of colours no YUV clip would carry exactly."""
    height, width = rgb16.shape[:2]
    trc = "arib-std-b67" if transfer == HLG else "smpte2084"
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "rawvideo",
               "-pix_fmt", "rgb48le", "-s", f"{width}x{height}", "-color_trc", trc,
               "-color_primaries", "bt2020", "-colorspace", "rgb", "-i", "-",
               "-vf", ZSCALE_HABLE, "-pix_fmt", "rgb24", "-f", "rawvideo", "-"]  # fmt: skip
    run = subprocess.run(
        command, input=rgb16.tobytes(), capture_output=True, check=True, timeout=60
    )
    return np.frombuffer(run.stdout, np.uint8).reshape(height, width, 3)
