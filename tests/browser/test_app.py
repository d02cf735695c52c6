"""The app in real headless Chromium: sign-in per role, the offline graph, the verification round
trip reaching the coverage figure, and a cooperative kept to its own data. Screenshots go to docs/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from linkage import records
from linkage.accounts import SYSTEM, add_user
from linkage.catalog import init
from linkage.db import get_engine
from linkage.exchange import import_path

from ..test_coverage import FIXTURE
from .conftest import Watched

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "mật-khẩu-thử"
ACCOUNTS = {
    "admin": ("quantri", "admin", None, None),
    "planner": ("kehoach", "planner", "06", None),
    "officer": ("canbo058", "officer", "058", None),
    "cooperative": ("htx_c1", "cooperative", None, "C1"),
    "other_cooperative": ("htx_c5", "cooperative", None, "C5"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A real `streamlit run` of the app on a loopback port, on a database with the Bắc Kạn fixture."""
    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'app.db'}"
    engine = get_engine(url)
    init(engine)
    import_path(engine, FIXTURE)
    for username, role, unit, cooperative in ACCOUNTS.values():
        add_user(engine, SYSTEM, username, PASSWORD, role, unit, cooperative)
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "streamlit_app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        env={**os.environ, "LINKAGE_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as answer:
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    yield base, url
    process.terminate()
    process.wait(timeout=20)


def sign_in(page: Page, base: str, who: str) -> None:
    page.goto(base)
    page.get_by_role("link", name="Đăng nhập").click()
    page.get_by_label("Tên đăng nhập").fill(ACCOUNTS[who][0])
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text(f"Đăng nhập: {ACCOUNTS[who][0]}")).to_be_visible(timeout=20_000)


def open_page(page: Page, name: str) -> None:
    page.get_by_role("link", name=name).click()
    page.wait_for_load_state("networkidle")


def open_unit(page: Page, query: str, name: str) -> None:
    """The coverage page of one unit, found by a search typed without diacritics."""
    open_page(page, "Mức độ đạt chỉ tiêu")
    page.get_by_label("Tìm đơn vị").fill(query)
    page.get_by_label("Tìm đơn vị").press("Enter")
    page.get_by_role("button", name=name).first.click()
    expect(page.get_by_text(f"{name} tính đến")).to_be_visible(timeout=20_000)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(
    ("who", "pages"),
    [
        ("admin", ["Mức độ đạt chỉ tiêu", "Sơ đồ liên kết", "Xác nhận", "Trao đổi dữ liệu"]),
        ("planner", ["Mức độ đạt chỉ tiêu", "Sơ đồ liên kết", "Trao đổi dữ liệu"]),
        ("officer", ["Mức độ đạt chỉ tiêu", "Sơ đồ liên kết", "Xác nhận", "Trao đổi dữ liệu"]),
        ("cooperative", ["Mức độ đạt chỉ tiêu", "Hợp tác xã của tôi"]),
    ],
)
def test_each_role_signs_in_and_sees_its_pages(
    server: tuple[str, str], watched: Watched, who: str, pages: list[str]
) -> None:
    base, _ = server
    sign_in(watched.page, base, who)
    nav = watched.page.get_by_test_id("stSidebarNav")
    for name in ["Trang chủ", *pages]:
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    for name in {"Sơ đồ liên kết", "Xác nhận", "Trao đổi dữ liệu", "Hợp tác xã của tôi"} - set(pages):
        expect(nav.get_by_role("link", name=name)).to_have_count(0)
    assert watched.outside == []
    if who == "planner":
        shot(watched.page, "home")


def test_the_graph_page_draws_offline(server: tuple[str, str], watched: Watched) -> None:
    base, _ = server
    page = watched.page
    sign_in(page, base, "officer")
    open_page(page, "Sơ đồ liên kết")
    frame = page.frame_locator("iframe").first
    expect(frame.locator("body[data-stabilized=true]")).to_have_count(1, timeout=30_000)
    box = frame.locator("#graph canvas").bounding_box()
    assert box is not None and box["width"] > 300
    assert watched.outside == [] and watched.dialogs == []
    shot(page, "graph")


