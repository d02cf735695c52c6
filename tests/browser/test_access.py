"""Access in real headless Chromium: the navigation holds from the first request after a start,
a disabled account is signed out at its next click, passwords change through the app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from linkage.accounts.users import SYSTEM, Actor, add_user, set_disabled
from linkage.records import forms
from linkage.records.catalog import init
from linkage.records.history import pending
from linkage.records.importing import import_path
from linkage.store.db import get_engine

from ..documented import block
from ..helpers import FIXTURE
from .conftest import (
    ACCOUNTS,
    PASSWORD,
    ROOT,
    VERIFIER,
    Watched,
    add_verifier,
    app_server,
    fill_sign_in,
    free_port,
    open_page,
    settled,
    sign_in,
    wait_healthy,
)

pytestmark = pytest.mark.browser
FIRST_RUN = 90_000  # ms: the first run after a start imports everything, on a busy machine too


def fresh_database(folder: Path) -> str:
    url = f"sqlite:///{folder / 'app.db'}"
    engine = get_engine(url)
    init(engine)
    import_path(engine, FIXTURE)
    for username, role, unit, cooperative in ACCOUNTS.values():
        add_user(engine, SYSTEM, username, PASSWORD, role, unit, cooperative)
    add_verifier(engine)  # the office that verifies C1's changes today
    return url


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[str]:
    """A server just started: no request has reached it yet."""
    with app_server(fresh_database(tmp_path)) as base:
        yield base


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    url = fresh_database(tmp_path_factory.mktemp("access"))
    with app_server(url) as base:
        yield base, url


def no_automatic_menu(page: Page, signed_in_pages: list[str]) -> None:
    """The sidebar holds the app's own menu, in words: never Streamlit's list of page files."""
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Trang chủ")).to_be_visible(timeout=FIRST_RUN)
    links = [text.strip() for text in nav.get_by_role("link").all_inner_texts()]
    assert sorted(links) == sorted(["Trang chủ", *signed_in_pages])
    expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.parametrize("path", ["coverage", "forbidden", "users", "graph"])
def test_a_deep_link_as_the_first_request_after_a_start_asks_to_sign_in(
    fresh_server: str, watched: Watched, path: str
) -> None:
    page = watched.page
    page.goto(f"{fresh_server}/{path}")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible(timeout=FIRST_RUN)
    expect(page.get_by_label("Mật khẩu")).to_be_visible()
    no_automatic_menu(page, ["Đăng nhập"])
    expect(page.get_by_text("forbidden", exact=True)).to_have_count(0)


@pytest.mark.parametrize("path", ["graph", "verification"])
def test_a_cooperative_signing_in_on_a_deep_link_after_a_start_is_refused_in_words(
    fresh_server: str, watched: Watched, path: str
) -> None:
    page = watched.page
    page.goto(f"{fresh_server}/{path}")
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible(timeout=FIRST_RUN)
    fill_sign_in(page, "cooperative")
    expect(page.get_by_text("Tài khoản này không xem được trang này")).to_be_visible(timeout=20_000)
    no_automatic_menu(page, ["Mức độ đạt chỉ tiêu", "Hợp tác xã của tôi", "Trao đổi dữ liệu", "Tài khoản của tôi"])
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    expect(page.get_by_test_id("stIFrame")).to_have_count(0)
    assert watched.errors == []


def test_a_disabled_officer_is_signed_out_at_the_next_click_and_verifies_nothing(
    server: tuple[str, str], watched: Watched
) -> None:
    base, url = server
    engine = get_engine(url)
    coop = forms.read(engine, SYSTEM, "cooperatives", "C1")
    forms.save(
        engine,
        Actor("htx_c1", "cooperative", cooperative_code="C1"),
        "cooperatives",
        {**coop.values, "members": "31"},
        coop,
    )
    page = watched.page
    sign_in(page, base, "verifier")  # the office that verifies C1's change, reported after the reform
    open_page(page, "Xác nhận")
    expect(page.get_by_role("button", name="Xác nhận")).to_be_visible()

    set_disabled(engine, SYSTEM, VERIFIER[0])  # by an administrator, meanwhile
    page.get_by_role("button", name="Xác nhận").first.click()
    expect(page.get_by_text("Phiên làm việc đã kết thúc")).to_be_visible(timeout=20_000)
    expect(page.get_by_label("Mật khẩu")).to_be_visible()
    expect(page.get_by_text(f"Đăng nhập: {VERIFIER[0]}")).to_have_count(0)
    assert [c.key for c in pending(engine, SYSTEM, status="reported")] == ["C1"]  # nothing verified
    set_disabled(engine, SYSTEM, VERIFIER[0], False)


def test_a_user_changes_their_password_and_signs_in_with_the_new_one(server: tuple[str, str], watched: Watched) -> None:
    base, _ = server
    page = watched.page
    sign_in(page, base, "planner")
    open_page(page, "Tài khoản của tôi")
    page.get_by_label("Mật khẩu hiện tại").fill(PASSWORD)
    page.get_by_label("Mật khẩu mới", exact=True).fill("một-mật-khẩu-mới")
    page.get_by_label("Nhập lại mật khẩu mới").fill("một-mật-khẩu-mới")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.get_by_text("Đã đổi mật khẩu.")).to_be_visible(timeout=20_000)
    expect(page.get_by_label("Mật khẩu mới", exact=True)).to_have_value("")  # not left in the page
    page.get_by_role("button", name="Đăng xuất").click()
    settled(page)
    page.get_by_role("link", name="Đăng nhập").click()
    page.get_by_label("Tên đăng nhập").fill(ACCOUNTS["planner"][0])
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text("sai tên đăng nhập hoặc mật khẩu")).to_be_visible(timeout=20_000)


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on `port` (Linux's /proc/net tables, hex)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def started_listening_on(command: list[str], env: dict[str, str]) -> set[str]:
    """Start an app process, wait until it answers on loopback, and say where it listens."""
    port = free_port()
    venv_bin = str(ROOT / ".venv" / "bin")
    process = subprocess.Popen(
        [part.replace("@PORT@", str(port)) for part in command],
        cwd=ROOT,
        env={**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}", "PORT": str(port), **env},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}")
        return listening_addresses(port)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def test_the_app_and_every_documented_start_listen_on_this_machine_only(tmp_path: Path) -> None:
    """A plain `streamlit run serve.py`, as `tasks.py app` starts it: the project's
    `.streamlit/config.toml` binds it to 127.0.0.1, so nobody else on the office network reaches it.
    docs/deploy.md's trial and its replicas listen there too: the office reaches them through nginx."""
    env = {"LINKAGE_DATABASE_URL": fresh_database(tmp_path)}
    plain = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", "@PORT@"]
    assert started_listening_on(plain, env) == {"0100007F"}  # 127.0.0.1, and no other address
    for name in ("trial", "replica"):
        documented = ["bash", "-c", block(name)]
        assert started_listening_on(documented, env) == {"0100007F"}, name
