"""A person makes an animated image in the console, from upload to download, in real Chromium.

One long story on purpose: each step needs the previous one's result (the video, the template,
the job), and another account's user looks at the console while it all exists. A second story
uses the dynimg extras: a template with the Advanced fields (WebP, bounce at double speed,
Seek=auto, a target file size) is kept on edit, a job overrides it from the form's fields, the
job page shows the Seek chosen and the size search, and the gallery shows the file's frame
count, loops, Seek and MD5 as measured here. Both share one server (starting one costs ~20 s).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from dynimg.domain.template_parsing import parse_template_config
from dynimg.errors import InvalidParameter
from tests.console.conftest import Shot, sign_in, unlabelled_fields
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow
SLICE_BYTES = 256 * 1024
TARGET_KB = 24
"""The advanced template's MaxFileSize; its job asks for half of it."""
TARGET_BYTES = TARGET_KB * 1024


def test_from_upload_to_gallery_and_back(
    browser: Browser,
    console_server: ServerProcess,
    context: BrowserContext,
    clip: Path,
    shot: Shot,
    tmp_path: Path,
) -> None:
    page = context.new_page()
    sign_in(page, "alice")
    expect(page.get_by_role("heading", name="Videos")).to_be_visible()
    video_id = upload(page, clip, shot)
    add_watermark(page, shot)
    add_image_watermark(page, tmp_path, shot)
    refuse_bad_template(page)
    make_template(page, shot)
    edit_template(page, shot)
    job_id = run_job(page, shot)
    see_gallery(page, shot)
    other_account_sees_nothing(browser, console_server, video_id, job_id)
    download_and_delete(page)
    delete_video(page)
    page.get_by_role("link", name="Account").click()
    today = page.locator("#usage tr[data-day]").last
    expect(today.locator(".images")).to_have_text("1")
    expect(today.locator(".seconds")).to_have_text("1.5")


def test_access_keys_and_callback_test_event(context: BrowserContext, shot: Shot) -> None:
    page = context.new_page()
    sign_in(page, "alice")
    page.get_by_role("link", name="Account").click()
    page.get_by_role("button", name="Create AccessKey").click()
    key_id = page.get_by_label("AccessKeyId").input_value()
    secret = page.get_by_label("AccessKeySecret").input_value()
    assert key_id.startswith("DYNI") and len(secret) == 30
    page.goto("/console/account")
    assert secret not in page.content()  # shown once, never again
    row = page.locator(f"#keys tr[data-key-id='{key_id}']")
    expect(row.locator(".status")).to_have_text("Enabled")
    row.get_by_role("button", name="Disable").click()
    expect(row.locator(".status")).to_have_text("Disabled")
    with callback_receiver() as (url, received):
        page.get_by_label("Callback URL").fill(url)
        page.get_by_role("button", name="Save callback").click()
        page.get_by_role("button", name="Send a test event").click()
        event = page.locator("#events tr", has_text="Test").first
        deadline = time.monotonic() + 30
        while event.locator(".state").text_content() != "delivered":
            assert time.monotonic() < deadline, "the test event was not delivered"
            time.sleep(0.5)
            page.reload()
        assert json.loads(received[0])["EventType"] == "Test"
    assert unlabelled_fields(page) == []
    shot(page, "account")


@contextmanager
def callback_receiver() -> Iterator[tuple[str, list[bytes]]]:
    """An HTTP endpoint on loopback that records the bodies POSTed to it."""
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/events", received
    finally:
        server.shutdown()
        server.server_close()


