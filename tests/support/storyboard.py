"""A small, strict WebVTT reader for storyboards: cues with their times and payload, and the
``#xywh=`` fragment of a sprite-sheet cue (written from the WebVTT and Media Fragments
specifications, independent of dynimg's writer)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TIMING = re.compile(
    r"^(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3}) --> (?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})(?: .*)?$"
)
_XYWH = re.compile(r"^(?P<target>[^#]+)#xywh=(?:pixel:)?(\d+),(\d+),(\d+),(\d+)$")


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    payload: str

    @property
    def target(self) -> str:
        match = _XYWH.match(self.payload)
        return match["target"] if match else self.payload

    @property
    def xywh(self) -> tuple[int, int, int, int] | None:
        match = _XYWH.match(self.payload)
        return tuple(int(match[i]) for i in range(2, 6)) if match else None  # type: ignore[return-value]


def _ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def parse_vtt(text: str) -> list[Cue]:
    """The cues of a WebVTT file; anything malformed raises ValueError."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not re.match(r"^\ufeff?WEBVTT(?:[ \t].*)?$", lines[0]):
        raise ValueError("not a WebVTT file")
    cues: list[Cue] = []
    blocks = "\n".join(lines[1:]).strip("\n").split("\n\n")
    for block in blocks:
        rows = [row for row in block.split("\n") if row]
        if not rows:
            continue
        if "-->" not in rows[0]:
            rows = rows[1:]  # a cue identifier
        timing = _TIMING.match(rows[0])
        if timing is None or len(rows) < 2:
            raise ValueError(f"bad cue: {block!r}")
        groups = timing.groups()
        start, end = _ms(*groups[:4]), _ms(*groups[4:])
        if end <= start or (cues and start < cues[-1].start_ms):
            raise ValueError(f"bad cue times: {block!r}")
        cues.append(Cue(start, end, "\n".join(rows[1:])))
    return cues
