"""The one APNG edit FFmpeg's muxer cannot make: the last frame's delay.

The muxer takes a frame's delay from the next frame's timestamp; the last frame has no next one,
so it repeats the delay before it (or a ``final_delay`` fixed when the file is opened, before
the clip's end is known). The last ``fcTL`` chunk is patched in place once the file is written.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import BinaryIO

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_DELAY_AT = 20
"""Offset of delay_num (u16) and delay_den (u16) in fcTL's data: after sequence number, width,
height, x and y offsets (u32 each)."""


def set_last_delay(path: Path, delay_ms: int) -> None:
    """Make the last frame of the APNG at ``path`` last ``delay_ms`` milliseconds (a still PNG
    is left as it is)."""
    with path.open("r+b") as file:
        if file.read(8) != SIGNATURE:
            raise ValueError("not a PNG file")
        last = _last_frame_control(file)
        if last is None:
            return  # FFmpeg writes a one-frame clip as a still PNG: no delay to set
        file.seek(last + 8)
        data = bytearray(file.read(26))
        num, den = _delay_fraction(delay_ms)
        struct.pack_into(">HH", data, _DELAY_AT, num, den)
        file.seek(last + 8)
        file.write(data)
        file.write(struct.pack(">I", zlib.crc32(b"fcTL" + data)))


def _last_frame_control(file: BinaryIO) -> int | None:
    """Offset of the last fcTL chunk, reading chunk headers only."""
    last = None
    while header := file.read(8):
        length, kind = struct.unpack(">I4s", header)
        if kind == b"fcTL":
            last = file.tell() - 8
        if kind == b"IEND":
            break
        file.seek(length + 4, 1)  # data and CRC
    return last


def _delay_fraction(delay_ms: int) -> tuple[int, int]:
    """Milliseconds as fcTL's u16 fraction of a second."""
    if delay_ms <= 0xFFFF:
        return delay_ms, 1000
    return min(round(delay_ms / 10), 0xFFFF), 100
