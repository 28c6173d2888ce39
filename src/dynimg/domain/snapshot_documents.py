"""A snapshot config written back as Alibaba's ``SnapshotTemplateConfig`` document: what a
stored job keeps, read again by :func:`dynimg.domain.snapshots.parse_snapshot_template_config`."""

from __future__ import annotations

from typing import Any

from dynimg.domain.snapshots import AUTO_TIME, SnapshotConfig, SnapshotType, SpriteConfig


def snapshot_document(config: SnapshotConfig) -> dict[str, Any]:
    """``config`` as a ``SnapshotTemplateConfig`` document (every default written out), which
    :func:`parse_snapshot_template_config` reads back to the same config (a cover job's with
    ``types=JOB_TYPES``)."""
    body: dict[str, Any] = {
        "FrameType": config.frame_type.value,
        "Count": config.count,
        "Interval": config.interval_s,
        "SpecifiedOffsetTime": config.offset_ms,
    }
    if config.offsets_ms:
        body["SpecifiedOffsetTimes"] = list(config.offsets_ms)
    body |= {k: v for k, v in (("Width", config.width), ("Height", config.height)) if v}
    if config.sprite is not None:
        body["SpriteSnapshotConfig"] = _sprite_document(config.sprite)
    if config.type is SnapshotType.WEBVTT:
        body |= {"Format": "vtt", "SubOut": {"IsSptFrag": "true" if config.tiled else "false"}}
    if config.type is SnapshotType.THUMBNAIL:
        body["Format"] = config.picture_format
        if config.auto_time:
            body["SpecifiedOffsetTime"] = AUTO_TIME
    return {"SnapshotType": config.type.value, "SnapshotConfig": body}


def _sprite_document(sprite: SpriteConfig) -> dict[str, Any]:
    doc: dict[str, Any] = {"Columns": sprite.columns, "Lines": sprite.lines}
    for key, value in (("CellWidth", sprite.cell_width), ("CellHeight", sprite.cell_height)):
        if value:
            doc[key] = value
    red, green, blue = sprite.color
    return doc | {
        "Padding": sprite.padding,
        "Margin": sprite.margin,
        "Color": f"#{red:02x}{green:02x}{blue:02x}",
        "KeepCellPic": "keep" if sprite.keep_cells else "delete",
    }
