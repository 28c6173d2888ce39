"""The watermark Actions through both SDKs, with image files uploaded the Alibaba way."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.clients import SDK_MODES, ApiError, SdkApi, sdk_api
from tests.support.media import png_bomb
from tests.support.server import Credentials, ServerProcess
from tests.support.uploads import decode, oss_bucket, upload_png

IMAGE_CONFIG = {"Dx": "10", "Dy": "10", "Width": "0.2", "ReferPos": "BottonRight"}
TEXT_CONFIG = {"Content": "水印", "FontSize": 24, "FontColor": "Blue", "Top": 10, "Left": 10}


@pytest.fixture(params=SDK_MODES)
def api(request: pytest.FixtureRequest, server: ServerProcess, creds: Credentials) -> SdkApi:
    return sdk_api(request.param, server.endpoint, creds)


def add(
    api: SdkApi, kind: str, config: dict[str, Any], file_url: str | None = None
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "Name": f"{kind} mark",
        "Type": kind,
        "WatermarkConfig": json.dumps(config),
    }
    if file_url:
        params["FileUrl"] = file_url
    info: dict[str, Any] = api.call("AddWatermark", **params)["WatermarkInfo"]
    return info


def test_image_and_text_watermarks_round_trip(api: SdkApi) -> None:
    file_url = upload_png(api)
    image = add(api, "Image", IMAGE_CONFIG, file_url)
    assert (image["Type"], image["IsDefault"], image["FileUrl"]) == (
        "Image",
        "NotDefault",
        file_url,
    )
    assert json.loads(image["WatermarkConfig"]) == IMAGE_CONFIG
    text = add(api, "Text", TEXT_CONFIG)
    assert "FileUrl" not in text or not text["FileUrl"]
    got = api.call("GetWatermark", WatermarkId=text["WatermarkId"])["WatermarkInfo"]
    assert got["AppId"] == "app-1000000" and json.loads(got["WatermarkConfig"]) == TEXT_CONFIG
    listed = api.call("ListWatermark")["WatermarkInfos"]
    assert {image["WatermarkId"], text["WatermarkId"]} <= {w["WatermarkId"] for w in listed}


def test_update_default_and_delete(api: SdkApi) -> None:
    first, second = add(api, "Text", TEXT_CONFIG), add(api, "Text", TEXT_CONFIG)
    updated = api.call(
        "UpdateWatermark",
        WatermarkId=first["WatermarkId"],
        Name="renamed",
        WatermarkConfig=json.dumps({**TEXT_CONFIG, "Content": "new"}),
    )["WatermarkInfo"]
    assert (
        updated["Name"] == "renamed" and json.loads(updated["WatermarkConfig"])["Content"] == "new"
    )
    api.call("SetDefaultWatermark", WatermarkId=first["WatermarkId"])
    api.call("SetDefaultWatermark", WatermarkId=second["WatermarkId"])
    defaults = [
        w for w in api.call("ListWatermark")["WatermarkInfos"] if w["IsDefault"] == "Default"
    ]
    assert [w["WatermarkId"] for w in defaults] == [second["WatermarkId"]]
    api.call("DeleteWatermark", WatermarkId=first["WatermarkId"])
    with pytest.raises(ApiError) as caught:
        api.call("GetWatermark", WatermarkId=first["WatermarkId"])
    assert (caught.value.code, caught.value.status) == ("InvalidWatermark.NotFound", 404)


@pytest.mark.parametrize(
    ("kind", "config", "field"),
    [
        ("Image", {**IMAGE_CONFIG, "Dx": "5000"}, "WatermarkConfig.Dx"),
        ("Image", {**IMAGE_CONFIG, "Width": "1.5"}, "WatermarkConfig.Width"),
        ("Image", {**IMAGE_CONFIG, "ReferPos": "Center"}, "WatermarkConfig.ReferPos"),
        ("Text", {**TEXT_CONFIG, "FontSize": 200}, "WatermarkConfig.FontSize"),
        ("Text", {**TEXT_CONFIG, "FontAlpha": "2"}, "WatermarkConfig.FontAlpha"),
        ("Text", {"FontSize": 20}, "WatermarkConfig.Content"),
    ],
)
def test_config_out_of_range_is_named(
    api: SdkApi, kind: str, config: dict[str, Any], field: str
) -> None:
    file_url = "http://127.0.0.1/dynimg/attached/x/file.png" if kind == "Image" else None
    with pytest.raises(ApiError) as caught:
        add(api, kind, config, file_url)
    assert caught.value.code == "InvalidParameter" and field in caught.value.message


def test_image_watermark_needs_an_uploaded_file(api: SdkApi) -> None:
    for url in (
        None,
        "http://example.com/logo.png",
        "http://127.0.0.1:1/dynimg/attached/nope/file.png",
    ):
        with pytest.raises(ApiError) as caught:
            add(api, "Image", IMAGE_CONFIG, url)
        assert caught.value.code in ("InvalidParameter", "MissingParameter")
        assert "FileUrl" in caught.value.message


def test_an_image_bomb_upload_fails_with_its_reason(api: SdkApi, tmp_path: Path) -> None:
    body = api.call("CreateUploadAttachedMedia", BusinessType="watermark", MediaExt="png")
    address, auth = decode(body["UploadAddress"]), decode(body["UploadAuth"])
    bomb = png_bomb(tmp_path / "bomb.png", 15000, 15000)
    oss_bucket(address, auth).put_object(address["FileName"], bomb.read_bytes())
    deadline = time.monotonic() + 20
    while True:  # accepted while it is probed, refused with the reason once it failed
        try:
            add(api, "Image", IMAGE_CONFIG, body["FileURL"])
        except ApiError as error:
            assert error.code == "InvalidParameter"
            assert "FileUrl" in error.message and "MediaLimit.Exceeded" in error.message
            break
        assert time.monotonic() < deadline, "the upload never failed"
        time.sleep(0.2)


def test_templates_may_only_name_existing_watermarks(api: SdkApi) -> None:
    text = add(api, "Text", TEXT_CONFIG)
    base = {"Container": {"Format": "gif"}, "Clip": {"TimeSpan": {"Seek": "0"}}}
    ok = {**base, "WatermarkIds": [text["WatermarkId"], "USER_DEFAULT_WATERMARK"]}
    api.call("AddVodTemplate", Name="t", TemplateType="DynamicImage", TemplateConfig=json.dumps(ok))
    missing = {**base, "WatermarkIds": ["a" * 32]}
    with pytest.raises(ApiError) as caught:
        api.call(
            "AddVodTemplate",
            Name="t",
            TemplateType="DynamicImage",
            TemplateConfig=json.dumps(missing),
        )
    assert "WatermarkIds" in caught.value.message