def upload(page: Page, clip: Path, shot: Shot) -> str:
    slices = -(-clip.stat().st_size // SLICE_BYTES)
    assert slices > 3
    # The connection breaks at the third slice: the page says so; two slices are stored.
    page.route("**/parts/3", lambda route: route.abort())
    start_upload(page, clip, "holiday")
    expect(page.locator("#upload-message")).to_have_class(re.compile("error"))
    page.unroute("**/parts/3")
    # After a reload the same file resumes: only the slices not stored are sent.
    page.reload()
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "PUT" else None)
    start_upload(page, clip, "")
    row = page.locator("#videos tr", has_text="holiday")
    expect(row.locator(".status")).to_have_text("Normal", timeout=60_000)
    expect(row.locator(".duration")).to_have_text("4.0 s")
    expect(row.locator(".dims")).to_have_text("320×240")
    row.get_by_text("Play").click()
    duration = row.locator("video").evaluate(
        """v => new Promise(done => v.readyState >= 1 ? done(v.duration)
                : v.addEventListener('loadedmetadata', () => done(v.duration)))"""
    )
    assert duration == pytest.approx(4.0, abs=0.2)
    assert [int(url.rsplit("/", 1)[1]) for url in sent] == list(range(3, slices + 1))
    expect(page.locator("#videos tr[data-video-id]")).to_have_count(1)
    video_id = str(row.get_attribute("data-video-id"))
    # The cover: a frame made on first request, served through the console's session.
    assert loaded_width(page, f"#videos tr[data-video-id='{video_id}'] td.cover img") == 160
    assert unlabelled_fields(page) == []
    shot(page, "videos")
    return video_id


def start_upload(page: Page, clip: Path, title: str) -> None:
    """Choose the file and upload it, in small slices so even a 1 MB clip takes several PUTs."""
    page.locator("#upload-form").evaluate(f"f => f.dataset.chunkBytes = '{SLICE_BYTES}'")
    page.get_by_label("Video file").set_input_files(clip)
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Upload").click()


def add_watermark(page: Page, shot: Shot) -> None:
    """A text watermark in Chinese; a bad size is refused with the API's message first."""
    page.get_by_role("link", name="Watermarks").click()
    page.get_by_label("Name", exact=True).fill("用户水印")
    page.get_by_label("Text", exact=True).fill("动图 666")
    page.get_by_label("Font size (px)").fill("200")
    page.get_by_role("button", name="Add watermark").click()
    expect(page.locator("#font_size-error")).to_contain_text("'WatermarkConfig.FontSize'")
    expect(page.get_by_label("Text", exact=True)).to_have_value("动图 666")
    page.get_by_label("Font size (px)").fill("20")
    page.get_by_label("Colour (name or #RRGGBB)").fill("yellow")
    page.get_by_label("Make it the account's default").check()
    page.get_by_role("button", name="Preview").click()  # the text, before it is saved
    expect(page.locator("#wm-preview-image")).to_be_visible(timeout=30_000)
    assert loaded_width(page, "#wm-preview-image") == 240
    page.get_by_role("button", name="Add watermark").click()
    row = page.locator("#watermarks tr", has_text="用户水印")
    expect(row).to_contain_text('"Content":"动图 666"')
    expect(row.locator(".default")).to_have_text("✓")
    assert unlabelled_fields(page) == []


def add_image_watermark(page: Page, tmp_path: Path, shot: Shot) -> None:
    """A red square uploaded from the browser, top-left, shown for the first minute: the
    preview of the video under it is red there."""
    square = tmp_path / "red.png"
    Image.new("RGB", (64, 64), (255, 0, 0)).save(square)
    page.get_by_label("Name", exact=True).fill("logo")
    page.get_by_label("Image watermark", exact=True).check()
    expect(page.get_by_label("Text", exact=True)).to_be_hidden()
    page.get_by_label("Image file").set_input_files(square)
    page.get_by_label("Corner").select_option("TopLeft")
    page.get_by_label("Horizontal offset (Dx: px, or a ratio below 1)").fill("0")
    page.get_by_label("Vertical offset (Dy: px, or a ratio below 1)").fill("0")
    page.get_by_label("Image width (px, or a ratio below 1)").fill("0.25")
    page.get_by_label("Shows for (seconds; empty: to the end)").fill("90000")
    page.get_by_role("button", name="Add watermark").click()
    expect(page.locator("#duration-error")).to_contain_text("'WatermarkConfig.Timeline.Duration'")
    page.get_by_label("Image file").set_input_files(square)  # a refused form keeps no file
    page.get_by_label("Shows for (seconds; empty: to the end)").fill("60")
    page.get_by_role("button", name="Add watermark").click()
    row = page.locator("#watermarks tr", has_text="logo")
    expect(row).to_contain_text('"Timeline":{"Start":"0","Duration":"60"}')
    image = page.locator("#wm-preview-image")
    expect(image).to_be_visible(timeout=30_000)
    assert image.get_attribute("data-watermark-id") == row.get_attribute("data-watermark-id")
    assert loaded_width(page, "#wm-preview-image") == 240
    assert pixel(page, "#wm-preview-image", 10, 10)[:3] == pytest.approx((255, 0, 0), abs=40)
    assert pixel(page, "#wm-preview-image", 200, 150)[:3] != pytest.approx((255, 0, 0), abs=40)
    shot(page, "watermarks")


