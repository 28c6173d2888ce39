"""Issue 24's "Done when", as a new user does it: with the official SDK, a sprite storyboard
template, a snapshot job for a 10-minute video, the sheets and the WebVTT file listed; then
the console's player page in real Chromium, where hovering over the timeline shows the
storyboard cell of that moment (read back from the pixels on screen). A second story makes a
snapshot template and submits a job through the console's forms; a third imports a video from
a URL with the videos page's form, and a fourth plays an uploaded GIF on that page (the stories
share one server: starting one costs ~20 s).

The video is 10 minutes at 1 fps and 160x90 with a keyframe every 10 s (each frame shows its
index), so it is made in about a second; the figures the walkthrough measures are printed
(``pytest -s``) and documented in docs/api.md and docs/media.md.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from tests.console.conftest import Shot, sign_in, unlabelled_fields
from tests.support.clients import SdkApi, sdk_api
from tests.support.jobs import uploaded_video
from tests.support.media import frame_index, make_clip
from tests.support.origin import Origin
from tests.support.server import ServerProcess
from tests.support.storyboard import parse_vtt
from tests.support.thumbnails import make_animation

pytestmark = pytest.mark.slow
MINUTES = 10
FPS = 1
KEYFRAME_S = 10
BOARD = {
    "SnapshotType": "WebVttSnapshot",
    "SnapshotConfig": {
        "Count": 100, "Interval": KEYFRAME_S, "FrameType": "intra", "Width": 96, "Format": "vtt",
        "SpriteSnapshotConfig": {"Columns": 5, "Lines": 5, "Padding": 2, "Margin": 2},
    },
}  # fmt: skip
CUES = MINUTES * 60 // KEYFRAME_S
"""One picture every 10 s of a 600 s video: 60 cues on 3 sheets of 25 cells."""
FIGURES: dict[str, Any] = {}


@pytest.fixture(scope="module")
def api(console_server: ServerProcess) -> SdkApi:
    return sdk_api("tea-v3", console_server.endpoint, console_server.default_credentials())


@pytest.fixture(scope="module")
def long_video(api: SdkApi, tmp_path_factory: pytest.TempPathFactory) -> str:
    """10 minutes, 160x90, 1 fps, a keyframe every 10 s; uploaded through the SDK's flow."""
    started = time.monotonic()
    clip = make_clip(
        tmp_path_factory.mktemp("storyboard") / "ten-minutes.mp4", seconds=MINUTES * 60,
        fps=FPS, size=(160, 90), options={"g": str(KEYFRAME_S * FPS), "preset": "ultrafast"},
    )  # fmt: skip
    FIGURES["encode_s"] = round(time.monotonic() - started, 2)
    FIGURES["video_bytes"] = clip.path.stat().st_size
    started = time.monotonic()
    video_id = uploaded_video(api, clip.path)
    FIGURES["upload_to_normal_s"] = round(time.monotonic() - started, 2)
    return video_id


def listed(api: SdkApi, video: str, kind: str, job: str, timeout: float = 120) -> dict[str, Any]:
    """ListSnapshots of a type until it shows the job's files."""
    deadline = time.monotonic() + timeout
    while True:
        found: dict[str, Any] = api.call(
            "ListSnapshots", VideoId=video, SnapshotType=kind, PageSize="100"
        )["MediaSnapshot"]
        if found.get("JobId") == job and found.get("Total"):
            return found
        assert time.monotonic() < deadline, f"no {kind} of job {job}: {found}"
        time.sleep(0.1)


