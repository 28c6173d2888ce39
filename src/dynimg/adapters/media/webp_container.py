"""Just enough of the RIFF/WebP container to join animations and to read their structure."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

ANIMATION_FLAG = 0x02
ALPHA_FLAG = 0x10
NO_BLEND = 0x02
"""ANMF flag: the frame replaces the canvas under it instead of being blended onto it."""
WHITE_BACKGROUND = b"\xff\xff\xff\xff"
"""The ANIM background libwebp writes (BGRA)."""
_FRAME_DATA = (b"ALPH", b"VP8 ", b"VP8L")


@dataclass(frozen=True)
class Chunk:
    """One RIFF chunk: its FourCC and payload."""

    fourcc: bytes
    payload: bytes

    def encode(self) -> bytes:
        padding = b"\x00" if len(self.payload) % 2 else b""
        return self.fourcc + struct.pack("<I", len(self.payload)) + self.payload + padding


def chunks(data: bytes) -> Iterator[Chunk]:
    """The chunks of a WebP file."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("not a WebP file")
    offset = 12
    while offset + 8 <= len(data):
        fourcc = data[offset : offset + 4]
        (size,) = struct.unpack("<I", data[offset + 4 : offset + 8])
        yield Chunk(fourcc, data[offset + 8 : offset + 8 + size])
        offset += 8 + size + (size & 1)


def as_animation(data: bytes, size: tuple[int, int], duration_ms: int, loop: int) -> bytes:
    """``data`` if it is an animation; a still WebP becomes a one-frame animation.

    libwebp's animation encoder writes a still image when it was given a single frame, which
    carries no duration or loop count and could not be joined with other parts.
    """
    parts = list(chunks(data))
    if any(c.fourcc == b"ANIM" for c in parts):
        return data
    # Only the frame is kept (no ICC, EXIF or XMP chunks), so only the alpha flag may stay.
    alpha = any(
        c.fourcc == b"ALPH" or (c.fourcc == b"VP8X" and c.payload[0] & ALPHA_FLAG) for c in parts
    )
    flags = ALPHA_FLAG if alpha else 0
    width, height = size
    canvas = _uint24(width - 1) + _uint24(height - 1)
    frame = (
        _uint24(0) + _uint24(0) + canvas + _uint24(duration_ms) + bytes([NO_BLEND])
        + b"".join(c.encode() for c in parts if c.fourcc in _FRAME_DATA)
    )  # fmt: skip
    header = [
        Chunk(b"VP8X", bytes([flags | ANIMATION_FLAG, 0, 0, 0]) + canvas),
        Chunk(b"ANIM", WHITE_BACKGROUND + struct.pack("<H", loop)),
        Chunk(b"ANMF", frame),
    ]
    body = b"WEBP" + b"".join(c.encode() for c in header)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _uint24(value: int) -> bytes:
    return value.to_bytes(3, "little")


def join_animations(parts: list[bytes]) -> bytes:
    """One animated WebP showing the frames of ``parts`` one after the other.

    Headers (VP8X canvas, ANIM loop count and background) come from the first part; the alpha
    flag is set if any part has it. Every part starts with a full frame, so frames stay valid.
    """
    header = list(chunks(parts[0]))
    vp8x = next(c for c in header if c.fourcc == b"VP8X")
    anim = next(c for c in header if c.fourcc == b"ANIM")
    flags = 0
    frames: list[Chunk] = []
    for part in parts:
        for chunk in chunks(part):
            if chunk.fourcc == b"VP8X":
                flags |= chunk.payload[0]
            elif chunk.fourcc == b"ANMF":
                frames.append(chunk)
    vp8x = Chunk(b"VP8X", bytes([flags | ANIMATION_FLAG]) + vp8x.payload[1:])
    body = b"WEBP" + b"".join(c.encode() for c in [vp8x, anim, *frames])
    return b"RIFF" + struct.pack("<I", len(body)) + body


def frame_durations(data: bytes) -> list[int]:
    """Each frame's duration in milliseconds."""
    return [int.from_bytes(c.payload[12:15], "little") for c in chunks(data) if c.fourcc == b"ANMF"]


def loop_count(data: bytes) -> int:
    """The ANIM loop count (0 = forever)."""
    anim = next(c for c in chunks(data) if c.fourcc == b"ANIM")
    return int.from_bytes(anim.payload[4:6], "little")
