"""Small things that make an office doubt a system, in real headless Chromium on the province demo: the
cooperative's pages and the coverage page on a phone (390×844: nothing wider than the screen, no label
cut, no table of raw codes scrolling sideways), no English hint under a form, messages that start as
sentences, and the new-account form asking for the password again without calling it new."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import FIRST_RUN, PHONE, WAIT, ProvinceApp, Watched, readable, settled, shown, sign_in_as, signed_out

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(province_app: ProvinceApp) -> ProvinceApp:
    return province_app


# Every visible element of the page's main part that reaches past the screen's edges, and every text
# cut short: an element whose text is wider than its box while it hides the rest (an ellipsis, a clip).
MEASURE = """
() => {
  const width = document.documentElement.clientWidth;
  const main = document.querySelector('[data-testid="stMain"]');
  const wide = [], cut = [];
  for (const el of main.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    const name = (el.getAttribute('data-testid') || el.tagName) + '.' + (el.getAttribute('class') || '')
      + ': ' + (el.innerText || '').slice(0, 40);
    if (box.right > width + 1 || box.left < -1) {
      wide.push(name + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
    const hides = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
    if (hides && el.scrollWidth > el.clientWidth + 1 && (el.innerText || '').trim() && el.children.length <= 1
        && !['auto', 'scroll'].includes(style.overflowX)) {
      cut.push(name + ' ' + el.scrollWidth + '>' + el.clientWidth);
    }
  }
  const scrollers = [...main.querySelectorAll('.dvn-scroller')]
    .filter(s => s.scrollWidth > s.clientWidth + 1)
    .map(s => 'table ' + s.scrollWidth + '>' + s.clientWidth);
  return {page: document.documentElement.scrollWidth, width, wide, cut, scrollers};
}
"""


def measured(page: Page) -> dict[str, Any]:
    settled(page)
    page.mouse.wheel(0, 10_000)  # charts and tables below the fold are drawn too
    page.wait_for_timeout(800)
    return dict(page.evaluate(MEASURE))


def assert_fits(page: Page, where: str) -> None:
    found = measured(page)
    assert found["page"] <= found["width"], (where, found)
    assert found["wide"] == [], (where, found["wide"][:10])
    assert found["cut"] == [], (where, found["cut"][:10])
    assert found["scrollers"] == [], (where, found["scrollers"])


def test_the_cooperatives_pages_fit_a_phone(demo: ProvinceApp, phone: Watched) -> None:
    page = phone.page
    sign_in_as(page, demo, "htx.demo")
    assert_fits(page, "home")
    page.goto(f"{demo.base}/my_cooperative")
    settled(page)
    expect(page.get_by_role("tab").first).to_be_visible(timeout=WAIT)
    for tab in page.get_by_role("tab").all():
        tab.click()
        assert_fits(page, f"my cooperative, tab {tab.inner_text()}")


def test_the_coverage_page_fits_a_phone(demo: ProvinceApp, phone: Watched) -> None:
    page = phone.page
    sign_in_as(page, demo, "planner.tinh.demo")
    page.goto(f"{demo.base}/coverage")
    settled(page)
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=WAIT)
    assert_fits(page, "coverage")
    charts = page.locator("[data-testid='stVegaLiteChart'], .vega-embed").all()
    assert charts
    for chart in charts:
        box = chart.bounding_box()
        assert box is not None and box["width"] <= PHONE["width"], box


def test_no_english_hint_under_a_form_and_refusals_start_as_sentences(demo: ProvinceApp, watched: Watched) -> None:
    page = watched.page
    page.goto(demo.base)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=FIRST_RUN)
    signed_out(page)
    page.goto(f"{demo.base}/login")
    settled(page)
    page.get_by_label("Tên đăng nhập").fill("htx.demo", timeout=WAIT)
    page.get_by_label("Mật khẩu").fill("không-phải-mật-khẩu")  # the hint shows under the field being typed in
    page.wait_for_timeout(500)
    assert "Press Enter" not in readable(page)
    hints = page.get_by_test_id("InputInstructions")
    assert all(shown(h) == "Nhấn Enter để gửi" for h in hints.all())
    page.get_by_role("button", name="Đăng nhập").click()
    settled(page)
    expect(page.get_by_text(re.compile(r"^Sai tên đăng nhập hoặc mật khẩu"))).to_be_visible(timeout=WAIT)

    sign_in_as(page, demo, "htx.demo")  # the cooperative's own forms: Enter does not send them, and no hint says so
    page.goto(f"{demo.base}/my_cooperative")
    settled(page)
    name = page.get_by_test_id("stForm").first.get_by_label("Tên *", exact=True)
    name.click()
    name.press("End")
    name.type(" ")
    page.wait_for_timeout(500)
    assert "Press Enter" not in readable(page) and "Nhấn Enter" not in readable(page)

    sign_in_as(page, demo, "admin.demo")
    page.goto(f"{demo.base}/users")
    settled(page)
    page.get_by_text("Thêm người dùng").first.click()
    expect(page.get_by_label("Nhập lại mật khẩu", exact=True)).to_be_visible(timeout=WAIT)
    assert "Nhập lại mật khẩu mới" not in readable(page)  # a new account has no old password
    password = page.get_by_label("Mật khẩu", exact=True)
    password.fill("một-mật-khẩu-dài")  # a form Enter does not send: no hint, in no language
    page.wait_for_timeout(500)
    assert "Press Enter" not in readable(page) and "Nhấn Enter" not in readable(page)
    # A role, a state: alone in a cell or an option, each starts as a sentence does.
    expect(page.get_by_role("combobox", name="Vai trò").first).to_have_value("Cán bộ nông nghiệp")
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_contain_text("Quản trị viên")
    expect(table).to_contain_text("Đang dùng")

    # A search box outside a form: Enter applies it, and the hint says so in Vietnamese.
    for address, box in ((f"{demo.base}/users", "Tìm đơn vị theo tên"), (f"{demo.base}/coverage", None)):
        page.goto(address)
        settled(page)
        if box is None:  # the coverage page's search, named by its own label
            search = page.get_by_test_id("stTextInput").filter(visible=True).first.locator("input")
        else:
            page.get_by_text("Thêm người dùng").first.click()
            search = page.get_by_role("textbox", name=box)
        search.fill("buon ma")
        page.wait_for_timeout(500)
        hints = page.get_by_test_id("InputInstructions")
        expect(hints.first).to_be_visible(timeout=WAIT)
        assert [shown(h) for h in hints.all()] == ["Nhấn Enter để áp dụng"], address
        assert "Press Enter" not in readable(page), address
        search.press("Enter")
        settled(page)
    assert watched.outside == [] and watched.errors == []
