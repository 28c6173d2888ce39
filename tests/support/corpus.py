"""A corpus of malformed media, generated deterministically from a few tiny valid sources.

Every file is derived with one seeded RNG from sources made here with PyAV and Pillow (64x48,
1 s), so a failing case is reproduced by its name alone. Families: truncations, bit flips,
zeroed MP4 boxes / WebM elements / PNG chunks / GIF blocks, absurd header dimensions, frame
bombs, one-frame clips, audio-only files, VFR extremes, image bombs past the pixel bound and
H.264 tagged with YUV matrices swscale cannot convert (YCgCo, BT.2020 constant luminance, ICtCp
and friends: every job on them once ended InternalError).
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from tests.support.media import gif_frame_bomb, make_audio_only, make_clip, png_bomb, source_frame

SIZE = (64, 48)
SEED = 9
_MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta"}
_WEBM_IDS = {  # EBML element IDs worth wiping: header, segment, info, tracks, cluster, cues
    "ebml": b"\x1a\x45\xdf\xa3",
    "segment": b"\x18\x53\x80\x67",
    "info": b"\x15\x49\xa9\x66",
    "tracks": b"\x16\x54\xae\x6b",
    "cluster": b"\x1f\x43\xb6\x75",
    "cues": b"\x1c\x53\xbb\x6b",
    "block": b"\xa3",
}


@dataclass(frozen=True)
class Case:
    """One corpus file: a unique name, its family and where it lies."""

    name: str
    family: str
    path: Path


class _Writer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.cases: list[Case] = []

    def add(self, name: str, family: str, data: bytes) -> None:
        path = self.root / name
        path.write_bytes(data)
        self.cases.append(Case(name, family, path))

    def made(self, name: str, family: str, make: Callable[[Path], object]) -> None:
        path = self.root / name
        make(path)
        self.cases.append(Case(name, family, path))


def build_corpus(
    root: Path, seed: int = SEED, sources: dict[str, bytes] | None = None
) -> list[Case]:
    """Write the corpus under ``root`` and list it: the same seed and sources give the same
    bytes. ``sources`` (by extension) are encoded afresh when not given."""
    rng = random.Random(seed)
    sources = sources or _sources(root / "sources")
    out = _Writer(root)
    later = {"apng"}  # added after the others, with a generator of its own: the others' names
    # and bytes stay what they were (ONCE_CRASHED names files by their damage)
    for ext, data in [*[(e, d) for e, d in sources.items() if e not in later],
                      *[(e, d) for e, d in sources.items() if e in later]]:  # fmt: skip
        damage = rng if ext not in later else random.Random(f"{seed}-{ext}")
        out.add(f"valid.{ext}", "valid", data)
        _truncations(out, damage, ext, data)
        _bit_flips(out, damage, ext, data)
    _zeroed_structures(out, rng, sources)
    _absurd_dimensions(out, sources)
    _frame_bombs(out, sources)
    _one_frame_clips(out)
    _audio_only(out)
    _vfr_extremes(out)
    _image_bombs(out, sources)
    _odd_matrices(out)
    assert len({case.name for case in out.cases}) == len(out.cases)
    return out.cases


# Sources ---------------------------------------------------------------------------------------


def corpus_sources(cases: list[Case]) -> dict[str, bytes]:
    """The undamaged sources a corpus was made from, by extension."""
    valid = sorted((c.path.suffix[1:], c.path) for c in cases if c.family == "valid")
    return {ext: path.read_bytes() for ext, path in valid}


def _sources(root: Path) -> dict[str, bytes]:
    root.mkdir(parents=True, exist_ok=True)
    make_clip(root / "s.mp4", seconds=1, fps=10, size=SIZE, bitexact=True)
    make_clip(root / "s.webm", seconds=1, fps=10, size=SIZE, codec="libvpx-vp9", bitexact=True)
    make_clip(root / "s.mkv", seconds=1, fps=10, size=SIZE, codec="mpeg4", bitexact=True)
    frames = [Image.fromarray(source_frame(i, *SIZE)) for i in range(5)]
    frames[0].save(root / "s.png")
    for ext, fmt in (("gif", "GIF"), ("webp", "WEBP"), ("apng", "PNG")):
        frames[0].save(
            root / f"s.{ext}", fmt, save_all=True, append_images=frames[1:], duration=100, loop=0
        )
    return {path.suffix[1:]: path.read_bytes() for path in sorted(root.iterdir())}


# Byte-level damage -----------------------------------------------------------------------------


def _truncations(out: _Writer, rng: random.Random, ext: str, data: bytes) -> None:
    n = len(data)
    offsets = {0, 1, 4, 8, 12, 16, 32, 64, n - 1, n - 8}
    offsets |= {n * k // 10 for k in range(1, 10)}
    offsets |= {rng.randrange(1, n) for _ in range(4)}
    for offset in sorted(o for o in offsets if 0 <= o < n):
        out.add(f"trunc-{offset:07d}.{ext}", "truncation", data[:offset])


def _bit_flips(out: _Writer, rng: random.Random, ext: str, data: bytes) -> None:
    for variant, flips in enumerate((1, 2, 4, 8, 16, 32, 64, 256)):
        damaged = bytearray(data)
        # Half the variants hit the first 512 bytes, where the headers are.
        span = min(len(data), 512) if variant % 2 else len(data)
        for _ in range(flips):
            damaged[rng.randrange(span)] ^= 1 << rng.randrange(8)
        out.add(f"flip-{variant}-{flips}.{ext}", "bit-flip", bytes(damaged))


def _zeroed_structures(out: _Writer, rng: random.Random, sources: dict[str, bytes]) -> None:
    mp4 = sources["mp4"]
    for index, (kind, start, size, header) in enumerate(mp4_boxes(mp4)):
        name = kind.decode("latin-1")
        out.add(f"zero-box-{index:02d}-{name}.mp4", "zeroed", _zeroed(mp4, start + header, size))
        if index % 3 == 0:  # its size field zeroed, or claiming 4 GB
            for label, value in (("nosize", 0), ("hugesize", 0xFFFFFFFF)):
                patched = mp4[:start] + struct.pack(">I", value) + mp4[start + 4 :]
                out.add(f"{label}-box-{index:02d}-{name}.mp4", "zeroed", patched)
    webm = sources["webm"]
    for name, element in _WEBM_IDS.items():
        at = webm.find(element, 0 if name != "block" else len(webm) // 3)
        out.add(f"zero-{name}.webm", "zeroed", _zeroed(webm, at, 48))
        out.add(f"zero-{name}-id.webm", "zeroed", _zeroed(webm, at, len(element)))
    png = sources["png"]
    for index, (kind, start, size) in enumerate(png_chunks(png)):
        out.add(f"zero-chunk-{index}-{kind.decode()}.png", "zeroed", _zeroed(png, start, size))
    gif = sources["gif"]
    for index, at in enumerate(_gif_blocks(gif)):
        out.add(f"zero-block-{index:02d}.gif", "zeroed", _zeroed(gif, at, 24))
    webp = sources["webp"]
    for index in range(6):
        at = rng.randrange(12, len(webp) - 16)
        out.add(f"zero-window-{index}.webp", "zeroed", _zeroed(webp, at, 32))


def _zeroed(data: bytes, start: int, size: int) -> bytes:
    size = max(0, min(size, len(data) - start))
    return data[:start] + bytes(size) + data[start + size :]


def mp4_boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple]:  # type: ignore[type-arg]
    """(type, start, payload size, header size) of every box, depth first."""
    end = len(data) if end is None else end
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[at + 8 : at + 16])[0], 16
        if size < header or at + size > end:
            return
        yield kind, at, size - header, header
        if kind in _MP4_CONTAINERS:
            yield from mp4_boxes(data, at + header, at + size)
        at += size


def png_chunks(data: bytes) -> Iterator[tuple[bytes, int, int]]:
    """(type, data start, data size) of every chunk."""
    at = 8
    while at + 12 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        yield kind, at + 8, size
        at += 12 + size


def _gif_blocks(data: bytes) -> list[int]:
    # Image descriptors (','), extensions ('!') and the header: where a reader looks first.
    marks = [0, 6] + [i for i, byte in enumerate(data) if byte in (0x2C, 0x21) and i > 12]
    return marks[:14]


# Header lies -----------------------------------------------------------------------------------


def _png_with_size(png: bytes, width: int, height: int) -> bytes:
    ihdr = bytearray(png[16:29])
    ihdr[0:8] = struct.pack(">II", width, height)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(ihdr)))
    return png[:16] + bytes(ihdr) + crc + png[33:]


def _absurd_dimensions(out: _Writer, sources: dict[str, bytes]) -> None:
    png, gif, webp, mp4 = sources["png"], sources["gif"], sources["webp"], sources["mp4"]
    for width, height in ((0, 0), (1, 2**31 - 1), (2**31 - 1, 2**31 - 1), (65535, 65535)):
        out.add(f"dims-{width}x{height}.png", "dimensions", _png_with_size(png, width, height))
    for width, height in ((65535, 65535), (0, 0)):
        screen = gif[:6] + struct.pack("<HH", width, height) + gif[10:]
        out.add(f"dims-screen-{width}x{height}.gif", "dimensions", screen)
        at = gif.index(b",", 13)
        frame = gif[: at + 5] + struct.pack("<HH", width, height) + gif[at + 9 :]
        out.add(f"dims-frame-{width}x{height}.gif", "dimensions", frame)
    at = webp.index(b"VP8X")
    canvas = webp[: at + 12] + struct.pack("<I", 0xFFFFFF)[:3] * 2 + webp[at + 18 :]
    out.add("dims-canvas-16M.webp", "dimensions", canvas)
    for kind, offset in ((b"tkhd", 76), (b"avc1", 24)):
        start = _mp4_payload(mp4, kind)
        value = struct.pack(">II", 0xFFFF0000, 0xFFFF0000) if kind == b"tkhd" else b"\xff" * 4
        width = 8 if kind == b"tkhd" else 4
        patched = mp4[: start + offset] + value + mp4[start + offset + width :]
        out.add(f"dims-{kind.decode()}.mp4", "dimensions", patched)


def _mp4_payload(mp4: bytes, kind: bytes) -> int:
    # Sample entries sit inside stsd, past fields the box walk does not parse; "avc1" is also
    # a brand in ftyp, so look for it after stsd.
    return mp4.index(kind, mp4.index(b"moov")) + 4


def _frame_bombs(out: _Writer, sources: dict[str, bytes]) -> None:
    out.made("bomb-frames-1px-20000.gif", "frame-bomb", lambda p: gif_frame_bomb(p, 1, 20000))
    out.made("bomb-frames-64px-3000.gif", "frame-bomb", lambda p: gif_frame_bomb(p, 64, 3000))
    out.made(
        "bomb-frames-16px-1000fps.mp4",
        "frame-bomb",
        lambda p: make_clip(p, seconds=2, fps=1000, size=(16, 16)),
    )
    out.made("bomb-frames-8px-600.webp", "frame-bomb", _webp_frames(600))
    out.add("bomb-actl-frames.apng", "frame-bomb", _actl_frames(sources["apng"], 0x7FFFFFFF))
    mp4 = sources["mp4"]
    for kind, label in ((b"stts", "samples"), (b"mvhd", "duration"), (b"mdhd", "duration")):
        start = _mp4_payload(mp4, kind)
        # stts: first entry's sample count; mvhd/mdhd (version 0): the duration field.
        offset = 8 if kind == b"stts" else 16
        patched = mp4[: start + offset] + b"\x7f\xff\xff\xff" + mp4[start + offset + 4 :]
        out.add(f"bomb-{kind.decode()}-{label}.mp4", "frame-bomb", patched)


def _actl_frames(apng: bytes, frames: int) -> bytes:
    """An APNG whose animation control chunk claims ``frames`` frames (its CRC made right)."""
    at = apng.index(b"acTL")
    body = struct.pack(">II", frames, 0)
    crc = struct.pack(">I", zlib.crc32(b"acTL" + body))
    return apng[: at + 4] + body + crc + apng[at + 16 :]


def _webp_frames(count: int) -> Callable[[Path], None]:
    """An animated WebP of ``count`` 8x8 frames: past the image frame limit (500)."""

    def make(path: Path) -> None:
        colours = [(i % 256, i // 256 * 100, 50) for i in range(count)]  # all different:
        frames = [Image.new("RGB", (8, 8), c) for c in colours]  # the encoder merges repeats
        frames[0].save(
            path, "WEBP", save_all=True, append_images=frames[1:], duration=20, lossless=True
        )

    return make


def _one_frame_clips(out: _Writer) -> None:
    for ext, codec in (("mp4", "libx264"), ("webm", "libvpx-vp9"), ("mkv", "mpeg4")):
        out.made(
            f"one-frame.{ext}",
            "one-frame",
            lambda p, c=codec: make_clip(p, size=SIZE, pts=[0], fps=10, codec=c),
        )
    image = Image.fromarray(source_frame(1, *SIZE))
    out.made("one-frame.gif", "one-frame", lambda p: image.save(p, save_all=True))


def _audio_only(out: _Writer) -> None:
    out.made("audio-only.m4a", "audio-only", make_audio_only)
    for ext, codec, rate in (("webm", "libopus", 48000), ("wav", "pcm_s16le", 8000)):
        out.made(f"audio-only.{ext}", "audio-only", lambda p, c=codec, r=rate: _audio(p, c, r))


def _audio(path: Path, codec: str, rate: int) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        fmt = "s16" if codec == "pcm_s16le" else "flt"
        samples = np.zeros((1, 960), dtype=np.int16 if fmt == "s16" else np.float32)
        for i in range(20):
            frame = av.AudioFrame.from_ndarray(samples, format=fmt, layout="mono")
            frame.sample_rate, frame.pts = rate, i * 960
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def _vfr_extremes(out: _Writer) -> None:
    ms = Fraction(1, 1000)
    gaps = [0, 100, 200, 3_600_000, 3_600_100, 3_600_200]  # an hour between two frames
    for ext in ("mp4", "mkv"):
        out.made(
            f"vfr-hour-gap.{ext}",
            "vfr",
            lambda p: make_clip(p, size=SIZE, pts=gaps, time_base=ms),
        )
    micro = Fraction(1, 1_000_000)
    out.made(
        "vfr-1mhz.mp4", "vfr", lambda p: make_clip(p, size=SIZE, pts=range(200), time_base=micro)
    )
    order = [0, 500, 200, 900, 100, 300, 800, 400, 700, 600]
    for ext in ("mp4", "mkv"):
        out.made(f"vfr-nonmonotonic.{ext}", "vfr", lambda p: _intra_clip(p, order))
    out.made("vfr-all-same-pts.mkv", "vfr", lambda p: _intra_clip(p, [1000] * 10))


def _intra_clip(path: Path, pts: list[int]) -> None:
    """MJPEG packets muxed with increasing DTS but the presentation times given."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mjpeg", rate=10)
        stream.width, stream.height, stream.pix_fmt = *SIZE, "yuvj420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        packets = []
        for i in range(len(pts)):
            rgb = source_frame(i, *SIZE)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuvj420p")
            frame.pts, frame.time_base = i * 100, Fraction(1, 1000)
            packets += stream.encode(frame)
        packets += stream.encode(None)
        for i, (packet, value) in enumerate(zip(packets, pts, strict=True)):
            packet.pts, packet.dts = value, i
            container.mux(packet)