def pixel(page: Page, selector: str, x: int, y: int) -> list[int]:
    """One RGBA pixel of a loaded image (its first frame), read through a canvas."""
    found: list[int] = page.evaluate(
        """([selector, x, y]) => { const i = document.querySelector(selector);
            const c = document.createElement('canvas'); c.width = i.naturalWidth;
            c.height = i.naturalHeight; const g = c.getContext('2d'); g.drawImage(i, 0, 0);
            return [...g.getImageData(x, y, 1, 1).data] }""",
        [selector, x, y],
    )
    return found


def refuse_bad_template(page: Page) -> None:
    """The form says what the API would say, word for word, next to the field."""
    page.goto("/console/templates")
    page.get_by_label("Name", exact=True).fill("too small")
    page.get_by_label("Width").fill("50")
    page.get_by_role("button", name="Save template").click()
    with pytest.raises(InvalidParameter) as api:
        parse_template_config(
            {"Container": {"Format": "gif"}, "Video": {"Width": "50"},
             "Clip": {"TimeSpan": {"Seek": "0"}}}
        )  # fmt: skip
    expect(page.locator("#width-error")).to_have_text(api.value.message)
    expect(page.get_by_label("Width")).to_have_attribute("aria-invalid", "true")


def make_template(page: Page, shot: Shot) -> None:
    """Pick the clip on the timeline, preview it, save it."""
    page.get_by_label("Name", exact=True).fill("sticker")
    page.get_by_label("Width").fill("160")
    page.locator("#seek-range").fill("1")
    page.locator("#duration-range").fill("1.5")
    page.get_by_label("用户水印").check()
    expect(page.locator("#seek")).to_have_value("1")
    expect(page.locator("#duration")).to_have_value("1.5")
    page.get_by_label("Format").select_option("mp4")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-video")).to_be_visible(timeout=30_000)
    assert played_width(page, "#preview-video") == 160, "an MP4 preview plays in a <video>"
    page.get_by_label("Format").select_option("gif")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview-image")
    expect(preview).to_be_visible(timeout=30_000)
    expect(page.locator("#preview-video")).to_be_hidden()
    assert loaded_width(page, "#preview-image") == 160
    assert unlabelled_fields(page) == []
    shot(page, "templates")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("Template saved.")).to_be_visible()
    row = page.locator("#templates tr", has_text="sticker")
    expect(row).to_contain_text('"Seek":"1"')
    expect(row).to_contain_text('"Duration":"1.5"')
    expect(row).to_contain_text('"WatermarkIds":["')


