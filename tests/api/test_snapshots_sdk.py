"""Snapshots through both official SDKs against a real server: snapshot templates, jobs from
a template or inline, ListSnapshots, the WebVTT storyboard a player loads as it is, cover
snapshots at upload, the SnapshotComplete event and Alibaba's error codes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.support import auth_key as type_a
from tests.support.clients import ApiError, SdkApi, sdk_api
from tests.support.jobs import uploaded_video
from tests.support.media import frame_index, make_clip
from tests.support.receiver import Receiver
from tests.support.server import Credentials, ServerProcess, start_server
from tests.support.storyboard import parse_vtt

FPS = 10
STORYBOARD = {
    "SnapshotType": "WebVttSnapshot",
    "SnapshotConfig": {
        "Count": 100, "Interval": 1, "Width": 96, "Format": "vtt",
        "SubOut": {"IsSptFrag": "true"},
        "SpriteSnapshotConfig": {"Columns": 2, "Lines": 2, "Padding": 2, "Margin": 4},
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    receiver = Receiver(failures=0)
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = start_server(
        tmp_path_factory.mktemp("snapshots-home"), DYNIMG_ALLOW_PRIVATE_CALLBACKS="true"
    )
    yield process
    process.stop()


@pytest.fixture(scope="module")
def creds(server: ServerProcess) -> Credentials:
    return server.default_credentials()


@pytest.fixture(scope="module")
def video(
    server: ServerProcess, creds: Credentials, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """5.5 s at 10 fps, a keyframe every second, each frame showing its index."""
    clip = make_clip(
        tmp_path_factory.mktemp("snapshots") / "v.mp4", seconds=5.5, fps=FPS, options={"g": "10"}
    )
    return uploaded_video(sdk_api("tea-v3", server.endpoint, creds), clip.path)


def api_of(mode: str, server: ServerProcess, creds: Credentials) -> SdkApi:
    return sdk_api(mode, server.endpoint, creds)


def wait_for_snapshots(
    api: SdkApi, video: str, kind: str, job: str | None = None, timeout: float = 90
) -> dict[str, Any]:
    """ListSnapshots until the type has files (of ``job`` when given)."""
    deadline = time.monotonic() + timeout
    while True:
        listed: dict[str, Any] = api.call("ListSnapshots", VideoId=video, SnapshotType=kind)[
            "MediaSnapshot"
        ]
        done = listed.get("Total") and (job is None or listed.get("JobId") == job)
        if done or time.monotonic() > deadline:
            return listed
        time.sleep(0.2)


def urls(listed: dict[str, Any]) -> list[str]:
    return [item["Url"] for item in listed["Snapshots"]["Snapshot"]]


def picture(url: str) -> np.ndarray:
    response = httpx.get(url, timeout=30)
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    return np.asarray(Image.open(BytesIO(response.content)).convert("RGB"))


@pytest.mark.timeout(300)
@pytest.mark.parametrize("mode", ["tea-v3", "core-v1"])
def test_sprite_storyboard_from_a_template(
    mode: str, server: ServerProcess, creds: Credentials, video: str
) -> None:
    api = api_of(mode, server, creds)
    template = api.call(
        "AddVodTemplate", Name="board", TemplateType="Snapshot",
        TemplateConfig=json.dumps(STORYBOARD),
    )["VodTemplateId"]  # fmt: skip
    job = api.call("SubmitSnapshotJob", VideoId=video, SnapshotTemplateId=template)
    job_id = job["SnapshotJob"]["JobId"]
    sheets = wait_for_snapshots(api, video, "SpriteSnapshot", job_id)
    assert sheets["Total"] == 2 and sheets["JobId"] == job_id  # 6 pictures, 4 a sheet
    assert [s["Index"] for s in sheets["Snapshots"]["Snapshot"]] == [1, 2]
    assert sheets["Regular"].endswith(f"/{video}/snapshots/{job_id}/sprite-{{SnapshotCount}}.jpg")
    board = wait_for_snapshots(api, video, "WebVttSnapshot", job_id)
    [vtt_url] = urls(board)
    response = httpx.get(vtt_url, timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/vtt")
    cues = parse_vtt(response.text)
    assert [c.start_ms for c in cues] == [i * 1000 for i in range(6)] and cues[-1].end_ms == 5500
    key = (server.home / "url-signing.key").read_text().strip()
    assert type_a.file_url_is_signed_by(vtt_url, key), "type A, as a CDN checks it"
    for cue in cues:  # each cue's picture, fetched as a player resolves it
        assert type_a.file_url_is_signed_by(urljoin(vtt_url, cue.target), key)
        sheet = picture(urljoin(vtt_url, cue.target))
        assert cue.xywh is not None
        x, y, w, h = cue.xywh
        assert x + w <= sheet.shape[1] and y + h <= sheet.shape[0] and (w, h) == (96, 72)
        assert frame_index(sheet[y : y + h, x : x + w]) == cue.start_ms * FPS // 1000
    tampered = vtt_url.replace("storyboard.vtt", "sprite-00001.jpg")
    assert httpx.get(tampered, timeout=30).status_code == 403  # the VTT's auth_key is its own


@pytest.mark.timeout(300)
def test_inline_snapshots_paged_with_the_event(
    server: ServerProcess, creds: Credentials, video: str, receiver: Receiver
) -> None:
    api = api_of("tea-v2", server, creds)
    api.call("SetMessageCallback", CallbackURL=receiver.url, EventTypeList="SnapshotComplete")
    user_data = json.dumps({"Extend": {"localId": "xxx"}})
    job_id = api.call(
        "SubmitSnapshotJob", VideoId=video, SpecifiedOffsetTime=500, Count=3, Interval=2,
        Height=60, UserData=user_data,
    )["SnapshotJob"]["JobId"]  # fmt: skip
    first = wait_for_snapshots(api, video, "NormalSnapshot", job_id)
    assert first["Total"] == 3
    page = api.call("ListSnapshots", VideoId=video, SnapshotType="NormalSnapshot", PageNo="2",
                    PageSize="2", AuthTimeout="7200")["MediaSnapshot"]  # fmt: skip
    assert page["Total"] == 3 and [s["Index"] for s in page["Snapshots"]["Snapshot"]] == [3]
    shown = picture(urls(page)[0])
    assert shown.shape == (60, 80, 3) and frame_index(shown) == 45  # 4.5 s
    expires = int(urls(page)[0].split("auth_key=")[1].split("-")[0])
    key = (server.home / "url-signing.key").read_text().strip()
    assert all(type_a.file_url_is_signed_by(url, key) for url in urls(first) + urls(page))
    assert 7000 < expires - time.time() <= 7200
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _event(receiver, job_id):
        time.sleep(0.1)
    event = _event(receiver, job_id)
    assert (
        event is not None and event["Status"] == "success" and event["SubType"] == "SpecifiedTime"
    )
    assert json.loads(event["Extend"]) == {"localId": "xxx"}
    [info] = event["SnapshotInfos"]
    assert (info["SnapshotType"], info["SnapshotCount"]) == ("NormalSnapshot", 3)
    assert info["SnapshotRegular"] == first["Regular"]


@pytest.mark.timeout(180)
@pytest.mark.parametrize("mode", ["tea-v3", "core-v1"])
def test_snapshots_at_specified_times_in_time_order(
    mode: str, server: ServerProcess, creds: Credentials, video: str
) -> None:
    api = api_of(mode, server, creds)
    # Both SDKs send the list as a JSON array; Count and Interval give way to it.
    job_id = api.call(
        "SubmitSnapshotJob", VideoId=video, SpecifiedOffsetTimes=[2500, 500, 4000], Count=1,
        Interval=1, Height=60, ReferenceId=f"ref-{mode}",
    )["SnapshotJob"]["JobId"]  # fmt: skip
    listed = wait_for_snapshots(api, video, "NormalSnapshot", job_id)
    assert listed["Total"] == 3
    assert [frame_index(picture(url)) for url in urls(listed)] == [5, 25, 40]
    with pytest.raises(ApiError) as caught:  # each time must fall inside the 5.5 s video
        api.call("SubmitSnapshotJob", VideoId=video, SpecifiedOffsetTimes=[500, 6000])
    assert caught.value.code == "InvalidClip.OutOfRange"


def _event(receiver: Receiver, job_id: str) -> dict[str, Any] | None:
    return next((e for e in receiver.accepted if e.get("JobId") == job_id), None)


@pytest.mark.timeout(120)
def test_cover_snapshots_at_upload_give_the_cover(
    server: ServerProcess, creds: Credentials, video: str
) -> None:
    api = api_of("tea-v3", server, creds)
    covers = wait_for_snapshots(api, video, "CoverSnapshot")
    assert 1 <= covers["Total"] <= 8
    shown = [frame_index(picture(u)) for u in urls(covers)]
    assert all(i % 10 == 0 for i in shown) and shown == sorted(set(shown))  # keyframes only
    info = api.call("GetVideoInfo", VideoId=video)["Video"]
    listed = info["Snapshots"]["Snapshot"]
    assert [u.split("?")[0] for u in listed] == [u.split("?")[0] for u in urls(covers)]
    assert info["CoverURL"].split("?")[0] in [u.split("?")[0] for u in listed]
    api.call("UpdateVideoInfo", VideoId=video, CoverURL="https://example.com/mine.jpg")
    assert api.call("GetVideoInfo", VideoId=video)["Video"]["CoverURL"] == (
        "https://example.com/mine.jpg"
    )


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"Count": "10001"}, "InvalidParameter"),
        ({"Interval": "-1"}, "InvalidParameter"),
        ({"Width": "5000"}, "InvalidParameter"),
        ({"SpriteSnapshotConfig": "{'CellWidth': 120}"}, "InvalidParameter"),
        ({"SpriteSnapshotConfig": '{"Columns": 100}'}, "InvalidParameter"),  # 100 x 320 px
        ({"SpecifiedOffsetTime": "9000"}, "InvalidClip.OutOfRange"),
        ({"SnapshotTemplateId": "e" * 32}, "InvalidTemplate.NotFound"),
        ({"UserData": "not json"}, "InvalidParameter"),
        ({"SpecifiedOffsetTimes": "[" + ",".join(["0"] * 31) + "]"}, "InvalidParameter"),
        ({"SpecifiedOffsetTimes": '{"a": 1}'}, "InvalidParameter"),
        ({"SpecifiedOffsetTimes": "[-1]"}, "InvalidParameter"),
        ({"ReferenceId": "short"}, "InvalidParameter"),
        ({"ReferenceId": "has space!"}, "InvalidParameter"),
    ],
)
def test_bad_requests_get_alibabas_codes(
    server: ServerProcess, creds: Credentials, video: str, params: dict[str, str], code: str
) -> None:
    api = api_of("core-v1", server, creds)
    with pytest.raises(ApiError) as caught:
        api.call("SubmitSnapshotJob", VideoId=video, **params)
    assert caught.value.code == code and 400 <= caught.value.status < 500


def test_missing_things_and_wrong_types(
    server: ServerProcess, creds: Credentials, video: str, tmp_path: Path
) -> None:
    api = api_of("tea-v3", server, creds)
    with pytest.raises(ApiError) as caught:
        api.call("SubmitSnapshotJob", VideoId="f" * 32)
    assert (caught.value.code, caught.value.status) == ("InvalidVideo.NotFound", 404)
    animated = api.call(
        "AddVodTemplate", Name="gif", TemplateType="DynamicImage",
        TemplateConfig=json.dumps({"Container": {"Format": "gif"},
                                   "Clip": {"TimeSpan": {"Seek": "0"}}}),
    )["VodTemplateId"]  # fmt: skip
    with pytest.raises(ApiError) as caught:
        api.call("SubmitSnapshotJob", VideoId=video, SnapshotTemplateId=animated)
    assert caught.value.code == "InvalidTemplate.NotFound"
    with pytest.raises(ApiError) as caught:
        api.call("ListSnapshots", VideoId=video, SnapshotType="Thumbnail")
    assert caught.value.code == "InvalidParameter" and "SnapshotType" in caught.value.message
    empty = api.call("ListSnapshots", VideoId=video, SnapshotType="SpriteOriginSnapshot")
    assert empty["MediaSnapshot"]["Total"] == 0


def test_snapshot_jobs_and_actions_show_in_metrics(
    server: ServerProcess, creds: Credentials, video: str
) -> None:
    api = api_of("tea-v3", server, creds)
    job = api.call("SubmitSnapshotJob", VideoId=video, Count=1)["SnapshotJob"]["JobId"]
    wait_for_snapshots(api, video, "NormalSnapshot", job)
    deadline = time.monotonic() + 30
    while True:  # the job's duration is observed as it settles, just after its files list
        text = httpx.get(f"{server.url}/metrics", timeout=10).text
        done = 'dynimg_job_duration_seconds_count{format="snapshot",status="Success"}'
        if done in text or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert done in text
    assert 'dynimg_render_duration_seconds_count{format="snapshot"}' in text
    assert 'dynimg_rpc_requests_total{action="SubmitSnapshotJob",code="200"}' in text
    assert 'dynimg_rpc_requests_total{action="ListSnapshots",code="200"}' in text
