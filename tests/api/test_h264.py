"""H.264 MP4 as the operator's choice: refused by default, made when DYNIMG_ALLOW_H264 is set."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import av
import httpx
import pytest

from tests.support.clients import ApiError, sdk_api
from tests.support.jobs import template, uploaded_video, wait_for_images
from tests.support.media import frame_index, make_clip, mp4_facts, read_animation
from tests.support.server import Credentials, ServerProcess, start_server

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("h264") / "clip.mp4", seconds=2).path


@pytest.fixture(scope="module")
def h264_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose operator allows H.264."""
    process = start_server(tmp_path_factory.mktemp("h264-home"), DYNIMG_ALLOW_H264="true")
    yield process
    process.stop()


def _add(api: object, config: dict[str, object]) -> dict[str, object]:
    call = getattr(api, "call")  # noqa: B009
    result: dict[str, object] = call(
        "AddVodTemplate", Name="h264", TemplateType="DynamicImage",
        TemplateConfig=json.dumps(config),
    )  # fmt: skip
    return result


def _mp4(codec: str, fmt: str = "mp4") -> dict[str, object]:
    return {
        "Container": {"Format": fmt},
        "Video": {"Width": "160", "Fps": "10"},
        "Clip": {"TimeSpan": {"Seek": "0.5", "Duration": "1"}},
        "Codec": codec,
    }


def test_h264_is_refused_unless_the_operator_allows_it(
    server: ServerProcess, creds: Credentials
) -> None:
    api = sdk_api("tea-v2", server.endpoint, creds)
    with pytest.raises(ApiError) as refused:
        _add(api, _mp4("h264"))
    assert (refused.value.code, refused.value.status) == ("InvalidParameter", 400)
    assert "TemplateConfig.Codec" in refused.value.message
    assert "DYNIMG_ALLOW_H264" in refused.value.message
    with pytest.raises(ApiError) as not_mp4:
        _add(api, _mp4("av1", fmt="webp"))
    assert "TemplateConfig.Codec" in not_mp4.value.message and "mp4" in not_mp4.value.message
    with pytest.raises(ApiError) as unknown:
        _add(api, _mp4("h265"))
    assert "must be one of av1, h264" in unknown.value.message
    added = _add(api, _mp4("AV1"))  # the default, spelt in any case, is always accepted
    template_id = str(added["VodTemplateId"])
    with pytest.raises(ApiError) as update:
        api.call(
            "UpdateVodTemplate", VodTemplateId=template_id,
            TemplateConfig=json.dumps(_mp4("h264")),
        )  # fmt: skip
    assert "TemplateConfig.Codec" in update.value.message


def test_h264_mp4_when_the_operator_allows_it(
    h264_server: ServerProcess, clip: Path, tmp_path: Path
) -> None:
    creds = h264_server.default_credentials()
    api = sdk_api("tea-v3", h264_server.endpoint, creds)
    video_id = uploaded_video(api, clip)
    template_id = template(api, "mp4", Codec="h264", Quality=80)
    stored = api.call("GetVodTemplate", VodTemplateId=template_id)["VodTemplateInfo"]
    assert json.loads(stored["TemplateConfig"])["Codec"] == "h264"
    api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id)
    [image] = wait_for_images(api, video_id)
    assert image["Format"] == "mp4"
    response = httpx.get(image["FileURL"], timeout=30)
    assert response.status_code == 200 and response.headers["content-type"] == "video/mp4"
    path = tmp_path / "h264.mp4"
    path.write_bytes(response.content)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.profile == "High"
    facts = mp4_facts(path)
    assert facts.codec_tag == "avc1" and facts.pix_fmt == "yuv420p"
    assert facts.first_is_keyframe and facts.moov_before_mdat and facts.audio_streams == 0
    animation = read_animation(path)
    assert animation.size == (160, 120) and len(animation.frames) == 10
    assert [frame_index(f) for f in animation.frames] == [15 + 3 * k for k in range(10)]
    # AV1 stays the default on the same deployment.
    av1_id = template(api, "mp4")
    api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=av1_id)
    images = wait_for_images(api, video_id, count=2)
    other = next(i for i in images if i["DynamicImageId"] != image["DynamicImageId"])
    (tmp_path / "av1.mp4").write_bytes(httpx.get(other["FileURL"], timeout=30).content)
    assert mp4_facts(tmp_path / "av1.mp4").codec_tag == "av01"
