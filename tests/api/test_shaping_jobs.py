"""Crop, Playback and Speed set per job through OverrideParams, with the official SDKs."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.support.clients import ApiError, sdk_api
from tests.support.jobs import template, uploaded_video, wait_for_images, wait_for_job
from tests.support.media import frame_index, make_clip, read_animation
from tests.support.server import Credentials, ServerProcess


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("shaping") / "clip.mp4", seconds=2).path


def test_a_cropped_fast_boomerang_by_override(
    server: ServerProcess, creds: Credentials, clip: Path, tmp_path: Path
) -> None:
    api = sdk_api("tea-v3", server.endpoint, creds)
    video_id, template_id = uploaded_video(api, clip), template(api, "gif")
    # The template's TimeSpan (0.5 s for 1 s of source) at twice the speed, forward and back.
    override = {
        "Video": {"Width": "256", "Height": "128", "Crop": "fill"},
        "Clip": {"Playback": "bounce", "Speed": "2"},
    }
    job_id = api.call("SubmitDynamicImageJob", VideoId=video_id,
                      DynamicImageTemplateId=template_id,
                      OverrideParams=json.dumps(override))["DynamicImageJob"]["JobId"]  # fmt: skip
    assert wait_for_job(server, creds, job_id)["Status"] == "Success"
    [image] = wait_for_images(api, video_id)
    assert (image["Width"], image["Height"], image["Duration"], image["Fps"]) == (
        "256",
        "128",
        "0.8",
        "10",
    )
    response = httpx.get(image["FileURL"], timeout=30)
    (tmp_path / "out.gif").write_bytes(response.content)
    animation = read_animation(tmp_path / "out.gif")
    forward = [15, 21, 27, 33, 39]
    assert [frame_index(f) for f in animation.frames] == forward + forward[-2:0:-1]
    assert animation.delays_ms == [100] * 8
    # Filling 2:1 from 4:3 keeps source rows 30-210: the green (row) gradient stops near 224
    # at the bottom instead of reaching 255 as a stretched frame would.
    bottom_green = float(animation.frames[0][-1, :, 1].mean())
    assert 205 < bottom_green < 240, bottom_green


def test_shaping_values_are_checked_at_submit(
    server: ServerProcess, creds: Credentials, clip: Path
) -> None:
    api = sdk_api("core-v1", server.endpoint, creds)  # the older official SDK
    video_id, template_id = uploaded_video(api, clip), template(api, "webp")
    cases = [
        ({"Clip": {"Speed": "5"}}, "OverrideParams.Clip.Speed", "must be in [0.25, 4]"),
        ({"Clip": {"Playback": "loop"}}, "OverrideParams.Clip.Playback", "reverse, bounce"),
        ({"Video": {"Crop": "fill"}}, "OverrideParams.Video.Crop", "needs both Width and Height"),
        ({"Video": {"Crop": "zoom", "Height": 160}}, "OverrideParams.Video.Crop", "none, fill"),
    ]  # fmt: skip
    for override, parameter, reason in cases:
        with pytest.raises(ApiError) as caught:
            api.call("SubmitDynamicImageJob", VideoId=video_id,
                     DynamicImageTemplateId=template_id,
                     OverrideParams=json.dumps(override))  # fmt: skip
        assert (caught.value.code, caught.value.status) == ("InvalidParameter", 400)
        assert parameter in caught.value.message and reason in caught.value.message
    bad_template = {
        "Container": {"Format": "gif"},
        "Clip": {"TimeSpan": {"Seek": "0"}, "Speed": "0.1"},
    }
    with pytest.raises(ApiError) as caught:
        api.call("AddVodTemplate", Name="slow", TemplateType="DynamicImage",
                 TemplateConfig=json.dumps(bad_template))  # fmt: skip
    assert "TemplateConfig.Clip.Speed" in caught.value.message
