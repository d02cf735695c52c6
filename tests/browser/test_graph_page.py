"""The graph page in real Chromium: a click on a node picks its record, a pick that leaves the view is
cleared with a note, and a link to a graph opens the same graph, also after a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Frame, Page, expect

from .conftest import Watched, fill_sign_in, open_page, settled, sign_in, signed_out, url_with

pytestmark = pytest.mark.browser


def drawing(page: Page) -> Frame:
    """The graph's frame, once its layout has settled."""
    handle = page.locator("iframe").first.element_handle(timeout=30_000)
    frame = handle.content_frame()
    assert frame is not None
    expect(frame.locator("body[data-stabilized=true]")).to_have_count(1, timeout=30_000)
    return frame


def click_node(page: Page, node: str) -> None:
    """Click where the drawing shows `node` (vis-network's own coordinates, as a user would aim)."""
    frame = drawing(page)
    frame.locator("#graph").scroll_into_view_if_needed()
    canvas = frame.locator("#graph canvas").bounding_box()
    assert canvas is not None
    point = frame.evaluate(
        "id => { const n = window.linkageNetwork; return n.canvasToDOM(n.getPositions([id])[id]); }", node
    )
    page.mouse.click(canvas["x"] + point["x"], canvas["y"] + point["y"])
    settled(page)


def test_a_click_on_a_node_shows_its_record_below_the_drawing(server: tuple[str, str], watched: Watched) -> None:
    base, _ = server
    page = watched.page
    sign_in(page, base, "officer")
    open_page(page, "Sơ đồ liên kết")
    drawing(page).evaluate("() => { window.drawnOnce = true; }")
    click_node(page, "linkage:L1")
    expect(page.get_by_role("heading", name="liên kết: Chuỗi lúa Dương Quang")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Các bên liên kết")).to_be_visible()
    expect(page).to_have_url(url_with("pick=linkage%3AL1"))
    assert drawing(page).evaluate("() => window.drawnOnce") is True  # the same drawing: not laid out again
    click_node(page, "buyer:B1")  # the drawing is still there, and a second click picks another record
    expect(page.get_by_role("heading", name="bên mua: Công ty CP Nông sản Bắc Kạn")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("heading", name="liên kết: Chuỗi lúa Dương Quang")).to_have_count(0)
    page.go_back()  # the browser's back button returns to the previous pick
    expect(page.get_by_role("heading", name="liên kết: Chuỗi lúa Dương Quang")).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert watched.outside == [] and watched.errors == [] and watched.dialogs == []


def test_a_district_view_loads_vis_network_from_the_app_not_inlined_and_nothing_from_outside(
    server: tuple[str, str], watched: Watched
) -> None:
    base, _ = server
    page = watched.page
    sign_in(page, base, "officer")
    open_page(page, "Sơ đồ liên kết")
    drawing(page)  # drawn and settled: the library the frame names did load and run
    document = page.locator("iframe").first.get_attribute("srcdoc")
    assert document is not None and "vis.Network(" in document
    assert len(document.encode()) < 100_000  # it was over 690 KB with the library inlined
    served = sorted({url.split("?")[0] for url in watched.requests if "/app/static/" in url})
    assert served == [
        f"{base}/app/static/vis-network-9.1.2.css",
        f"{base}/app/static/vis-network-9.1.2.min.js",
    ]
    assert watched.outside == [] and watched.errors == []


def test_a_buyer_picked_in_a_list_then_dated_out_of_the_graph_is_cleared_with_a_note(
    server: tuple[str, str], watched: Watched
) -> None:
    base, _ = server
    page = watched.page
    sign_in(page, base, "officer")
    open_page(page, "Sơ đồ liên kết")
    page.get_by_test_id("stExpander").get_by_text("Cần xử lý").click()  # the lists, under the drawing
    page.get_by_role("tab", name="Phụ thuộc bên mua").click()
    grid = page.get_by_test_id("stDataFrame").filter(visible=True).first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 18)  # the selection box of the first row: B1
    expect(page.get_by_role("heading", name="bên mua: Công ty CP Nông sản Bắc Kạn")).to_be_visible(timeout=20_000)
    page.get_by_role("spinbutton", name="day, Tính đến ngày").click()
    page.keyboard.type("01012019")  # day, month, year: the field moves on by itself
    page.keyboard.press("Escape")
    page.get_by_role("heading", name="Sơ đồ liên kết").click()  # leaving the field commits the date
    expect(page.get_by_text("bên mua B1 không còn trong sơ đồ này")).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"^(?!.*pick=).*as_of=2019-01-01"))  # the address follows the run
    assert watched.outside == [] and watched.errors == []


