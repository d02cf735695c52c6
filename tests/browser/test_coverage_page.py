"""The coverage page of a district with no rural commune, in real Chromium on a freshly started server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import Watched, fill_sign_in, sign_in, signed_out, url_with

pytestmark = pytest.mark.browser


def test_a_link_to_a_wholly_urban_district_shows_its_linkages_and_its_provinces_figures(
    server: tuple[str, str], watched: Watched
) -> None:
    base, _ = server
    page = watched.page
    # A first session signs in from the home page: a deep link as the server's very first request is
    # Streamlit's own page menu, tested with the navigation.
    sign_in(page, base, "planner")
    signed_out(page)  # the shared link is opened by a browser that is not signed in
    page.goto(f"{base}/coverage?map=2025-01&unit=001")  # a unit of the map before the reform
    fill_sign_in(page, "planner")
    expect(page.get_by_text("Quận Ba Đình tính đến")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Quận Ba Đình không có xã nông thôn nào")).to_be_visible()
    expect(page.get_by_text("1 liên kết đang hoạt động")).to_be_visible()
    expect(page.get_by_text("Số liệu của Thành phố Hà Nội", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMetric")).to_have_count(3)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page).to_have_url(url_with("unit=001"))
    # The two elements that draw nothing (the cookie request, the prefetcher) take no room in the sidebar.
    for key in ("session_cookie", "prefetch"):
        drawn = page.locator(f'[data-testid="stSidebar"] .st-key-{key}')
        expect(drawn).to_have_count(1)
        assert drawn.evaluate("e => getComputedStyle(e).display") == "none", key
    page.reload()  # a reload keeps the sign-in (the hidden cookie request did its work): the same district
    expect(page.get_by_text("Quận Ba Đình tính đến")).to_be_visible(timeout=20_000)
    expect(page.get_by_label("Mật khẩu")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert watched.outside == [] and watched.errors == []
