"""A sign-in kept across reloads and tabs, in real headless Chromium: the HttpOnly cookie, the
language and the page's address survive F5; a second tab is signed in; signing out in one tab, or
disabling the account, signs the other out at its next interaction."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, expect

from linkage.accounts import sessions
from linkage.accounts.users import SYSTEM, add_user, set_disabled
from linkage.records.catalog import init
from linkage.records.importing import import_path
from linkage.store.db import get_engine

from ..helpers import FIXTURE
from .conftest import Watched, app_server, new_context, session_cookie, settled

pytestmark = pytest.mark.browser
PASSWORD = "mật-khẩu-thử"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('kept') / 'app.db'}"
    engine = get_engine(url)
    init(engine)
    import_path(engine, FIXTURE)
    add_user(engine, SYSTEM, "kehoach", PASSWORD, "planner", "06")
    add_user(engine, SYSTEM, "canbo058", PASSWORD, "officer", "058")
    with app_server(url) as base:
        yield base, url


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base)
    page.get_by_role("link", name="Đăng nhập").click()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text(f"Đăng nhập: {username}")).to_be_visible(timeout=20_000)


def test_a_reload_and_a_second_tab_stay_signed_in_with_the_language_and_the_address(
    server: tuple[str, str], context: BrowserContext
) -> None:
    base, url = server
    page = context.new_page()
    watched = Watched(page)
    sign_in(page, base, "kehoach")
    cookie = session_cookie(context)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/"
    assert page.evaluate("document.cookie").find(sessions.COOKIE) == -1  # no script on the page can read it
    with get_engine(url).connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM sign_in_session")).scalars().all()
    assert stored == [sessions.digest(str(cookie["value"]))]  # only its hash is kept

    page.get_by_text("English", exact=True).click()
    settled(page)
    page.goto(f"{base}/coverage?map=2025-01&unit=06")
    expect(page.get_by_text("Tỉnh Bắc Kạn on", exact=False).first).to_be_visible(timeout=20_000)

    page.reload()
    settled(page)
    expect(page.get_by_text("Signed in", exact=False).first).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Tỉnh Bắc Kạn on", exact=False).first).to_be_visible(timeout=20_000)
    expect(page).to_have_url(re.compile(re.escape("/coverage?map=2025-01&unit=06") + "$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto(f"{base}/login")  # the sign-in address, bookmarked: a signed-in browser is at home there
    settled(page)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Page not found")).to_have_count(0)

    second = context.new_page()
    second.goto(f"{base}/coverage?map=2025-01&unit=06")
    settled(second)
    expect(second.get_by_role("button", name="Sign out")).to_be_visible(timeout=20_000)
    expect(second.get_by_text("Tỉnh Bắc Kạn on", exact=False).first).to_be_visible()
    assert watched.outside == []


def test_signing_out_in_one_tab_signs_the_other_out_at_its_next_interaction(
    server: tuple[str, str], context: BrowserContext
) -> None:
    base, _url = server
    first = context.new_page()
    sign_in(first, base, "canbo058")
    session_cookie(context)
    second = context.new_page()
    second.goto(base)
    settled(second)
    expect(second.get_by_role("button", name="Đăng xuất")).to_be_visible(timeout=20_000)

    first.get_by_role("button", name="Đăng xuất").click()
    settled(first)
    expect(first.get_by_role("button", name="Đăng xuất")).to_have_count(0)

    second.get_by_text("English", exact=True).click()  # any interaction
    settled(second)
    expect(second.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(second.get_by_text("Your session has ended", exact=False)).to_be_visible()
    second.reload()
    settled(second)
    expect(second.get_by_role("link", name="Sign in").or_(second.get_by_role("link", name="Đăng nhập"))).to_be_visible()
    expect(second.get_by_role("button", name="Đăng xuất")).to_have_count(0)


def test_disabling_the_account_signs_its_open_tab_out_at_the_next_interaction(
    server: tuple[str, str], context: BrowserContext
) -> None:
    base, url = server
    page = context.new_page()
    sign_in(page, base, "kehoach")
    session_cookie(context)
    set_disabled(get_engine(url), SYSTEM, "kehoach")
    try:
        page.get_by_text("English", exact=True).click()
        settled(page)
        expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
        expect(page.get_by_text("Your session has ended", exact=False)).to_be_visible()
        page.reload()
        settled(page)
        expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
        expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)
    finally:
        set_disabled(get_engine(url), SYSTEM, "kehoach", disabled=False)
