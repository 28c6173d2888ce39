"""A stored template as settings a person reads (format, size, frame rate, clip, extras,
watermarks) rather than its TemplateConfig document, which the list keeps one click away."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from dynimg.api.console.template_forms import DEFAULTS, template_values
from dynimg.domain.templates import Template

Translate = Callable[[str], str]
_CHOICES = {"floyd_steinberg": "Floyd-Steinberg (default)", "bayer": "Bayer (smaller files)",
            "none": "None", "fill": "Fill: cut the centre to Width × Height",
            "auto": "Auto: cut off black bars (letterbox)", "forward": "Forward",
            "reverse": "Reverse", "bounce": "Bounce (forward, then back)"}  # fmt: skip


def template_settings(
    template: Template, watermark_names: Mapping[str, str], _: Translate
) -> list[tuple[str, str]]:
    """(label, value) pairs, translated, for the settings the template sets."""
    values = template_values(template)
    rows = [(_("Format"), values["format"].upper()), (_("Size"), _size(values, _))]
    if values["fps"]:
        rows.append((_("Frame rate"), f"{values['fps']} fps"))
    start = _("auto (best part)") if values["seek_auto"] else _seconds(values["seek"] or "0")
    rows.append((_("Start"), start))
    if values["duration"]:
        rows.append((_("Length"), _seconds(values["duration"])))
    rows += _extras(values, _)
    if ids := [i for i in values["watermark_ids"].split(",") if i]:
        rows.append((_("Watermarks"), ", ".join(watermark_names.get(i, i) for i in ids)))
    return rows


def _size(values: Mapping[str, str], _: Translate) -> str:
    width, height = values["width"], values["height"]
    if not width and not height:
        return _("As the source")
    return f"{width or _('auto')} × {height or _('auto')}"


def _seconds(text: str) -> str:
    return f"{text} s"


def _extras(values: Mapping[str, str], _: Translate) -> list[tuple[str, str]]:
    rows = []
    if values["quality"]:
        rows.append((_("Quality"), values["quality"]))
    if values["loop"]:
        rows.append((_("Loop"), _("forever") if values["loop"] == "0" else values["loop"]))
    if values["max_colors"]:
        rows.append((_("Colours"), values["max_colors"]))
    for field, label in (("dither", "Dither"), ("crop", "Crop"), ("playback", "Playback")):
        if values[field] and values[field] != DEFAULTS[field]:
            rows.append((_(label), _(_CHOICES.get(values[field], values[field]))))
    if values["speed"]:
        rows.append((_("Speed"), f"{values['speed']}×"))
    if values["max_file_kb"]:
        rows.append((_("Max file size"), f"{values['max_file_kb']} KB"))
    return rows
