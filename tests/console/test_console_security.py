"""Sign-in, sessions, CSRF, throttling and list pages, in real Chromium against a real server."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.console.conftest import PASSWORD, Shot, sign_in, unlabelled_fields
from tests.support.clients import TeaApi
from tests.support.server import Credentials, ServerProcess, run_cli

pytestmark = pytest.mark.slow


def test_pages_need_a_signed_in_user(context: BrowserContext) -> None:
    page = context.new_page()
    page.goto("/console/jobs?video=abc")
    expect(page).to_have_url(re.compile(r"/console/sign-in\?next=/console/jobs%3Fvideo%3Dabc$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_sign_in_by_keyboard_alone_and_the_cookie_is_locked_down(
    context: BrowserContext, shot: Shot
) -> None:
    page = context.new_page()
    page.goto("/console/sign-in?next=/console/templates")
    assert unlabelled_fields(page) == []
    shot(page, "sign-in")
    page.keyboard.type("alice")  # the username field has focus on arrival
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Templates")).to_be_visible()
    (cookie,) = [c for c in context.cookies() if c["name"] == "dynimg_console"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/console"
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/console/videos")
    expect(page).to_have_url(re.compile(r"/console/sign-in\?"))


def test_posts_without_the_csrf_token_are_refused(context: BrowserContext) -> None:
    page = context.new_page()
    sign_in(page, "alice")
    expect(page.get_by_role("heading", name="Videos")).to_be_visible()
    form = {"name": "forged", "format": "gif", "seek": "0"}
    for extra in ({}, {"csrf": "not-the-token"}):
        refused = context.request.post("/console/templates", form={**form, **extra})
        assert refused.status == 403
        assert "CsrfTokenMissing" in refused.text()
    started = context.request.post(
        "/console/videos/uploads", data={"file_name": "a.mp4", "size": 10},
        headers={"Accept": "application/json"},
    )  # fmt: skip
    assert started.status == 403
    assert started.json()["Code"] == "CsrfTokenMissing"
    page.goto("/console/templates")
    expect(page.get_by_text("No templates yet.")).to_be_visible()


def test_sign_in_needs_the_token_too(browser: Browser, console_server: ServerProcess) -> None:
    """Login CSRF: a page elsewhere cannot sign a visitor in to an attacker's account."""
    context = browser.new_context(base_url=console_server.url)
    try:
        refused = context.request.post(
            "/console/sign-in", form={"username": "alice", "password": PASSWORD}, max_redirects=0
        )
        assert refused.status == 403
    finally:
        context.close()


def test_wrong_password_is_refused_then_throttled(context: BrowserContext, shot: Shot) -> None:
    page = context.new_page()
    for _ in range(5):
        sign_in(page, "carol", "wrong password")
        expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    expect(page.get_by_label("Username")).to_have_value("carol")
    sign_in(page, "carol")  # the right password, but too late
    expect(page.get_by_role("alert")).to_have_text(
        "Too many failed sign-ins. Try again in a few minutes."
    )
    shot(page, "sign-in-throttled")
    sign_in(page, "nobody-at-all", "whatever")
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")


def test_chinese_from_the_browser_language_and_the_switch(
    browser: Browser, console_server: ServerProcess, shot: Shot
) -> None:
    context = browser.new_context(base_url=console_server.url, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto("/console/sign-in")
        expect(page.get_by_role("heading", name="登录")).to_be_visible()
        page.get_by_label("用户名").fill("alice")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="视频", exact=True)).to_be_visible()
        shot(page, "videos-zh-CN")
        page.get_by_role("link", name="English").click()
        expect(page.get_by_role("heading", name="Videos")).to_be_visible()
    finally:
        context.close()


def test_lists_have_pages(browser: Browser, console_server: ServerProcess) -> None:
    """Three videos two to a page: page 2 holds the oldest, reached by the pager's link."""
    keys = run_cli(console_server.home, "keys", "create", "--account", "other", "--json")
    created = json.loads(keys.stdout)
    creds = Credentials(created["AccessKeyId"], created["AccessKeySecret"])
    api = TeaApi(console_server.endpoint, creds)  # bob's account, which no other test here uses
    for title in ("first", "second", "third"):
        api.call("CreateUploadVideo", Title=title, FileName=f"{title}.mp4")
    context = browser.new_context(base_url=console_server.url, locale="en-US")
    try:
        page = context.new_page()
        sign_in(page, "bob")
        page.goto("/console/videos?size=2")
        rows = page.locator("#videos tr[data-video-id]")
        expect(rows).to_have_count(2)
        expect(page.locator(".pager .page-of")).to_have_text("Page 1 of 2")
        page.get_by_role("link", name="Next").click()
        expect(page).to_have_url(re.compile(r"/console/videos\?size=2&page=2$"))
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("first")
        expect(page.locator(".pager .page-of")).to_have_text("Page 2 of 2")
        expect(page.get_by_role("link", name="Next")).to_have_count(0)
        page.get_by_role("link", name="Previous").click()
        expect(rows.first).to_contain_text("third")
    finally:
        context.close()


def test_signed_out_sessions_are_refused_even_with_a_copy_of_the_cookie(
    browser: Browser, console_server: ServerProcess, shot: Shot
) -> None:
    """Sign-out, a password change and "sign out everywhere" end sessions on the server."""
    console_server.new_console_user("default", "erin", PASSWORD)
    here, there, thief = (
        browser.new_context(base_url=console_server.url, locale="en-US") for _ in range(3)
    )
    try:
        page, other = here.new_page(), there.new_page()
        sign_in(page, "erin")
        copied = here.cookies()
        page.get_by_role("button", name="Sign out").click()
        assert_refused(thief, copied)  # the cookie from before sign-out no longer works

        sign_in(page, "erin")
        sign_in(other, "erin")
        expect(other.get_by_role("heading", name="Videos")).to_be_visible()
        page.goto("/console/account")
        page.get_by_label("Current password").fill("not my password")
        page.get_by_label("New password", exact=True).fill("a whole new passphrase")
        page.get_by_role("button", name="Change password").click()
        expect(page.locator("#password-error")).to_have_text("The current password is wrong.")
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password", exact=True).fill("a whole new passphrase")
        page.get_by_role("button", name="Change password").click()
        expect(page.get_by_role("status")).to_contain_text("Password changed.")
        assert unlabelled_fields(page) == []
        other.goto("/console/videos")  # the other browser was signed out by the change
        expect(other).to_have_url(re.compile(r"/console/sign-in\?"))
        page.goto("/console/videos")  # this one was kept
        expect(page.get_by_role("heading", name="Videos")).to_be_visible()

        sign_in(other, "erin", "a whole new passphrase")
        expect(other.get_by_role("heading", name="Videos")).to_be_visible()
        copied = there.cookies()
        page.goto("/console/account")
        shot(page, "account-sessions")
        page.get_by_role("button", name="Sign out everywhere").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        other.goto("/console/videos")
        expect(other).to_have_url(re.compile(r"/console/sign-in\?"))
        assert_refused(thief, copied)
    finally:
        for context in (here, there, thief):
            context.close()


def assert_refused(context: BrowserContext, cookies: list[Any]) -> None:
    """A browser given these cookies is sent to sign in."""
    context.clear_cookies()
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto("/console/videos")
    expect(page).to_have_url(re.compile(r"/console/sign-in\?"))
    page.close()
