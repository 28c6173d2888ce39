"""Snapshots: Alibaba's ``SnapshotTemplateConfig`` and SubmitSnapshotJob's inline parameters.

A snapshot template (``TemplateType=Snapshot``) is ``{"SnapshotType": ..., "SnapshotConfig":
{...}}``; SubmitSnapshotJob takes the same fields as request parameters (no type: a
``SpriteSnapshotConfig`` makes sprites, else normal snapshots). Field names, types and
defaults are Alibaba's (API reference "Media processing parameters" and the SDKs' request
models); where Alibaba documents no bound, dynimg sets one so that no job can ask for more
work than a long film's storyboard:

- ``Count`` in [1, 10000] (default 1); ``Interval`` whole seconds in [0, 86400] (default 1;
  0 spreads the pictures evenly over the video); with both, the one giving fewer pictures
  wins, as Alibaba documents.
- ``SpecifiedOffsetTime`` milliseconds in [0, 86399999] (default 0).
- ``SpecifiedOffsetTimes``: up to 30 times in milliseconds (a JSON array on the wire); when
  given, one picture at each, in time order, and Count, Interval and SpecifiedOffsetTime
  are not used.
- ``Width`` / ``Height`` in [8, 4096]; neither: the source's size, one: the other follows the
  source's aspect ratio.
- ``FrameType`` ``normal`` (default: the frame shown at each time) or ``intra`` (the nearest
  keyframe: only keyframes are decoded, much faster on long videos).
- ``SpriteSnapshotConfig``: ``CellWidth`` / ``CellHeight`` [8, 4096] (default the snapshot
  size), ``Columns`` / ``Lines`` [1, 10000] (default 10), ``Padding`` / ``Margin`` [0, 4096]
  (default 0), ``Color`` (a colour name or ``#RRGGBB``, default black), ``KeepCellPic``
  (``keep`` / ``delete``, default delete). A sheet is at most 16384 pixels a side and
  :data:`MAX_SHEET_PIXELS` in all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from dynimg.domain.fields import read_bool, read_choice, read_int, read_object
from dynimg.domain.json_document import parse_json_array, parse_json_object
from dynimg.domain.watermarks import parse_color
from dynimg.errors import InvalidParameter

MAX_COUNT = 10_000
"""Most pictures one job makes: one a second for 2 h 46 min, or one every 10 s for a day."""
MAX_INTERVAL_SECONDS = 86_400
MAX_OFFSET_MS = 86_399_999
"""The last millisecond of Alibaba's time range (23:59:59.999)."""
MAX_OFFSET_TIMES = 30
"""Alibaba's bound on ``SpecifiedOffsetTimes``."""
MIN_SIDE, MAX_SIDE = 8, 4096
MAX_GRID = 10_000
"""Alibaba's bound on Columns and Lines (the sheet bounds below bind first)."""
MAX_SPACING = 4096
MAX_SHEET_SIDE = 16_384
"""Widest and tallest sprite sheet: what JPEG decoders and browsers reliably open."""
MAX_SHEET_PIXELS = 64 * 1024 * 1024
"""A sheet's pixels (192 MiB as RGB while it is drawn, within the per-job memory bound)."""
MAX_TOTAL_PIXELS = 1 << 31
"""All pictures of a job together (Count x width x height): bounds its encoding time."""
DEFAULT_GRID = 10


class SnapshotType(StrEnum):
    """Alibaba's snapshot types, as ListSnapshots and the SnapshotComplete event name them."""

    COVER = "CoverSnapshot"
    NORMAL = "NormalSnapshot"
    SPRITE = "SpriteSnapshot"
    SPRITE_ORIGIN = "SpriteOriginSnapshot"
    """The cells a sprite sheet was made of, kept with ``KeepCellPic=keep``."""
    WEBVTT = "WebVttSnapshot"
    THUMBNAIL = "ThumbnailSnapshot"
    """dynimg's own: the picture of an on-demand thumbnail URL (not listed by ListSnapshots)."""


