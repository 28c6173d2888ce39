"""The official Alibaba SDKs, pointed at a dynimg server, behind one small facade.

``SdkApi.call("AddVodTemplate", Name=...)`` sends the Action through the real SDK request
classes and returns the response body as a dict; SDK errors become :class:`ApiError`.
"""

from __future__ import annotations

import gc
import importlib
import json
import re
import warnings
from dataclasses import dataclass
from typing import Any, Protocol

from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_vod20170321 import models as vod_models
from alibabacloud_vod20170321.client import Client as TeaClient
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient

from tests.support.server import Credentials

SDK_MODES = ["tea-v3", "tea-v2", "core-v1"]


@dataclass
class ApiError(Exception):
    code: str
    status: int
    message: str


class SdkApi(Protocol):
    def call(self, action: str, **params: Any) -> dict[str, Any]: ...


METHODS = {"UploadMediaByURL": "upload_media_by_url", "GetURLUploadInfos": "get_urlupload_infos"}
"""The Tea client's method names that do not follow from the Action's (the acronym URL)."""


class TeaApi:
    """alibabacloud-vod20170321: V3 (ACS3-HMAC-SHA256) by default, HMAC-SHA1 with ``v2``."""

    def __init__(self, endpoint: str, creds: Credentials, *, v2: bool = False) -> None:
        config = open_api_models.Config(
            access_key_id=creds.key_id,
            access_key_secret=creds.secret,
            endpoint=endpoint,
            protocol="http",
        )
        if v2:
            config.signature_algorithm = "v2"
        self.client = TeaClient(config)

    def call(self, action: str, **params: Any) -> dict[str, Any]:
        name = METHODS.get(action) or re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()
        method = getattr(self.client, name)
        request = getattr(vod_models, f"{action}Request")().from_map(params)
        try:
            body: dict[str, Any] = method(request).body.to_map()
        except AlibabaCloudException as exc:
            raise ApiError(exc.code, exc.status_code, exc.message) from exc
        return body


class CoreApi:
    """aliyun-python-sdk-vod request classes sent through AcsClient (HMAC-SHA1)."""

    def __init__(self, endpoint: str, creds: Credentials) -> None:
        self._endpoint = endpoint
        self.client = AcsClient(creds.key_id, creds.secret, "cn-shanghai")

    def call(self, action: str, **params: Any) -> dict[str, Any]:
        module = importlib.import_module(f"aliyunsdkvod.request.v20170321.{action}Request")
        request = getattr(module, f"{action}Request")()
        request.set_endpoint(self._endpoint)
        request.set_protocol_type("http")
        request.set_accept_format("JSON")
        for name, value in params.items():
            getattr(request, f"set_{name}")(value)
        try:
            raw = self.client.do_action_with_exception(request)
        except ServerException as exc:
            raise ApiError(
                exc.get_error_code(), exc.get_http_status(), exc.get_error_msg()
            ) from exc
        finally:
            collect_leaked_sockets()
        result: dict[str, Any] = json.loads(raw)
        return result


def collect_leaked_sockets() -> None:
    # aliyunsdkcore opens a requests session per call and never closes it; collect it here so
    # its ResourceWarning is not blamed on whichever test happens to trigger the GC later.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def sdk_api(mode: str, endpoint: str, creds: Credentials) -> SdkApi:
    if mode == "tea-v3":
        return TeaApi(endpoint, creds)
    if mode == "tea-v2":
        return TeaApi(endpoint, creds, v2=True)
    return CoreApi(endpoint, creds)