def edit_template(page: Page, shot: Shot) -> None:
    """The edit form starts from the stored template, previews, refuses as the API does, saves."""
    page.locator("#templates tr", has_text="sticker").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit template")).to_be_visible()
    expect(page.get_by_label("Width")).to_have_value("160")
    expect(page.get_by_label("用户水印")).to_be_checked()
    page.locator("#seek-range").fill("0.5")
    page.get_by_label("Frame rate (fps)").fill("12")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-image")).to_be_visible(timeout=30_000)
    assert loaded_width(page, "#preview-image") == 160
    assert unlabelled_fields(page) == []
    shot(page, "template-edit")
    page.get_by_label("Width").fill("5000")
    page.get_by_role("button", name="Save template").click()
    with pytest.raises(InvalidParameter) as api:
        parse_template_config(
            {"Container": {"Format": "gif"}, "Video": {"Width": "5000"},
             "Clip": {"TimeSpan": {"Seek": "0"}}}
        )  # fmt: skip
    expect(page.locator("#width-error")).to_have_text(api.value.message)
    expect(page.get_by_role("heading", name="Edit template")).to_be_visible()
    expect(page.get_by_label("Frame rate (fps)")).to_have_value("12")
    page.get_by_label("Width").fill("160")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("Template saved.")).to_be_visible()
    row = page.locator("#templates tr", has_text="sticker")
    expect(row).to_contain_text('"Seek":"0.5"')
    expect(row).to_contain_text('"Fps":"12"')
    expect(row).to_contain_text('"WatermarkIds":["')
    expect(page.locator("#templates tr[data-template-id]")).to_have_count(1)


def run_job(page: Page, shot: Shot) -> str:
    """A bad override is refused with its code; a good job is watched until it succeeds."""
    page.goto("/console/jobs")
    page.get_by_label("Template").select_option(label="sticker")
    page.get_by_label("Override parameters (JSON, optional)").fill('{"Colour": "red"}')
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator("#form-error")).to_contain_text("InvalidParameter: ")
    expect(page.locator("#form-error")).to_contain_text("OverrideParams.Colour")
    box = page.get_by_label("Override parameters (JSON, optional)")
    expect(box).to_have_value('{"Colour": "red"}')  # a refused form keeps what was typed
    expect(page.get_by_label("Template")).to_have_value(re.compile(r"^[0-9a-f]{32}$"))
    box.fill("")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text("Job submitted.")).to_be_visible()
    status = page.locator("#jobs tr[data-job-id] .status").first
    expect(status).to_have_text("Success", timeout=90_000)
    assert page.locator("#jobs progress").first.evaluate("p => p.value") == 100
    # The progress came as server-sent events (the statuses the page received, in order).
    table = page.locator("#jobs")
    expect(table).to_have_attribute("data-live", "events")
    received = str(table.get_attribute("data-events")).split()
    assert received[-1] == "Success", received
    page.get_by_label("State", exact=True).select_option("Fail")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No jobs yet.")).to_be_visible()
    page.get_by_label("State", exact=True).select_option("Success")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#jobs tr[data-job-id]")).to_have_count(1)
    assert unlabelled_fields(page) == []
    shot(page, "jobs")
    return str(page.locator("#jobs tr[data-job-id]").first.get_attribute("data-job-id"))


