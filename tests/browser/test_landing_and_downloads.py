"""Each role lands on its own unit, and the coverage download carries every figure the page shows: real
headless Chromium on the province demo (Đắk Lắk), one server for the module. The figures expected are
read from `linkage coverage --format json` (another process, the command line's answer) and from the
package's maps, never from the page's own code."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from linkage.accounts.demo_accounts import DemoAccount, create_demo_accounts
from linkage.demo import generate
from linkage.records.catalog import init
from linkage.store.db import get_engine

from .conftest import Watched, app_server, cli_coverage, settled, signed_out, url_with

pytestmark = pytest.mark.browser
FIRST_RUN = 90_000  # ms: the first run after a start imports everything, on a busy machine too
WAIT = 30_000
WORDS = {
    "Xã có hợp tác xã": "communes_with_cooperative",
    "Huyện có liên kết sản phẩm chủ lực": "districts_with_key_product_linkage",
    "Liên kết vùng nguyên liệu ứng dụng công nghệ số": "raw_material_linkages_with_digital_tech",
}


def districts_of(province: str) -> set[str]:
    """The province's districts with a rural commune, from the package's January 2025 list."""
    from vietnam_provinces import legacy

    rural = {f"{int(w.district_code):03d}" for w in legacy.Ward.iter_all() if w.name.startswith("Xã ")}
    return {
        f"{int(d.code):03d}"
        for d in legacy.District.iter_all()
        if f"{int(d.province_code):02d}" == province and f"{int(d.code):03d}" in rural
    }


class Demo:
    def __init__(self, url: str, base: str, accounts: dict[str, DemoAccount]) -> None:
        self.url, self.base, self.accounts = url, base, accounts

    def coverage(self, day: date, on: str) -> dict[tuple[str, str, str], dict[str, Any]]:
        """`linkage coverage --format json` for a date and a map, by (indicator, level, unit code)."""
        return cli_coverage(self.url, day, on)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    url = f"sqlite:///{tmp_path_factory.mktemp('landing') / 'demo.db'}"
    engine = get_engine(url)
    init(engine)
    generate(engine, scale="province", seed=1)
    accounts = {a.username: a for a in create_demo_accounts(engine)}
    engine.dispose()
    with app_server(url) as base:
        yield Demo(url, base, accounts)


def sign_in(page: Page, demo: Demo, username: str) -> None:
    page.goto(demo.base)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=FIRST_RUN)
    signed_out(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Đăng nhập").click()
    settled(page)
    page.get_by_label("Tên đăng nhập").fill(username, timeout=WAIT)
    page.get_by_label("Mật khẩu").fill(demo.accounts[username].password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text(f"Đăng nhập: {username}")).to_be_visible(timeout=WAIT)
    settled(page)


def visit(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    settled(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def cards(page: Page) -> dict[str, str]:
    """The page's indicator cards: name → the value shown (`61,5%`), the first card of each name (the
    unit's own, before its province's on a commune's home page). Waits for the cards to be drawn: a
    page that has settled may still be drawing on a loaded machine."""
    expect(page.get_by_test_id("stMetricValue").first).to_be_visible(timeout=WAIT)
    found: dict[str, str] = {}
    for metric in page.get_by_test_id("stMetric").all():
        label = metric.get_by_test_id("stMetricLabel").inner_text().strip()
        found.setdefault(label, metric.get_by_test_id("stMetricValue").inner_text().strip())
    return found


def shown(numerator: int, denominator: int) -> str:
    """A share as the page and the CSV write it in Vietnamese: one decimal, a decimal comma."""
    return f"{numerator / denominator:.1%}".replace(".", ",") if denominator else "—"


def download(page: Page, label: str) -> bytes:
    with page.expect_download(timeout=WAIT) as started:
        page.get_by_role("button", name=label).click()
    path = started.value.path()
    return Path(path).read_bytes()


def quiet(watched: Watched) -> None:
    expect(watched.page.get_by_test_id("stException")).to_have_count(0)
    assert watched.outside == [], watched.outside
    assert watched.errors == [] and watched.dialogs == [], (watched.errors, watched.dialogs)


def test_a_provinces_download_holds_its_own_row_every_indicator_the_date_and_the_map(
    demo: Demo, watched: Watched
) -> None:
    page = watched.page
    planner = demo.accounts["planner.demo"]  # Đắk Lắk on the map of 2025-01
    sign_in(page, demo, planner.username)
    visit(page, "Mức độ đạt chỉ tiêu")
    expect(page.get_by_text("tính đến", exact=False).first).to_be_visible(timeout=WAIT)
    on_page = cards(page)
    truth = demo.coverage(date.today(), "2025-01")
    assert len(on_page) == 3, on_page  # the province's three cards, the key-product one among them

    text = download(page, "Tải CSV").decode("utf-8-sig")
    read = list(csv.DictReader(io.StringIO(text)))
    own = [r for r in read if r["Mã đơn vị"] == planner.scope and r["Cấp"] == "Tỉnh"]
    assert sorted(r["Chỉ tiêu"] for r in own) == sorted(WORDS), own
    for row in read:
        assert (row["Tính đến ngày"], row["Bản đồ hành chính"]) == (date.today().strftime("%d/%m/%Y"), "2025-01")
        level = {"Tỉnh": "province", "Huyện": "district"}[row["Cấp"]]
        figures = truth[(WORDS[row["Chỉ tiêu"]], level, row["Mã đơn vị"])]
        assert (int(row["Số đạt"]), int(row["Trên tổng số"])) == (figures["numerator"], figures["denominator"])
        assert row["Tỷ lệ"] == (shown(int(row["Số đạt"]), int(row["Trên tổng số"])) if figures["denominator"] else "")
    for row in own:  # the file's province rows are the page's cards
        assert on_page[row["Chỉ tiêu"]] == row["Tỷ lệ"], (on_page, row)
    assert {r["Mã đơn vị"] for r in read if r["Cấp"] == "Huyện"} == districts_of(planner.scope)

    book = openpyxl.load_workbook(io.BytesIO(download(page, "Tải Excel"))).active
    assert book is not None
    header = [c.value for c in book[1]]
    ratio = header.index("Tỷ lệ") + 1
    assert [c.value for c in book[1]][:2] == ["Tính đến ngày", "Bản đồ hành chính"]
    assert len(list(book.iter_rows(min_row=2))) == len(read)
    for row in book.iter_rows(min_row=2):
        assert row[ratio - 1].number_format == "0.0%"
        assert row[1].value == "2025-01"
    assert (book.column_dimensions["C"].width or 0) >= 40  # the indicator names are read, not cut
    quiet(watched)


def test_a_new_provinces_download_names_its_levels_in_words(demo: Demo, watched: Watched) -> None:
    page = watched.page
    planner = demo.accounts["planner.tinh.demo"]  # the province of 2025-07 that took in Đắk Lắk
    sign_in(page, demo, planner.username)
    visit(page, "Mức độ đạt chỉ tiêu")
    text = download(page, "Tải CSV").decode("utf-8-sig")
    read = list(csv.DictReader(io.StringIO(text)))
    assert {r["Cấp"] for r in read} == {"Tỉnh", "Xã"}  # never a message key such as choice.commune
    assert "map" not in text.splitlines()[0].split(",")
    truth = demo.coverage(date.today(), "2025-07")
    for row in read:
        level = {"Tỉnh": "province", "Xã": "commune"}[row["Cấp"]]
        figures = truth[(WORDS[row["Chỉ tiêu"]], level, row["Mã đơn vị"])]
        assert (int(row["Số đạt"]), int(row["Trên tổng số"])) == (figures["numerator"], figures["denominator"])
    own = {r["Chỉ tiêu"]: r["Tỷ lệ"] for r in read if r["Cấp"] == "Tỉnh"}
    assert own == cards(page)
    quiet(watched)


def test_each_role_lands_on_its_own_unit(demo: Demo, watched: Watched) -> None:
    """The home page shows the figures of the account's own unit, not the country's."""
    page = watched.page
    for username, name, level, on in (
        ("planner.demo", "Tỉnh Đắk Lắk", "province", "2025-01"),
        ("planner.tinh.demo", "Tỉnh Đắk Lắk", "province", "2025-07"),
        ("officer.xa.demo", None, "commune", "2025-07"),
    ):
        account = demo.accounts[username]
        sign_in(page, demo, username)
        truth = demo.coverage(date.today(), on)
        mine = {k: r for k, r in truth.items() if k[1] == level and k[2] == account.scope}
        assert mine, (username, account.scope)
        unit_name = name or str(next(iter(mine.values()))["unit_name"])
        heading = page.get_by_role("heading", name=f"{unit_name} tính đến {date.today().strftime('%d/%m/%Y')}")
        expect(heading.first).to_be_visible(timeout=WAIT)
        expect(page.get_by_text("Toàn quốc tính đến")).to_have_count(0)
        values = cards(page)
        for (indicator, _, _), row in mine.items():
            label = next(w for w, i in WORDS.items() if i == indicator)
            assert values.get(label) == shown(int(row["numerator"]), int(row["denominator"])), (username, label)
    quiet(watched)


def assert_area(
    values: dict[str, str], truth: dict[tuple[str, str, str], dict[str, Any]], olds: dict[str, str]
) -> None:
    """The cards are the old provinces' figures added up."""
    for indicator in WORDS.values():
        rows = [truth[(indicator, "province", code)] for code in olds]
        numerator = sum(int(str(r["numerator"])) for r in rows)
        denominator = sum(int(str(r["denominator"])) for r in rows)
        label = next(w for w, i in WORDS.items() if i == indicator)
        assert values[label] == shown(numerator, denominator), (label, values)


