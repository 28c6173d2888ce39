"""Uploading videos the Alibaba way: both SDKs issue credentials, oss2 uploads, dynimg probes."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import oss2
import pytest

from tests.support.clients import SDK_MODES, ApiError, SdkApi, sdk_api
from tests.support.media import make_clip
from tests.support.server import Credentials, ServerProcess, start_server
from tests.support.uploads import (
    create_upload,
    oss_bucket,
    raw_oss_put,
    upload_file,
    wait_for_status,
)


@pytest.fixture(scope="module")
def big_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 3 MB: 4 s of 640x480 at high quality."""
    path = tmp_path_factory.mktemp("uploads") / "big.mp4"
    make_clip(path, seconds=4, fps=25, size=(640, 480), noise=True, options={"preset": "ultrafast"})
    assert path.stat().st_size > 2_000_000
    return path


@pytest.fixture(params=SDK_MODES)
def api(request: pytest.FixtureRequest, server: ServerProcess, creds: Credentials) -> SdkApi:
    return sdk_api(request.param, server.endpoint, creds)


@pytest.mark.parametrize("multipart", [False, True], ids=["put", "multipart"])
def test_upload_then_video_is_normal_with_probed_facts(
    api: SdkApi, big_clip: Path, multipart: bool
) -> None:
    ticket = create_upload(api, FileSize=big_clip.stat().st_size)
    assert ticket["address"]["Bucket"] and ticket["auth"]["Expiration"] == "3000"
    assert wait_for_status(api, ticket["VideoId"], "Uploading")["Status"] == "Uploading"
    upload_file(ticket, big_clip, multipart=multipart)
    video = wait_for_status(api, ticket["VideoId"], "Normal", "UploadFail")
    assert video["Status"] == "Normal"
    assert video["Duration"] == pytest.approx(4.0, abs=0.05)
    assert video["Size"] == big_clip.stat().st_size
    assert video["CreationTime"].endswith("Z") and video["Title"] == "clip"
    mezzanine = api.call("GetMezzanineInfo", VideoId=ticket["VideoId"])["Mezzanine"]
    assert (mezzanine["Width"], mezzanine["Height"], mezzanine["Fps"]) == (640, 480, "25")


def test_a_file_that_is_not_a_video_ends_in_upload_fail(
    api: SdkApi, server: ServerProcess, creds: Credentials, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"definitely not a video" * 500)
    ticket = create_upload(api)
    upload_file(ticket, junk)
    assert wait_for_status(api, ticket["VideoId"], "UploadFail", "Normal")["Status"] == "UploadFail"
    # The reason is a dynimg extension: raw JSON carries it, the Tea SDK's model drops it.
    raw = sdk_api("core-v1", server.endpoint, creds)
    mezzanine = raw.call("GetMezzanineInfo", VideoId=ticket["VideoId"])["Mezzanine"]
    assert mezzanine["ErrorMessage"].startswith("InvalidMedia.Unreadable")