def _image_bombs(out: _Writer, sources: dict[str, bytes]) -> None:
    out.made("bomb-15000x15000.png", "image-bomb", lambda p: png_bomb(p, 15000, 15000))
    out.made("bomb-8000x8000-rgba.png", "image-bomb", lambda p: png_bomb(p, 8000, 8000, rgba=True))
    out.made("bomb-4096-x60.gif", "image-bomb", lambda p: gif_frame_bomb(p, 4096, 60))
    out.add("bomb-vp8l-16384.webp", "image-bomb", _vp8l_with_size(16384, 16384))
    webp = sources["webp"]
    at = webp.index(b"VP8X")
    size = struct.pack("<I", 16383 - 1)[:3] * 2  # 16383 x 16383: 268 M pixels
    out.add("bomb-canvas-16383.webp", "image-bomb", webp[: at + 12] + size + webp[at + 18 :])


ODD_MATRICES = (14, 8, 10, 11, 12, 13)
"""ICtCp, YCgCo, BT.2020 constant luminance, SMPTE 2085, chroma-derived NCL and CL (H.273);
ICtCp first: the server suite takes the first file of each family."""


def _odd_matrices(out: _Writer) -> None:
    for matrix in ODD_MATRICES:
        out.made(
            f"matrix-{matrix}.mp4",
            "matrix",
            lambda p, m=matrix: make_clip(p, seconds=1, fps=10, size=SIZE, matrix=m),
        )


def _vp8l_with_size(width: int, height: int) -> bytes:
    """A lossless WebP of one pixel whose header says ``width`` x ``height`` (14 bits each)."""
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, "WEBP", lossless=True)
    data = bytearray(buffer.getvalue())
    at = data.index(b"VP8L") + 9  # chunk header (8), signature byte (1)
    bits = int.from_bytes(data[at : at + 4], "little")
    bits = (bits & ~0xFFFFFFF) | ((width - 1) & 0x3FFF) | (((height - 1) & 0x3FFF) << 14)
    data[at : at + 4] = bits.to_bytes(4, "little")
    return bytes(data)
