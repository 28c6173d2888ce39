"""One account never sees, changes or learns of another's templates."""

from __future__ import annotations

import json
from pathlib import Path

import oss2
import pytest

from tests.support.clients import ApiError, SdkApi, sdk_api
from tests.support.server import Credentials, ServerProcess

CONFIG = json.dumps({"Container": {"Format": "webp"}, "Clip": {"TimeSpan": {"Seek": "1"}}})


@pytest.fixture
def owner(server: ServerProcess, creds: Credentials) -> SdkApi:
    return sdk_api("tea-v3", server.endpoint, creds)


@pytest.fixture
def intruder(server: ServerProcess, other_creds: Credentials) -> SdkApi:
    return sdk_api("core-v1", server.endpoint, other_creds)


def not_found(api: SdkApi, action: str, **params: str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        api.call(action, **params)
    assert (caught.value.code, caught.value.status) == ("InvalidTemplate.NotFound", 404)
    return caught.value


def test_foreign_template_looks_exactly_like_a_missing_one(owner: SdkApi, intruder: SdkApi) -> None:
    mine = owner.call(
        "AddVodTemplate", Name="private", TemplateType="DynamicImage", TemplateConfig=CONFIG
    )["VodTemplateId"]
    missing = "0" * 32
    for action, extra in [
        ("GetVodTemplate", {}),
        ("UpdateVodTemplate", {"Name": "stolen"}),
        ("DeleteVodTemplate", {}),
    ]:
        foreign = not_found(intruder, action, VodTemplateId=mine, **extra)
        absent = not_found(intruder, action, VodTemplateId=missing, **extra)
        assert foreign.message == absent.message
    listed = intruder.call("ListVodTemplate", TemplateType="DynamicImage")["VodTemplateInfoList"]
    assert mine not in [t["VodTemplateId"] for t in listed]
    info = owner.call("GetVodTemplate", VodTemplateId=mine)["VodTemplateInfo"]
    assert info["Name"] == "private"


def test_foreign_videos_are_invisible_and_untouchable(
    owner: SdkApi, intruder: SdkApi, tmp_path: Path
) -> None:
    from tests.support.media import make_clip
    from tests.support.uploads import create_upload, oss_bucket, upload_file, wait_for_status

    clip = make_clip(tmp_path / "c.mp4", seconds=1)
    ticket = create_upload(owner)
    upload_file(ticket, clip.path)
    mine = ticket["VideoId"]
    assert wait_for_status(owner, mine, "Normal")["Status"] == "Normal"
    for action, extra in [
        ("GetVideoInfo", {}),
        ("GetMezzanineInfo", {}),
        ("RefreshUploadVideo", {}),
        ("UpdateVideoInfo", {"Title": "stolen"}),
    ]:
        with pytest.raises(ApiError) as caught:
            intruder.call(action, VideoId=mine, **extra)
        assert (caught.value.code, caught.value.status) == ("InvalidVideo.NotFound", 404)
    assert intruder.call("GetVideoInfos", VideoIds=mine)["NonExistVideoIds"] == [mine]
    assert intruder.call("DeleteVideo", VideoIds=mine)["NonExistVideoIds"] == [mine]
    listed = intruder.call("GetVideoList")["VideoList"]["Video"]
    assert mine not in [v["VideoId"] for v in listed]
    # The intruder's own upload credential does not reach the owner's object.
    theirs = create_upload(intruder)
    bucket = oss_bucket(theirs["address"], theirs["auth"])
    with pytest.raises(oss2.exceptions.OssError) as denied:
        bucket.put_object(ticket["address"]["FileName"], b"overwrite")
    assert denied.value.status == 403
    video = owner.call("GetVideoInfo", VideoId=mine)["Video"]
    assert (video["Title"], video["Status"], video["Size"]) == (
        "clip",
        "Normal",
        clip.path.stat().st_size,
    )


def test_foreign_watermarks_and_files_are_out_of_reach(owner: SdkApi, intruder: SdkApi) -> None:
    from tests.api.test_watermarks import IMAGE_CONFIG, TEXT_CONFIG, add, upload_png

    file_url = upload_png(owner)
    mark = add(owner, "Text", TEXT_CONFIG)["WatermarkId"]
    for action, extra in [
        ("GetWatermark", {}),
        ("UpdateWatermark", {"WatermarkConfig": json.dumps(TEXT_CONFIG)}),
        ("SetDefaultWatermark", {}),
        ("DeleteWatermark", {}),
    ]:
        with pytest.raises(ApiError) as caught:
            intruder.call(action, WatermarkId=mark, **extra)
        assert (caught.value.code, caught.value.status) == ("InvalidWatermark.NotFound", 404)
    listed = intruder.call("ListWatermark")["WatermarkInfos"]
    assert mark not in [w["WatermarkId"] for w in listed]
    with pytest.raises(ApiError) as caught:
        add(intruder, "Image", IMAGE_CONFIG, file_url)
    assert "FileUrl" in caught.value.message
    template = {
        "Container": {"Format": "gif"},
        "Clip": {"TimeSpan": {"Seek": "0"}},
        "WatermarkIds": [mark],
    }
    with pytest.raises(ApiError):
        intruder.call(
            "AddVodTemplate",
            Name="x",
            TemplateType="DynamicImage",
            TemplateConfig=json.dumps(template),
        )
