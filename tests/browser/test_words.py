"""Streamlit's own words as a Vietnamese officer sees them in Chromium: the uploader, the filters'
lists and the menu show no English, and every page's readable text holds none of Streamlit's
English phrases."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import Watched, open_page, readable, settled, shown, sign_in

pytestmark = pytest.mark.browser

# Streamlit 1.67's English texts that a user could read in this app's pages.
ENGLISH = ["Select all", "Upload", "per file", "Ask Google", "Ask ChatGPT", "No results", "Choose an option", "Record"]


def test_the_uploader_reads_in_vietnamese(server: tuple[str, str], watched: Watched) -> None:
    base, _ = server
    page = watched.page
    sign_in(page, base, "officer")
    open_page(page, "Trao đổi dữ liệu")
    zones = page.get_by_test_id("stFileUploaderDropzone")
    expect(zones).to_have_count(2)  # the exchange files and the office lists: each reads in Vietnamese
    for zone in zones.all():
        assert shown(zone.get_by_role("button").locator("p")) == "Chọn tệp"
        assert (
            shown(zone.get_by_test_id("stFileUploaderDropzoneInstructions").locator("span")) == "Tối đa 40 MB mỗi tệp"
        )
    text = readable(page)
    assert not [w for w in ENGLISH if w in text], text


def test_the_graph_filters_list_no_english(server: tuple[str, str], watched: Watched) -> None:
    base, _ = server
    page = watched.page
    sign_in(page, base, "officer")
    open_page(page, "Sơ đồ liên kết")
    products = page.get_by_test_id("stMultiSelect").first.locator("input")
    products.click()
    expect(page.get_by_role("option").first).to_be_visible()
    options = page.get_by_role("option").all_inner_texts()
    assert len(options) > 1 and "Select all" not in options
    products.fill("không có sản phẩm này")
    nothing = page.get_by_test_id("stMultiSelectDropdown").get_by_role("option").locator("span")
    assert shown(nothing) == "Không tìm thấy"
    assert not [w for w in ENGLISH if w in readable(page)]


@pytest.mark.parametrize("name", ["Trang chủ", "Mức độ đạt chỉ tiêu", "Sơ đồ liên kết", "Xác nhận"])
def test_an_officers_page_has_no_english_of_streamlits_and_no_menu(
    server: tuple[str, str], watched: Watched, name: str
) -> None:
    base, _ = server
    page = watched.page
    sign_in(page, base, "officer")
    open_page(page, name)
    settled(page)
    text = readable(page)
    assert not [w for w in ENGLISH if w in text], text
    expect(page.get_by_test_id("stMainMenu")).to_be_hidden()  # "Print", "Record screen", theme names


def test_a_cooperative_finds_a_commune_by_typing_its_name_or_code(server: tuple[str, str], watched: Watched) -> None:
    base, _ = server
    page = watched.page
    sign_in(page, base, "cooperative")
    open_page(page, "Hợp tác xã của tôi")
    page.get_by_role("tab", name="Thành viên").click()
    # today's commune first, chosen among the communes of the cooperative's province of 2025-07 (Bắc Kạn
    # went whole into Thái Nguyên; Xã Nông Thượng into Phường Bắc Kạn, 01843)
    field = page.get_by_test_id("stSelectbox").filter(visible=True).filter(has_text="Xã, phường (bản đồ từ 01/07/2025)")
    commune = field.last.locator("input")
    bac_kan = "Phường Bắc Kạn — Tỉnh Thái Nguyên (01843)"
    for typed in ("Phường Bắc Kạn", "1843"):
        commune.fill(typed)
        expect(page.get_by_role("option").first).to_be_visible()
        assert bac_kan in page.get_by_role("option").all_inner_texts()
    commune.fill("Hà Nội")  # another province's communes are not offered
    nothing = page.get_by_test_id("stSelectboxVirtualDropdown").get_by_role("option").locator("span")
    assert shown(nothing) == "Không tìm thấy"
