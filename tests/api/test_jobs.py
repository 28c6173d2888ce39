"""SubmitDynamicImageJob and ListDynamicImage end to end, through both SDKs."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.support import auth_key as type_a
from tests.support.clients import SDK_MODES, ApiError, SdkApi, sdk_api
from tests.support.jobs import template, uploaded_video, wait_for_images, wait_for_job
from tests.support.media import frame_index, make_clip, read_animation
from tests.support.rpc import raw_call
from tests.support.server import Credentials, ServerProcess, run_cli

TEXT = {"Content": "placeholder", "FontSize": 28, "FontColor": "white", "Top": 70, "Left": 4}


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("jobs") / "clip.mp4", seconds=2).path


@pytest.fixture(params=SDK_MODES)
def api(request: pytest.FixtureRequest, server: ServerProcess, creds: Credentials) -> SdkApi:
    return sdk_api(request.param, server.endpoint, creds)


def download(url: str, tmp_path: Path, name: str) -> Path:
    response = httpx.get(url, timeout=30)
    assert response.status_code == 200, response.text
    path = tmp_path / name
    path.write_bytes(response.content)
    return path


@pytest.mark.parametrize("fmt", ["gif", "webp"])
def test_whole_flow_with_a_text_watermark_override(
    api: SdkApi, clip: Path, tmp_path: Path, fmt: str
) -> None:
    video_id = uploaded_video(api, clip)
    mark = api.call("AddWatermark", Name="user", Type="Text", WatermarkConfig=json.dumps(TEXT))
    watermark_id = mark["WatermarkInfo"]["WatermarkId"]
    template_id = template(api, fmt, WatermarkIds=[watermark_id])
    override = {"Watermarks": [{"WatermarkId": watermark_id, "Content": "UserID: 666"}]}
    body = api.call(
        "SubmitDynamicImageJob",
        VideoId=video_id,
        DynamicImageTemplateId=template_id,
        OverrideParams=json.dumps(override),
    )
    job_id = body["DynamicImageJob"]["JobId"]
    assert body["RequestId"] and len(job_id) == 32
    plain_job = api.call(
        "SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id
    )
    images = {i["JobId"]: i for i in wait_for_images(api, video_id, count=2)}
    image = images[job_id]
    assert all(isinstance(value, str) for value in image.values())
    assert (image["JobId"], image["VideoId"], image["Format"]) == (job_id, video_id, fmt)
    assert (image["Width"], image["Height"], image["Fps"], image["Duration"]) == (
        "160",
        "120",
        "10",
        "1",
    )
    assert image["CreationTime"].endswith("Z") and len(image["CreationTime"]) == 20
    assert (
        f"/{video_id}/image/dynamic/{image['DynamicImageId']}.{fmt}?auth_key=" in image["FileURL"]
    )
    path = download(image["FileURL"], tmp_path, f"out.{fmt}")
    assert int(image["FileSize"]) == path.stat().st_size
    animation = read_animation(path)
    assert animation.format == fmt.upper() and animation.size == (160, 120)
    assert len(animation.frames) == 10 and sum(animation.delays_ms) == 1000 and animation.loop == 0
    assert [frame_index(f) for f in animation.frames] == [15 + 3 * k for k in range(10)]
    plain_image = images[plain_job["DynamicImageJob"]["JobId"]]
    plain = read_animation(download(plain_image["FileURL"], tmp_path, f"plain.{fmt}"))
    assert_only_the_text_differs(animation.frames[0], plain.frames[0])


def assert_only_the_text_differs(ours: np.ndarray, plain: np.ndarray) -> None:
    """The override's text ("UserID: 666") against the template's ("placeholder"), both white
    28 px at Top 70 (rows 70-92): the pictures differ there and match elsewhere. Measured, mean
    error by rows: 17-52 in the text; 0 above row 56 (the index bars); 2-8 in the gradient
    below, which the palette (GIF) or the encoder (WebP) renders a little differently."""
    error = np.abs(ours.astype(int) - plain.astype(int)).mean(axis=2)
    assert np.all(ours[70:105, 4:156] > 200, axis=2).sum() > 150, "a text is drawn"
    assert error[70:93].mean() > 20, "the override's text is not the template's"
    assert error[:56].mean() < 1 and error[96:].mean() < 6, "the rest of the picture is the same"


def test_job_status_extension(server: ServerProcess, creds: Credentials, clip: Path) -> None:
    api = sdk_api("tea-v3", server.endpoint, creds)
    video_id = uploaded_video(api, clip)
    job_id = api.call(
        "SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template(api)
    )["DynamicImageJob"]["JobId"]
    job = wait_for_job(server, creds, job_id)
    assert (job["Status"], job["Progress"], job["Attempts"]) == ("Success", 100, 1)
    assert job["CompleteTime"] >= job["StartTime"] >= job["CreationTime"]
    listed = raw_call(server, creds, "ListDynamicImageJobs", VideoId=video_id)
    assert listed["Total"] == 1 and listed["DynamicImageJobList"][0]["JobId"] == job_id
    assert listed["DynamicImageJobList"][0]["DynamicImageId"] == job["DynamicImageId"]


def test_signed_urls(server: ServerProcess, creds: Credentials, clip: Path, tmp_path: Path) -> None:
    api = sdk_api("tea-v3", server.endpoint, creds)
    video_id = uploaded_video(api, clip)
    api.call(
        "SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template(api, "webp")
    )
    [image] = wait_for_images(api, video_id)
    url, size = image["FileURL"], int(image["FileSize"])
    base, auth_key = url.split("?auth_key=")
    path = "/" + base.split("/", 3)[3]
    ok = httpx.get(url)
    assert ok.headers["content-type"] == "image/webp" and int(ok.headers["content-length"]) == size
    assert ok.headers["etag"] and "max-age=" in ok.headers["cache-control"]
    assert httpx.get(url, headers={"If-None-Match": ok.headers["etag"]}).status_code == 304
    ranged = httpx.get(url, headers={"Range": "bytes=10-19"})
    assert ranged.status_code == 206 and ranged.content == ok.content[10:20]
    assert ranged.headers["content-range"] == f"bytes 10-19/{size}"
    assert httpx.get(url, headers={"Range": f"bytes={size + 5}-"}).status_code == 416
    for huge in ("bytes=" + "9" * 5000 + "-", "bytes=0-" + "9" * 5000, "bytes=-" + "9" * 5000):
        refused = httpx.get(url, headers={"Range": huge})
        assert refused.status_code == 416 and "Range" in refused.text
    assert httpx.head(url).status_code == 200
    tampered = auth_key[:-1] + ("0" if auth_key[-1] != "0" else "1")
    assert httpx.get(f"{base}?auth_key={tampered}").status_code == 403
    assert httpx.get(base).status_code == 403
    # Signed and checked with the tests' own type-A signer (Alibaba's documented digest): the
    # server's URLs must be what a CDN holding the same key accepts, and the other way round.
    key = (server.home / "url-signing.key").read_text().strip()
    assert type_a.file_url_is_signed_by(url, key)
    now, rand = int(time.time()), "477b3bbc253f467b8def6711128c7bec"
    expired = type_a.auth_key(path, key, now - 5, rand=rand)
    assert httpx.get(f"{base}?auth_key={expired}").status_code == 403
    fresh = type_a.auth_key(path, key, now + 60, rand=rand, uid="1234")
    assert httpx.get(f"{base}?auth_key={fresh}").status_code == 200
    other = type_a.auth_key(path.replace(".webp", ".gif"), key, now + 60)
    assert httpx.get(f"{base}?auth_key={other}").status_code == 403
    wrong_key = type_a.auth_key(path, "not-the-key", now + 60)
    assert httpx.get(f"{base}?auth_key={wrong_key}").status_code == 403


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("Uploading", False),
        ("UploadFail", False),
        ("TranscodeFail", False),
        ("ProduceFail", False),
        ("UploadSucc", True),
        ("Transcoding", True),
        ("Checking", True),
        ("Blocked", True),
    ],
)
def test_video_states(
    server: ServerProcess, creds: Credentials, clip: Path, status: str, allowed: bool
) -> None:
    api = sdk_api("core-v1", server.endpoint, creds)
    video_id = uploaded_video(api, clip)
    with sqlite3.connect(server.home / "dynimg.db") as db:
        db.execute("UPDATE videos SET status = ? WHERE id = ?", (status, video_id))
    template_id = template(api)
    if allowed:
        body = api.call(
            "SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id
        )
        assert body["DynamicImageJob"]["JobId"]
        return
    with pytest.raises(ApiError) as caught:
        api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id)
    assert (caught.value.code, caught.value.status) == ("Forbidden.IllegalStatus", 400)


def test_submit_errors_name_the_problem(
    server: ServerProcess, creds: Credentials, clip: Path
) -> None:
    api = sdk_api("tea-v2", server.endpoint, creds)
    video_id, template_id = uploaded_video(api, clip), template(api)
    good = {"VideoId": video_id, "DynamicImageTemplateId": template_id}
    foreign_mark = '{"Watermarks":[{"WatermarkId":"x","Content":"y"}]}'
    cases = [
        ({**good, "VideoId": "0" * 32}, "InvalidVideo.NotFound", 404, ""),
        (
            {**good, "DynamicImageTemplateId": "0" * 32},
            "InvalidTemplate.NotFound",
            404,
            "DynamicImageTemplateId",
        ),
        ({**good, "OverrideParams": "{not json"}, "InvalidParameter", 400, "OverrideParams"),
        ({**good, "OverrideParams": foreign_mark}, "InvalidParameter", 400, "OverrideParams"),
        ({"VideoId": video_id}, "MissingParameter", 400, "DynamicImageTemplateId"),
    ]
    for params, code, status, named in cases:
        with pytest.raises(ApiError) as caught:
            api.call("SubmitDynamicImageJob", **params)
        assert (caught.value.code, caught.value.status) == (code, status)
        assert named in caught.value.message
    with pytest.raises(ApiError) as caught:
        api.call("ListDynamicImage", VideoId="0" * 32)
    assert caught.value.code == "InvalidVideo.NotFound"


@pytest.mark.parametrize("mode", ["tea-v3", "core-v1"])
def test_one_template_many_clips_and_sizes_by_override(
    server: ServerProcess, creds: Credentials, clip: Path, tmp_path: Path, mode: str
) -> None:
    api = sdk_api(mode, server.endpoint, creds)
    video_id, template_id = uploaded_video(api, clip), template(api, "gif")
    overrides = [
        {"Clip": {"TimeSpan": {"Seek": "0.2", "Duration": "0.6"}}, "Video": {"Width": "200"}},
        {"Clip": {"TimeSpan": {"Seek": "1", "End": "0.5"}}, "Video": {"Fps": "5"},  # End trims
         "MaxColors": 16, "Loop": 2},
    ]  # fmt: skip
    jobs = [
        api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id,
                 OverrideParams=json.dumps(override))["DynamicImageJob"]["JobId"]
        for override in overrides
    ]  # fmt: skip
    assert [wait_for_job(server, creds, job)["Status"] for job in jobs] == ["Success"] * 2
    images = {i["JobId"]: i for i in wait_for_images(api, video_id, count=2)}
    first, second = images[jobs[0]], images[jobs[1]]
    assert (first["Width"], first["Duration"], first["Fps"]) == ("200", "0.6", "10")
    assert (second["Width"], second["Duration"], second["Fps"]) == ("160", "0.5", "5")
    animation = read_animation(download(second["FileURL"], tmp_path, "second.gif"))
    assert len(animation.frames) == 3 and animation.loop == 1  # Loop 2 = play twice
    bad = {"Video": {"Width": "99999"}}
    with pytest.raises(ApiError) as caught:
        api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id,
                 OverrideParams=json.dumps(bad))  # fmt: skip
    assert caught.value.code == "InvalidParameter"
    assert "OverrideParams.Video.Width" in caught.value.message
    with pytest.raises(ApiError) as caught:
        api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id,
                 OverrideParams=json.dumps({"Container": {"Format": "webp"}}))  # fmt: skip
    assert "OverrideParams.Container" in caught.value.message


def test_a_broken_source_fails_the_job(
    server: ServerProcess, creds: Credentials, clip: Path
) -> None:
    api = sdk_api("core-v1", server.endpoint, creds)
    video_id = uploaded_video(api, clip)
    stored = next((server.home / "storage" / "video" / video_id).iterdir())
    stored.write_bytes(b"garbage" * 100)
    body = api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template(api))
    job = wait_for_job(server, creds, body["DynamicImageJob"]["JobId"])
    assert (job["Status"], job["ErrorCode"], job["Attempts"]) == (
        "Fail",
        "InvalidMedia.Unreadable",
        1,
    )
    assert api.call("ListDynamicImage", VideoId=video_id)["DynamicImageList"] == []


def test_delete_images_cover_and_usage(
    server: ServerProcess, creds: Credentials, clip: Path, tmp_path: Path
) -> None:
    api = sdk_api("tea-v3", server.endpoint, creds)
    video_id = uploaded_video(api, clip)
    cover_template = template(api, "gif", SetDefaultCover="true")
    api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=cover_template)
    api.call(
        "SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template(api, "webp")
    )
    images = wait_for_images(api, video_id, 2)
    cover = api.call("GetVideoInfo", VideoId=video_id)["Video"]["CoverURL"]
    gif = next(i for i in images if i["Format"] == "gif")
    assert cover.split("?")[0] == gif["FileURL"].split("?")[0]
    assert httpx.get(cover).status_code == 200
    usage = raw_call(server, creds, "DescribeDynamicImageUsage")["DynamicImageUsageData"]
    formats = {(row["Resolution"], row["Format"]) for row in usage}
    assert {("SD", "gif"), ("SD", "webp")} <= formats
    api.call("DeleteDynamicImage", VideoId=video_id, DynamicImageIds=gif["DynamicImageId"])
    left = api.call("ListDynamicImage", VideoId=video_id)["DynamicImageList"]
    assert [i["Format"] for i in left] == ["webp"]
    assert httpx.get(gif["FileURL"]).status_code == 404
    after = api.call("GetVideoInfo", VideoId=video_id)["Video"]["CoverURL"]
    assert "/image/dynamic/" not in after  # no longer the GIF: a cover snapshot, if taken yet
    api.call("DeleteVideo", VideoIds=video_id)
    assert httpx.get(left[0]["FileURL"]).status_code == 404
    assert not list((server.home / "storage" / video_id).rglob("*.webp"))


def test_max_file_size_through_the_sdk(
    server: ServerProcess, creds: Credentials, clip: Path, tmp_path: Path
) -> None:
    api = sdk_api("tea-v3", server.endpoint, creds)
    video_id = uploaded_video(api, clip)
    template_id = template(api, "gif", Container={"Format": "gif", "MaxFileSize": "12000"})
    targets = {None: 12_000, 6_000: 6_000, 1024: 1024}
    jobs = {
        target: api.call(
            "SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id,
            OverrideParams=json.dumps({"Container": {"MaxFileSize": target}}) if target else None,
        )["DynamicImageJob"]["JobId"]
        for target in targets
    }  # fmt: skip
    done = {target: wait_for_job(server, creds, job) for target, job in jobs.items()}
    images = {i["JobId"]: i for i in wait_for_images(api, video_id, count=2)}
    for target in (None, 6_000):
        job, limit = done[target], targets[target]
        assert job["Status"] == "Success", job
        size = int(images[jobs[target]]["FileSize"])
        assert 0.85 * limit <= size <= limit
        path = download(images[jobs[target]]["FileURL"], tmp_path, f"{limit}.gif")
        assert path.stat().st_size == size and len(read_animation(path).frames) >= 4
        search = job["SizeSearch"]
        assert search["TargetBytes"] == limit and search["Encodes"] == len(search["Attempts"])
        chosen = search["Attempts"][search["Chosen"]]
        assert chosen["Bytes"] == size and "Quality" not in chosen
        assert (str(chosen["Width"]), chosen["Fps"]) == (images[jobs[target]]["Width"],
                                                        images[jobs[target]]["Fps"])  # fmt: skip
    failed = done[1024]
    assert (failed["Status"], failed["ErrorCode"]) == ("Fail", "InvalidParameter.MaxFileSize")
    smallest = min(a["Bytes"] for a in failed["SizeSearch"]["Attempts"])
    assert f"the smallest output is {smallest} bytes" in failed["ErrorMessage"]
    assert "Chosen" not in failed["SizeSearch"] and jobs[1024] not in images
    shown = run_cli(server.home, "jobs", "show", jobs[6_000], "--endpoint", server.url).stdout
    kept = done[6_000]["SizeSearch"]["Attempts"][done[6_000]["SizeSearch"]["Chosen"]]
    assert f"MaxFileSize 6000 bytes: {done[6_000]['SizeSearch']['Encodes']} encode(s)" in shown
    lossy = f"lossy {kept['Lossy']}, " if "Lossy" in kept else ""
    assert f" * {lossy}{kept['MaxColors']} colours, {kept['Fps']} fps, " in shown
    shown = run_cli(server.home, "jobs", "show", jobs[1024], "--endpoint", server.url).stdout
    assert "InvalidParameter.MaxFileSize" in shown and " * " not in shown
    with pytest.raises(ApiError) as caught:
        api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id,
                 OverrideParams=json.dumps({"Container": {"MaxFileSize": 100}}))  # fmt: skip
    assert "OverrideParams.Container.MaxFileSize" in caught.value.message