def test_the_end_of_period_scorecard_of_a_new_province_opens_on_the_old_provinces_it_took_in(
    demo: Demo, watched: Watched
) -> None:
    page = watched.page
    planner = demo.accounts["planner.tinh.demo"]
    sign_in(page, demo, planner.username)
    visit(page, "Mức độ đạt chỉ tiêu")
    page.get_by_role("button", name="Kết quả cuối kỳ của chương trình (31/12/2025, bản đồ 2025-01)").click()
    settled(page)
    truth = demo.coverage(date(2025, 12, 31), "2025-01")
    olds = {"66": "Tỉnh Đắk Lắk", "54": "Tỉnh Phú Yên"}  # Resolution 202/2025/QH15: Phú Yên went into Đắk Lắk
    expect(page.get_by_text("Tỉnh Phú Yên").first).to_be_visible(timeout=WAIT)
    assert_area(cards(page), truth, olds)
    text = download(page, "Tải CSV").decode("utf-8-sig")
    read = list(csv.DictReader(io.StringIO(text)))
    each = {(r["Mã đơn vị"], r["Đơn vị"]) for r in read if r["Đơn vị"] in olds.values()}
    assert each == set(olds.items())  # and each of them on its own
    assert {r["Tính đến ngày"] for r in read} == {"31/12/2025"} and {r["Bản đồ hành chính"] for r in read} == {
        "2025-01"
    }
    expect(page).to_have_url(url_with("unit_map=2025-07"))
    page.reload()  # the address keeps the area, not the old province of the same code (the date is today's again)
    settled(page)
    expect(page.get_by_text("Tỉnh Phú Yên").first).to_be_visible(timeout=WAIT)
    assert_area(cards(page), demo.coverage(date.today(), "2025-01"), olds)
    quiet(watched)
