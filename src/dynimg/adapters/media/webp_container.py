"""Just enough of the RIFF/WebP container to write animations frame by frame and to read their
structure."""

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


def uint24(value: int) -> bytes:
    """A little-endian 24-bit field, as WebP's canvas sizes, offsets and durations are."""
    return value.to_bytes(3, "little")


def frame_durations(data: bytes) -> list[int]:
    """Each frame's duration in milliseconds."""
    return [int.from_bytes(c.payload[12:15], "little") for c in chunks(data) if c.fourcc == b"ANMF"]


def loop_count(data: bytes) -> int:
    """The ANIM loop count (0 = forever)."""
    anim = next(c for c in chunks(data) if c.fourcc == b"ANIM")
    return int.from_bytes(anim.payload[4:6], "little")
