"""On-demand thumbnails over HTTP: the right moment, each format, cache, signatures, bounds, and
the claims and cap they share with on-demand animated images."""

from __future__ import annotations

import io
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.support.clients import SdkApi, sdk_api
from tests.support.jobs import uploaded_video
from tests.support.on_demand import get_until_done, resign, tampered, url_through_core_sdk
from tests.support.rpc import raw_call
from tests.support.server import Credentials, ServerProcess, run_cli, start_server
from tests.support.thumbnails import is_checkerboard, make_thumbnail_clip, second_shown

pytestmark = pytest.mark.timeout(180)
MEDIA_TYPES = {"jpg": "image/jpeg", "webp": "image/webp", "avif": "image/avif"}


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_thumbnail_clip(tmp_path_factory.mktemp("thumbs") / "clip.mp4")


@pytest.fixture(scope="module")
def api(server: ServerProcess, creds: Credentials) -> SdkApi:
    return sdk_api("tea-v3", server.endpoint, creds)


@pytest.fixture(scope="module")
def video_id(api: SdkApi, clip: Path) -> str:
    return uploaded_video(api, clip)


def thumbnail_url(server: ServerProcess, creds: Credentials, video_id: str, **params: str) -> str:
    body = raw_call(server, creds, "GetThumbnailUrl", VideoId=video_id, **params)
    assert body["ExpireTime"].endswith("Z")
    return str(body["ThumbnailURL"])


def thumbnail_jobs(home: Path, video_id: str) -> int:
    with closing(sqlite3.connect(home / "dynimg.db")) as db:
        query = "SELECT count(*) FROM snapshot_jobs WHERE video_id = ? AND template_id = 'OnDemand'"
        return int(db.execute(query, (video_id,)).fetchone()[0])


def picture(response: httpx.Response) -> np.ndarray:
    with Image.open(io.BytesIO(response.content)) as image:
        return np.asarray(image.convert("RGB"))


@pytest.mark.parametrize(("fmt", "time", "second"), [("jpg", "1.5", 1), ("webp", "4.5", 4),
                                                     ("avif", "00:00:08.3", 8)])  # fmt: skip
