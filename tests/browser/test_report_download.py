"""The coverage page's report download in real Chromium: a click gives a Word file of the unit, date and
map the page shows, with the figures of its cards, and nothing is fetched from outside."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from linkage.counting.coverage import coverage
from linkage.counting.indicators import json_rows
from linkage.geo.maps import OLD_MAP, Unit
from linkage.store.db import get_engine

from ..report_reading import check_against, read
from .conftest import Watched, fill_sign_in, settled, sign_in, signed_out

pytestmark = pytest.mark.browser
BAC_KAN_DISTRICTS = {"058", "060", "061", "062", "063", "064", "065", "066"}


def test_the_report_button_downloads_the_units_figures_as_a_word_file(
    server: tuple[str, str], watched: Watched, tmp_path: Path
) -> None:
    base, url = server
    page = watched.page
    opened = date.today()  # the page's date is today's when it opens; midnight may pass before the download
    sign_in(page, base, "planner")
    signed_out(page)
    page.goto(f"{base}/coverage?map=2025-01&unit=06")
    fill_sign_in(page, "planner")
    expect(page.get_by_text("Tỉnh Bắc Kạn tính đến")).to_be_visible(timeout=20_000)
    settled(page)
    button = page.get_by_role("button", name="Tải báo cáo (Word)")
    expect(button).to_be_enabled()
    with page.expect_download(timeout=60_000) as started:
        button.click()
    download = started.value
    names = {f"bao-cao-2025-01-06-{day.isoformat()}.docx": day for day in (opened, date.today())}
    assert download.suggested_filename in names
    today = names[download.suggested_filename]
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    found = read(saved.read_bytes())
    assert f"Tỉnh Bắc Kạn tính đến ngày {today:%d/%m/%Y} (bản đồ hành chính 2025-01)" in found.text
    rows = json_rows(coverage(get_engine(url), today, map_name=OLD_MAP))
    assert check_against(found, "vi", rows, Unit(OLD_MAP, "province", "06"), BAC_KAN_DISTRICTS) == 3 + 8 * 2
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert watched.outside == [] and watched.errors == []