def see_gallery(page: Page, shot: Shot) -> None:
    page.get_by_role("link", name="Gallery").first.click()
    card = page.locator("#gallery li").first
    expect(card.locator(".format")).to_have_text("gif")
    expect(card.locator(".dims")).to_have_text("160×120")
    assert loaded_width(page, "#gallery li img") == 160
    card.get_by_role("button", name="Copy URL").click()
    expect(card.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == card.get_by_label("FileURL").input_value()
    assert "auth_key=" in copied
    shot(page, "gallery")


def other_account_sees_nothing(
    browser: Browser, server: ServerProcess, video_id: str, job_id: str
) -> None:
    """Bob (another account) finds no trace of Alice's video, template or job."""
    context = browser.new_context(base_url=server.url, locale="en-US")
    try:
        page = context.new_page()
        sign_in(page, "bob")
        expect(page.get_by_text("No videos yet.")).to_be_visible()
        page.goto("/console/templates")
        expect(page.get_by_text("No templates yet.")).to_be_visible()
        page.goto("/console/jobs")
        expect(page.get_by_text("No jobs yet.")).to_be_visible()
        for path in (
            f"/console/videos/{video_id}/{what}" for what in ("gallery", "source", "cover")
        ):
            response = page.goto(path)
            assert response is not None and response.status == 404
            expect(page.get_by_role("alert")).to_contain_text("InvalidVideo.NotFound")
        response = page.goto(f"/console/jobs/{job_id}")
        assert response is not None and response.status == 404
        expect(page.get_by_role("alert")).to_contain_text("InvalidJob.NotFound")
    finally:
        context.close()


def download_and_delete(page: Page) -> None:
    card = page.locator("#gallery li").first
    with page.expect_download() as download:
        card.get_by_role("link", name="Download").click()
    assert Path(download.value.path()).read_bytes()[:6] == b"GIF89a"
    card.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No animated images yet.")).to_be_visible()


def delete_video(page: Page) -> None:
    page.goto("/console/videos")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#videos tr", has_text="holiday").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No videos yet.")).to_be_visible()


def played_width(page: Page, selector: str) -> int:
    """The width of a video's frames once the browser has decoded one."""
    script = f"""() => {{ const v = document.querySelector({selector!r});
                         return v && v.readyState >= 2 && v.videoWidth }}"""
    width: int = page.wait_for_function(script, timeout=30_000).json_value()
    return width


def loaded_width(page: Page, selector: str) -> int:
    """The natural width of an image once it has loaded (0 would mean it could not)."""
    script = f"""() => {{ const i = document.querySelector({selector!r});
                         return i && i.complete && i.naturalWidth }}"""
    width: int = page.wait_for_function(script, timeout=30_000).json_value()
    return width


def test_advanced_template_override_job_and_gallery_facts(
    context: BrowserContext, clip: Path, shot: Shot
) -> None:
    page = context.new_page()
    sign_in(page, "alice")
    upload_whole(page, clip)
    stored = make_advanced_template(page, shot)
    edit_keeps_everything(page, stored)
    job_id = run_overridden_job(page)
    seek = see_job_page(page, job_id, shot)
    see_gallery_facts(page, seek)
    page.get_by_role("link", name="中文").click()
    page.goto("/console/templates")
    expect(page.locator("#advanced > summary")).to_have_text("高级")
    expect(page.get_by_label("自动（最精彩的片段）")).not_to_be_checked()


def upload_whole(page: Page, clip: Path) -> None:
    """Upload in one slice (the first story covers slices and resuming)."""
    page.goto("/console/videos")
    page.get_by_label("Video file").set_input_files(clip)
    page.get_by_label("Title").fill("advanced")
    page.get_by_role("button", name="Upload").click()
    row = page.locator("#videos tr", has_text="advanced")
    expect(row.locator(".status")).to_have_text("Normal", timeout=60_000)


def make_advanced_template(page: Page, shot: Shot) -> str:
    """Fill the Advanced fields; only the format's extras show; the preview plays the bounce at
    double speed; a bad Speed is refused with the API's words; saved as typed (KB in bytes)."""
    page.goto("/console/templates")
    page.get_by_label("Name", exact=True).fill("boomerang")
    page.get_by_label("Width").fill("160")
    page.locator("#duration").fill("1.5")
    page.locator("#advanced > summary").click()
    colours, quality = (
        page.get_by_label("Colours (MaxColors, 2-256)"),
        page.get_by_label("Quality (1-100, default 75)"),
    )
    expect(colours).to_be_visible()  # gif: palette extras, no quality
    expect(quality).to_be_hidden()
    page.get_by_label("Format").select_option("webp")
    expect(colours).to_be_hidden()
    expect(colours).to_be_disabled()  # so it is not sent
    quality.fill("60")
    page.get_by_label("Loop (plays; 0 = forever)").fill("2")
    page.get_by_label("Max file size (KB, 1 KB = 1024 bytes)").fill(str(TARGET_KB))
    expect(page.locator("#max_file_kb-bytes")).to_contain_text(f"= {TARGET_BYTES:,} bytes")
    forward = preview_frames(page)
    page.get_by_label("Playback").select_option("bounce")
    page.get_by_label("Speed (0.25-4, default 1)").fill("2")
    bounced = preview_frames(page)
    half = -(-forward // 2)  # double speed: every other frame
    assert bounced == 2 * half - 2, (forward, bounced)  # there and back, no repeated turn
    page.get_by_label("auto (best part)").check()
    expect(page.locator("#seek")).to_be_disabled()
    expect(page.locator("#seek-range")).to_be_disabled()
    page.get_by_label("Speed (0.25-4, default 1)").fill("9")
    page.get_by_role("button", name="Save template").click()
    with pytest.raises(InvalidParameter) as api:
        parse_template_config(
            {"Container": {"Format": "webp"}, "Clip": {"TimeSpan": {"Seek": "0"}, "Speed": "9"}}
        )
    expect(page.locator("#speed-error")).to_have_text(api.value.message)
    expect(page.get_by_label("Quality (1-100, default 75)")).to_have_value("60")  # kept, shown
    expect(page.get_by_label("auto (best part)")).to_be_checked()
    page.get_by_label("Speed (0.25-4, default 1)").fill("2")
    assert unlabelled_fields(page) == []
    shot(page, "template-advanced")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("Template saved.")).to_be_visible()
    row = page.locator("#templates tr", has_text="boomerang")
    stored = str(row.locator("td code").nth(1).text_content())
    assert json.loads(stored) == {
        "Container": {"Format": "webp", "MaxFileSize": TARGET_BYTES},
        "Video": {"Width": "160", "Fps": "10"},
        "Clip": {"TimeSpan": {"Seek": "auto", "Duration": "1.5"}, "Playback": "bounce",
                 "Speed": "2"},
        "Quality": "60",
        "Loop": "2",
    }  # fmt: skip
    return stored


def preview_frames(page: Page) -> int:
    """Preview the form in the page, and count the frames of the same preview (the form as the
    page would send it, through the page's session) with Pillow."""
    image = page.locator("#preview-image")
    image.evaluate("i => { i.hidden = true; i.removeAttribute('src') }")
    page.get_by_role("button", name="Preview").click()
    expect(image).to_be_visible(timeout=30_000)
    fields = page.locator("#template-form").evaluate(
        "f => Object.fromEntries([...new FormData(f)].filter(([, v]) => typeof v === 'string'))"
    )
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    headers = {"X-CSRF-Token": str(csrf), "Accept": "application/json"}
    sent = page.request.post("/console/templates/preview", form=fields, headers=headers)
    assert sent.ok, sent.text()
    with Image.open(io.BytesIO(sent.body())) as webp:
        assert webp.format == "WEBP" and webp.width == 160
        return int(getattr(webp, "n_frames", 1))


def edit_keeps_everything(page: Page, stored: str) -> None:
    """The edit form shows every extra as stored; another format shows its own extras; saving
    unchanged stores the same document."""
    page.locator("#templates tr", has_text="boomerang").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit template")).to_be_visible()
    expect(page.locator("#advanced")).to_have_attribute("open", "")
    expect(page.get_by_label("Format")).to_have_value("webp")
    expect(page.get_by_label("Quality (1-100, default 75)")).to_have_value("60")
    expect(page.get_by_label("Loop (plays; 0 = forever)")).to_have_value("2")
    kb = page.get_by_label("Max file size (KB, 1 KB = 1024 bytes)")
    expect(kb).to_have_value(str(TARGET_KB))
    expect(page.get_by_label("Playback")).to_have_value("bounce")
    expect(page.get_by_label("Speed (0.25-4, default 1)")).to_have_value("2")
    expect(page.get_by_label("auto (best part)")).to_be_checked()
    expect(page.locator("#seek")).to_be_disabled()
    expect(page.get_by_label("Colours (MaxColors, 2-256)")).to_be_hidden()
    page.get_by_label("Format").select_option("gif")
    expect(page.get_by_label("Colours (MaxColors, 2-256)")).to_be_visible()
    expect(page.get_by_label("Quality (1-100, default 75)")).to_be_hidden()
    page.get_by_label("Format").select_option("webp")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("Template saved.")).to_be_visible()
    row = page.locator("#templates tr", has_text="boomerang")
    assert json.loads(str(row.locator("td code").nth(1).text_content())) == json.loads(stored)


