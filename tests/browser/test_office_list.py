"""An office's list on the data exchange page in real headless Chromium (docs/office-lists.md): upload,
rows needing a decision, the officer picks the commune of each ambiguous row and decides each possible
duplicate, then one write; the stored records are read back from the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from linkage.accounts.users import SYSTEM, add_user
from linkage.lists.service import import_list
from linkage.records.catalog import init
from linkage.store.db import get_engine
from linkage.store.models import ChangeLog, Cooperative

from ..office_lists import DAK_LAK, THANH_HOA, OfficeList, without_rows
from .conftest import PASSWORD, Watched, app_server, choose, open_page, settled, signed_out

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('lists') / 'app.db'}"
    init(get_engine(url))
    add_user(get_engine(url), SYSTEM, "quantri", PASSWORD, "admin", None, None)
    with app_server(url) as base:
        yield base, url


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
    choose(page, page.get_by_label("Bản đồ", exact=True), "2025-01")
    listed = without_rows(THANH_HOA, {6, 7})
    path = tmp_path / listed.name
    path.write_bytes(listed.data())
    page.locator("input[type=file]").nth(1).set_input_files(str(path))
    settled(page)
    expect(page.get_by_text("Chưa ghi được: 2 dòng cần quyết định")).to_be_visible(timeout=30_000)
    choose(page, page.get_by_label("Dòng 3 (HTX Phú Sơn): xã nào?", exact=True), "14770")
    choose(page, page.get_by_label("Dòng 5 (HTX Đông Khê): xã nào?", exact=True), "16408")
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


ADDED = OfficeList(  # added to Đắk Lắk's stored list: two possible duplicates, an ambiguous commune, a plain row
    "htx_bo_sung_2025.csv",
    "cooperatives",
    ["STT", "Tên HTX", "Mã số HTX", "Địa chỉ", "Số thành viên"],
    [
        [1, "HTX Nông nghiệp Ea Tlr", "", "Xã Ea Tir, Huyện Ea H'leo, Đắk Lắk", 30],  # one letter from a stored name
        [2, "HTX Sông Hinh", "6000123456", "X. Ea Ral, H. Ea H'leo", 55],  # a stored number, another name
        [3, "HTX Phú Sơn", "", "Phường Phú Sơn, Tỉnh Thanh Hóa", 18],  # two communes of Thanh Hóa
        [4, "HTX <script>alert(1)</script>", "", "Xã Hoằng Lộc, Huyện Hoằng Hóa, Thanh Hóa", 9],
    ],
    [],
)


@pytest.fixture(scope="module")
def stored_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """An app whose database holds Đắk Lắk's cooperatives, written from the province's list."""
    url = f"sqlite:///{tmp_path_factory.mktemp('lists_stored') / 'app.db'}"
    init(get_engine(url))
    add_user(get_engine(url), SYSTEM, "quantri", PASSWORD, "admin", None, None)
    assert import_list(get_engine(url), DAK_LAK.name, DAK_LAK.data(), DAK_LAK.entity).written
    with app_server(url) as base:
        yield base, url


def shows_rows(page: Page, rows: list[str]) -> None:
    """The rows table shows these spreadsheet rows (its first column), read from the table the grid
    keeps for screen readers, once the grid has drawn them."""
    first = page.get_by_test_id("stDataFrame").first.locator("table[role=grid] tbody tr td:first-child")
    expect(first).to_have_text(rows, timeout=15_000)


def test_an_officer_decides_duplicates_and_a_commune_and_the_records_are_as_decided(
    stored_server: tuple[str, str], watched: Watched, tmp_path: Path
) -> None:
    base, url = stored_server
    with get_engine(url).connect() as conn:
        before = {c.code: (c.name, c.members) for c in conn.execute(sa.select(Cooperative)).all()}
    ea_tir = next(code for code, (name, _) in before.items() if name == "HTX Nông nghiệp Ea Tir")
    page = watched.page
    page.goto(base)
    signed_out(page)
    page.get_by_role("link", name="Đăng nhập").click()
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text("Đăng nhập: quantri")).to_be_visible(timeout=20_000)
    open_page(page, "Trao đổi dữ liệu")
    choose(page, page.get_by_label("Bản đồ", exact=True), "2025-01")
    path = tmp_path / ADDED.name
    path.write_bytes(ADDED.data())
    page.locator("input[type=file]").nth(1).set_input_files(str(path))
    settled(page)
    expect(page.get_by_text("Chưa ghi được: 3 dòng cần quyết định")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Ghi cả 4 dòng")).to_have_count(0)
    # the table is filtered to the rows that need a decision; all rows when the filter is off
    only = page.get_by_text("Chỉ các dòng cần quyết định")
    expect(page.get_by_role("switch", name="Chỉ các dòng cần quyết định")).to_be_checked()
    shows_rows(page, ["2", "3", "4"])
    only.click()
    settled(page)
    shows_rows(page, ["2", "3", "4", "5"])
    only.click()
    settled(page)
    shows_rows(page, ["2", "3", "4"])
    # the number stored under another name: that record or left out, never a new one
    number = page.get_by_role("radiogroup", name="Dòng 3 (HTX Sông Hinh) có thể trùng một bản ghi đã có")
    expect(number.get_by_text("Một bản ghi mới")).to_have_count(0)
    number.get_by_text("Chính là 6000123456 HTX Ea Ral").click()
    settled(page)
    letter = page.get_by_role("radiogroup", name="Dòng 2 (HTX Nông nghiệp Ea Tlr) có thể trùng một bản ghi đã có")
    letter.get_by_text("Một bản ghi mới").click()
    settled(page)
    choose(page, page.get_by_label("Dòng 4 (HTX Phú Sơn): xã nào?", exact=True), "14823")
    expect(page.get_by_text("Chưa ghi được")).to_have_count(0)  # nothing left to decide
    page.get_by_role("button", name="Ghi cả 4 dòng").click()
    expect(page.get_by_text("Đã ghi: 3 mới, 1 cập nhật, 0 không đổi")).to_be_visible(timeout=30_000)
    assert watched.dialogs == []  # the hostile name was shown, never run
    with get_engine(url).connect() as conn:
        after = {c.code: c for c in conn.execute(sa.select(Cooperative)).all()}
        comments = conn.execute(
            sa.select(ChangeLog.record_key, ChangeLog.action, ChangeLog.comment).where(
                ChangeLog.entity == "cooperatives", ChangeLog.comment == ADDED.name
            )
        ).all()
    added = {c.name: (c.commune_code, c.members) for code, c in after.items() if code not in before}
    assert added == {
        "HTX Nông nghiệp Ea Tlr": ("24207", 30),  # a new record beside HTX Nông nghiệp Ea Tir
        "HTX Phú Sơn": ("14823", 18),  # the commune picked: Phường Phú Sơn of Thị xã Bỉm Sơn
        "HTX <script>alert(1)</script>": ("15964", 9),
    }
    assert (after["6000123456"].name, after["6000123456"].members) == ("HTX Ea Ral", 55)  # name kept, members taken
    assert (after[ea_tir].name, after[ea_tir].members) == before[ea_tir]  # untouched
    assert {code: (c.name, c.members) for code, c in after.items() if code in before and code != "6000123456"} == {
        code: v for code, v in before.items() if code != "6000123456"
    }
    new_codes = {code for code in after if code not in before}
    assert {(key, action) for key, action, _ in comments} == {(c, "create") for c in new_codes} | {
        ("6000123456", "update")
    }  # the history names the list's file for every record it wrote
    assert watched.outside == []
