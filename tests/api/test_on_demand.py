"""On-demand animated-image URLs on one node: cache, signatures, bounds, isolation, helpers."""

from __future__ import annotations

import io
import sqlite3
import time
from contextlib import closing
from urllib.parse import urlsplit

import httpx
import numpy as np
import pytest
from PIL import Image, ImageSequence

from tests.support.clients import SdkApi, sdk_api
from tests.support.jobs import uploaded_video
from tests.support.media import frame_index, make_clip
from tests.support.on_demand import (
    get_until_done,
    on_demand_jobs,
    resign,
    tampered,
    url_through_core_sdk,
)
from tests.support.rpc import raw_call
from tests.support.server import Credentials, ServerProcess, run_cli


@pytest.fixture(scope="module")
def api(server: ServerProcess, creds: Credentials) -> SdkApi:
    return sdk_api("tea-v3", server.endpoint, creds)


@pytest.fixture(scope="module")
def video_id(api: SdkApi, tmp_path_factory: pytest.TempPathFactory) -> str:
    clip = make_clip(tmp_path_factory.mktemp("od") / "clip.mp4", seconds=3, fps=30)
    return uploaded_video(api, clip.path)


def account_uid(server: ServerProcess, name: str) -> str:
    """An account's uid, read from the server's database (no Action reports it)."""
    with closing(sqlite3.connect(server.home / "dynimg.db")) as db:
        return str(db.execute("SELECT uid FROM accounts WHERE name = ?", (name,)).fetchone()[0])


def usage_count(server: ServerProcess, creds: Credentials) -> int:
    rows = raw_call(server, creds, "DescribeDynamicImageUsage")["DynamicImageUsageData"]
    return sum(int(row["Count"]) for row in rows)


def test_second_request_is_served_from_storage(
    server: ServerProcess, creds: Credentials, api: SdkApi, video_id: str
) -> None:
    before, renders = usage_count(server, creds), len(on_demand_jobs(server, creds, video_id))
    url = url_through_core_sdk(
        server, creds, VideoId=video_id, Start="0.5", End="1.5", Width="160", Fps="10"
    )
    first = get_until_done(url)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "image/gif"
    with Image.open(io.BytesIO(first.content)) as gif:
        frames = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(gif)]
        assert gif.size == (160, 120)
    assert len(frames) == 10
    assert abs(frame_index(frames[0]) - 15) <= 1, "the window starts at 0.5 s (frame 15 of 30)"
    # The same parameters, in another order or spelling of the same values: the stored file.
    parts = urlsplit(url)
    reordered = parts._replace(query="&".join(reversed(parts.query.split("&")))).geturl()
    respelled = resign(
        server, url, query={"fps": "10", "width": "160", "start": "0.500", "end": "00:00:01.5"}
    )
    for again in (url, reordered, respelled):
        second = httpx.get(again, timeout=30)
        assert second.status_code == 200 and second.content == first.content
    jobs = on_demand_jobs(server, creds, video_id)
    assert len(jobs) == renders + 1, "one render for all four requests"
    assert (jobs[0]["DynamicImageTemplateId"], jobs[0]["Status"]) == ("OnDemand", "Success")
    assert usage_count(server, creds) == before + 1, "metered like a job, once"
    # Deleting the image (it is listed like any other) makes the next request render it anew.
    api.call("DeleteDynamicImage", VideoId=video_id, DynamicImageIds=jobs[0]["DynamicImageId"])
    assert get_until_done(url).status_code == 200
    assert len(on_demand_jobs(server, creds, video_id)) == renders + 2


def test_a_tampered_query_or_path_is_forbidden(
    server: ServerProcess, creds: Credentials, video_id: str
) -> None:
    url = url_through_core_sdk(server, creds, VideoId=video_id, End="1", Width="128")
    parts = urlsplit(url)
    forged = [
        tampered(url, width="640"),
        tampered(url, end="2"),
        tampered(url, fps="30"),
        f"{url}&width=200",
        parts._replace(path=parts.path.replace(".gif", ".webp")).geturl(),
        parts._replace(path=parts.path.replace(video_id, "0" * 32)).geturl(),
        parts._replace(
            query="&".join(p for p in parts.query.split("&") if "fps" not in p)
        ).geturl(),
    ]
    for bad in forged:
        response = httpx.get(bad, timeout=30)
        assert response.status_code == 403, bad
        assert response.json()["Code"] == "Forbidden"
    assert get_until_done(url).status_code == 200, "the control: the URL as signed"


