"""The submit-job form's per-request overrides: its fields and the OverrideParams they make."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData

from dynimg.api.console.template_forms import byte_count
from dynimg.domain.templates import AUTO_SEEK

OVERRIDE_FIELDS = ("seek", "seek_auto", "duration", "width", "height", "fps", "crop",
                   "playback", "speed", "max_file_kb", "override_params")  # fmt: skip
"""Every field is optional: an empty one leaves the template's value."""
_VIDEO = (("Width", "width"), ("Height", "height"), ("Fps", "fps"), ("Crop", "crop"))
_CLIP = (("Playback", "playback"), ("Speed", "speed"))


def override_values(form: FormData) -> dict[str, str]:
    """The submitted override fields as trimmed strings (missing ones empty)."""
    return {name: str(form.get(name) or "").strip() for name in OVERRIDE_FIELDS}


def override_text(values: dict[str, str]) -> str | None:
    """The OverrideParams document: the JSON typed in the box (watermark texts...), with the
    fields merged into its Clip, Video and Container; None when nothing is overridden.

    Values go as typed, so SubmitDynamicImageJob's own validation judges them. A box that is
    not a JSON object is sent as typed too: the API refuses it in its words.
    """
    sections = _sections(values)
    typed = values.get("override_params", "")
    if not typed:
        return json.dumps(sections) if sections else None
    try:
        document = json.loads(typed)
    except (ValueError, RecursionError):  # the API refuses it in its words (depth, digits)
        return typed
    if not isinstance(document, dict):
        return typed
    for key, section in sections.items():
        old = document.get(key)
        document[key] = {**old, **section} if isinstance(old, dict) else section
    return json.dumps(document)


def _sections(values: dict[str, str]) -> dict[str, dict[str, Any]]:
    clip: dict[str, Any] = {key: values[field] for key, field in _CLIP if values.get(field)}
    span = _time_span(values)
    if span:
        clip["TimeSpan"] = span
    video = {key: values[field] for key, field in _VIDEO if values.get(field)}
    size = byte_count(values.get("max_file_kb", ""))
    container = {"MaxFileSize": size} if size != "" else {}
    found = {"Clip": clip, "Video": video, "Container": container}
    return {key: section for key, section in found.items() if section}


def _time_span(values: dict[str, str]) -> dict[str, str]:
    """A TimeSpan replaces the template's whole one (Seek is then required, as the API says)."""
    span = {"Seek": AUTO_SEEK} if values.get("seek_auto") else {}
    if values.get("seek") and not span:
        span["Seek"] = values["seek"]
    if values.get("duration"):
        span["Duration"] = values["duration"]
    return span
