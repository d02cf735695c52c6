"""An office's list on the data exchange page in real headless Chromium (docs/office-lists.md): upload,
rows needing a decision, the officer picks the commune of each ambiguous row, then one write."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from linkage.accounts.users import SYSTEM, add_user
from linkage.records.catalog import init
from linkage.store.db import get_engine
from linkage.store.models import Cooperative

from ..office_lists import THANH_HOA
from ..test_office_lists import without_rows
from .conftest import PASSWORD, Watched, app_server, open_page, settled, signed_out

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('lists') / 'app.db'}"
    init(get_engine(url))
    add_user(get_engine(url), SYSTEM, "quantri", PASSWORD, "admin", None, None)
    with app_server(url) as base:
        yield base, url


def choose(page: Page, label: str, typed: str) -> None:
    """A Streamlit select box set as a person does it: typing part of the option, then Enter."""
    box = page.get_by_label(label, exact=True)
    box.scroll_into_view_if_needed()
    box.click()
    box.press_sequentially(typed)
    page.get_by_role("option").first.wait_for(timeout=10_000)
    box.press("Enter")
    settled(page)


def test_an_officer_settles_ambiguous_rows_and_writes_the_list(
    server: tuple[str, str], watched: Watched, tmp_path: Path
) -> None:
    base, url = server
    page = watched.page
    page.goto(base)
    signed_out(page)
    page.get_by_role("link", name="Đăng nhập").click()
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text("Đăng nhập: quantri")).to_be_visible(timeout=20_000)
    open_page(page, "Trao đổi dữ liệu")
    choose(page, "Bản đồ", "2025-01")
    listed = without_rows(THANH_HOA, {6, 7})
    path = tmp_path / listed.name
    path.write_bytes(listed.data())
    page.locator("input[type=file]").nth(1).set_input_files(str(path))
    settled(page)
    expect(page.get_by_text("Chưa ghi được: 2 dòng cần quyết định")).to_be_visible(timeout=30_000)
    choose(page, "Dòng 3 (HTX Phú Sơn): xã nào?", "14770")
    choose(page, "Dòng 5 (HTX Đông Khê): xã nào?", "16408")
    page.get_by_role("button", name="Ghi cả 5 dòng").click()
    expect(page.get_by_text("Đã ghi: 5 mới, 0 cập nhật, 0 không đổi")).to_be_visible(timeout=30_000)
    with get_engine(url).connect() as conn:
        rows = conn.execute(sa.select(Cooperative.name, Cooperative.commune_code))
        assert {name: commune for name, commune in rows} == {
            "HTX Hoằng Lộc": "15964",
            "HTX Phú Sơn": "14770",
            "HTX Phú Sơn Bỉm Sơn": "14823",
            "HTX Đông Khê": "16408",
            "HTX Nga Sơn": "16093",
        }
    assert watched.outside == []