TEMPLATE_TYPES = (SnapshotType.NORMAL, SnapshotType.SPRITE, SnapshotType.WEBVTT)
"""What a snapshot template can make (covers are made at upload)."""
JOB_TYPES = (*TEMPLATE_TYPES, SnapshotType.COVER, SnapshotType.THUMBNAIL)
"""What a stored job can make."""
LISTED_TYPES = (*TEMPLATE_TYPES, SnapshotType.COVER, SnapshotType.SPRITE_ORIGIN)
"""What ListSnapshots lists: Alibaba's types."""
PICTURE_FORMATS = ("jpg", "webp", "avif")
"""What a thumbnail can be written as (every other snapshot is a JPEG)."""
AUTO_TIME = "auto"
"""A thumbnail's ``SpecifiedOffsetTime`` when the engine picks the best frame."""


class FrameType(StrEnum):
    """Which frames a snapshot may show."""

    NORMAL = "normal"
    """The frame shown at the snapshot's time."""
    INTRA = "intra"
    """The keyframe nearest the snapshot's time (only keyframes are decoded)."""


@dataclass(frozen=True)
class SpriteConfig:
    """How pictures are tiled into sprite sheets: a grid of cells, filled row by row."""

    columns: int = DEFAULT_GRID
    lines: int = DEFAULT_GRID
    cell_width: int | None = None
    cell_height: int | None = None
    padding: int = 0
    """Between neighbouring cells."""
    margin: int = 0
    """Around the grid, on every side."""
    color: tuple[int, int, int] = (0, 0, 0)
    keep_cells: bool = False
    """``KeepCellPic=keep``: the cells are also stored, as SpriteOriginSnapshot pictures."""

    @property
    def per_sheet(self) -> int:
        """Cells on one full sheet."""
        return self.columns * self.lines


@dataclass(frozen=True)
class SnapshotConfig:
    """A validated snapshot request, from a template or SubmitSnapshotJob's parameters."""

    type: SnapshotType
    count: int = 1
    interval_s: int = 1
    offset_ms: int = 0
    offsets_ms: tuple[int, ...] = ()
    """``SpecifiedOffsetTimes``: one picture at each of these times; Count, Interval and
    ``offset_ms`` are then unused."""
    frame_type: FrameType = FrameType.NORMAL
    width: int | None = None
    height: int | None = None
    sprite: SpriteConfig | None = None
    """Set for SpriteSnapshot, and for a tiled WebVttSnapshot (the sheets its cues point at)."""
    picture_format: str = "jpg"
    """``jpg``, or for a thumbnail ``webp`` / ``avif`` (one of :data:`PICTURE_FORMATS`)."""
    auto_time: bool = False
    """A thumbnail at the best frame (``offset_ms`` is then unused): see
    :func:`dynimg.domain.highlight.best_still`."""

    @property
    def tiled(self) -> bool:
        """Whether the pictures go onto sprite sheets."""
        return self.sprite is not None


def parse_snapshot_template_config(
    doc: Mapping[str, Any],
    path: str = "TemplateConfig",
    types: tuple[SnapshotType, ...] = TEMPLATE_TYPES,
) -> SnapshotConfig:
    """Validate a ``SnapshotTemplateConfig`` document field by field (a stored job's config
    may also be of the ``CoverSnapshot`` type: ``types``)."""
    kind = SnapshotType(
        read_choice(_required(doc, "SnapshotType", path), f"{path}.SnapshotType", types)
    )
    config_path = f"{path}.SnapshotConfig"
    body = read_object(_required(doc, "SnapshotConfig", path), config_path)
    if kind is SnapshotType.THUMBNAIL:
        return _thumbnail(body, config_path)
    config = _parse_body(body, config_path, kind)
    if kind is SnapshotType.SPRITE and config.sprite is None:
        config = replace(config, sprite=SpriteConfig())
    if kind is SnapshotType.WEBVTT:
        config = _webvtt(body, config_path, config)
    elif kind in (SnapshotType.NORMAL, SnapshotType.COVER):
        config = replace(config, sprite=None)  # single pictures have no sheets
    check_fixed_layout(config, config_path)
    return config


