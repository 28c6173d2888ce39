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
    matrix: int | None = None,
) -> Clip:
    """Encode a clip; ``pts`` (in ``time_base`` units) makes it variable frame rate.

    ``bitexact`` makes the same call write the same bytes (no random container UIDs);
    ``matrix`` tags the stream with that YUV matrix (H.273 number) without converting.
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
        if matrix is not None:
            stream.codec_context.colorspace = matrix
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
    """Decode an animated image (GIF, WebP, APNG, AVIF with Pillow) or an MP4 (with PyAV)."""
    if path.read_bytes()[4:12] in (b"ftypisom", b"ftypmp42", b"ftypiso5"):
        return _read_mp4(path)
    with Image.open(path) as image:
        frames, delays = [], []
        for frame in ImageSequence.Iterator(image):
            frames.append(np.asarray(frame.convert("RGB")))
            delays.append(int(frame.info.get("duration") or 0))
        fmt, size, loop = image.format or "", image.size, image.info.get("loop")
    if fmt == "WEBP":
        data = path.read_bytes()
        delays, loop = frame_durations(data), loop_count(data)
    if fmt == "AVIF":
        loop = avif_plays(path.read_bytes())
    return Animation(fmt, size, frames, delays, loop)


@dataclass
class Mp4Facts:
    """What a browser cares about in an MP4 beyond its pictures."""

    codec_tag: str
    pix_fmt: str
    audio_streams: int
    first_is_keyframe: bool
    moov_before_mdat: bool


def _read_mp4(path: Path) -> Animation:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        base = Fraction(stream.time_base or 1)
        decoded = list(container.decode(stream))
        frames = [np.asarray(f.to_ndarray(format="rgb24")) for f in decoded]
        delays = [round(Fraction(f.duration or 0) * base * 1000) for f in decoded]
        size = (stream.codec_context.width, stream.codec_context.height)
    return Animation("MP4", size, frames, delays, None)


def mp4_facts(path: Path) -> Mp4Facts:
    data = path.read_bytes()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        packet = next(p for p in container.demux(stream) if p.size)
        return Mp4Facts(
            codec_tag=stream.codec_tag,
            pix_fmt=stream.codec_context.pix_fmt or "",
            audio_streams=len(container.streams.audio),
            first_is_keyframe=packet.is_keyframe,
            moov_before_mdat=0 <= data.find(b"moov") < data.find(b"mdat"),
        )


def _boxes(data: bytes, start: int = 0, end: int | None = None) -> dict[bytes, tuple[int, int]]:
    """ISOBMFF boxes at one level: type -> (payload start, payload end); the first of each."""
    found: dict[bytes, tuple[int, int]] = {}
    end = len(data) if end is None else end
    while start + 8 <= end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        size = end - start if size == 0 else size
        found.setdefault(kind, (start + 8, start + size))
        start += max(size, 8)
    return found


def avif_plays(data: bytes) -> int | None:
    """An animated AVIF's plays (0 = forever), read as libavif does: an edit list with its
    repeat flag set loops the track; the track's duration says for how long."""
    top = _boxes(data)
    if b"moov" not in top:
        return None  # a still image (one frame): no track, no loop
    trak = _boxes(data, *top[b"moov"])[b"trak"]
    inner = _boxes(data, *trak)
    if b"edts" not in inner:
        return None
    elst = _boxes(data, *inner[b"edts"])[b"elst"][0]
    if not data[elst + 3] & 1:
        return 1
    tkhd = inner[b"tkhd"][0]
    if data[tkhd] == 1:
        (track,) = struct.unpack(">Q", data[tkhd + 28 : tkhd + 36])
        infinite = 2**63 - 1
    else:
        (track,) = struct.unpack(">I", data[tkhd + 20 : tkhd + 24])
        infinite = 2**32 - 1
    if track >= infinite:
        return 0
    version = data[elst]
    fmt, at = (">Q", elst + 8) if version == 1 else (">I", elst + 8)
    (segment,) = struct.unpack(fmt, data[at : at + struct.calcsize(fmt)])
    return round(track / segment)


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


def make_highlight_clip(path: Path, *, fps: int = 10, size: tuple[int, int] = (160, 90)) -> Path:
    """20 s with one best moment for ``Seek=auto`` to find, around a scene cut at 13 s.

    0-5 s: scene A, still; 5-10 s: a square drifting slowly over A; 10-13 s: the square
    racing over A; 13 s: cut to scene B (much brighter); 13-16 s: racing over B; 16-20 s: B
    still. The busiest 4 s straddle the cut; the best 4 s without it end at the cut.
    """
    width, height = size
    ramp = np.linspace(0, 1, width, dtype=np.float32)[None, :, None]
    rows = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    scenes = {
        "A": (40 + 60 * ramp + 20 * rows).repeat(3, axis=2).astype(np.uint8),
        "B": (170 + 60 * ramp + 20 * rows).repeat(3, axis=2).astype(np.uint8),
    }
    scenes = {k: np.broadcast_to(v, (height, width, 3)).copy() for k, v in scenes.items()}
    side, x = height // 3, 0.0
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"g": str(4 * fps)})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(20 * fps):
            t = i / fps
            speed = 0.0 if t < 5 or t >= 16 else 3.0 if t < 10 else 14.0
            x = (x + speed) % (width - side)
            rgb = scenes["A" if t < 13 else "B"].copy()
            if 5 <= t < 16:
                rgb[side : 2 * side, int(x) : int(x) + side] = 255 if t < 13 else 0
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def make_long_clip(path: Path, *, minutes: float = 10.0, fps: int = 10) -> Path:
    """A long, tiny, cheap video (96x54, one moving bar, keyframes 5 s apart) for timing
    ``Seek=auto``; the bar is brighter every other 30 s."""
    width, height = 96, 54
    options = {"preset": "ultrafast", "g": str(5 * fps)}
    pictures: dict[tuple[int, int], av.VideoFrame] = {}
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(round(minutes * 60 * fps)):
            key = ((i * 2) % (width - 8), 230 if (i // (fps * 30)) % 2 else 160)
            if key not in pictures:
                rgb = np.full((height, width, 3), 90, dtype=np.uint8)
                rgb[:, key[0] : key[0] + 8] = key[1]
                picture = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                pictures[key] = picture.reformat(format="yuv420p")
            frame = pictures[key]
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path
