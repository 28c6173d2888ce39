"""The console at a phone's width and at a desk's, in real Chromium.

Every page the console links to (found by following its links, so pages added later are
covered too) fits the window at 390 px and at 1280 px, in English and in Chinese, and the sign-out
button stays on one line. Uploads show bytes, speed and time left and take a dropped file;
templates read as settings; Chinese text is drawn at once, never as boxes, while the CJK face
loads. One server for the module, stocked through the API (a video, a watermark, a template, a
finished job), so the pages that show them have something to lay out.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from dynimg.api.console.i18n import LANG_COOKIE
from tests.console.conftest import sign_in
from tests.support.clients import TeaApi
from tests.support.jobs import template, uploaded_video, wait_for_job
from tests.support.media import make_clip
from tests.support.server import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
NOT_PAGES = re.compile(r"/console/(sign-out|lang/|fonts/|static/)|/(source|cover)$|\.(vtt|json)$")
"""Links that are actions or files, not pages."""
WIDTH = "document.scrollingElement.scrollWidth"


@pytest.fixture(scope="module")
def small_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("layout-media") / "tiny.mp4"
    make_clip(path, seconds=1.5, fps=10, size=(96, 64), noise=True)
    return path


@pytest.fixture(scope="module")
def stocked(console_server: ServerProcess, small_clip: Path) -> dict[str, str]:
    """alice's account with a video, a Chinese watermark, a template using it and a job done."""
    creds = console_server.default_credentials()
    api = TeaApi(console_server.endpoint, creds)
    video = uploaded_video(api, small_clip)
    config = {"Content": "动图", "FontSize": 16, "FontColor": "white", "Top": 4, "Left": 4}
    mark = api.call("AddWatermark", Name="水印", Type="Text", WatermarkConfig=json.dumps(config))[
        "WatermarkInfo"
    ]["WatermarkId"]
    template_id = template(api, WatermarkIds=[mark])
    job = api.call("SubmitDynamicImageJob", VideoId=video, DynamicImageTemplateId=template_id)[
        "DynamicImageJob"
    ]["JobId"]
    assert wait_for_job(console_server, creds, job)["Status"] == "Success"
    return {"video": video, "template": template_id, "job": job, "watermark": mark}


@pytest.fixture
def phone(browser: Browser, console_server: ServerProcess) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=console_server.url, locale="en-US", viewport=PHONE)
    yield ctx
    ctx.close()


def console_pages(page: Page) -> list[str]:
    """Every console page reachable by links from the videos page (queries dropped)."""
    seen: list[str] = []
    queue = ["/console/videos"]
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        response = page.goto(path)
        assert response is not None and response.ok, path
        links: list[str] = page.eval_on_selector_all(
            "a[href^='/console/']:not([download])", "as => as.map(a => a.getAttribute('href'))"
        )
        queue += [h.split("?")[0].split("#")[0] for h in links if not NOT_PAGES.search(h)]
    return seen


def too_wide(page: Page, paths: list[str], width: int) -> dict[str, int]:
    """The pages whose document is wider than the window, with their widths."""
    page.set_viewport_size({"width": width, "height": 844})
    found = {}
    for path in paths:
        page.goto(path)
        found[path] = int(page.evaluate(WIDTH))
    print(f"widths at {width} px:", found)
    return {path: seen for path, seen in found.items() if seen > width}


def sign_out_lines(page: Page) -> int:
    """How many lines the sign-out button's text takes."""
    lines: int = page.locator("header form[action='/console/sign-out'] button").evaluate(
        """b => { const r = document.createRange(); r.selectNodeContents(b);
                  return new Set([...r.getClientRects()].map(c => Math.round(c.top))).size }"""
    )
    return lines


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_every_page_fits_a_phone_and_a_desk(
    browser: Browser, console_server: ServerProcess, stocked: dict[str, str], language: str
) -> None:
    ctx = browser.new_context(base_url=console_server.url, viewport=PHONE)
    try:
        ctx.add_cookies([{"name": LANG_COOKIE, "value": language, "url": console_server.url}])
        page = ctx.new_page()
        page.goto("/console/sign-in")
        outside = ["/console/sign-in"]  # the pages a visitor sees before signing in
        assert too_wide(page, outside, PHONE["width"]) == {}
        sign_in_as_alice(page, language)
        paths = console_pages(page)
        # The pages of everything stocked, and an error page, are among them.
        assert f"/console/jobs/{stocked['job']}" in paths
        assert f"/console/templates/{stocked['template']}/edit" in paths
        assert f"/console/videos/{stocked['video']}/gallery" in paths
        paths.append("/console/jobs/0000000000000000000000000000dead")
        page.goto("/console/videos")
        assert sign_out_lines(page) == 1
        for width in (PHONE["width"], 768, DESKTOP["width"]):
            assert too_wide(page, paths, width) == {}, f"wider than {width} px"
    finally:
        ctx.close()


def sign_in_as_alice(page: Page, language: str) -> None:
    if language == "en":
        sign_in(page, "alice")
    else:
        page.goto("/console/sign-in")
        page.get_by_label("用户名").fill("alice")
        page.get_by_label("密码").fill("correct horse battery staple")
        page.get_by_role("button", name="登录").click()
    expect(page.locator("header nav")).to_be_visible()


