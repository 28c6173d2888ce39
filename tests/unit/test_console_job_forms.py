"""The submit-job form's overrides become the OverrideParams SubmitDynamicImageJob judges."""

from __future__ import annotations

import json

import pytest

from dynimg.api.console.job_forms import OVERRIDE_FIELDS, override_text
from dynimg.api.console.size_search_view import size_search_view
from dynimg.domain.rendering import effective_template, parse_overrides
from dynimg.domain.templates import Playback
from dynimg.errors import InvalidParameter

EMPTY = dict.fromkeys(OVERRIDE_FIELDS, "")
TEMPLATE = {"Container": {"Format": "webp"}, "Clip": {"TimeSpan": {"Seek": "0", "Duration": "2"}}}


def test_nothing_typed_overrides_nothing() -> None:
    assert override_text(EMPTY) is None


def test_fields_become_the_template_sections() -> None:
    typed = {"seek_auto": "1", "seek": "", "duration": "1.5", "width": "200", "height": "200",
             "crop": "fill", "playback": "bounce", "speed": "2", "max_file_kb": "30"}  # fmt: skip
    document = json.loads(str(override_text(EMPTY | typed)))
    assert document == {
        "Clip": {"Playback": "bounce", "Speed": "2",
                 "TimeSpan": {"Seek": "auto", "Duration": "1.5"}},
        "Video": {"Width": "200", "Height": "200", "Crop": "fill"},
        "Container": {"MaxFileSize": 30720},
    }  # fmt: skip
    parse_overrides(document)
    config = effective_template(TEMPLATE, document)
    assert config.time_span.auto and config.playback is Playback.BOUNCE
    assert (config.width, config.max_file_size) == (200, 30720)


def test_fields_merge_into_the_json_box() -> None:
    box = '{"Watermarks": [{"WatermarkId": "w", "Content": "hi"}], "Video": {"Fps": "5"}}'
    document = json.loads(str(override_text(EMPTY | {"override_params": box, "width": "160"})))
    assert document["Video"] == {"Fps": "5", "Width": "160"}
    assert document["Watermarks"] == [{"WatermarkId": "w", "Content": "hi"}]


@pytest.mark.parametrize("box", ["{not json", "[1, 2]"])
def test_a_box_that_is_no_object_goes_as_typed(box: str) -> None:
    assert override_text(EMPTY | {"override_params": box, "width": "160"}) == box


def test_a_duration_alone_is_refused_by_the_api_rules() -> None:
    document = json.loads(str(override_text(EMPTY | {"duration": "3"})))
    with pytest.raises(InvalidParameter) as refused:
        effective_template(TEMPLATE, document)
    assert refused.value.parameter == "OverrideParams.Clip.TimeSpan.Seek"


def test_the_size_search_marks_the_kept_encode() -> None:
    stored = {"TargetBytes": 6000, "Encodes": 2, "Chosen": 1, "Attempts": [
        {"MaxColors": 256, "Fps": "10", "Width": 160, "Height": 120, "Bytes": 15371},
        {"MaxColors": 16, "Fps": "4", "Width": 146, "Height": 110, "Bytes": 5856}]}  # fmt: skip
    view = size_search_view(stored)
    assert view is not None
    assert (view["target"], view["kept"], view["colors"], view["quality"]) == (
        "6,000", "5,856", True, False)  # fmt: skip
    assert [r["kept"] for r in view["rows"]] == [False, True]
    assert view["rows"][1]["size"] == "146×110"
    assert size_search_view(None) is None