def parse_snapshot_request(params: Mapping[str, str | None]) -> SnapshotConfig:
    """SubmitSnapshotJob's inline parameters (when no SnapshotTemplateId is given)."""
    body: dict[str, Any] = {key: value for key, value in params.items() if value is not None}
    sprite_text = body.pop("SpriteSnapshotConfig", None)
    if sprite_text is not None:
        body["SpriteSnapshotConfig"] = parse_json_object(sprite_text, "SpriteSnapshotConfig")
    times_text = body.pop("SpecifiedOffsetTimes", None)
    if times_text is not None:
        body["SpecifiedOffsetTimes"] = parse_json_array(times_text, "SpecifiedOffsetTimes")
    kind = SnapshotType.SPRITE if sprite_text is not None else SnapshotType.NORMAL
    config = _parse_body(body, "", kind)
    check_fixed_layout(config, "")
    return config


def _parse_body(body: Mapping[str, Any], path: str, kind: SnapshotType) -> SnapshotConfig:
    sprite = body.get("SpriteSnapshotConfig")
    return SnapshotConfig(
        type=kind,
        count=_int(body, "Count", path, 1, MAX_COUNT, 1),
        interval_s=_int(body, "Interval", path, 0, MAX_INTERVAL_SECONDS, 1),
        offset_ms=_int(body, "SpecifiedOffsetTime", path, 0, MAX_OFFSET_MS, 0),
        offsets_ms=_offsets(body, _at(path, "SpecifiedOffsetTimes")),
        frame_type=FrameType(
            read_choice(body["FrameType"], _at(path, "FrameType"), [f.value for f in FrameType])
            if _given(body, "FrameType")
            else FrameType.NORMAL.value
        ),
        width=_side(body, "Width", path),
        height=_side(body, "Height", path),
        sprite=None if sprite is None else _parse_sprite(sprite, _at(path, "SpriteSnapshotConfig")),
    )


def _offsets(body: Mapping[str, Any], path: str) -> tuple[int, ...]:
    value = body.get("SpecifiedOffsetTimes")
    if value is None:
        return ()
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_OFFSET_TIMES:
        raise InvalidParameter(path, f"must be a list of 1 to {MAX_OFFSET_TIMES} times in ms")
    return tuple(read_int(v, f"{path}[{i}]", 0, MAX_OFFSET_MS) for i, v in enumerate(value))


def _parse_sprite(value: Any, path: str) -> SpriteConfig:
    doc = read_object(value, path)
    keep = "delete"
    if _given(doc, "KeepCellPic"):
        keep = read_choice(doc["KeepCellPic"], f"{path}.KeepCellPic", ["keep", "delete"])
    return SpriteConfig(
        columns=_int(doc, "Columns", path, 1, MAX_GRID, DEFAULT_GRID),
        lines=_int(doc, "Lines", path, 1, MAX_GRID, DEFAULT_GRID),
        cell_width=_side(doc, "CellWidth", path),
        cell_height=_side(doc, "CellHeight", path),
        padding=_int(doc, "Padding", path, 0, MAX_SPACING, 0),
        margin=_int(doc, "Margin", path, 0, MAX_SPACING, 0),
        color=parse_color(doc["Color"], f"{path}.Color") if _given(doc, "Color") else (0, 0, 0),
        keep_cells=keep == "keep",
    )


def _webvtt(body: Mapping[str, Any], path: str, config: SnapshotConfig) -> SnapshotConfig:
    """``Format`` must be ``vtt``; ``SubOut.IsSptFrag`` true (the default in dynimg) puts the
    pictures on sprite sheets the cues point into, false stores one picture per cue."""
    if _given(body, "Format"):
        read_choice(body["Format"], f"{path}.Format", ["vtt"])
    tiled = True
    if _given(body, "SubOut"):
        sub_out = read_object(body["SubOut"], f"{path}.SubOut")
        if _given(sub_out, "IsSptFrag"):
            tiled = read_bool(sub_out["IsSptFrag"], f"{path}.SubOut.IsSptFrag")
    if not tiled:
        return replace(config, sprite=None)
    return config if config.sprite is not None else replace(config, sprite=SpriteConfig())


