"""The console's template form: a stored template fills it, and saving keeps what it hides."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from dynimg.api.console.template_forms import config_text, template_values
from dynimg.domain.templates import Template, TemplateType

STORED = {
    "Container": {"Format": "webp"},
    "Video": {"Width": "320", "Fps": "8"},
    "Clip": {"TimeSpan": {"Seek": "1.5", "End": "2"}},
    "WatermarkIds": ["USER_DEFAULT_WATERMARK"],
    "Quality": "60",
    "Loop": "2",
}


def stored_template() -> Template:
    now = datetime(2026, 11, 29, tzinfo=UTC)
    return Template("t1", "a1", "old", TemplateType.DYNAMIC_IMAGE, json.dumps(STORED),
                    "app-1000000", False, now, now)  # fmt: skip


def test_the_edit_form_starts_from_the_stored_template() -> None:
    values = template_values(stored_template())
    assert values == {"name": "old", "format": "webp", "width": "320", "height": "", "fps": "8",
                      "seek": "1.5", "duration": "", "video_id": "",
                      "watermark_ids": "USER_DEFAULT_WATERMARK"}  # fmt: skip


def test_saving_unchanged_keeps_every_field_the_form_does_not_show() -> None:
    values = template_values(stored_template())
    assert json.loads(config_text(values, json.dumps(STORED))) == STORED


def test_fields_emptied_in_the_form_are_removed_and_duration_replaces_end() -> None:
    emptied = {"width": "", "height": "200", "duration": "3", "watermark_ids": ""}
    values = template_values(stored_template()) | emptied
    document = json.loads(config_text(values, json.dumps(STORED)))
    assert document["Video"] == {"Fps": "8", "Height": "200"}
    assert document["Clip"] == {"TimeSpan": {"Seek": "1.5", "Duration": "3"}}
    assert "WatermarkIds" not in document
    assert document["Quality"] == "60"
