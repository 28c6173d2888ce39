"""The template form: its fields, the TemplateConfig they make, and where an error belongs."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData

FIELDS = ("name", "format", "width", "height", "fps", "seek", "duration", "video_id")
_FIELD_OF = {"Name": "name", "Format": "format", "Width": "width", "Height": "height",
             "Fps": "fps", "Seek": "seek", "Duration": "duration", "End": "duration",
             "WatermarkIds": "watermark_ids"}  # fmt: skip


def form_values(form: FormData) -> dict[str, str]:
    """The submitted fields as trimmed strings (missing ones empty); watermark ids joined."""
    values = {name: str(form.get(name) or "").strip() for name in FIELDS}
    values["watermark_ids"] = ",".join(str(v) for v in form.getlist("watermark_ids"))
    return values


def config_text(values: dict[str, str]) -> str:
    """The TemplateConfig document the form describes, values as typed so the API's own
    validation (and its messages) judge them."""
    document: dict[str, Any] = {"Container": {"Format": values["format"]}}
    video = {key: values[field] for key, field in (("Width", "width"), ("Height", "height"),
                                                   ("Fps", "fps")) if values[field]}  # fmt: skip
    if video:
        document["Video"] = video
    span = {"Seek": values["seek"]}
    if values["duration"]:
        span["Duration"] = values["duration"]
    document["Clip"] = {"TimeSpan": span}
    if values.get("watermark_ids"):
        document["WatermarkIds"] = values["watermark_ids"].split(",")
    return json.dumps(document)


def field_of(parameter: str) -> str:
    """The form field an InvalidParameter's name points at (``TemplateConfig.Video.Width``)."""
    return _FIELD_OF.get(parameter.rsplit(".", 1)[-1], "")