def test_a_cooperative_edit_verified_by_the_officer_moves_the_coverage_figure(
    server: tuple[str, str], watched: Watched, browser
) -> None:
    base, url = server
    page = watched.page
    sign_in(page, base, "cooperative")
    open_page(page, "Hợp tác xã của tôi")
    shot(page, "my_cooperative")
    page.get_by_label("Ngày giải thể").fill("01/06/2021")
    page.get_by_role("button", name="Lưu").first.click()
    expect(page.get_by_text("chờ cán bộ huyện xác nhận").first).to_be_visible(timeout=20_000)

    officer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(officer, base, "officer")
    open_unit(officer, "thanh pho bac kan", "Thành Phố Bắc Kạn")
    expect(officer.get_by_test_id("stMetricValue").first).to_have_text("0.0%", timeout=20_000)  # as reported
    officer.get_by_text("Chỉ số liệu đã xác nhận").click()
    expect(officer.get_by_test_id("stMetricValue").first).to_have_text("50.0%", timeout=20_000)
    open_page(officer, "Xác nhận")
    shot(officer, "verification")
    officer.get_by_role("button", name="Xác nhận").first.click()
    expect(officer.get_by_text("Không có thay đổi nào chờ xác nhận")).to_be_visible(timeout=20_000)
    open_unit(officer, "thanh pho bac kan", "Thành Phố Bắc Kạn")
    officer.get_by_text("Chỉ số liệu đã xác nhận").click()
    expect(officer.get_by_test_id("stMetricValue").first).to_have_text("0.0%", timeout=20_000)
    assert "unit=058" in officer.url  # the place is kept in the address, to share
    shot(officer, "coverage")
    officer.context.close()
    assert records.read(get_engine(url), SYSTEM, "cooperatives", "C1").review_status is None


def test_a_cooperative_cannot_reach_another_cooperatives_data(server: tuple[str, str], watched: Watched) -> None:
    base, _ = server
    page = watched.page
    sign_in(page, base, "other_cooperative")
    open_page(page, "Hợp tác xã của tôi")
    expect(page.get_by_label("Tên *").first).to_have_value("HTX Phúc Lộc", timeout=20_000)
    expect(page.get_by_text("HTX Dương Quang")).to_have_count(0)
    # Typing the address of an officer's page, or another page with a cooperative's code, opens no data:
    # a new address is a new session that has to sign in, and no page takes a record code from the URL.
    for path in ("verification", "exchange", "graph", "my_cooperative?code=C1", "coverage?unit=058"):
        page.goto(f"{base}/{path}")
        page.wait_for_load_state("networkidle")
        expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Xác nhận")).to_have_count(0)
        expect(page.get_by_text("HTX Dương Quang")).to_have_count(0)
        expect(page.get_by_text("Thay đổi chờ xác nhận")).to_have_count(0)


def test_an_officer_uploads_files_sees_every_problem_then_commits_a_valid_one(
    server: tuple[str, str], watched: Watched, tmp_path: Path
) -> None:
    base, url = server
    page = watched.page
    sign_in(page, base, "officer")
    open_page(page, "Trao đổi dữ liệu")
    bad = tmp_path / "cooperatives.csv"
    bad.write_text(
        "code,name,commune_code,established_on\nK70,HTX Bảy Mươi,01849,31/02/2024\nK71,HTX Ngoài,01891,\n",
        encoding="utf-8",
    )
    page.locator("input[type=file]").set_input_files(str(bad))
    expect(page.get_by_text("Chưa ghi được gì: cần sửa 2 lỗi.")).to_be_visible(timeout=20_000)
    shot(page, "exchange")
    good = tmp_path / "good" / "cooperatives.csv"
    good.parent.mkdir()
    good.write_text("code,name,commune_code\nK72,HTX Nông Thượng Mới,01852\n", encoding="utf-8")
    sign_in(page, base, "officer")  # a fresh session: the uploader starts empty
    open_page(page, "Trao đổi dữ liệu")
    page.locator("input[type=file]").set_input_files(str(good))
    page.get_by_role("button", name="Ghi vào cơ sở dữ liệu").click()
    expect(page.get_by_text("1 new").or_(page.get_by_text("1 mới"))).to_be_visible(timeout=20_000)
    assert records.read(get_engine(url), SYSTEM, "cooperatives", "K72").values["name"] == "HTX Nông Thượng Mới"
