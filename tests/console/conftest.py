"""A real ``dynimg serve`` with console users, and a real headless Chromium driven by Playwright.

Chromium is Debian's ``chromium`` package (``make test`` installs it when it runs as root);
Playwright only drives it (``playwright install`` would download a browser, which this project
never does). Without it the browser tests are skipped loudly, and with CI=true they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.media import make_clip
from tests.support.server import ServerProcess, run_cli, start_server
from tests.support.services import ServiceRegistry

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path(os.environ.get("DYNIMG_TEST_CHROMIUM", "/usr/bin/chromium"))
DOCS_SHOTS = os.environ.get("DYNIMG_CONSOLE_DOC_SHOTS")
"""Set to docs/console to refresh the README's screenshots from a test run."""
PASSWORD = "correct horse battery staple"
Shot = Callable[["Page", str], None]


@pytest.fixture(scope="session")
def browser(external_services: ServiceRegistry) -> Iterator[Browser]:
    """Headless Chromium for the whole run."""
    if not CHROMIUM.exists():
        missing = FileNotFoundError("not installed (apt-get install chromium)")
        external_services.unreachable("Chromium", str(CHROMIUM), missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """``dynimg serve`` with users alice (account default), bob (account other) and carol."""
    home = tmp_path_factory.mktemp("console-home")
    # Callbacks go to a receiver on loopback, which dynimg refuses unless told otherwise.
    # Imports from a URL pull from an origin on loopback too.
    server = start_server(
        home, DYNIMG_ALLOW_PRIVATE_CALLBACKS="true", DYNIMG_ALLOW_PRIVATE_URL_UPLOADS="true"
    )
    run_cli(home, "account", "create", "other")
    server.new_console_user("default", "alice", PASSWORD)
    server.new_console_user("other", "bob", PASSWORD)
    server.new_console_user("default", "carol", PASSWORD)
    yield server
    server.stop()


@pytest.fixture
def context(browser: Browser, console_server: ServerProcess) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) in English, with downloads and the clipboard."""
    ctx = browser.new_context(
        base_url=console_server.url, locale="en-US", accept_downloads=True,
        viewport={"width": 1280, "height": 860},
    )  # fmt: skip
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=console_server.url)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def shot(tmp_path_factory: pytest.TempPathFactory) -> Shot:
    """Save a full-page screenshot as a test artefact (and for the README when asked)."""
    folder = tmp_path_factory.mktemp("console-screenshots")

    def save(page: Page, name: str) -> None:
        path = folder / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        if DOCS_SHOTS:
            Path(DOCS_SHOTS).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(DOCS_SHOTS) / path.name)

    return save


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4-second H.264 clip with noise, so it is large enough to upload in several slices."""
    path = tmp_path_factory.mktemp("console-media") / "holiday.mp4"
    make_clip(path, seconds=4, fps=15, size=(320, 240), noise=True)
    return path


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person would."""
    page.goto("/console/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def unlabelled_fields(page: Page) -> list[str]:
    """Form fields on the page that have neither a <label> nor an aria-label."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
            .map(e => e.id || e.name || e.outerHTML)"""
    )
    return found