def test_the_picture_shows_the_moment_asked_for(
    server: ServerProcess, creds: Credentials, video_id: str, fmt: str, time: str, second: int
) -> None:
    url = thumbnail_url(server, creds, video_id, ImageFormat=fmt, Time=time, Width="160")
    assert urlsplit(url).path == f"/videos/{video_id}/thumbnail.{fmt}"
    response = get_until_done(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA_TYPES[fmt]
    shown = picture(response)
    assert shown.shape == (90, 160, 3)
    assert second_shown(shown) == second
    assert is_checkerboard(shown) == (second in (4, 5))


def test_the_cli_prints_a_url_of_the_moment(
    server: ServerProcess, creds: Credentials, video_id: str
) -> None:
    result = run_cli(
        server.home, "video", "thumbnail-url", video_id, "--time", "6.5", "--width", "160",
        "--format", "webp", DYNIMG_ENDPOINT=server.url, DYNIMG_ACCESS_KEY_ID=creds.key_id,
        DYNIMG_ACCESS_KEY_SECRET=creds.secret,
    )  # fmt: skip
    url = result.stdout.strip()
    assert urlsplit(url).path == f"/videos/{video_id}/thumbnail.webp" and "auth_key=" in url
    response = get_until_done(url)
    assert response.status_code == 200 and second_shown(picture(response)) == 6


def test_auto_takes_the_sharp_still_and_later_gets_are_cached(
    server: ServerProcess, creds: Credentials, video_id: str
) -> None:
    before = thumbnail_jobs(server.home, video_id)
    url = thumbnail_url(server, creds, video_id, Width="320")  # time defaults to auto
    assert "time=auto" in url and "/thumbnail.jpg?" in url
    first = get_until_done(url)
    assert first.status_code == 200, first.text
    shown = picture(first)
    assert shown.shape == (180, 320, 3)
    assert is_checkerboard(shown), "not the black start, nor the racing gradient"
    assert second_shown(shown) in (4, 5)
    # Every spelling of the same request is the stored picture; one job made it.
    parts = urlsplit(url)
    reordered = parts._replace(query="&".join(reversed(parts.query.split("&")))).geturl()
    for again in (url, reordered, resign(server, url, query={"width": "320", "time": "AUTO"})):
        second = httpx.get(again, timeout=30)
        assert second.status_code == 200 and second.content == first.content
    assert thumbnail_jobs(server.home, video_id) == before + 1
    # The picture is not a snapshot Alibaba's ListSnapshots knows.
    listed = raw_call(server, creds, "ListSnapshots", VideoId=video_id,
                      SnapshotType="NormalSnapshot")  # fmt: skip
    assert "ThumbnailSnapshot" not in str(listed)


def test_signatures_and_bounds(server: ServerProcess, creds: Credentials, video_id: str) -> None:
    url = thumbnail_url(server, creds, video_id, Time="2", Width="160")
    parts = urlsplit(url)
    forged = [
        tampered(url, time="3"),
        tampered(url, width="320"),
        f"{url}&time=2",
        parts._replace(path=parts.path.replace(".jpg", ".webp")).geturl(),
        parts._replace(path=parts.path.replace("thumbnail.jpg", "animated.gif")).geturl(),
    ]
    for bad in forged:
        assert httpx.get(bad, timeout=30).status_code == 403, bad
    refused = {
        "width": {"time": "2", "width": "31"},
        "time": {"time": "10", "width": "160"},  # the clip is 10 s: 10 is past its last frame
        "fps": {"time": "2", "fps": "10"},
    }
    for name, query in refused.items():
        response = httpx.get(resign(server, url, query=query), timeout=30)
        body = response.json()
        assert (response.status_code, body["Code"]) == (400, "InvalidParameter"), body
        assert repr(name) in body["Message"]
    for wide in ("1921", "abc", "-5"):
        response = httpx.get(resign(server, url, query={"width": wide}), timeout=30)
        assert response.status_code == 400
    bad_time = httpx.get(resign(server, url, query={"time": "soon"}), timeout=30)
    assert bad_time.status_code == 400 and "'time'" in bad_time.json()["Message"]
    for path in (f"/videos/{video_id}/thumbnail.png", f"/videos/{video_id}/thumbnail.gif"):
        assert httpx.get(resign(server, url, path=path), timeout=30).status_code == 404


@pytest.fixture(scope="module")
def idle_server(
    tmp_path_factory: pytest.TempPathFactory, clip: Path
) -> Iterator[tuple[ServerProcess, Credentials, str]]:
    """A server whose video is Normal but which has no workers, so renders stay in flight,
    one at a time per account."""
    home = tmp_path_factory.mktemp("idle-home")
    first = start_server(home)
    try:
        creds = first.default_credentials()
        video_id = uploaded_video(sdk_api("tea-v3", first.endpoint, creds), clip)
    finally:
        first.stop()
    idle = start_server(
        home, DYNIMG_WORKERS="0", DYNIMG_ON_DEMAND_MAX_CONCURRENT="1",
        DYNIMG_ON_DEMAND_WAIT_SECONDS="0.2",
    )  # fmt: skip
    yield idle, creds, video_id
    idle.stop()


def test_identical_requests_share_one_job_and_thumbnails_share_the_accounts_cap(
    idle_server: tuple[ServerProcess, Credentials, str],
) -> None:
    server, creds, video_id = idle_server
    url = thumbnail_url(server, creds, video_id, Time="3", Width="160")
    start = threading.Barrier(8)

    def fetch(_: int) -> httpx.Response:
        start.wait()
        return httpx.get(url, timeout=30)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(fetch, range(8)))
    assert {a.status_code for a in answers} == {202}, [a.text for a in answers]
    assert len({a.json()["JobId"] for a in answers}) == 1, "one job for all eight"
    assert all(int(a.headers["Retry-After"]) >= 1 for a in answers)
    assert thumbnail_jobs(server.home, video_id) == 1
    # The one slot is taken: another thumbnail, and an animated image, are refused.
    other = thumbnail_url(server, creds, video_id, Time="5", Width="160")
    animated = url_through_core_sdk(server, creds, VideoId=video_id, End="1", Width="160")
    for refused in (other, animated):
        response = httpx.get(refused, timeout=30)
        assert response.status_code == 429, response.text
        assert response.json()["Code"] == "Throttling.OnDemand"
    assert thumbnail_jobs(server.home, video_id) == 1, "refused requests added no job"