def run_overridden_job(page: Page) -> str:
    """Override Width and the target size from the form; a bad Speed is refused first, with
    the API's code and parameter, and the fields keep what was typed."""
    page.goto("/console/jobs")
    page.get_by_label("Template").select_option(label="boomerang")
    page.locator("#job-override-fields > summary").click()
    page.get_by_label("Width").fill("200")
    page.get_by_label("Speed (0.25-4, default 1)").fill("9")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator("#form-error")).to_contain_text("InvalidParameter: ")
    expect(page.locator("#form-error")).to_contain_text("OverrideParams.Clip.Speed")
    expect(page.get_by_label("Width")).to_have_value("200")
    page.get_by_label("Speed (0.25-4, default 1)").fill("")
    page.get_by_label("Max file size (KB, 1 KB = 1024 bytes)").fill(str(TARGET_KB / 2))
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text("Job submitted.")).to_be_visible()
    row = page.locator("#jobs tr[data-job-id]").first
    expect(row.locator(".status")).to_have_text("Success", timeout=90_000)
    expect(row.locator(".seek")).not_to_be_empty()  # live, or rendered if it finished first
    expect(row.locator(".fit")).to_contain_text(f"/ {TARGET_BYTES // 2:,} B")
    assert unlabelled_fields(page) == []
    return str(row.get_attribute("data-job-id"))