def test_a_graph_link_opens_the_same_graph_and_survives_a_reload(server: tuple[str, str], watched: Watched) -> None:
    base, _ = server
    page = watched.page
    # A first session signs in from the home page: a deep link as the server's very first request is
    # the navigation, tested there.
    sign_in(page, base, "planner")
    signed_out(page)  # the link is opened by a browser that is not signed in
    # The link as the page writes it (`graph_view.write_address`): the map, and the code at full width.
    link = f"{base}/graph?map=2025-01&unit=061&as_of=2023-06-29&product=TEA&pick=linkage:L4"
    # A shared link, then F5 (the sign-in is kept). `page.reload` makes a new bound method at every
    # access, so "is it the reload?" is asked by a flag, never by `visit is not page.reload`.
    for shared_link, visit in ((True, lambda: page.goto(link)), (False, page.reload)):
        visit()
        if shared_link:
            fill_sign_in(page, "planner")
        settled(page)
        if not shared_link:
            expect(page.get_by_label("Mật khẩu")).to_have_count(0)  # not asked to sign in again
        expect(drawing(page).locator("h1")).to_have_text("Huyện Ba Bể — tính đến 29/06/2023", timeout=20_000)
        for part, value in (("day", "29"), ("month", "6"), ("year", "2023")):
            spin = page.get_by_role("spinbutton", name=f"{part}, Tính đến ngày")
            expect(spin).to_have_attribute("aria-valuenow", value)
        expect(page.get_by_text("Chè", exact=True)).to_be_visible()  # the product filter's chip
        expect(page.get_by_role("heading", name="liên kết: Chuỗi chè Phúc Lộc")).to_be_visible()
        # the link's own address (signed in there, the page runs in place), `:` written either way
        expect(page).to_have_url(re.compile(r"unit=061&as_of=2023-06-29&product=TEA&pick=linkage(:|%3A)L4$"))
        expect(page.get_by_test_id("stException")).to_have_count(0)
    # The same link typed by hand without the leading zeros: `61` is district 061 and commune 00061 of
    # 2025-01 (`typed_codes.read_code`), so the page guesses neither and says why.
    page.goto(f"{base}/graph?unit=61&as_of=2023-06-29")
    settled(page)
    warning = page.get_by_test_id("stAlert").filter(has_text="thiếu các số 0 ở đầu")
    expect(warning).to_contain_text("Huyện Ba Bể", timeout=20_000)
    expect(warning).to_contain_text("Phường Hàng Bạc")
    expect(page.get_by_role("button", name=re.compile("Phường Hàng Bạc"))).to_have_count(0)  # no graph of its own
    page.get_by_role("button", name="Huyện Ba Bể, Tỉnh Bắc Kạn (061, 2025-01)").click()  # the reading meant
    settled(page)
    expect(drawing(page).locator("h1")).to_have_text("Huyện Ba Bể — tính đến 29/06/2023", timeout=20_000)
    expect(page).to_have_url(re.compile(r"map=2025-01&unit=061&as_of=2023-06-29"))
    assert watched.outside == [] and watched.errors == []


def test_a_province_is_drawn_as_its_districts_and_a_click_on_one_opens_its_graph(
    server: tuple[str, str], watched: Watched
) -> None:
    base, _ = server
    page = watched.page
    sign_in(page, base, "planner")
    open_page(page, "Sơ đồ liên kết")  # a province planner's first unit: the province
    frame = drawing(page)
    expect(frame.locator("h1")).to_contain_text("Tỉnh Bắc Kạn")
    drawn = frame.evaluate("() => window.linkageNetwork.body.data.nodes.getIds().sort()")
    assert [n for n in drawn if n.startswith("district:")] == [
        f"district:{code}" for code in ("058", "060", "061", "062", "063", "064", "065", "066")
    ]
    assert "buyer:B1" in drawn and not any(n.startswith(("linkage:", "cooperative:")) for n in drawn)
    click_node(page, "district:061")
    expect(drawing(page).locator("h1")).to_contain_text("Huyện Ba Bể", timeout=20_000)
    expect(page).to_have_url(url_with("unit=061"))
    assert "linkage:L3" in drawing(page).evaluate("() => window.linkageNetwork.body.data.nodes.getIds()")
    page.go_back()  # back to the province's overview
    expect(drawing(page).locator("h1")).to_contain_text("Tỉnh Bắc Kạn", timeout=20_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert watched.outside == [] and watched.errors == [] and watched.dialogs == []


def test_on_the_map_the_page_draws_the_graph_on_the_ground_and_a_click_still_picks(
    server: tuple[str, str], watched: Watched
) -> None:
    base, _ = server
    page = watched.page
    sign_in(page, base, "officer")
    open_page(page, "Sơ đồ liên kết")
    page.get_by_text("Trên bản đồ").click()
    settled(page)
    frame = drawing(page)
    assert frame.evaluate("() => window.linkageNetwork.physics.options.enabled") is False
    expect(page).to_have_url(url_with("layout=map"))
    click_node(page, "linkage:L1")
    expect(page.get_by_role("heading", name="liên kết: Chuỗi lúa Dương Quang")).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert watched.outside == [] and watched.errors == [] and watched.dialogs == []
