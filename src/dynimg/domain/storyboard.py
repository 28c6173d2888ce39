"""Where snapshots fall in a video, how they tile onto sprite sheets, and the WebVTT index
that points a player's seek-bar previews at them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dynimg.domain.geometry import Box
from dynimg.domain.snapshots import (
    SnapshotConfig,
    SnapshotType,
    SpriteConfig,
    check_sheet,
    check_total,
)
from dynimg.errors import ClipOutOfRange


def snapshot_times(config: SnapshotConfig, duration_ms: int) -> list[int]:
    """The times (ms from the video's start) of the pictures to take, at most ``Count``.

    ``SpecifiedOffsetTimes``: those, in time order. ``Interval`` > 0: from
    ``SpecifiedOffsetTime`` every Interval seconds while inside the video (so the one of Count
    and Interval that gives fewer pictures wins). ``Interval`` 0: Count pictures spread evenly
    from the offset to the end.
    """
    if config.offsets_ms:
        return _specified(config.offsets_ms, duration_ms)
    start = config.offset_ms
    if duration_ms > 0 and start >= duration_ms:
        raise ClipOutOfRange(
            f"SpecifiedOffsetTime {start} ms is not before the end of the video ({duration_ms} ms)."
        )
    if config.interval_s > 0:
        step = config.interval_s * 1000
        last = duration_ms - 1 if duration_ms > 0 else start
        return [start + i * step for i in range(config.count) if start + i * step <= last]
    span = max(duration_ms - start, 0)
    return [start + (i * span) // config.count for i in range(config.count)]


def _specified(times: tuple[int, ...], duration_ms: int) -> list[int]:
    """``SpecifiedOffsetTimes`` in time order (the video is decoded forward once), each of
    which must fall inside the video."""
    late = [t for t in times if duration_ms > 0 and t >= duration_ms]
    if late:
        raise ClipOutOfRange(
            f"SpecifiedOffsetTimes {late[0]} ms is not before the end of the video "
            f"({duration_ms} ms)."
        )
    return sorted(times)


def check_source(config: SnapshotConfig, display: tuple[int, int], duration_ms: int) -> None:
    """What a job would ask of this source, checked before any work: the offset inside the
    video, Count x size and the sheet size (InvalidParameter / InvalidClip.OutOfRange)."""
    times = snapshot_times(config, duration_ms)
    picture = picture_size((config.width, config.height), display)
    check_total(len(times), picture)
    if config.sprite is not None:
        check_sheet(config.sprite, cell_size(config.sprite, picture))


def picture_size(
    config_size: tuple[int | None, int | None], display: tuple[int, int]
) -> tuple[int, int]:
    """Width x Height of a snapshot: as given, the source's when neither is, and the missing
    side from the source's display aspect ratio when one is (at least 8 pixels)."""
    width, height = config_size
    display_w, display_h = display
    if width and height:
        return width, height
    if width:
        return width, max(8, round(width * display_h / display_w))
    if height:
        return max(8, round(height * display_w / display_h)), height
    return display_w, display_h


def cell_size(sprite: SpriteConfig, picture: tuple[int, int]) -> tuple[int, int]:
    """A sheet cell: CellWidth x CellHeight, by default the snapshot's size; one of them
    given, the other keeps the snapshot's aspect ratio."""
    return picture_size((sprite.cell_width, sprite.cell_height), picture)


@dataclass(frozen=True)
class Placement:
    """Where picture number ``index`` (from 0) goes: sheet ``sheet`` (from 0), at ``box``."""

    index: int
    sheet: int
    box: Box


def place(sprite: SpriteConfig, cell: tuple[int, int], index: int) -> Placement:
    """Pictures fill a sheet row by row; a full sheet is followed by the next one."""
    sheet, slot = divmod(index, sprite.per_sheet)
    line, column = divmod(slot, sprite.columns)
    x = sprite.margin + column * (cell[0] + sprite.padding)
    y = sprite.margin + line * (cell[1] + sprite.padding)
    return Placement(index, sheet, Box(x, y, cell[0], cell[1]))


def sheet_count(sprite: SpriteConfig, pictures: int) -> int:
    """How many sheets ``pictures`` fill."""
    return -(-pictures // sprite.per_sheet)


def cue_time(ms: int) -> str:
    """A WebVTT timestamp, ``hh:mm:ss.ttt``."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def storyboard_vtt(times_ms: list[int], end_ms: int, targets: list[str]) -> str:
    """A WebVTT file whose cue ``i`` lasts from picture ``i``'s time to the next picture's
    (the last to ``end_ms``) and whose payload is ``targets[i]``: a picture's name relative to
    the file, with ``#xywh=x,y,w,h`` when it is a cell of a sprite sheet."""
    lines = ["WEBVTT", ""]
    for i, (start, target) in enumerate(zip(times_ms, targets, strict=True)):
        stop = times_ms[i + 1] if i + 1 < len(times_ms) else max(end_ms, start + 1)
        lines += [f"{cue_time(start)} --> {cue_time(max(stop, start + 1))}", target, ""]
    return "\n".join(lines)


def cell_fragment(name: str, box: Box) -> str:
    """A cue payload pointing at one cell of a sheet (the Media Fragments ``xywh`` form)."""
    return f"{name}#xywh={box.x},{box.y},{box.width},{box.height}"


_PREFIXES = {
    SnapshotType.COVER: "cover",
    SnapshotType.NORMAL: "normal",
    SnapshotType.SPRITE: "sprite",
    SnapshotType.SPRITE_ORIGIN: "origin",
    SnapshotType.THUMBNAIL: "thumbnail",
}
VTT_NAME = "storyboard.vtt"
COUNT_PLACEHOLDER = "{SnapshotCount}"
"""Alibaba's placeholder for a picture's five-digit number in a URL rule (``Regular``)."""


def file_name(kind: SnapshotType, index: int, ext: str = "jpg") -> str:
    """The name of picture ``index`` (from 1) of a kind, or of the WebVTT file."""
    if kind is SnapshotType.WEBVTT:
        return VTT_NAME
    return f"{_PREFIXES[kind]}-{index:05d}.{ext}"


def name_rule(kind: SnapshotType) -> str:
    """The names of a kind's pictures with :data:`COUNT_PLACEHOLDER` for the number."""
    if kind is SnapshotType.WEBVTT:
        return VTT_NAME
    return f"{_PREFIXES[kind]}-{COUNT_PLACEHOLDER}.jpg"


@dataclass(frozen=True)
class SnapshotFile:
    """One file a snapshot job wrote: its kind, number (from 1) and size in pixels."""

    type: SnapshotType
    index: int
    width: int
    height: int
    ext: str = "jpg"
    """The picture's format (a thumbnail may be ``webp`` or ``avif``)."""

    @property
    def name(self) -> str:
        return file_name(self.type, self.index, self.ext)


@dataclass(frozen=True)
class SnapshotOutput:
    """What a snapshot job wrote, and when the pictures it took are (ms from the start)."""

    files: tuple[SnapshotFile, ...]
    times_ms: tuple[int, ...]


def signed_storyboard(text: str, folder: str, sign: Callable[[str], str], prefix: str = "") -> str:
    """A stored WebVTT storyboard with every picture its cues name signed for delivery.

    The stored file names pictures relative to itself (``sprite-00001.jpg#xywh=...``), so it
    stays valid wherever the folder is copied; served behind signed URLs, each name gets the
    ``auth_key`` that ``sign`` gives its path (``{folder}/{name}``), before the fragment, and a
    player resolving it against the file's own URL fetches an authorised picture. ``prefix``
    (a URL ending in ``/``) makes each name absolute, for a page served from another address.
    """
    lines = text.split("\n")
    for i in range(1, len(lines)):
        if "-->" in lines[i - 1] and lines[i] and "/" not in lines[i] and "?" not in lines[i]:
            name, hash_, fragment = lines[i].partition("#")
            lines[i] = f"{prefix}{name}?auth_key={sign(f'{folder}/{name}')}{hash_}{fragment}"
    return "\n".join(lines)
