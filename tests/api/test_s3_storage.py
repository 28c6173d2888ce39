"""dynimg serve on S3 storage (moto): upload through the OSS endpoint, render, list, download.

Run once with FileURLs streamed through dynimg (the default) and once in redirect mode, where a
verified request is answered with a short-lived presigned S3 URL.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.support.clients import sdk_api
from tests.support.jobs import template, wait_for_images
from tests.support.media import make_clip, read_animation
from tests.support.s3 import S3Server, leftovers
from tests.support.server import ServerProcess, start_server
from tests.support.uploads import create_upload, upload_file, upload_png, wait_for_status

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["stream", "redirect"])
def s3_dynimg(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    s3_server: S3Server,
    s3_bucket: str,
) -> Iterator[tuple[ServerProcess, str]]:
    """A ``dynimg serve`` storing its files under a fresh prefix of the run's bucket."""
    prefix = f"api-{request.param}-{uuid.uuid4().hex[:8]}"
    env = {**s3_server.env(s3_bucket, prefix), "DYNIMG_FILE_DELIVERY": request.param}
    server = start_server(tmp_path_factory.mktemp("s3-home"), **env)
    yield server, prefix
    server.stop()


def test_upload_render_list_and_download_on_s3(
    s3_dynimg: tuple[ServerProcess, str], s3_server: S3Server, s3_bucket: str, tmp_path: Path
) -> None:
    server, prefix = s3_dynimg
    redirect = "redirect" in prefix
    api = sdk_api("tea-v3", server.endpoint, server.default_credentials())
    clip = make_clip(tmp_path / "clip.mp4", seconds=2).path
    ticket = create_upload(api)
    upload_file(ticket, clip, multipart=True)  # parts stored on S3, assembled into one object
    assert wait_for_status(api, ticket["VideoId"], "Normal")["Status"] == "Normal"
    video_id = ticket["VideoId"]

    mark = api.call(
        "AddWatermark",
        Name="logo",
        Type="Image",
        FileUrl=upload_png(api),  # an image watermark: read from S3 too while rendering
        WatermarkConfig=json.dumps({"Dx": "0", "Dy": "0", "Width": "0.4", "ReferPos": "TopLeft"}),
    )["WatermarkInfo"]["WatermarkId"]
    template_id = template(api, WatermarkIds=[mark])
    api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id)
    [image] = wait_for_images(api, video_id)
    url, size = image["FileURL"], int(image["FileSize"])

    first = httpx.get(url, timeout=30)
    if redirect:
        assert first.status_code == 302 and first.headers["cache-control"] == "no-store"
        location = first.headers["location"]
        assert location.startswith(s3_server.endpoint_url)
        assert int(parse_qs(urlparse(location).query)["X-Amz-Expires"][0]) <= 300
    body = httpx.get(url, timeout=30, follow_redirects=True)
    assert body.status_code == 200 and len(body.content) == size
    (tmp_path / "out.gif").write_bytes(body.content)
    animation = read_animation(tmp_path / "out.gif")
    assert animation.size == (160, 120)
    red, green = animation.frames[0][5:20, 5:50, 0], animation.frames[0][5:20, 5:50, 1]
    assert red.mean() > 150 and green.mean() < 100, "the watermark from S3 is drawn"
    ranged = httpx.get(url, headers={"Range": "bytes=10-19"}, follow_redirects=True)
    assert ranged.status_code == 206 and ranged.content == body.content[10:20]
    assert httpx.get(url.split("?")[0], follow_redirects=True).status_code == 403

    objects, uploads = leftovers(s3_server, s3_bucket, prefix)
    assert uploads == [] and not [key for key in objects if "/multipart/" in key]
    assert any(key.endswith(f"{image['DynamicImageId']}.gif") for key in objects)
    assert any(key.startswith(f"{prefix}/") and "source" in key for key in objects), objects
    downloads = list((server.home / "s3-scratch").glob("*/download-*"))
    assert downloads == [], "probe and render clean up"
