"""The template form: its fields, the TemplateConfig they make, and where an error belongs."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from starlette.datastructures import FormData

from dynimg.domain.template_documents import TemplateConfigInput, read_template_document
from dynimg.domain.templates import AUTO_SEEK, Template

FIELDS = ("name", "format", "width", "height", "fps", "seek", "seek_auto", "duration",
          "video_id", "quality", "loop", "max_colors", "dither", "max_file_kb", "crop",
          "playback", "speed")  # fmt: skip
_FIELD_OF = {"Name": "name", "Format": "format", "Width": "width", "Height": "height",
             "Fps": "fps", "Seek": "seek", "Duration": "duration", "End": "duration",
             "WatermarkIds": "watermark_ids", "Quality": "quality", "Loop": "loop",
             "MaxColors": "max_colors", "Dither": "dither", "MaxFileSize": "max_file_kb",
             "Crop": "crop", "Playback": "playback", "Speed": "speed"}  # fmt: skip
_VIDEO_KEYS = (("Width", "width"), ("Height", "height"), ("Fps", "fps"))
_EXTRA_KEYS = (("Quality", "quality"), ("Loop", "loop"), ("MaxColors", "max_colors"),
               ("Dither", "dither"))  # fmt: skip
DEFAULTS = {"dither": "floyd_steinberg", "crop": "none", "playback": "forward"}
"""Choices that are the API's default: the document leaves them out."""
KB = 1024
"""The form asks for MaxFileSize in KB of 1024 bytes (the API's floor, 1024 bytes, is 1 KB)."""


def form_values(form: FormData) -> dict[str, str]:
    """The submitted fields as trimmed strings (missing ones empty); watermark ids joined."""
    values = {name: str(form.get(name) or "").strip() for name in FIELDS}
    values["watermark_ids"] = ",".join(str(v) for v in form.getlist("watermark_ids"))
    return values


def template_values(template: Template) -> dict[str, str]:
    """The form's fields filled from a stored template (for its edit form)."""
    document = template.document
    video = document.get("Video") or {}
    clip = document.get("Clip") or {}
    span = clip.get("TimeSpan") or {}
    ids = document.get("WatermarkIds") or []
    joined = ids if isinstance(ids, str) else ",".join(map(str, ids))
    auto = str(span.get("Seek", "")).strip().lower() == AUTO_SEEK
    values = {"name": template.name, "format": str(document["Container"]["Format"]),
              "seek": "" if auto else _text(span.get("Seek")), "seek_auto": "1" if auto else "",
              "duration": _text(span.get("Duration")), "video_id": "", "watermark_ids": joined,
              "max_file_kb": kilobytes(document["Container"].get("MaxFileSize")),
              "crop": _text(video.get("Crop")), "playback": _text(clip.get("Playback")),
              "speed": _text(clip.get("Speed"))}  # fmt: skip
    values.update({field: _text(video.get(key)) for key, field in _VIDEO_KEYS})
    values.update({field: _text(document.get(key)) for key, field in _EXTRA_KEYS})
    return values


def config_input(
    values: dict[str, str], stored: Mapping[str, Any] | None = None
) -> TemplateConfigInput:
    """The form's TemplateConfig, validated as AddVodTemplate validates a client's."""
    return read_template_document(config_document(values, stored))


def config_document(
    values: dict[str, str], stored: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The TemplateConfig the form describes, values as typed so the API's own validation (and
    its messages) judge them. When editing, ``stored`` is the template's config: the fields the
    form does not show (Name, SetDefaultCover, End when Duration is left empty...) are kept.
    An extra left empty (or hidden, as it does not apply to the format) is removed."""
    document: dict[str, Any] = copy.deepcopy(dict(stored)) if stored else {}
    document["Container"] = _container(document.get("Container", {}), values)
    _set_section(document, "Video", _video(document.get("Video", {}), values))
    document["Clip"] = _clip(document.get("Clip", {}), values)
    for key, field in _EXTRA_KEYS:
        _put(document, key, _chosen(values, field))
    document.pop("WatermarkIds", None)
    if values.get("watermark_ids"):
        document["WatermarkIds"] = values["watermark_ids"].split(",")
    return document


def _container(old: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    container = {**old, "Format": values["format"]}
    _put(container, "MaxFileSize", byte_count(values.get("max_file_kb", "")))
    return container


def _video(old: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    video = {k: v for k, v in old.items() if k not in dict(_VIDEO_KEYS)}
    video.update({key: values[field] for key, field in _VIDEO_KEYS if values[field]})
    _put(video, "Crop", _chosen(values, "crop"))
    return video


def _clip(old: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    span = {"Seek": AUTO_SEEK if values.get("seek_auto") else values["seek"]}
    if values["duration"]:
        span["Duration"] = values["duration"]
    elif "End" in (old_span := old.get("TimeSpan", {})):
        span["End"] = old_span["End"]
    clip = {**old, "TimeSpan": span}
    _put(clip, "Playback", _chosen(values, "playback"))
    _put(clip, "Speed", _chosen(values, "speed"))
    return clip


def _chosen(values: dict[str, str], field: str) -> str:
    """The field's value, or empty when it is left empty or is the API's default choice."""
    value = values.get(field, "")
    return "" if value == DEFAULTS.get(field) else value


def _put(section: dict[str, Any], key: str, value: Any) -> None:
    section.pop(key, None)
    if value != "":
        section[key] = value


def _set_section(document: dict[str, Any], key: str, section: dict[str, Any]) -> None:
    document.pop(key, None)
    if section:
        document[key] = section


def byte_count(kilobytes_text: str) -> int | str:
    """KB as typed (``1.5``) to whole bytes (1536); text that is no number is passed on as
    typed, for the API to refuse in its own words."""
    if not kilobytes_text:
        return ""
    try:
        number = Decimal(kilobytes_text) * KB
    except InvalidOperation:
        return kilobytes_text
    if not number.is_finite():
        return kilobytes_text
    return int(number.to_integral_value(ROUND_HALF_UP))  # as the page's hint rounds


def kilobytes(byte_value: Any) -> str:
    """Stored bytes as the form's KB, exactly (6000 bytes: ``5.859375``)."""
    if byte_value is None or byte_value == "":
        return ""
    try:
        number = Decimal(int(byte_value)) / KB
    except (TypeError, ValueError):
        return str(byte_value)
    return format(number.normalize(), "f")


def field_of(parameter: str) -> str:
    """The form field an InvalidParameter's name points at (``TemplateConfig.Video.Width``)."""
    return _FIELD_OF.get(parameter.rsplit(".", 1)[-1], "")


def _text(value: Any) -> str:
    return "" if value is None else str(value)
