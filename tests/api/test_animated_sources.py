"""GIF, APNG and animated WebP uploaded as videos: Normal with the animation's own facts, and
usable by every job: an animated image of an animated image, snapshots of it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.api.test_snapshots_sdk import picture, urls, wait_for_snapshots
from tests.support.clients import sdk_api
from tests.support.jobs import template, wait_for_images
from tests.support.media import frame_index, read_animation
from tests.support.rpc import raw_call
from tests.support.server import Credentials, ServerProcess
from tests.support.thumbnails import frame_at, make_animation, nearest_frame
from tests.support.uploads import create_upload, upload_file, wait_for_status

pytestmark = pytest.mark.timeout(180)


@pytest.mark.parametrize("fmt", ["gif", "apng", "webp"])
def test_an_animation_becomes_a_video_every_job_can_use(
    server: ServerProcess, creds: Credentials, tmp_path: Path, fmt: str
) -> None:
    api = sdk_api("tea-v3", server.endpoint, creds)
    source = make_animation(tmp_path / f"sticker.{'png' if fmt == 'apng' else fmt}", fmt)
    ticket = create_upload(api, source.name)
    upload_file(ticket, source)
    video_id = str(ticket["VideoId"])
    video = wait_for_status(api, video_id, "Normal", "UploadFail")
    assert video["Status"] == "Normal", video
    assert video["Duration"] == pytest.approx(1.4)
    # Nothing lost: the upload is kept as sent, its video beside it (what jobs read).
    kept = {f.name: f.read_bytes() for f in server.home.rglob(f"video/{video_id}/*")}
    assert source.read_bytes() in kept.values() and "frames.mkv" in kept, sorted(kept)
    mezzanine = raw_call(server, creds, "GetMezzanineInfo", VideoId=video_id)["Mezzanine"]
    assert (mezzanine["Width"], mezzanine["Height"]) == (160, 120)
    assert mezzanine["VideoStreamList"][0]["CodecName"] == fmt
    assert (mezzanine["Duration"], mezzanine["Fps"], mezzanine["FormatName"]) == (
        "1.400", "8.571", fmt
    )  # fmt: skip
    # An animated WebP from it, 0.4 s to 1.2 s at 10 fps: each output frame shows the frame
    # starting nearest its time, so the 300 ms frame twice.
    template_id = template(api, "webp", Clip={"TimeSpan": {"Seek": "0.4", "Duration": "0.8"}})
    api.call("SubmitDynamicImageJob", VideoId=video_id, DynamicImageTemplateId=template_id)
    [image] = wait_for_images(api, video_id)
    path = tmp_path / "out.webp"
    path.write_bytes(httpx.get(image["FileURL"], timeout=30).content)
    animation = read_animation(path)
    assert animation.size == (160, 120)
    # A frame that repeats is written once, lasting as long as its repeats.
    shown = [frame_index(f) for f, ms in zip(animation.frames, animation.delays_ms, strict=True)
             for _ in range(round(ms / 100))]  # fmt: skip
    assert shown == [nearest_frame(400 + 100 * k) for k in range(8)]
    # Snapshots at chosen times: each the frame shown then.
    job = api.call("SubmitSnapshotJob", VideoId=video_id, SpecifiedOffsetTime="450",
                   Interval="0", Count="3")  # fmt: skip
    assert job["SnapshotJob"]["JobId"]
    listed = wait_for_snapshots(api, video_id, "NormalSnapshot")
    taken = [frame_index(picture(url)) for url in urls(listed)]
    assert taken == [frame_at(450 + k * (1400 - 450) // 3) for k in range(3)]
    api.call("DeleteVideo", VideoIds=video_id)  # both files go with the video
    assert not list(server.home.rglob(f"video/{video_id}/*"))


def test_a_damaged_animation_fails_the_upload_with_its_reason(
    server: ServerProcess, creds: Credentials, tmp_path: Path
) -> None:
    api = sdk_api("tea-v2", server.endpoint, creds)
    whole = make_animation(tmp_path / "whole.webp", "webp").read_bytes()
    broken = tmp_path / "broken.webp"
    broken.write_bytes(whole[: len(whole) // 2])
    ticket = create_upload(api, broken.name)
    upload_file(ticket, broken)
    video = wait_for_status(api, str(ticket["VideoId"]), "Normal", "UploadFail")
    assert video["Status"] == "UploadFail"
    mezzanine = raw_call(server, creds, "GetMezzanineInfo", VideoId=ticket["VideoId"])["Mezzanine"]
    assert "InvalidMedia.Unreadable" in mezzanine["ErrorMessage"], json.dumps(mezzanine)
