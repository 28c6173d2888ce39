"""Seek=auto and the ListDynamicImage extras through a real server, both SDKs and raw HTTP."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from alibabacloud_vod20170321 import models as vod_models

from tests.support.clients import CoreApi, TeaApi
from tests.support.jobs import template, wait_for_job
from tests.support.media import make_highlight_clip, read_animation
from tests.support.rpc import raw_call
from tests.support.server import Credentials, ServerProcess
from tests.support.uploads import create_upload, upload_file, wait_for_status

EXTRAS = ("FrameCount", "LoopCount", "Seek", "MD5")


@pytest.fixture(scope="module")
def best(
    tmp_path_factory: pytest.TempPathFactory, server: ServerProcess, creds: Credentials
) -> dict[str, Any]:
    """A Seek=auto job (in the template) and one asking for auto in OverrideParams."""
    api = CoreApi(server.endpoint, creds)
    clip = make_highlight_clip(tmp_path_factory.mktemp("auto") / "highlight.mp4")
    ticket = create_upload(api)
    upload_file(ticket, clip)
    video_id = ticket["VideoId"]
    assert wait_for_status(api, video_id, "Normal", timeout=90)["Status"] == "Normal"
    auto = template(api, "gif", Clip={"TimeSpan": {"Seek": "auto", "Duration": "4"}}, Loop=2)
    fixed = template(api, "webp")
    override = json.dumps({"Clip": {"TimeSpan": {"Seek": "AUTO", "Duration": "4"}}})
    jobs = [
        api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=auto),
        api.call(
            "SubmitDynamicImageJob",
            VideoId=video_id,
            DynamicImageTemplateId=fixed,
            OverrideParams=override,
        ),
    ]
    done = [wait_for_job(server, creds, j["DynamicImageJob"]["JobId"]) for j in jobs]
    assert [j["Status"] for j in done] == ["Success", "Success"], done
    return {"video_id": video_id, "jobs": done}


def test_jobs_report_the_seek_they_chose(best: dict[str, Any]) -> None:
    template_job, override_job = best["jobs"]
    start = float(template_job["Seek"])
    assert start >= 8.5 and start + 4 <= 13.0, "the busy part, ending before the cut at 13 s"
    assert override_job["Seek"] == template_job["Seek"], "the same file gives the same Seek"


def list_images(mode: str, server: ServerProcess, creds: Credentials, video_id: str) -> list[Any]:
    """The DynamicImageList as each client sees it: for the typed SDK, the raw body it parsed."""
    if mode == "raw-http":
        return list(
            raw_call(server, creds, "ListDynamicImage", VideoId=video_id)["DynamicImageList"]
        )
    if mode == "core-v1":
        body = CoreApi(server.endpoint, creds).call("ListDynamicImage", VideoId=video_id)
        return list(body["DynamicImageList"])
    client = TeaApi(server.endpoint, creds).client
    seen: list[dict[str, Any]] = []
    call_api = client.call_api

    def keep_raw(*args: Any) -> Any:
        seen.append(call_api(*args))
        return seen[-1]

    client.call_api = keep_raw  # type: ignore[method-assign]
    typed = client.list_dynamic_image(vod_models.ListDynamicImageRequest(video_id=video_id))
    raw = list(seen[0]["body"]["DynamicImageList"])
    models = typed.body.dynamic_image_list
    assert [m.dynamic_image_id for m in models] == [r["DynamicImageId"] for r in raw]
    assert [m.file_size for m in models] == [r["FileSize"] for r in raw]
    assert not set(EXTRAS) & set(models[0].to_map()), "the model ignores keys it does not know"
    return raw


@pytest.mark.parametrize("mode", ["tea-v3", "core-v1", "raw-http"])
def test_list_dynamic_image_extras(
    best: dict[str, Any], server: ServerProcess, creds: Credentials, tmp_path: Path, mode: str
) -> None:
    images = list_images(mode, server, creds, best["video_id"])
    by_job = {image["JobId"]: image for image in images}
    template_job, override_job = best["jobs"]
    gif, webp = by_job[template_job["JobId"]], by_job[override_job["JobId"]]
    for image, loops in ((gif, "2"), (webp, "0")):
        assert all(isinstance(image[key], str) for key in EXTRAS)
        assert image["Seek"] == template_job["Seek"] and image["LoopCount"] == loops
        data = httpx.get(image["FileURL"], timeout=30).content
        assert image["MD5"] == hashlib.md5(data).hexdigest()
        path = tmp_path / f"{image['DynamicImageId']}.{image['Format']}"
        path.write_bytes(data)
        assert int(image["FrameCount"]) == len(read_animation(path).frames) == 40