@pytest.mark.timeout(300)
def test_sdk_storyboard_then_hover_in_the_console(
    api: SdkApi, long_video: str, context: BrowserContext, shot: Shot
) -> None:
    template = api.call(
        "AddVodTemplate", Name="storyboard", TemplateType="Snapshot",
        TemplateConfig=json.dumps(BOARD),
    )["VodTemplateId"]  # fmt: skip
    started = time.monotonic()
    job = api.call("SubmitSnapshotJob", VideoId=long_video, SnapshotTemplateId=template)
    job_id = job["SnapshotJob"]["JobId"]
    board = listed(api, long_video, "WebVttSnapshot", job_id)
    FIGURES["submit_to_listed_s"] = round(time.monotonic() - started, 2)
    sheets = listed(api, long_video, "SpriteSnapshot", job_id)
    assert sheets["Total"] == 3 and board["Total"] == 1
    sheet_urls = [s["Url"] for s in sheets["Snapshots"]["Snapshot"]]
    FIGURES["sheet_bytes"] = [len(httpx.get(u, timeout=30).content) for u in sheet_urls]
    vtt_url = board["Snapshots"]["Snapshot"][0]["Url"]
    cues = parse_vtt(httpx.get(vtt_url, timeout=30).text)
    assert [c.start_ms for c in cues] == [i * KEYFRAME_S * 1000 for i in range(CUES)]
    assert urljoin(vtt_url, cues[-1].target).split("?")[0] == sheet_urls[-1].split("?")[0]

    page = context.new_page()
    sign_in(page, "alice")
    started = time.monotonic()
    page.goto(f"/console/videos/{long_video}/snapshots")
    track = page.locator("#storyboard-track")
    expect(track).to_have_attribute("data-state", "ready")
    expect(track).to_have_attribute("data-cues", str(CUES))
    FIGURES["page_ready_s"] = round(time.monotonic() - started, 2)
    page.wait_for_function("() => document.querySelector('#storyboard-video').duration > 0")
    for second in (25, 305, 575):  # inside the cues of 20 s, 300 s and 570 s
        cue_start = second // KEYFRAME_S * KEYFRAME_S
        shown = hover(page, second / (MINUTES * 60))
        assert shown["start"] == str(cue_start * 1000)
        assert shown["xywh"] == ",".join(map(str, cues[cue_start // KEYFRAME_S].xywh or ()))
        assert frame_index(shown["pixels"]) == cue_start * FPS % 256
    shot(page, "storyboard")
    page.locator("#storyboard-track").hover(position={"x": 5, "y": 7})
    page.mouse.move(5, 5)  # off the timeline: the preview goes away
    expect(page.locator("#storyboard-preview")).to_be_hidden()
    print("\nstoryboard walkthrough figures:", json.dumps(FIGURES))


DECODED = """async () => {
    const style = document.querySelector('#storyboard-picture').style.backgroundImage;
    const image = new Image();
    image.src = style.slice(5, -2);
    await image.decode();
}"""
"""Wait until the sheet the preview shows is loaded and decoded."""


def hover(page: Page, share: float) -> dict[str, Any]:
    """Hover over the timeline at ``share`` of its width; what the preview shows."""
    track = page.locator("#storyboard-track")
    box = track.bounding_box()
    assert box is not None
    track.hover(position={"x": share * box["width"], "y": box["height"] / 2})
    preview = page.locator("#storyboard-preview")
    expect(preview).to_be_visible()
    picture = page.locator("#storyboard-picture")
    page.evaluate(DECODED)
    pixels = np.asarray(Image.open(io.BytesIO(picture.screenshot())).convert("RGB"))
    return {
        "start": preview.get_attribute("data-start"),
        "xywh": preview.get_attribute("data-xywh"),
        "pixels": pixels,
    }


@pytest.mark.timeout(300)
def test_snapshot_template_and_job_from_the_console(
    long_video: str, context: BrowserContext, shot: Shot
) -> None:
    page = context.new_page()
    sign_in(page, "alice")
    page.get_by_role("link", name="Snapshots").first.click()
    expect(page.get_by_role("heading", name="Snapshot templates")).to_be_visible()
    page.get_by_label("Name").fill("too many")
    page.get_by_label("Pictures (Count, 1-10000)").fill("20000")
    page.get_by_role("button", name="Save template").click()
    expect(page.locator("#form-error")).to_contain_text("Count")
    page.get_by_label("Name").fill("three stills")
    page.get_by_label("Snapshot type").select_option("NormalSnapshot")
    page.get_by_label("Pictures (Count, 1-10000)").fill("3")
    page.get_by_label("Every (Interval, seconds; 0 spreads them evenly)").fill("0")
    page.get_by_label("Width", exact=True).fill("80")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_role("status")).to_have_text("Template saved.")
    row = page.locator("#snapshot-templates tr", has_text="three stills")
    expect(row.locator(".type")).to_have_text("NormalSnapshot")
    expect(row.locator(".count")).to_have_text("3")
    expect(row.locator(".interval")).to_have_text("evenly")
    expect(row.locator(".size")).to_have_text("80×?")
    assert unlabelled_fields(page) == []
    shot(page, "snapshot-templates")

    page.goto(f"/console/videos/{long_video}/snapshots")
    page.get_by_label("Snapshot template").select_option(label="three stills")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#snapshot-job .status")).to_have_text("Success", timeout=60_000)
    # The poller writes the status, then reloads the page to list the files: wait for the
    # reloaded page (no poller), which a loaded machine took over 5 s to serve.
    expect(page.locator("#snapshot-job[data-poll]")).to_have_count(0, timeout=30_000)
    group = page.locator(".snapshot-group[data-type='NormalSnapshot']")
    expect(group.locator("img")).to_have_count(3)
    urls = [group.locator("img").nth(i).get_attribute("src") for i in range(3)]
    seconds = [frame_index(_picture(u)) for u in urls if u]
    assert seconds == [0, 200, 400 % 256]  # 0, 200 s and 400 s of 600 s: evenly
    assert unlabelled_fields(page) == []
    shot(page, "snapshots")


def _picture(url: str) -> np.ndarray:
    response = httpx.get(url, timeout=30)
    assert response.status_code == 200
    return np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB"))


def test_no_storyboard_is_a_404_and_another_account_sees_nothing(
    long_video: str, console_server: ServerProcess, context: BrowserContext
) -> None:
    page = context.new_page()
    sign_in(page, "bob")
    response = page.request.get(f"/console/videos/{long_video}/storyboard.vtt")
    assert response.status == 404 and "WEBVTT" not in response.text()
    assert page.goto(f"/console/videos/{long_video}/snapshots").status == 404  # type: ignore[union-attr]


@pytest.mark.timeout(180)
def test_import_a_video_from_a_url(context: BrowserContext, tmp_path: Path, shot: Shot) -> None:
    clip = make_clip(tmp_path / "far-away.mp4", seconds=1, fps=10, size=(96, 64))
    origin = Origin({"far-away.mp4": clip.path.read_bytes()})
    try:
        page = context.new_page()
        sign_in(page, "alice")
        page.goto("/console/videos")
        urls = page.get_by_label("Video URLs (http or https, one a line, at most 20)")
        urls.fill("ftp://example.com/x.mp4")
        page.get_by_role("button", name="Import", exact=True).click()
        expect(page.locator("#import-error")).to_contain_text("InvalidParameter")
        urls.fill(f"{origin.url}/far-away.mp4")
        page.get_by_role("button", name="Import", exact=True).click()
        expect(page.locator("#import-started")).to_contain_text("Importing 1 video(s)")
        row = page.locator("#videos tr", has_text="far-away.mp4")
        expect(row.locator(".status")).to_have_text("Normal", timeout=60_000)
        assert origin.hits["/far-away.mp4"] == 1 and unlabelled_fields(page) == []
        shot(page, "videos-import")
    finally:
        origin.close()


@pytest.mark.timeout(180)
def test_an_animated_upload_plays_on_the_videos_page(
    context: BrowserContext, tmp_path: Path
) -> None:
    """A GIF uploaded as a video shows, under Play, as an image the browser decodes (a
    ``<video>`` plays no GIF), served as the GIF it was sent as."""
    sticker = make_animation(tmp_path / "sticker.gif", "gif")
    page = context.new_page()
    sign_in(page, "alice")
    page.goto("/console/videos")
    page.get_by_label("Video file").set_input_files(sticker)
    page.get_by_label("Title").fill("sticker")
    page.get_by_role("button", name="Upload").click()
    row = page.locator("#videos tr", has_text="sticker")
    expect(row.locator(".status")).to_have_text("Normal", timeout=60_000)
    row.get_by_text("Play").click()
    shown = row.locator("img.source")
    expect(shown).to_be_visible()
    assert row.locator("video").count() == 0
    assert shown.evaluate("i => i.decode().then(() => [i.naturalWidth, i.naturalHeight])") == [
        160,
        120,
    ]
    served = page.request.get(str(shown.get_attribute("src")))
    assert served.headers["content-type"] == "image/gif"
    assert served.body() == sticker.read_bytes()
