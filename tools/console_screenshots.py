"""Screenshots of the console's main pages at a phone's width (390 px) and a desk's (1280 px).

    make screenshots                      # or: .venv/bin/python tools/console_screenshots.py DIR

Starts a throwaway ``dynimg serve`` (its own home in a temporary folder), fills one account
through the API (a video, a Chinese text watermark, a template that uses it, a finished job),
signs in with Debian's chromium through Playwright and writes ``NAME-390.png`` and
``NAME-1280.png`` per page into DIR (default docs/console), plus the videos page in Chinese.
Not part of the test suite: run it after changing how the console looks.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the test helpers start servers and make clips

from tests.support.clients import TeaApi  # noqa: E402
from tests.support.jobs import template, uploaded_video, wait_for_job  # noqa: E402
from tests.support.media import make_clip  # noqa: E402
from tests.support.server import ServerProcess, start_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"  # noqa: S105 (a throwaway server's user)
WIDTHS = (390, 1280)


def stock(server: ServerProcess, folder: Path) -> dict[str, str]:
    """One video, a watermark, a template with a size target, and a job that used them."""
    clip = folder / "holiday.mp4"
    make_clip(clip, seconds=4, fps=15, size=(320, 240), noise=True)
    creds = server.default_credentials()
    api = TeaApi(server.endpoint, creds)
    video = uploaded_video(api, clip)
    mark = {"Content": "动图 666", "FontSize": 20, "FontColor": "yellow", "Top": 8, "Left": 8}
    added = api.call("AddWatermark", Name="用户水印", Type="Text", WatermarkConfig=json.dumps(mark))
    watermark = added["WatermarkInfo"]["WatermarkId"]
    template_id = template(api, WatermarkIds=[watermark], Container={"Format": "gif",
                           "MaxFileSize": 40 * 1024})  # fmt: skip
    job = api.call("SubmitDynamicImageJob", VideoId=video, DynamicImageTemplateId=template_id)
    job_id = job["DynamicImageJob"]["JobId"]
    wait_for_job(server, creds, job_id, timeout=120)
    return {"video": video, "template": template_id, "job": job_id}


def pages(stocked: dict[str, str]) -> dict[str, str]:
    return {
        "videos": "/console/videos",
        "templates": "/console/templates",
        "watermarks": "/console/watermarks",
        "jobs": "/console/jobs",
        "job": f"/console/jobs/{stocked['job']}",
        "gallery": f"/console/videos/{stocked['video']}/gallery",
        "snapshots": f"/console/videos/{stocked['video']}/snapshots",
        "snapshot-templates": "/console/snapshot-templates",
        "account": "/console/account",
    }


def sign_in(page: Page) -> None:
    page.goto("/console/sign-in")
    page.fill("#username", "alice")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("header nav")


def shoot(server: ServerProcess, stocked: dict[str, str], out: Path) -> list[Path]:
    made = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        for width in WIDTHS:
            context = browser.new_context(
                base_url=server.url, locale="en-US", viewport={"width": width, "height": 844}
            )
            page = context.new_page()
            page.goto("/console/sign-in")
            made.append(save(page, out / f"sign-in-{width}.png"))
            sign_in(page)
            for name, path in pages(stocked).items():
                page.goto(path)
                page.wait_for_load_state("networkidle")
                made.append(save(page, out / f"{name}-{width}.png"))
            page.goto("/console/lang/zh-CN?next=/console/videos")
            made.append(save(page, out / f"videos-zh-CN-{width}.png"))
            context.close()
        browser.close()
    return made


def save(page: Page, path: Path) -> Path:
    page.evaluate("document.fonts.ready")
    page.screenshot(path=path, full_page=True)
    return path


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "console"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dynimg-shots-") as scratch:
        home = Path(scratch) / "home"
        server = start_server(home)
        try:
            server.new_console_user("default", "alice", PASSWORD)
            stocked = stock(server, Path(scratch))
            for path in shoot(server, stocked, out):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
