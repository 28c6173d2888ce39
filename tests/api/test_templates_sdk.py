"""The template Actions through both official SDKs (three signing modes) against dynimg serve."""

from __future__ import annotations

import json

import pytest

from tests.support.clients import SDK_MODES, ApiError, SdkApi, sdk_api
from tests.support.server import Credentials, ServerProcess

CONFIG = {
    "Name": "gif-5s",
    "Video": {"Width": "640", "Height": "360", "Fps": "10"},
    "Container": {"Format": "gif"},
    "Clip": {"TimeSpan": {"Seek": "00:00:05.000", "Duration": "3"}},
    "SetDefaultCover": "false",
}


@pytest.fixture(params=SDK_MODES)
def api(request: pytest.FixtureRequest, server: ServerProcess, creds: Credentials) -> SdkApi:
    return sdk_api(request.param, server.endpoint, creds)


def add(api: SdkApi, name: str = "sticker", config: dict[str, object] = CONFIG) -> str:
    body = api.call(
        "AddVodTemplate", Name=name, TemplateType="DynamicImage", TemplateConfig=json.dumps(config)
    )
    assert set(body) == {"RequestId", "VodTemplateId"}
    return str(body["VodTemplateId"])


def test_add_then_get_returns_the_documented_shape(api: SdkApi) -> None:
    template_id = add(api, "名字 with space*")
    info = api.call("GetVodTemplate", VodTemplateId=template_id)["VodTemplateInfo"]
    assert info["VodTemplateId"] == template_id
    assert info["Name"] == "名字 with space*"
    assert info["TemplateType"] == "DynamicImage"
    assert info["IsDefault"] == "NotDefault"
    assert json.loads(info["TemplateConfig"]) == CONFIG
    assert info["CreationTime"].endswith("Z") and len(info["CreationTime"]) == 20
    assert info["ModifyTime"] == info["CreationTime"]


def test_list_is_flat_and_newest_first(api: SdkApi) -> None:
    first, second = add(api, "first"), add(api, "second")
    items = api.call("ListVodTemplate", TemplateType="DynamicImage")["VodTemplateInfoList"]
    assert isinstance(items, list)
    ids = [item["VodTemplateId"] for item in items]
    assert ids.index(second) < ids.index(first)
    assert all(item["AppId"] == "app-1000000" for item in items)


def test_update_changes_name_and_config(api: SdkApi) -> None:
    template_id = add(api)
    webp = {**CONFIG, "Container": {"Format": "webp"}}
    body = api.call(
        "UpdateVodTemplate",
        VodTemplateId=template_id,
        Name="renamed",
        TemplateConfig=json.dumps(webp),
    )
    assert body["VodTemplateId"] == template_id
    info = api.call("GetVodTemplate", VodTemplateId=template_id)["VodTemplateInfo"]
    assert info["Name"] == "renamed"
    assert json.loads(info["TemplateConfig"])["Container"] == {"Format": "webp"}


def test_delete_then_get_is_not_found(api: SdkApi) -> None:
    template_id = add(api)
    assert api.call("DeleteVodTemplate", VodTemplateId=template_id)["VodTemplateId"] == template_id
    with pytest.raises(ApiError) as caught:
        api.call("GetVodTemplate", VodTemplateId=template_id)
    assert (caught.value.code, caught.value.status) == ("InvalidTemplate.NotFound", 404)


@pytest.mark.parametrize(
    ("patch", "parameter"),
    [
        ({"Video": {"Width": "100"}}, "TemplateConfig.Video.Width"),
        ({"Video": {"Height": "5000"}}, "TemplateConfig.Video.Height"),
        ({"Video": {"Fps": "0"}}, "TemplateConfig.Video.Fps"),
        ({"Video": {"Fps": "61"}}, "TemplateConfig.Video.Fps"),
        ({"Container": {"Format": "bmp"}}, "TemplateConfig.Container.Format"),
        ({"Clip": {"TimeSpan": {"Duration": "3"}}}, "TemplateConfig.Clip.TimeSpan.Seek"),
        ({"Clip": {"TimeSpan": {"Seek": "24:00:00"}}}, "TemplateConfig.Clip.TimeSpan.Seek"),
    ],
)
def test_invalid_config_names_the_field(
    api: SdkApi, patch: dict[str, object], parameter: str
) -> None:
    with pytest.raises(ApiError) as caught:
        add(api, config={**CONFIG, **patch})
    assert caught.value.code == "InvalidParameter"
    assert caught.value.status == 400
    assert parameter in caught.value.message


