"""Uploading the Alibaba way in tests: CreateUploadVideo through an SDK, then oss2."""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import io
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import oss2
from PIL import Image

from tests.support.clients import SdkApi


def decode(value: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(base64.b64decode(value))
    return result


def oss_bucket(address: dict[str, Any], auth: dict[str, Any]) -> oss2.Bucket:
    credentials = oss2.StsAuth(auth["AccessKeyId"], auth["AccessKeySecret"], auth["SecurityToken"])
    return oss2.Bucket(credentials, address["Endpoint"], address["Bucket"])


def raw_oss_put(
    address: dict[str, Any],
    auth: dict[str, Any],
    body: bytes,
    *,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> httpx.Response:
    """PUT ``body`` to the grant's object over plain HTTP with ``headers`` exactly as given,
    signed by hand with OSS V1 as OSS documents it (``Authorization: OSS id:signature``, the
    string to sign being verb, Content-MD5, Content-Type, Date, x-oss-* headers, resource)."""
    bucket, key, query = address["Bucket"], address["FileName"], query or {}
    date = email.utils.formatdate(usegmt=True)
    sent = {"Date": date, "x-oss-security-token": auth["SecurityToken"], **(headers or {})}
    lower = {k.lower(): v for k, v in sent.items()}
    oss_headers = "".join(f"{k}:{v}\n" for k, v in sorted(lower.items()) if k.startswith("x-oss-"))
    resource = f"/{bucket}/{key}"
    if query:
        resource += "?" + "&".join(f"{k}={v}" for k, v in sorted(query.items()))
    fields = ["PUT", lower.get("content-md5", ""), lower.get("content-type", ""), date]
    to_sign = "\n".join([*fields, oss_headers + resource])
    secret = auth["AccessKeySecret"].encode()
    signature = base64.b64encode(hmac.new(secret, to_sign.encode(), hashlib.sha1).digest())
    sent["Authorization"] = f"OSS {auth['AccessKeyId']}:{signature.decode()}"
    endpoint = address["Endpoint"]
    endpoint = endpoint if "://" in endpoint else f"http://{endpoint}"
    url = f"{endpoint.rstrip('/')}/{bucket}/{quote(key)}"
    return httpx.put(url, params=query, content=body, headers=sent, timeout=30)


def create_upload(api: SdkApi, file_name: str = "clip.mp4", **extra: Any) -> dict[str, Any]:
    body = api.call("CreateUploadVideo", Title="clip", FileName=file_name, **extra)
    return {
        "VideoId": body["VideoId"],
        "address": decode(body["UploadAddress"]),
        "auth": decode(body["UploadAuth"]),
    }


def upload_file(ticket: dict[str, Any], path: Path, *, multipart: bool = False) -> None:
    bucket = oss_bucket(ticket["address"], ticket["auth"])
    key = ticket["address"]["FileName"]
    if not multipart:
        bucket.put_object_from_file(key, str(path))
        return
    data = path.read_bytes()
    size = max(len(data) // 3, 100 * 1024)
    upload = bucket.init_multipart_upload(key)
    parts = []
    for number, start in enumerate(range(0, len(data), size), start=1):
        result = bucket.upload_part(key, upload.upload_id, number, data[start : start + size])
        parts.append(oss2.models.PartInfo(number, result.etag))
    bucket.complete_multipart_upload(key, upload.upload_id, parts)


def wait_for_status(
    api: SdkApi, video_id: str, *statuses: str, timeout: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        video: dict[str, Any] = api.call("GetVideoInfo", VideoId=video_id)["Video"]
        if video["Status"] in statuses or time.monotonic() > deadline:
            return video
        time.sleep(0.1)


def upload_png(api: SdkApi) -> str:
    """Upload a 64x32 half-transparent red PNG as attached media; returns its FileURL."""
    body = api.call("CreateUploadAttachedMedia", BusinessType="watermark", MediaExt="png")
    address, auth = decode(body["UploadAddress"]), decode(body["UploadAuth"])
    png = io.BytesIO()
    Image.new("RGBA", (64, 32), (255, 0, 0, 200)).save(png, "PNG")
    oss_bucket(address, auth).put_object(address["FileName"], png.getvalue())
    assert body["MediaId"] and body["FileURL"].endswith(address["FileName"])
    return str(body["FileURL"])