def test_upload_progress_counts_bytes_with_speed_and_time_left(
    phone: BrowserContext, small_clip: Path, stocked: dict[str, str]
) -> None:
    """In 4 KiB slices: the bar and the text follow the bytes sent, up to the whole file,
    before the upload is completed (the completing request is held to look at the page)."""
    page = phone.new_page()
    sign_in(page, "alice")
    page.locator("#upload-form").evaluate("f => f.dataset.chunkBytes = String(4 * 1024)")
    page.evaluate(
        """() => { window.seen = []; const bar = document.querySelector('#upload-progress');
            const text = document.querySelector('#upload-bytes');
            new MutationObserver(() => seen.push([bar.value, text.textContent]))
              .observe(text, {childList: true, characterData: true, subtree: true}) }"""
    )
    held: list[Route] = []
    page.route("**/complete", lambda route: held.append(route))
    page.get_by_label("Video file").set_input_files(small_clip)
    page.get_by_label("Title").fill("progress")
    page.get_by_role("button", name="Upload").click()
    size = small_clip.stat().st_size
    assert size > 3 * 4 * 1024, "the clip should take several slices"
    text = page.locator("#upload-bytes")
    expect(text).to_have_attribute("data-loaded", str(size))
    expect(page.locator("#upload-progress")).to_have_js_property("value", 100)
    expect(text).to_contain_text(re.compile(r"^(\d+(\.\d)? [KM]?B) of \1 · [\d.]+ [KM]?B/s$"))
    seen: list[tuple[float, str]] = page.evaluate("window.seen")
    values = [value for value, _ in seen]
    assert values == sorted(values) and len({v for v in values if 0 < v < 100}) >= 2, seen
    assert any(re.search(r" · \d+ s left$", said) for _, said in seen), seen
    page.wait_for_timeout(100)
    held[0].continue_()
    row = page.locator("#videos tr", has_text="progress")
    expect(row.locator(".status")).to_have_text("Normal", timeout=60_000)


def test_a_video_dropped_on_the_upload_area_is_uploaded(
    phone: BrowserContext, small_clip: Path, stocked: dict[str, str]
) -> None:
    page = phone.new_page()
    sign_in(page, "alice")
    drop = page.locator("#upload-drop")
    transfer = page.evaluate_handle(
        """([data, name]) => { const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, {type: 'video/mp4'})); return dt }""",
        [base64.b64encode(small_clip.read_bytes()).decode(), "dropped.mp4"],
    )
    drop.dispatch_event("dragenter", {"dataTransfer": transfer})
    expect(drop).to_have_class(re.compile(r"\bdragging\b"))
    drop.dispatch_event("dragover", {"dataTransfer": transfer})
    drop.dispatch_event("drop", {"dataTransfer": transfer})
    expect(drop).not_to_have_class(re.compile(r"\bdragging\b"))
    chosen = page.get_by_label("Video file").evaluate("i => [...i.files].map(f => f.name)")
    assert chosen == ["dropped.mp4"]
    expect(page.locator("#upload-chosen")).to_contain_text("dropped.mp4")
    page.get_by_role("button", name="Upload").click()
    row = page.locator("#videos tr", has_text="dropped.mp4")
    expect(row.locator(".status")).to_have_text("Normal", timeout=60_000)


def test_templates_read_as_settings(phone: BrowserContext, stocked: dict[str, str]) -> None:
    page = phone.new_page()
    sign_in(page, "alice")
    page.goto("/console/templates")
    row = page.locator(f"#templates [data-template-id='{stocked['template']}']")
    settings: dict[str, Any] = row.locator("dl.settings").evaluate(
        "dl => Object.fromEntries([...dl.querySelectorAll('dt')].map("
        "dt => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()]))"
    )
    assert settings == {
        "Format": "GIF", "Size": "160 × auto", "Frame rate": "10 fps", "Start": "0.5 s",
        "Length": "1 s", "Watermarks": "水印",
    }  # fmt: skip
    expect(row.get_by_text('"Container"')).to_be_hidden()  # the JSON only on request
    row.locator("summary", has_text="TemplateConfig").click()
    expect(row.get_by_text('"Container"')).to_be_visible()


def test_chinese_is_drawn_at_once_while_the_cjk_face_loads(
    browser: Browser, console_server: ServerProcess, stocked: dict[str, str]
) -> None:
    """Faces swap in (text is never invisible); the console's own Chinese comes with a small
    preloaded face, so with the full face held back the heading is drawn exactly as once the
    full face has come (no boxes). Without the small face it would be boxes, then glyphs."""
    ctx = browser.new_context(base_url=console_server.url, viewport=PHONE)
    try:
        ctx.add_cookies([{"name": LANG_COOKIE, "value": "zh-CN", "url": console_server.url}])
        page = ctx.new_page()
        sign_in_as_alice(page, "zh-CN")
        displays = page.evaluate(
            """() => [...document.styleSheets].flatMap(s => [...s.cssRules])
                 .filter(r => r instanceof CSSFontFaceRule)
                 .map(r => r.style.getPropertyValue('font-display'))"""
        )
        assert displays and set(displays) == {"swap"}, displays
        expect(page.locator("link[rel=preload][as=font]")).to_have_count(1)
        held: list[Route] = []
        ctx.route("**/console/fonts/noto-sans-sc*", lambda route: held.append(route))
        page.goto("/console/templates", wait_until="domcontentloaded")  # "load" awaits faces
        heading = page.get_by_role("heading", name="模板", exact=True)
        expect(heading).to_be_visible()
        page.evaluate("document.fonts.load('15px \"dynimg CJK UI\"', '模板')")
        early = heading.screenshot(timeout=5_000)  # it waits for faces still loading
        for route in held:
            route.continue_()
        ctx.unroute("**/console/fonts/noto-sans-sc*")
        page.evaluate("document.fonts.load('15px \"dynimg CJK\"', '模板')")
        page.reload()
        page.evaluate("document.fonts.ready")
        assert heading.screenshot() == early
    finally:
        ctx.close()
