"""The coverage map in real Chromium: it appears with its description, a hover names the unit and its
figures in the user's language, a click opens the unit, and no request leaves the machine (every
request to another host is made to fail, and recorded)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Locator, Page, Route, expect

from .conftest import LOCAL, Watched, settled, sign_in, url_with

pytestmark = pytest.mark.browser


def refuse_the_world(page: Page) -> list[str]:
    """Let loopback requests through, make every other one fail; returns the list of those tried."""
    tried: list[str] = []

    def handle(route: Route) -> None:
        parsed = urlparse(route.request.url)
        if (
            parsed.scheme in ("data", "blob", "about")
            or parsed.hostname in LOCAL
            or (parsed.hostname or "").startswith("127.")
        ):
            route.continue_()
        else:
            tried.append(route.request.url)
            route.abort()

    page.route("**/*", handle)
    return tried


def the_map(page: Page, words: str) -> Locator:
    """The map: the chart whose accessible name is the map's description (`Bản đồ …`, `Map of …`)."""
    chart = page.locator(f"[data-testid='stVegaLiteChart'][aria-label^='{words}']")
    expect(chart).to_have_count(1, timeout=20_000)
    return chart


def hover(page: Page, chart: Locator, name: str) -> str:
    """Hover the mark of the unit `name`; the tooltip's text."""
    chart.locator(f"[role='graphics-symbol'][aria-label*='{name};']").first.hover()
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_be_visible(timeout=5_000)
    return tooltip.inner_text()


def test_the_map_appears_hovers_in_both_languages_and_stays_offline(server: tuple[str, str], watched: Watched) -> None:
    base, _ = server
    page = watched.page
    tried = refuse_the_world(page)
    sign_in(page, base, "planner")
    page.goto(f"{base}/coverage?map=2025-01&unit=058")  # a district: its communes, few enough to scan
    settled(page)
    expect(page.get_by_text(re.compile(r"^Bản đồ Xã có hợp tác xã tại Thành Phố Bắc Kạn ngày"))).to_be_visible(
        timeout=20_000
    )
    chart = the_map(page, "Bản đồ Xã có hợp tác xã tại Thành Phố Bắc Kạn")
    assert "bản đồ 2025-01: 8 xã" in str(chart.get_attribute("aria-label"))
    text = hover(page, chart, "Xã Dương Quang")
    assert "Xã Dương Quang" in text and "Tình trạng" in text and "hợp tác xã đang hoạt động" in text
    text = hover(page, chart, "Phường Sông Cầu")
    assert "Không phải xã (không tính)" in text
    page.get_by_test_id("stSidebar").get_by_text("English").click()
    settled(page)
    chart = the_map(page, "Map of Communes with a cooperative in Thành Phố Bắc Kạn")
    text = hover(page, chart, "Xã Dương Quang")
    assert "Status" in text and "active cooperative" in text
    # A click on a commune opens it, as the ranking's bars and the tables do (a province of today's map).
    page.goto(f"{base}/coverage?map=2025-07&unit=19")
    settled(page)
    chart = the_map(page, "Map of ")
    assert "Tỉnh Thái Nguyên" in str(chart.get_attribute("aria-label"))
    chart.locator("[role='graphics-symbol'][aria-label*='Xã Bằng Thành;']").first.click()
    settled(page)
    expect(page.get_by_role("heading", name=re.compile(r"^Xã Bằng Thành on "))).to_be_visible(timeout=20_000)
    expect(page).to_have_url(url_with("unit=01864"))
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert tried == [] and watched.outside == []
    assert json.dumps(watched.errors) == "[]"
