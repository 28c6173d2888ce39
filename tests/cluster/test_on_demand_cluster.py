"""On-demand renders across two API nodes on one PostgreSQL: one render, and one cap."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.support.clients import sdk_api
from tests.support.jobs import uploaded_video
from tests.support.media import make_clip
from tests.support.on_demand import get_until_done, on_demand_jobs, url_through_core_sdk
from tests.support.server import Credentials, ServerProcess, start_server

REQUESTS = 20


def test_nodes_coalesce_identical_requests_and_share_the_cap(
    tmp_path: Path, postgres_database: str
) -> None:
    common = {"DYNIMG_DATABASE_URL": postgres_database, "DYNIMG_ON_DEMAND_MAX_CONCURRENT": "1",
              "DYNIMG_STORAGE_URL": str(tmp_path / "storage"),
              "DYNIMG_URL_SIGNING_KEY": "cluster-shared-url-key"}  # fmt: skip
    rendering = start_server(tmp_path / "a", DYNIMG_WORKERS="1", **common)
    # Node B renders nothing itself and waits at most 2 s before answering 202.
    api_only = start_server(
        tmp_path / "b", DYNIMG_WORKERS="0", DYNIMG_ON_DEMAND_WAIT_SECONDS="2", **common
    )
    try:
        creds = rendering.default_credentials()
        clip = make_clip(tmp_path / "clip.mp4", seconds=2)
        video_id = uploaded_video(sdk_api("tea-v3", rendering.endpoint, creds), clip.path)
        url = url_through_core_sdk(rendering, creds, VideoId=video_id, End="1", Width="160")
        urls = [url, url.replace(rendering.url, api_only.url)] * (REQUESTS // 2)
        bodies = _all_at_once(urls)
        assert len(set(bodies)) == 1 and bodies[0].startswith(b"GIF8")
        assert len(on_demand_jobs(rendering, creds, video_id)) == 1, "exactly one render"

        rendering.stop()  # nothing renders now: a new render stays in flight
        _cap_holds(api_only, creds, video_id)
    finally:
        for node in (rendering, api_only):
            node.stop()


def _all_at_once(urls: list[str]) -> list[bytes]:
    start = threading.Barrier(len(urls))

    def fetch(url: str) -> bytes:
        start.wait()
        response = get_until_done(url)
        assert response.status_code == 200, response.text
        return response.content

    with ThreadPoolExecutor(len(urls)) as pool:
        return list(pool.map(fetch, urls))


def _cap_holds(node: ServerProcess, creds: Credentials, video_id: str) -> None:
    """Distinct renders asked for at once, with one slot: one takes it, the rest get 429."""
    urls = [
        url_through_core_sdk(node, creds, VideoId=video_id, End=end)
        for end in ("1.25", "1.5", "1.75", "2")
    ]
    start = threading.Barrier(len(urls))

    def fetch(url: str) -> httpx.Response:
        start.wait()
        return httpx.get(url, timeout=30)

    with ThreadPoolExecutor(len(urls)) as pool:
        answers = list(pool.map(fetch, urls))
    assert sorted(a.status_code for a in answers) == [202, 429, 429, 429], [a.text for a in answers]
    for answer in answers:
        assert int(answer.headers["Retry-After"]) >= 1
        if answer.status_code == 429:
            assert answer.json()["Code"] == "Throttling.OnDemand"
    assert len(on_demand_jobs(node, creds, video_id)) == 2, "the refused requests added no job"
