"""APNG, AVIF and MP4 jobs through the official SDKs: listed, signed, served and decoded back."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.support.clients import ApiError, sdk_api
from tests.support.jobs import template, uploaded_video, wait_for_images
from tests.support.media import (
    frame_index,
    make_clip,
    read_animation,
    scaled,
    source_frame,
)
from tests.support.pictures import assert_looks_like
from tests.support.server import Credentials, ServerProcess

TEXT = {"Content": "dynimg", "FontSize": 28, "FontColor": "white", "Top": 70, "Left": 4}
CASES = [
    # format, SDK, extras, Content-Type, plays read back
    ("apng", "tea-v2", {"Loop": 2}, "image/apng", 2),
    ("avif", "tea-v3", {"Loop": 3, "Quality": 60}, "image/avif", 3),
    ("mp4", "tea-v2", {"Quality": 80}, "video/mp4", None),
]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("formats") / "clip.mp4", seconds=2).path


@pytest.mark.parametrize(("fmt", "sdk", "extras", "media_type", "plays"), CASES)
def test_a_job_in_each_added_format(
    server: ServerProcess,
    creds: Credentials,
    clip: Path,
    fmt: str,
    sdk: str,
    extras: dict[str, int],
    media_type: str,
    plays: int | None,
) -> None:
    api = sdk_api(sdk, server.endpoint, creds)
    video_id = uploaded_video(api, clip)
    mark = api.call("AddWatermark", Name="t", Type="Text", WatermarkConfig=json.dumps(TEXT))
    watermark_id = mark["WatermarkInfo"]["WatermarkId"]
    template_id = template(api, fmt, WatermarkIds=[watermark_id], **extras)
    api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id)
    [image] = wait_for_images(api, video_id)
    assert (image["Format"], image["Width"], image["Height"], image["Fps"]) == (
        fmt, "160", "120", "10"
    )  # fmt: skip
    assert image["Duration"] == "1"
    assert f"/image/dynamic/{image['DynamicImageId']}.{fmt}?auth_key=" in image["FileURL"]
    response = httpx.get(image["FileURL"], timeout=30)
    assert response.status_code == 200 and response.headers["content-type"] == media_type
    assert int(image["FileSize"]) == len(response.content)
    ranged = httpx.get(image["FileURL"], headers={"Range": "bytes=0-99"}, timeout=30)
    assert ranged.status_code == 206 and ranged.content == response.content[:100]
    path = clip.parent / f"{image['DynamicImageId']}.{fmt}"
    path.write_bytes(response.content)
    animation = read_animation(path)
    assert animation.size == (160, 120) and len(animation.frames) == 10
    assert animation.delays_ms == [100] * 10 and animation.loop == plays
    assert [frame_index(f) for f in animation.frames] == [15 + 3 * k for k in range(10)]
    text = animation.frames[0][70:105, 4:156].astype(int)
    assert np.all(text > 200, axis=2).sum() > 150, "the template's watermark is drawn"
    for k, frame in enumerate(animation.frames):
        source = scaled(source_frame(15 + 3 * k), (160, 120))
        # Away from the watermark: rows above and below the text.
        rows = np.r_[0:64, 112:120]
        assert_looks_like(frame[rows], source[rows])


def test_formats_refuse_extras_they_cannot_honour(
    server: ServerProcess, creds: Credentials
) -> None:
    api = sdk_api("core-v1", server.endpoint, creds)
    config = {
        "Container": {"Format": "mp4"},
        "Video": {"Width": "161"},
        "Clip": {"TimeSpan": {"Seek": "0"}},
    }
    with pytest.raises(ApiError) as odd:
        api.call(
            "AddVodTemplate", Name="odd", TemplateType="DynamicImage",
            TemplateConfig=json.dumps(config),
        )  # fmt: skip
    assert (odd.value.code, odd.value.status) == ("InvalidParameter", 400)
    assert "TemplateConfig.Video.Width" in odd.value.message
    config["Video"] = {"Width": "160"}
    config["MaxColors"] = 16
    with pytest.raises(ApiError) as extra:
        api.call(
            "AddVodTemplate", Name="colors", TemplateType="DynamicImage",
            TemplateConfig=json.dumps(config),
        )  # fmt: skip
    assert (extra.value.code, extra.value.status) == ("InvalidParameter", 400)
    assert "TemplateConfig.MaxColors" in extra.value.message