SPRITE = {
    "SnapshotType": "SpriteSnapshot",
    "SnapshotConfig": {"Count": 50, "Interval": 0, "FrameType": "intra", "Width": 160,
                       "SpriteSnapshotConfig": {"Columns": 5, "Lines": 5, "Padding": 2}},
}  # fmt: skip


def test_snapshot_templates_live_beside_animated_ones(api: SdkApi) -> None:
    body = api.call(
        "AddVodTemplate", Name="sprites", TemplateType="Snapshot", TemplateConfig=json.dumps(SPRITE)
    )
    template_id = body["VodTemplateId"]
    info = api.call("GetVodTemplate", VodTemplateId=template_id)["VodTemplateInfo"]
    assert info["TemplateType"] == "Snapshot" and json.loads(info["TemplateConfig"]) == SPRITE
    listed = api.call("ListVodTemplate", TemplateType="Snapshot")["VodTemplateInfoList"]
    assert template_id in [t["VodTemplateId"] for t in listed]
    animated = api.call("ListVodTemplate", TemplateType="DynamicImage")["VodTemplateInfoList"]
    assert template_id not in [t["VodTemplateId"] for t in animated]
    webvtt = {"SnapshotType": "WebVttSnapshot", "SnapshotConfig": {"Count": 10, "Format": "vtt"}}
    api.call("UpdateVodTemplate", VodTemplateId=template_id, TemplateConfig=json.dumps(webvtt))
    info = api.call("GetVodTemplate", VodTemplateId=template_id)["VodTemplateInfo"]
    assert json.loads(info["TemplateConfig"]) == webvtt
    with pytest.raises(ApiError) as caught:  # its rules are the snapshot ones, not GIF's
        api.call("UpdateVodTemplate", VodTemplateId=template_id, TemplateConfig=json.dumps(CONFIG))
    assert caught.value.code == "InvalidParameter"
    assert "TemplateConfig.SnapshotType" in caught.value.message
    api.call("DeleteVodTemplate", VodTemplateId=template_id)


@pytest.mark.parametrize(
    ("config", "parameter"),
    [
        ({"SnapshotType": "CoverSnapshot", "SnapshotConfig": {}}, "TemplateConfig.SnapshotType"),
        ({"SnapshotType": "NormalSnapshot", "SnapshotConfig": {"Count": 10001}},
         "TemplateConfig.SnapshotConfig.Count"),
        ({"SnapshotType": "NormalSnapshot", "SnapshotConfig": {"Interval": -1}},
         "TemplateConfig.SnapshotConfig.Interval"),
        ({"SnapshotType": "SpriteSnapshot",
          "SnapshotConfig": {"SpriteSnapshotConfig": {"CellWidth": 4096, "CellHeight": 4096}}},
         "TemplateConfig.SnapshotConfig.SpriteSnapshotConfig"),
    ],
)  # fmt: skip
def test_bad_snapshot_templates_name_the_field(
    api: SdkApi, config: dict[str, object], parameter: str
) -> None:
    with pytest.raises(ApiError) as caught:
        api.call(
            "AddVodTemplate", Name="s", TemplateType="Snapshot", TemplateConfig=json.dumps(config)
        )
    assert (caught.value.code, caught.value.status) == ("InvalidParameter", 400)
    assert parameter in caught.value.message


def test_unknown_template_types_are_refused_by_name(api: SdkApi) -> None:
    with pytest.raises(ApiError) as caught:
        api.call("AddVodTemplate", Name="s", TemplateType="Transcode", TemplateConfig="{}")
    assert caught.value.code == "InvalidParameter"
    assert "TemplateType" in caught.value.message