def test_expired_or_malformed_keys_are_forbidden(
    server: ServerProcess, creds: Credentials, video_id: str
) -> None:
    url = url_through_core_sdk(server, creds, VideoId=video_id, End="1")
    expired = resign(server, url, expires=int(time.time()) - 1)
    assert httpx.get(expired, timeout=30).status_code == 403
    bare = urlsplit(url)._replace(query="end=1").geturl()
    assert httpx.get(bare, timeout=30).status_code == 403
    assert httpx.get(tampered(url, auth_key="1-2-3-4"), timeout=30).status_code == 403
    assert get_until_done(resign(server, url)).status_code == 200, "the control: unexpired"


def test_bounds_are_refused_with_a_clear_400(
    server: ServerProcess, creds: Credentials, api: SdkApi, video_id: str
) -> None:
    cases = [({"End": "10.5"}, "end"), ({"Width": "641"}, "width"), ({"Fps": "31"}, "fps"),
             ({"Start": "2", "End": "4"}, "end")]  # fmt: skip  # the clip is 3 s long
    for params, name in cases:
        with pytest.raises(Exception) as caught:
            url_through_core_sdk(server, creds, VideoId=video_id, **params)
        assert "InvalidParameter" in str(caught.value) and name in str(caught.value)
    # A URL signed with out-of-bounds values (not by the helper) is refused after its check.
    url = url_through_core_sdk(server, creds, VideoId=video_id, Start="1")
    assert "end=3&" in url, "without an end, the window stops at the end of the 3 s video"
    for query, name in [({"start": "0", "end": "11"}, "end"), ({"width": "700"}, "width")]:
        response = httpx.get(resign(server, url, query=query), timeout=30)
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["Code"] == "InvalidParameter" and f"'{name}'" in body["Message"]
    assert all(j["VideoId"] == video_id for j in on_demand_jobs(server, creds, video_id))


def test_a_url_never_serves_another_accounts_video(
    server: ServerProcess, creds: Credentials, other_creds: Credentials, video_id: str
) -> None:
    with pytest.raises(Exception) as caught:
        url_through_core_sdk(server, other_creds, VideoId=video_id)
    assert "InvalidVideo.NotFound" in str(caught.value)
    # A URL correctly signed for another account (uid), pointed at our video: not served.
    their_uid = account_uid(server, "other")
    mine = url_through_core_sdk(server, creds, VideoId=video_id, End="1")
    response = httpx.get(resign(server, mine, uid=their_uid), timeout=30)
    assert (response.status_code, response.json()["Code"]) == (404, "InvalidVideo.NotFound")
    assert httpx.get(resign(server, mine), timeout=30).status_code != 404, "the control"


def test_helper_through_tea_sdk_and_cli(
    server: ServerProcess, creds: Credentials, video_id: str
) -> None:
    from alibabacloud_tea_openapi import models as open_api_models
    from alibabacloud_tea_util import models as util_models

    client = sdk_api("tea-v3", server.endpoint, creds).client  # type: ignore[attr-defined]
    params = open_api_models.Params(
        action="GetAnimatedImageUrl", version="2017-03-21", protocol="HTTP", pathname="/",
        method="POST", auth_type="AK", style="RPC", req_body_type="formData", body_type="json",
    )  # fmt: skip
    request = open_api_models.OpenApiRequest(
        query={"VideoId": video_id, "ImageFormat": "webp", "End": "1", "AuthTimeout": "120"}
    )
    body = client.call_api(params, request, util_models.RuntimeOptions())["body"]
    assert body["AnimatedImageURL"].startswith(f"{server.url}/videos/{video_id}/animated.webp?")
    assert body["ExpireTime"].endswith("Z")
    result = run_cli(
        server.home, "video", "animated-url", video_id, "--end", "1", "--width", "128",
        DYNIMG_ENDPOINT=server.url, DYNIMG_ACCESS_KEY_ID=creds.key_id,
        DYNIMG_ACCESS_KEY_SECRET=creds.secret,
    )  # fmt: skip
    url = result.stdout.strip()
    assert "width=128" in url and "auth_key=" in url
    response = get_until_done(url)
    assert response.status_code == 200 and response.content.startswith(b"GIF8")


def test_unknown_formats_and_bad_paths_are_not_found(server: ServerProcess, video_id: str) -> None:
    for path in (f"/videos/{video_id}/animated.bmp", f"/videos/{video_id}/still.gif"):
        assert httpx.get(f"{server.url}{path}", timeout=30).status_code == 404
