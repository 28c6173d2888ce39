"""The template form: its fields, the TemplateConfig they make, and where an error belongs."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData

from dynimg.domain.templates import Template

FIELDS = ("name", "format", "width", "height", "fps", "seek", "duration", "video_id")
_FIELD_OF = {"Name": "name", "Format": "format", "Width": "width", "Height": "height",
             "Fps": "fps", "Seek": "seek", "Duration": "duration", "End": "duration",
             "WatermarkIds": "watermark_ids"}  # fmt: skip
_VIDEO_KEYS = (("Width", "width"), ("Height", "height"), ("Fps", "fps"))


def form_values(form: FormData) -> dict[str, str]:
    """The submitted fields as trimmed strings (missing ones empty); watermark ids joined."""
    values = {name: str(form.get(name) or "").strip() for name in FIELDS}
    values["watermark_ids"] = ",".join(str(v) for v in form.getlist("watermark_ids"))
    return values


def template_values(template: Template) -> dict[str, str]:
    """The form's fields filled from a stored template (for its edit form)."""
    document: dict[str, Any] = json.loads(template.config_json)
    video = document.get("Video") or {}
    span = (document.get("Clip") or {}).get("TimeSpan") or {}
    ids = document.get("WatermarkIds") or []
    joined = ids if isinstance(ids, str) else ",".join(map(str, ids))
    values = {"name": template.name, "format": str(document["Container"]["Format"]),
              "seek": _text(span.get("Seek")), "duration": _text(span.get("Duration")),
              "video_id": "", "watermark_ids": joined}  # fmt: skip
    values.update({field: _text(video.get(key)) for key, field in _VIDEO_KEYS})
    return values


def config_text(values: dict[str, str], stored: str | None = None) -> str:
    """The TemplateConfig the form describes, values as typed so the API's own validation (and
    its messages) judge them. When editing, ``stored`` is the template's config: the fields the
    form does not show (Quality, Loop, Dither, End when Duration is left empty...) are kept."""
    document: dict[str, Any] = json.loads(stored) if stored else {}
    document["Container"] = {**document.get("Container", {}), "Format": values["format"]}
    video = {k: v for k, v in document.get("Video", {}).items() if k not in dict(_VIDEO_KEYS)}
    video.update({key: values[field] for key, field in _VIDEO_KEYS if values[field]})
    document.pop("Video", None)
    if video:
        document["Video"] = video
    span = {"Seek": values["seek"]}
    if values["duration"]:
        span["Duration"] = values["duration"]
    elif "End" in (old := document.get("Clip", {}).get("TimeSpan", {})):
        span["End"] = old["End"]
    document["Clip"] = {**document.get("Clip", {}), "TimeSpan": span}
    document.pop("WatermarkIds", None)
    if values.get("watermark_ids"):
        document["WatermarkIds"] = values["watermark_ids"].split(",")
    return json.dumps(document)


def field_of(parameter: str) -> str:
    """The form field an InvalidParameter's name points at (``TemplateConfig.Video.Width``)."""
    return _FIELD_OF.get(parameter.rsplit(".", 1)[-1], "")


def _text(value: Any) -> str:
    return "" if value is None else str(value)
