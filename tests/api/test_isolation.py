"""One account never sees, changes or learns of another's templates."""

from __future__ import annotations

import json

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
