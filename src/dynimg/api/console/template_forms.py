"""The template form: its fields, the TemplateConfig they make, and where an error belongs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

FIELDS = ("name", "format", "width", "height", "fps", "seek", "duration", "video_id")
_FIELD_OF = {"Name": "name", "Format": "format", "Width": "width", "Height": "height",
             "Fps": "fps", "Seek": "seek", "Duration": "duration", "End": "duration"}  # fmt: skip


def form_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The submitted fields as trimmed strings (missing ones empty)."""
    return {name: str(form.get(name) or "").strip() for name in FIELDS}


def config_text(values: Mapping[str, str]) -> str:
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
    return json.dumps(document)


def field_of(parameter: str) -> str:
    """The form field an InvalidParameter's name points at (``TemplateConfig.Video.Width``)."""
    return _FIELD_OF.get(parameter.rsplit(".", 1)[-1], "")