def see_job_page(page: Page, job_id: str, shot: Shot) -> str:
    """The job's page: the overrides sent, the Seek chosen, every encode of the size search
    with its bytes, the kept one marked and under the target."""
    page.locator(f"#jobs tr[data-job-id='{job_id}'] a", has_text=job_id).click()
    expect(page.get_by_role("heading", name=f"Job {job_id}")).to_be_visible()
    overrides = json.loads(str(page.locator(".overrides").text_content()))
    assert overrides == {"Video": {"Width": "200"}, "Container": {"MaxFileSize": TARGET_BYTES // 2}}
    seek = str(page.locator("#job .seek").text_content()).removesuffix(" s")
    assert 0 <= float(seek) <= 2.5
    expect(page.locator("#size-search .target")).to_contain_text(f"{TARGET_BYTES // 2:,} bytes")
    rows = page.locator("#encodes tbody tr")
    encodes = rows.count()
    assert encodes >= 2, "the first encode should not fit, so the search is shown at work"
    kept = page.locator("#encodes tr.kept")
    expect(kept).to_have_count(1)
    expect(kept.locator(".mark")).to_contain_text("kept")
    kept_bytes = int(str(kept.locator(".bytes").text_content()).replace(",", ""))
    assert kept_bytes <= TARGET_BYTES // 2
    first = int(str(rows.first.locator(".bytes").text_content()).replace(",", ""))
    assert first > TARGET_BYTES // 2
    expect(rows.first.locator(".dims")).to_have_text("200×150")
    shot(page, "job")
    return seek


def see_gallery_facts(page: Page, seek: str) -> None:
    """Frames, loops and MD5 as the downloaded file has them; the MD5 copies."""
    page.get_by_role("link", name="Gallery").click()
    card = page.locator("#gallery li").first
    url = card.get_by_label("FileURL").input_value()
    body = page.request.get(url).body()
    assert len(body) <= TARGET_BYTES // 2
    with Image.open(io.BytesIO(body)) as webp:
        frames, loops = int(getattr(webp, "n_frames", 1)), int(webp.info.get("loop", -1))
    expect(card.locator(".frames")).to_have_text(str(frames))
    expect(card.locator(".loops")).to_have_text(str(loops))
    assert loops == 2
    expect(card.locator(".seek")).to_have_text(f"{seek} s")
    md5 = hashlib.md5(body).hexdigest()
    expect(card.get_by_label("MD5")).to_have_value(md5)
    card.get_by_role("button", name="Copy MD5").click()
    expect(card.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == md5
