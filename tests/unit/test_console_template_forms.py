"""The console's template form: a stored template fills it, saving keeps what it hides, and
the Advanced fields map to the document's extras (MaxFileSize asked in KB, stored in bytes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from dynimg.api.console.template_forms import (
    byte_count,
    config_document,
    field_of,
    kilobytes,
    template_values,
)
from dynimg.domain.template_documents import read_template_document
from dynimg.domain.template_parsing import parse_template_config
from dynimg.domain.templates import Dither, ImageFormat, Playback, Template, TemplateType
from dynimg.errors import InvalidParameter

STORED = {
    "Container": {"Format": "webp"},
    "Video": {"Width": "320", "Fps": "8"},
    "Clip": {"TimeSpan": {"Seek": "1.5", "End": "2"}},
    "WatermarkIds": ["USER_DEFAULT_WATERMARK"],
    "Quality": "60",
    "Loop": "2",
}


def stored_template(document: dict[str, object] = STORED) -> Template:
    now = datetime(2026, 11, 29, tzinfo=UTC)
    stored = read_template_document(document)
    return Template("t1", "a1", "old", TemplateType.DYNAMIC_IMAGE, stored.config, document,
                    "app-1000000", False, now, now)  # fmt: skip


def config_text(values: dict[str, str], stored: str | None = None) -> str:
    """The form's TemplateConfig as JSON text, as a client would send it."""
    return json.dumps(config_document(values, json.loads(stored) if stored else None))


def test_the_edit_form_starts_from_the_stored_template() -> None:
    values = template_values(stored_template())
    assert values == {"name": "old", "format": "webp", "width": "320", "height": "", "fps": "8",
                      "seek": "1.5", "seek_auto": "", "duration": "", "video_id": "",
                      "watermark_ids": "USER_DEFAULT_WATERMARK", "quality": "60", "loop": "2",
                      "max_colors": "", "dither": "", "max_file_kb": "", "crop": "",
                      "playback": "", "speed": ""}  # fmt: skip


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


ADVANCED = {
    "Container": {"Format": "gif", "MaxFileSize": 6000},
    "Video": {"Width": "320", "Height": "240", "Crop": "fill"},
    "Clip": {"TimeSpan": {"Seek": "auto", "Duration": "3"}, "Playback": "bounce", "Speed": "2"},
    "Loop": "3",
    "MaxColors": "64",
    "Dither": "bayer",
}


def test_advanced_fields_fill_the_form_and_come_back_unchanged() -> None:
    values = template_values(stored_template(ADVANCED))
    assert values["max_file_kb"] == "5.859375"  # 6000 bytes, exactly
    assert (values["seek"], values["seek_auto"]) == ("", "1")
    assert (values["crop"], values["playback"], values["speed"]) == ("fill", "bounce", "2")
    assert (values["loop"], values["max_colors"], values["dither"]) == ("3", "64", "bayer")
    document = json.loads(config_text(values, json.dumps(ADVANCED)))
    assert document == ADVANCED
    config = parse_template_config(document)
    assert config.time_span.auto and config.max_file_size == 6000
    assert (config.playback, config.speed, config.dither) == (Playback.BOUNCE, 2.0, Dither.BAYER)


def test_a_new_webp_template_with_extras() -> None:
    values = {"name": "n", "format": "webp", "width": "", "height": "", "fps": "10",
              "seek": "0", "seek_auto": "", "duration": "2", "watermark_ids": "",
              "quality": "60", "loop": "1", "max_colors": "", "dither": "",
              "max_file_kb": "48", "crop": "none", "playback": "bounce",
              "speed": "1.5"}  # fmt: skip
    document = json.loads(config_text(values))
    assert document == {
        "Container": {"Format": "webp", "MaxFileSize": 49152},
        "Clip": {"TimeSpan": {"Seek": "0", "Duration": "2"}, "Playback": "bounce",
                 "Speed": "1.5"},
        "Video": {"Fps": "10"},
        "Quality": "60",
        "Loop": "1",
    }  # fmt: skip
    assert parse_template_config(document).format is ImageFormat.WEBP


def test_defaults_and_emptied_extras_leave_the_document() -> None:
    chosen = {"crop": "none", "playback": "forward", "dither": "floyd_steinberg", "speed": "",
              "max_file_kb": "", "loop": "", "max_colors": "", "seek_auto": "",
              "seek": "2"}  # fmt: skip
    values = template_values(stored_template(ADVANCED)) | chosen
    document = json.loads(config_text(values, json.dumps(ADVANCED)))
    assert document == {
        "Container": {"Format": "gif"},
        "Video": {"Width": "320", "Height": "240"},
        "Clip": {"TimeSpan": {"Seek": "2", "Duration": "3"}},
    }


@pytest.mark.parametrize(
    ("typed", "sent"),
    [("1", 1024), ("1.5", 1536), ("0.5", 512), ("4194304", 4 * 1024**3), ("", ""),
     ("lots", "lots"), ("NaN", "NaN")],
)  # fmt: skip
def test_kilobytes_become_bytes(typed: str, sent: int | str) -> None:
    assert byte_count(typed) == sent
    if isinstance(sent, int):
        assert kilobytes(sent) == typed


@pytest.mark.parametrize(
    ("typed", "parameter", "field"),
    [({"max_file_kb": "0.5"}, "TemplateConfig.Container.MaxFileSize", "max_file_kb"),
     ({"max_file_kb": "lots"}, "TemplateConfig.Container.MaxFileSize", "max_file_kb"),
     ({"seek_auto": "1", "duration": ""}, "TemplateConfig.Clip.TimeSpan.Seek", "seek"),
     ({"speed": "9"}, "TemplateConfig.Clip.Speed", "speed"),
     ({"crop": "fill"}, "TemplateConfig.Video.Crop", "crop"),
     ({"format": "apng", "max_colors": "8"}, "TemplateConfig.MaxColors", "max_colors")],
)  # fmt: skip
def test_the_api_judges_and_its_error_lands_on_the_field(
    typed: dict[str, str], parameter: str, field: str
) -> None:
    plain = {"Container": {"Format": "gif"}, "Clip": {"TimeSpan": {"Seek": "0"}}}
    values = template_values(stored_template(plain)) | typed
    with pytest.raises(InvalidParameter) as refused:
        parse_template_config(json.loads(config_text(values)))
    assert refused.value.parameter == parameter
    assert field_of(parameter) == field