def _thumbnail(body: Mapping[str, Any], path: str) -> SnapshotConfig:
    """A stored thumbnail job's config: one picture, in its format, at a time or ``auto``."""
    auto = body.get("SpecifiedOffsetTime") == AUTO_TIME
    rest = {k: v for k, v in body.items() if not (auto and k == "SpecifiedOffsetTime")}
    config = _parse_body(rest, path, SnapshotType.THUMBNAIL)
    fmt = read_choice(body.get("Format", "jpg"), f"{path}.Format", PICTURE_FORMATS)
    return replace(config, count=1, sprite=None, picture_format=fmt, auto_time=auto)


def check_fixed_layout(config: SnapshotConfig, path: str) -> None:
    """Refuse at once a sheet whose cell size the request fixes and that is too large."""
    sprite = config.sprite
    if sprite is not None and sprite.cell_width and sprite.cell_height:
        check_sheet(sprite, (sprite.cell_width, sprite.cell_height), path)


def check_sheet(sprite: SpriteConfig, cell: tuple[int, int], path: str = "") -> None:
    """A sheet of ``cell``-sized pictures must stay within :data:`MAX_SHEET_SIDE` and
    :data:`MAX_SHEET_PIXELS` (InvalidParameter naming its size otherwise)."""
    width, height = sheet_size(sprite, cell, sprite.per_sheet)
    if max(width, height) > MAX_SHEET_SIDE or width * height > MAX_SHEET_PIXELS:
        raise InvalidParameter(
            _at(path, "SpriteSnapshotConfig"),
            f"makes {width}x{height} sheets of {cell[0]}x{cell[1]} cells; a sheet may be at most "
            f"{MAX_SHEET_SIDE} pixels a side and {MAX_SHEET_PIXELS} pixels in all",
        )


def sheet_size(sprite: SpriteConfig, cell: tuple[int, int], cells: int) -> tuple[int, int]:
    """The size of a sheet holding ``cells`` pictures (a last sheet may have fewer lines)."""
    columns = min(sprite.columns, max(cells, 1))
    lines = min(sprite.lines, -(-max(cells, 1) // sprite.columns))
    return (
        2 * sprite.margin + columns * cell[0] + (columns - 1) * sprite.padding,
        2 * sprite.margin + lines * cell[1] + (lines - 1) * sprite.padding,
    )


def check_total(count: int, size: tuple[int, int]) -> None:
    """Count x width x height must stay within :data:`MAX_TOTAL_PIXELS`."""
    if count * size[0] * size[1] > MAX_TOTAL_PIXELS:
        raise InvalidParameter(
            "Count",
            f"{count} snapshots of {size[0]}x{size[1]} are more than {MAX_TOTAL_PIXELS} pixels; "
            "ask for fewer or smaller snapshots",
        )


def _side(doc: Mapping[str, Any], key: str, path: str) -> int | None:
    return _int(doc, key, path, MIN_SIDE, MAX_SIDE, None) if _given(doc, key) else None


def _int(doc: Mapping[str, Any], key: str, path: str, low: int, high: int, default: Any) -> Any:
    return read_int(doc[key], _at(path, key), low, high) if _given(doc, key) else default


def _given(doc: Mapping[str, Any], key: str) -> bool:
    return doc.get(key) is not None and doc.get(key) != ""


def _required(doc: Mapping[str, Any], key: str, path: str) -> Any:
    if not _given(doc, key):
        raise InvalidParameter(f"{path}.{key}", "is required")
    return doc[key]


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


COVER_CONFIG = SnapshotConfig(
    SnapshotType.COVER, count=8, interval_s=0, offset_ms=5, frame_type=FrameType.INTRA
)
"""Alibaba's cover snapshots: up to 8, on evenly spaced keyframes from the 5th millisecond,
at the source's size."""
