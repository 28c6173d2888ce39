"""A template config between its two forms: the client's JSON text and the typed config.

The edge reads a client's TemplateConfig with :func:`read_template_config` (bounded JSON, then
the template rules); :func:`template_document` writes a typed config back as a document that
reads back to the same config, which is how a job keeps its effective config.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dynimg.domain.json_document import parse_json_object
from dynimg.domain.template_parsing import parse_template_config, parse_template_name
from dynimg.domain.templates import (
    DEFAULT_FPS,
    Crop,
    Dither,
    DynamicImageTemplateConfig,
    Playback,
    TemplateType,
    TimeSpan,
    ToneMap,
    VideoCodec,
)
from dynimg.domain.timecode import format_seconds
from dynimg.errors import InvalidParameter

if TYPE_CHECKING:
    # Snapshot templates' module is imported where one is read: `dynimg render` reads animated
    # ones only, and each module of dataclasses it skips is start-up it does not pay.
    from dynimg.domain.snapshots import SnapshotConfig

    TemplateConfig = DynamicImageTemplateConfig | SnapshotConfig
    """A template's typed config: an animated image's or a snapshot's."""


@dataclass(frozen=True)
class TemplateConfigInput:
    """A validated TemplateConfig: typed, and the document as the client wrote it (stored and
    echoed back by GetVodTemplate as Alibaba does, unknown fields and spellings included)."""

    config: TemplateConfig
    document: Mapping[str, Any]


@dataclass(frozen=True)
class AddTemplate:
    """AddVodTemplate, parsed."""

    name: str
    type: TemplateType
    config: TemplateConfigInput
    app_id: str | None = None


@dataclass(frozen=True)
class UpdateTemplate:
    """UpdateVodTemplate, parsed: what is None stays as it is. The document is validated
    against the stored template's type, which the request does not carry."""

    template_id: str
    name: str | None = None
    document: Mapping[str, Any] | None = None


def read_template_config(
    text: str, kind: TemplateType = TemplateType.DYNAMIC_IMAGE
) -> TemplateConfigInput:
    """A client's TemplateConfig text, validated as a config of ``kind``."""
    return read_template_document(parse_json_object(text, "TemplateConfig"), kind)


def read_template_document(
    document: Mapping[str, Any], kind: TemplateType = TemplateType.DYNAMIC_IMAGE
) -> TemplateConfigInput:
    """A TemplateConfig document (a form's, or a client's once parsed) of ``kind``, validated."""
    if kind is TemplateType.SNAPSHOT:
        from dynimg.domain.snapshots import parse_snapshot_template_config

        return TemplateConfigInput(parse_snapshot_template_config(document), document)
    return TemplateConfigInput(parse_template_config(document), document)


def read_add_template(
    name: str, template_type: str, config_text: str, app_id: str | None = None
) -> AddTemplate:
    """AddVodTemplate's parameters, checked in the order Alibaba reports them."""
    kind = check_template_type(template_type)
    name = parse_template_name(name)
    return AddTemplate(name, kind, read_template_config(config_text, kind), app_id)


def read_update_template(
    template_id: str, name: str | None, config_text: str | None
) -> UpdateTemplate:
    """UpdateVodTemplate's parameters; an empty TemplateConfig leaves the config unchanged."""
    return UpdateTemplate(
        template_id,
        parse_template_name(name) if name is not None else None,
        parse_json_object(config_text, "TemplateConfig") if config_text else None,
    )


def check_template_type(value: str) -> TemplateType:
    """``DynamicImage`` or ``Snapshot``, as Alibaba spells them."""
    for kind in TemplateType:
        if value == kind.value:
            return kind
    raise InvalidParameter("TemplateType", "must be DynamicImage or Snapshot")


def template_document(config: DynamicImageTemplateConfig) -> dict[str, Any]:
    """``config`` as a `DynamicImageTemplateConfig` document that reads back to it; values
    left at their defaults are left out."""
    container: dict[str, Any] = {"Format": config.format.value}
    if config.max_file_size is not None:
        container["MaxFileSize"] = config.max_file_size
    document: dict[str, Any] = {"Container": container, "Clip": _clip(config)}
    video = _video(config)
    if video:
        document["Video"] = video
    if config.name is not None:
        document["Name"] = config.name
    if config.set_default_cover:
        document["SetDefaultCover"] = True
    if config.watermark_ids:
        document["WatermarkIds"] = list(config.watermark_ids)
    return document | _extras(config)


def _video(config: DynamicImageTemplateConfig) -> dict[str, Any]:
    video: dict[str, Any] = {}
    if config.width is not None:
        video["Width"] = config.width
    if config.height is not None:
        video["Height"] = config.height
    if config.fps != DEFAULT_FPS:
        video["Fps"] = config.fps
    if config.crop is not Crop.NONE:
        video["Crop"] = config.crop.value
    if config.tone_map is not ToneMap.BT2390:
        video["ToneMap"] = config.tone_map.value
    return video


def _clip(config: DynamicImageTemplateConfig) -> dict[str, Any]:
    clip: dict[str, Any] = {"TimeSpan": _time_span(config.time_span)}
    if config.playback is not Playback.FORWARD:
        clip["Playback"] = config.playback.value
    if config.speed != 1.0:
        clip["Speed"] = config.speed
    return clip


def _time_span(span: TimeSpan) -> dict[str, Any]:
    document: dict[str, Any] = {"Seek": "auto" if span.auto else format_seconds(span.seek_ms)}
    if span.end_ms is not None:
        document["End"] = format_seconds(span.end_ms)
    elif span.duration_ms is not None:
        document["Duration"] = format_seconds(span.duration_ms)
    return document


def _extras(config: DynamicImageTemplateConfig) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if config.quality != 75:
        extras["Quality"] = config.quality
    if config.loop != 0:
        extras["Loop"] = config.loop
    if config.max_colors != 256:
        extras["MaxColors"] = config.max_colors
    if config.dither is not Dither.FLOYD_STEINBERG:
        extras["Dither"] = config.dither.value
    if config.lossy is not None:
        extras["Lossy"] = config.lossy
    if config.codec is not VideoCodec.AV1:
        extras["Codec"] = config.codec.value
    return extras