def test_video_queries_and_updates(api: SdkApi, server: ServerProcess, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", seconds=1)
    ids = []
    for _ in range(3):
        ticket = create_upload(api)
        upload_file(ticket, clip.path)
        wait_for_status(api, ticket["VideoId"], "Normal")
        ids.append(ticket["VideoId"])
    infos = api.call("GetVideoInfos", VideoIds=f"{ids[0]},{'0' * 32}")
    assert [v["VideoId"] for v in infos["VideoList"]] == [ids[0]]
    assert infos["NonExistVideoIds"] == ["0" * 32]
    page = api.call("GetVideoList", Status="Normal", PageSize=2, PageNo=1)
    assert page["Total"] >= 3 and len(page["VideoList"]["Video"]) == 2
    assert page["VideoList"]["Video"][0]["VideoId"] == ids[2]
    api.call("UpdateVideoInfo", VideoId=ids[0], Title="renamed", Tags="a,b", Description="d")
    video = api.call("GetVideoInfo", VideoId=ids[0])["Video"]
    assert (video["Title"], video["Tags"], video["Description"]) == ("renamed", "a,b", "d")
    deleted = api.call("DeleteVideo", VideoIds=f"{ids[1]},{'1' * 32}")
    assert deleted["NonExistVideoIds"] == ["1" * 32]
    with pytest.raises(ApiError) as caught:
        api.call("GetVideoInfo", VideoId=ids[1])
    assert (caught.value.code, caught.value.status) == ("InvalidVideo.NotFound", 404)
    assert not list((server.home / "storage" / "video" / ids[1]).glob("*"))


def test_refresh_issues_working_credentials(api: SdkApi, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", seconds=1)
    first = create_upload(api)
    fresh = api.call("RefreshUploadVideo", VideoId=first["VideoId"])
    from tests.support.uploads import decode

    ticket = {"address": decode(fresh["UploadAddress"]), "auth": decode(fresh["UploadAuth"])}
    assert ticket["address"] == first["address"]
    assert ticket["auth"]["AccessKeyId"] != first["auth"]["AccessKeyId"]
    upload_file(ticket, clip.path)
    assert wait_for_status(api, first["VideoId"], "Normal")["Status"] == "Normal"
    with pytest.raises(ApiError) as caught:
        api.call("RefreshUploadVideo", VideoId=first["VideoId"])
    assert caught.value.code == "Forbidden.IllegalStatus"


# --- rejections -----------------------------------------------------------------------------


@pytest.fixture
def tea(server: ServerProcess, creds: Credentials) -> SdkApi:
    return sdk_api("tea-v3", server.endpoint, creds)


def oss_error(call: object) -> oss2.exceptions.OssError:
    assert callable(call)
    with pytest.raises(oss2.exceptions.OssError) as caught:
        call()
    return caught.value


def test_upload_larger_than_declared(tea: SdkApi, server: ServerProcess) -> None:
    ticket = create_upload(tea, FileSize=1000)
    bucket = oss_bucket(ticket["address"], ticket["auth"])
    error = oss_error(lambda: bucket.put_object(ticket["address"]["FileName"], b"x" * 1001))
    assert (error.status, error.code) == (400, "EntityTooLarge")
    assert wait_for_status(tea, ticket["VideoId"], "Uploading")["Status"] == "Uploading"
    assert not (server.home / "storage" / ticket["address"]["FileName"]).exists()


def test_declared_size_over_the_limit(tea: SdkApi) -> None:
    with pytest.raises(ApiError) as caught:
        create_upload(tea, FileSize=10**15)
    assert caught.value.code == "InvalidParameter" and "FileSize" in caught.value.message


def test_wrong_secret_token_and_key(tea: SdkApi) -> None:
    ticket = create_upload(tea)
    address, auth = ticket["address"], ticket["auth"]
    key = address["FileName"]
    cases = {
        "SignatureDoesNotMatch": {**auth, "AccessKeySecret": "wrong"},
        "AccessDenied": {**auth, "SecurityToken": "DYNSTS.forged"},
        "InvalidAccessKeyId": {**auth, "AccessKeyId": "STS.unknown"},
    }
    for code, forged in cases.items():
        error = oss_error(lambda f=forged: oss_bucket(address, f).put_object(key, b"data"))
        assert (error.status, error.code) == (403, code)


def test_expired_credential(tea: SdkApi, server: ServerProcess) -> None:
    ticket = create_upload(tea)
    with sqlite3.connect(server.home / "dynimg.db") as db:
        db.execute(
            "UPDATE upload_grants SET expires_at = '2000-01-01 00:00:00' WHERE key_id = ?",
            (ticket["auth"]["AccessKeyId"],),
        )
    bucket = oss_bucket(ticket["address"], ticket["auth"])
    error = oss_error(lambda: bucket.put_object(ticket["address"]["FileName"], b"data"))
    assert (error.status, error.code) == (403, "SecurityTokenExpired")


def test_credential_is_scoped_to_its_object(tea: SdkApi) -> None:
    mine, other = create_upload(tea), create_upload(tea)
    bucket = oss_bucket(mine["address"], mine["auth"])
    error = oss_error(lambda: bucket.put_object(other["address"]["FileName"], b"data"))
    assert (error.status, error.code) == (403, "AccessDenied")
    error = oss_error(lambda: bucket.put_object("video/../../etc/passwd", b"data"))
    assert error.status in (403, 400, 404)


EMPTY_MD5 = "1B2M2Y8AsgTpgAmY7PhCfg=="  # the MD5 of nothing, base64


def test_bad_content_md5_stores_nothing_a_right_one_is_accepted(
    tea: SdkApi, server: ServerProcess
) -> None:
    ticket = create_upload(tea)
    bucket = oss_bucket(ticket["address"], ticket["auth"])
    key, data = ticket["address"]["FileName"], b"data" * 1000
    for wrong in (EMPTY_MD5, "not base64!", base64.b64encode(b"short").decode()):
        headers = {"Content-MD5": wrong}
        error = oss_error(lambda: bucket.put_object(key, data, headers=headers))  # noqa: B023
        assert (error.status, error.code) == (400, "InvalidDigest"), wrong
        assert not (server.home / "storage" / key).exists()
    # The passing half: oss2 sends the right digest, the object is stored.
    put = bucket.put_object(key, data, headers={"Content-MD5": oss2.utils.content_md5(data)})
    assert put.status == 200
    assert (server.home / "storage" / key).read_bytes() == data


def test_content_md5_over_raw_http(tea: SdkApi, server: ServerProcess) -> None:
    """Headers exactly as written here (no SDK), signed by the tests' own OSS V1 signer."""
    ticket = create_upload(tea)
    address, auth, data = ticket["address"], ticket["auth"], b"raw bytes" * 500
    right = base64.b64encode(hashlib.md5(data).digest()).decode()
    refused = raw_oss_put(address, auth, data, headers={"Content-MD5": EMPTY_MD5})
    assert (refused.status_code, "<Code>InvalidDigest</Code>" in refused.text) == (400, True)
    assert not (server.home / "storage" / address["FileName"]).exists()
    accepted = raw_oss_put(address, auth, data, headers={"Content-MD5": right})
    assert accepted.status_code == 200, accepted.text
    assert accepted.headers["etag"].strip('"').lower() == hashlib.md5(data).hexdigest()
    assert (server.home / "storage" / address["FileName"]).read_bytes() == data


# --- a stored source is never destroyed or swapped ---------------------------------------


@pytest.fixture
def stored_video(tea: SdkApi, server: ServerProcess, tmp_path: Path) -> tuple[dict[str, Any], Path]:
    """A video uploaded and Normal, with the credentials that uploaded it (still unexpired)."""
    clip = make_clip(tmp_path / "c.mp4", seconds=1).path
    ticket = create_upload(tea)
    upload_file(ticket, clip)
    assert wait_for_status(tea, ticket["VideoId"], "Normal")["Status"] == "Normal"
    stored = server.home / "storage" / ticket["address"]["FileName"]
    assert stored.read_bytes() == clip.read_bytes()
    return ticket, stored


def test_finished_upload_credentials_cannot_write_again(
    tea: SdkApi,
    stored_video: tuple[dict[str, Any], Path],
) -> None:
    ticket, stored = stored_video
    before = stored.read_bytes()
    bucket, key = oss_bucket(ticket["address"], ticket["auth"]), ticket["address"]["FileName"]
    for attempt in (
        lambda: bucket.put_object(key, b"a different video"),
        lambda: bucket.put_object(key, b"x", headers={"Content-MD5": EMPTY_MD5}),
        lambda: bucket.init_multipart_upload(key),
    ):
        error = oss_error(attempt)
        assert (error.status, error.code) == (403, "AccessDenied")
    assert stored.read_bytes() == before
    assert bucket.head_object(key).content_length == len(before), "reading is still allowed"
    assert wait_for_status(tea, ticket["VideoId"], "Normal")["Size"] == len(before)


@pytest.mark.parametrize(
    "request_",
    [
        lambda b, k: b.put_object_acl(k, oss2.OBJECT_ACL_PUBLIC_READ),
        lambda b, k: b.put_object_tagging(k, oss2.models.Tagging()),
        lambda b, k: b.get_object(k).read(),
        lambda b, k: b.delete_object(k),
        lambda b, k: b.append_object(k, 0, b"more"),
    ],
    ids=["acl", "tagging", "get", "delete", "append"],
)
def test_unsupported_requests_are_refused_not_treated_as_a_put(
    tea: SdkApi, server: ServerProcess, request_: object
) -> None:
    ticket = create_upload(tea)
    bucket, key = oss_bucket(ticket["address"], ticket["auth"]), ticket["address"]["FileName"]
    assert callable(request_)
    error = oss_error(lambda: request_(bucket, key))
    assert (error.status, error.code) == (501, "NotImplemented")
    assert not (server.home / "storage" / key).exists(), "nothing was written"


def test_a_bad_part_digest_keeps_the_part_it_would_replace_a_right_one_is_accepted(
    tea: SdkApi, server: ServerProcess
) -> None:
    ticket = create_upload(tea)
    bucket, key = oss_bucket(ticket["address"], ticket["auth"]), ticket["address"]["FileName"]
    upload = bucket.init_multipart_upload(key)
    first = bucket.upload_part(key, upload.upload_id, 1, b"p" * 1000)
    headers = {"Content-MD5": EMPTY_MD5}
    error = oss_error(
        lambda: bucket.upload_part(key, upload.upload_id, 1, b"q" * 10, headers=headers)
    )
    assert (error.status, error.code) == (400, "InvalidDigest")
    # The passing halves: the right digest, through oss2 and over raw HTTP.
    headers = {"Content-MD5": oss2.utils.content_md5(b"r" * 10)}
    second = bucket.upload_part(key, upload.upload_id, 2, b"r" * 10, headers=headers)
    query = {"partNumber": "3", "uploadId": upload.upload_id}
    raw = {"Content-MD5": base64.b64encode(hashlib.md5(b"s" * 5).digest()).decode()}
    wrong = raw_oss_put(ticket["address"], ticket["auth"], b"s" * 6, headers=raw, query=query)
    assert wrong.status_code == 400 and "InvalidDigest" in wrong.text
    third = raw_oss_put(ticket["address"], ticket["auth"], b"s" * 5, headers=raw, query=query)
    assert third.status_code == 200, third.text
    parts = [
        oss2.models.PartInfo(1, first.etag),
        oss2.models.PartInfo(2, second.etag),
        oss2.models.PartInfo(3, third.headers["etag"].strip('"')),
    ]
    bucket.complete_multipart_upload(key, upload.upload_id, parts)
    stored = (server.home / "storage" / key).read_bytes()
    assert stored == b"p" * 1000 + b"r" * 10 + b"s" * 5


def test_abort_multipart_removes_parts(tea: SdkApi, server: ServerProcess) -> None:
    ticket = create_upload(tea)
    bucket, key = oss_bucket(ticket["address"], ticket["auth"]), ticket["address"]["FileName"]
    upload = bucket.init_multipart_upload(key)
    bucket.upload_part(key, upload.upload_id, 1, b"x" * 1000)
    bucket.abort_multipart_upload(key, upload.upload_id)
    assert not list((server.home / "storage" / "multipart").glob(f"{upload.upload_id}/*"))
    error = oss_error(lambda: bucket.upload_part(key, upload.upload_id, 2, b"y"))
    assert (error.status, error.code) == (404, "NoSuchUpload")


@pytest.mark.parametrize("number", ["9" * 5000, "0", "10001", "1x", "²"])
def test_part_numbers_out_of_range_are_named(tea: SdkApi, number: str) -> None:
    ticket = create_upload(tea)
    bucket, key = oss_bucket(ticket["address"], ticket["auth"]), ticket["address"]["FileName"]
    upload = bucket.init_multipart_upload(key)
    error = oss_error(lambda: bucket.upload_part(key, upload.upload_id, number, b"x"))
    assert (error.status, error.code) == (400, "InvalidArgument")
    assert "partNumber" in error.message


def test_unknown_video_ids(tea: SdkApi) -> None:
    for action in ("GetVideoInfo", "RefreshUploadVideo", "GetMezzanineInfo"):
        with pytest.raises(ApiError) as caught:
            tea.call(action, VideoId="f" * 32)
        assert (caught.value.code, caught.value.status) == ("InvalidVideo.NotFound", 404)


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("CreateUploadVideo", {"Title": "x", "FileName": "no-extension"}),
        ("CreateUploadVideo", {"Title": "x", "FileName": ".mp4"}),
    ],
)
def test_a_file_name_without_extension_is_refused_as_alibaba_does(
    tea: SdkApi, action: str, params: dict[str, str]
) -> None:
    with pytest.raises(ApiError) as caught:
        tea.call(action, **params)
    assert (caught.value.code, caught.value.status) == ("InvalidFileName.Extension", 403)
    assert "extension" in caught.value.message


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = start_server(tmp_path_factory.mktemp("small"), DYNIMG_MAX_UPLOAD_BYTES="5000")
    yield process
    process.stop()


def test_upload_over_the_configured_limit(small_server: ServerProcess) -> None:
    api = sdk_api("core-v1", small_server.endpoint, small_server.default_credentials())
    ticket = create_upload(api)
    bucket = oss_bucket(ticket["address"], ticket["auth"])
    error = oss_error(lambda: bucket.put_object(ticket["address"]["FileName"], b"z" * 6000))
    assert (error.status, error.code) == (400, "EntityTooLarge")
