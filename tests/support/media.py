"""Synthetic test media made with PyAV, and readers for what dynimg writes. Nothing downloaded.

Every generated frame shows its own index as 8 black/white bars across the top half (bit 7 on
the left), above a colour gradient, so a test can tell which source frame an output frame shows
even after lossy encoding, scaling and palette reduction.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageSequence
from skimage.metrics import structural_similarity

from dynimg.adapters.media.webp_container import frame_durations, loop_count


def source_frame(index: int, width: int = 320, height: int = 240) -> np.ndarray:
    """The picture of frame ``index`` (RGB, height x width)."""
    frame = np.zeros((height, width, 3), dtype=np.uint8)
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    frame[..., 0] = x.astype(np.uint8)
    frame[..., 1] = y.astype(np.uint8)
    frame[..., 2] = (255 - x).astype(np.uint8)
    bar = width // 8
    for bit in range(8):
        on = (index >> (7 - bit)) & 1
        frame[: height // 2, bit * bar : (bit + 1) * bar] = 255 if on else 0
    return frame


def frame_index(rgb: np.ndarray) -> int:
    """Read back the index bars of a (possibly scaled) frame."""
    height, width = rgb.shape[:2]
    bar = width / 8
    row = rgb[height // 4]
    value = 0
    for bit in range(8):
        sample = row[int((bit + 0.5) * bar)].mean()
        value = (value << 1) | int(sample > 127)
    return value


@dataclass
class Clip:
    path: Path
    frames: int
    fps: int
    size: tuple[int, int]


def make_clip(
    path: Path,
    *,
    seconds: float = 2.0,
    fps: int = 30,
    size: tuple[int, int] = (320, 240),
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    rotation: int | None = None,
    sar: Fraction | None = None,
    pts: Sequence[int] | None = None,
    time_base: Fraction | None = None,
    options: dict[str, str] | None = None,
    marker: bool = False,
    noise: bool = False,
    bitexact: bool = False,
) -> Clip:
    """Encode a clip; ``pts`` (in ``time_base`` units) makes it variable frame rate.

    ``bitexact`` makes the same call write the same bytes (no random container UIDs).
    """
    count = len(pts) if pts is not None else round(seconds * fps)
    generator = np.random.default_rng(7)
    container_options = {"fflags": "+bitexact"} if bitexact else {}
    with av.open(str(path), "w", container_options=container_options) as container:
        stream = container.add_stream(codec, rate=fps, options=options or {})
        stream.width, stream.height = size
        stream.pix_fmt = pix_fmt
        if time_base is not None:
            stream.codec_context.time_base = time_base
        if rotation is not None:
            stream.set_display_rotation(rotation)
        if sar is not None:
            stream.codec_context.sample_aspect_ratio = sar
        for i in range(count):
            rgb = source_frame(i, *size)
            if marker:
                rgb[: size[1] // 6, : size[0] // 6] = (255, 0, 0)
            if noise:  # incompressible texture below the index bars, for big files
                lower = rgb[size[1] // 2 :]
                lower[...] = generator.integers(0, 256, lower.shape, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format=pix_fmt)
            frame.pts = pts[i] if pts is not None else i
            if time_base is not None:
                frame.time_base = time_base
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return Clip(path, count, fps, size)


def make_audio_only(path: Path) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=44100)
        samples = np.zeros((1, 1024), dtype=np.float32)
        for i in range(20):
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate = 44100
            frame.pts = i * 1024
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def png_bomb(path: Path, width: int, height: int, *, rgba: bool = False) -> Path:
    """A black PNG of some KB whose ``width * height`` pixels fill gigabytes as RGBA.

    1-bit grey unless ``rgba``, which FFmpeg decodes to 4 bytes a pixel.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    row = b"\x00" + bytes(width * 4 if rgba else (width + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, *((8, 6) if rgba else (1, 0)), 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
    path.write_bytes(png + chunk(b"IEND", b""))
    return path


def gif_frame_bomb(path: Path, size: int, frames: int) -> Path:
    """A small GIF of ``frames`` solid ``size`` x ``size`` frames: one frame's data, repeated."""
    still = io.BytesIO()
    Image.new("P", (size, size), 1).save(still, "GIF")
    data = still.getvalue()
    table = 3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0
    start = 13 + table
    assert data[start : start + 1] == b"," and data.endswith(b";")
    delay = b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # 100 ms, so no reader merges frames
    path.write_bytes(data[:start] + (delay + data[start:-1]) * frames + b";")
    return path


@dataclass
class Animation:
    """An animated image as read back: format, frames (RGB), per-frame delays, loop count."""

    format: str
    size: tuple[int, int]
    frames: list[np.ndarray]
    delays_ms: list[int]
    loop: int | None


def read_animation(path: Path) -> Animation:
    with Image.open(path) as image:
        frames, delays = [], []
        for frame in ImageSequence.Iterator(image):
            frames.append(np.asarray(frame.convert("RGB")))
            delays.append(int(frame.info.get("duration") or 0))
        fmt, size, loop = image.format or "", image.size, image.info.get("loop")
    if fmt == "WEBP":
        data = path.read_bytes()
        delays, loop = frame_durations(data), loop_count(data)
    return Animation(fmt, size, frames, delays, loop)


def ssim_half(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM of two RGB images seen at half size (dither noise averages out, as for the eye)."""

    def half(image: np.ndarray) -> np.ndarray:
        h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
        return image[:h, :w].reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))

    return float(
        structural_similarity(half(a), half(b), channel_axis=2, data_range=255, win_size=7)
    )


def scaled(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))
