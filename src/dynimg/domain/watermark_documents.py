"""A WatermarkConfig between its forms (client text, document, typed config), and the parsed
AddWatermark and UpdateWatermark requests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dynimg.domain.fields import read_choice, read_object, read_text
from dynimg.domain.json_document import parse_json_object
from dynimg.domain.watermarks import (
    ImageWatermarkConfig,
    Length,
    TextWatermarkConfig,
    Timeline,
    WatermarkConfig,
    WatermarkType,
    parse_watermark_config,
)

MAX_CONFIG_BYTES = 8192


@dataclass(frozen=True)
class WatermarkConfigInput:
    """A validated WatermarkConfig: typed, and the document as the client wrote it (stored, and
    echoed back by GetWatermark)."""

    type: WatermarkType
    config: WatermarkConfig
    document: Mapping[str, Any]


@dataclass(frozen=True)
class AddWatermark:
    """AddWatermark, parsed; ``file_url`` is an image watermark's uploaded image."""

    name: str
    config: WatermarkConfigInput
    file_url: str = ""
    app_id: str | None = None


@dataclass(frozen=True)
class UpdateWatermark:
    """UpdateWatermark, parsed. The document is validated against the stored watermark's type,
    which the request does not carry."""

    watermark_id: str
    name: str | None
    document: Mapping[str, Any]


def read_watermark_type(value: str | None) -> WatermarkType:
    """``Type``; absent: Image, as Alibaba defaults."""
    return WatermarkType(read_choice(value or "Image", "Type", [t.value for t in WatermarkType]))


def read_watermark_name(value: str | None) -> str:
    """A watermark's name: 1 to 128 bytes, trimmed."""
    return read_text(value, "Name", max_bytes=128).strip()


def read_watermark_document(text: str | None) -> dict[str, Any]:
    """A client's WatermarkConfig text as a JSON object (not yet validated for a type)."""
    return parse_json_object(
        read_text(text, "WatermarkConfig", max_bytes=MAX_CONFIG_BYTES), "WatermarkConfig"
    )


def read_watermark_config(kind: WatermarkType, document: Mapping[str, Any]) -> WatermarkConfigInput:
    """A WatermarkConfig document validated for a watermark of ``kind``."""
    return WatermarkConfigInput(kind, parse_watermark_config(kind, document), document)


def read_add_watermark(
    name: str | None,
    type_name: str | None,
    config_text: str | None,
    file_url: str | None = None,
    app_id: str | None = None,
) -> AddWatermark:
    """AddWatermark's parameters: the type, its config, an image's FileUrl, then the name."""
    kind = read_watermark_type(type_name)
    config = read_watermark_config(kind, read_watermark_document(config_text))
    url = read_text(file_url, "FileUrl", max_bytes=2048) if kind is WatermarkType.IMAGE else ""
    return AddWatermark(read_watermark_name(name), config, url, app_id)


def read_update_watermark(
    watermark_id: str, name: str | None, config_text: str | None
) -> UpdateWatermark:
    """UpdateWatermark's parameters; an empty Name keeps the name."""
    return UpdateWatermark(
        watermark_id,
        read_watermark_name(name) if name else None,
        read_watermark_document(config_text),
    )


@dataclass(frozen=True)
class LocalWatermark:
    """A watermark given to ``dynimg render``; an image one's ``file_url`` is a local file."""

    watermark_id: str
    config: WatermarkConfig
    file_url: str | None = None


def read_local_watermark(text: str, index: int) -> LocalWatermark:
    """``{"WatermarkId", "Type": "Image"|"Text", "FileUrl", "WatermarkConfig": {...}}``; the
    WatermarkConfig may also be JSON text, as the API takes it."""
    path = f"Watermark[{index}]"
    document = parse_json_object(text, path)
    kind = WatermarkType(
        read_choice(document.get("Type", "Image"), f"{path}.Type", [t.value for t in WatermarkType])
    )
    raw = document.get("WatermarkConfig", {})
    if isinstance(raw, str):
        raw = parse_json_object(raw, f"{path}.WatermarkConfig")
    config_path = f"{path}.WatermarkConfig"
    config = parse_watermark_config(kind, read_object(raw, config_path), config_path)
    file_url = document.get("FileUrl")
    image = None
    if kind is WatermarkType.IMAGE and file_url:
        image = read_text(file_url, f"{path}.FileUrl", max_bytes=2048)
    watermark_id = str(document.get("WatermarkId") or f"watermark-{index}")
    return LocalWatermark(watermark_id, config, image)


def watermark_document(config: WatermarkConfig) -> dict[str, Any]:
    """``config`` as a WatermarkConfig document that reads back to it."""
    if isinstance(config, TextWatermarkConfig):
        return _text_document(config)
    return _image_document(config)


def _image_document(config: ImageWatermarkConfig) -> dict[str, Any]:
    document: dict[str, Any] = {
        "ReferPos": config.refer_pos,
        "Dx": _length(config.dx),
        "Dy": _length(config.dy),
    }
    if config.width is not None:
        document["Width"] = _length(config.width)
    if config.height is not None:
        document["Height"] = _length(config.height)
    return document | {"Timeline": _timeline(config.timeline)}


def _length(length: Length) -> float:
    return length.value


def _timeline(timeline: Timeline) -> dict[str, Any]:
    duration = "ToEND" if timeline.duration_ms is None else timeline.duration_ms / 1000
    return {"Start": timeline.start_ms / 1000, "Duration": duration}


def _text_document(config: TextWatermarkConfig) -> dict[str, Any]:
    return {
        "Content": config.content,
        "FontName": config.font_name,
        "FontSize": config.font_size,
        "FontColor": _hex(config.font_color),
        "FontAlpha": config.font_alpha,
        "BorderWidth": config.border_width,
        "BorderColor": _hex(config.border_color),
        "Top": config.top,
        "Left": config.left,
    }


def _hex(color: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*color)
