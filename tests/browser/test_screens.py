"""The app on the province demonstration data, as the README's first command opens it: every page
as its user sees it, screenshots for docs/screenshots, and hostile names shown as typed everywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from linkage.accounts.demo_accounts import DEMO_MODE, create_demo_accounts
from linkage.accounts.users import SYSTEM, Actor, add_user
from linkage.demo import generate
from linkage.records import forms
from linkage.records.catalog import init
from linkage.records.history import verifier_of
from linkage.records.importing import import_path
from linkage.store.db import get_engine

from .conftest import ROOT, Watched, app_server, new_context, settled, signed_out

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"
HOSTILE = {
    "script": "<script>alert('htx')</script>",
    "image": "<img src=x onerror=alert('img')>",
    "markdown": "![ảnh](http://evil.example/x.png) **đậm**",
    "formula": '=HYPERLINK("http://evil.example","Bấm")',
    "quote": "HTX \"Quê\" & 'Làng' </div>",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, tuple[str, str]], str]]:
    """The province demo with its demo accounts, and a cooperative of the officer's district whose
    records carry hostile names."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = get_engine(url)
    init(engine)
    generate(engine, scale="province", seed=1)
    accounts: dict[str, tuple[str, str]] = {}
    made = create_demo_accounts(engine)
    for a in made:
        accounts.setdefault(a.role, (a.username, a.password))  # the first of each role: the programme's
    # Whose queue the cooperative's change reaches: its commune's office of today's map if the demo has
    # one, else its province's department (the routing rule, read for this cooperative); the department
    # gets an account here when the demo has none.
    cooperative = next(a for a in made if a.role == "cooperative")
    unit = verifier_of(engine, Actor(cooperative.username, "cooperative", cooperative_code=cooperative.scope))
    assert unit is not None and unit.map == "2025-07"
    verifier = next((a for a in made if a.role == "officer" and (a.scope, a.unit_map) == (unit.code, unit.map)), None)
    if verifier is None:
        add_user(engine, SYSTEM, "so.thu", "sở nông nghiệp thử mật khẩu", "officer", unit.code, None, unit.map)
        accounts["verifier"] = ("so.thu", "sở nông nghiệp thử mật khẩu")
    else:
        accounts["verifier"] = (verifier.username, verifier.password)
    officer = forms.read(engine, SYSTEM, "cooperatives", _coop_of(engine))
    commune = officer.values["commune_code"]
    folder = tmp_path_factory.mktemp("hostile")
    lines = ["code,name,commune_code,cooperative_code"]
    lines += [
        f'XX{i},"{name.replace(chr(34), chr(34) * 2)}",{commune},{officer.key}'
        for i, name in enumerate(HOSTILE.values())
    ]
    (folder / "producers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_path(engine, folder)
    with pytest.MonkeyPatch.context() as env:
        env.setenv(DEMO_MODE, "1")  # as `tasks.py app` runs the demonstration: the sign-in page lists its accounts
        with app_server(url) as base:
            yield base, accounts, url


def _coop_of(engine) -> str:  # type: ignore[no-untyped-def]
    from linkage.accounts.demo_accounts import demo_accounts

    return next(a.scope for a in demo_accounts(engine) if a.role == "cooperative")


def sign_in(page: Page, base: str, account: tuple[str, str]) -> None:
    page.goto(base)
    signed_out(page)  # the previous user is still signed in in this browser
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Đăng nhập").click()
    page.get_by_label("Tên đăng nhập").fill(account[0])
    page.get_by_label("Mật khẩu").fill(account[1])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text(f"Đăng nhập: {account[0]}")).to_be_visible(timeout=20_000)
    settled(page)


def visit(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    settled(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    settled(page)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture
def tall(browser: Browser) -> Iterator[Watched]:
    context = new_context(browser, viewport={"width": 1400, "height": 2000})
    yield Watched(context.new_page())
    context.close()


def test_every_page_of_the_demo_as_its_user_sees_it(demo, tall: Watched) -> None:  # type: ignore[no-untyped-def]
    base, accounts, _ = demo
    page = tall.page
    page.goto(base)
    settled(page)
    visit(page, "Đăng nhập")
    expect(page.get_by_text("htx.demo")).to_be_visible()  # the demo accounts are listed for trying
    shot(page, "login")
    sign_in(page, base, accounts["planner"])
    shot(page, "home")
    visit(page, "Mức độ đạt chỉ tiêu")
    expect(page.get_by_text("Tỉnh Đắk Lắk tính đến")).to_be_visible(timeout=20_000)
    shot(page, "coverage")
    sign_in(page, base, accounts["officer"])
    visit(page, "Sơ đồ liên kết")
    frame = page.frame_locator("iframe").first
    expect(frame.locator("body[data-stabilized=true]")).to_have_count(1, timeout=60_000)
    shot(page, "graph")
    visit(page, "Trao đổi dữ liệu")
    shot(page, "exchange")
    sign_in(page, base, accounts["cooperative"])
    visit(page, "Hợp tác xã của tôi")
    page.get_by_label("Số thành viên").fill("42")
    page.get_by_role("button", name="Lưu").first.click()
    expect(page.get_by_text(re.compile("chờ .+ xác nhận")).first).to_be_visible(timeout=20_000)
    shot(page, "my_cooperative")
    sign_in(page, base, accounts["verifier"])
    visit(page, "Xác nhận")
    expect(page.get_by_role("button", name="Xác nhận").first).to_be_visible()
    shot(page, "verification")
    assert tall.outside == [] and tall.errors == [], (tall.outside, tall.errors)


def test_hostile_names_are_shown_as_typed_and_run_nowhere(demo, tall: Watched) -> None:  # type: ignore[no-untyped-def]
    base, accounts, _ = demo
    page = tall.page
    sign_in(page, base, accounts["cooperative"])
    visit(page, "Hợp tác xã của tôi")
    page.get_by_role("tab", name="Thành viên").click()
    settled(page)
    page.get_by_label("Sửa thông tin thành viên").click()
    for i, name in enumerate(HOSTILE.values()):
        expect(page.get_by_role("option", name=f"XX{i} — {name}")).to_have_count(1)
    page.get_by_role("option", name=f"XX2 — {HOSTILE['markdown']}").click()
    settled(page)
    page.get_by_label("Tên *").filter(visible=True).first.fill(HOSTILE["image"] + " (sửa)")
    page.get_by_role("button", name="Lưu", exact=True).filter(visible=True).first.click()
    expect(page.get_by_text("Đã lưu.").first).to_be_visible(timeout=20_000)
    sign_in(page, base, accounts["verifier"])
    visit(page, "Xác nhận")
    expect(page.get_by_text(HOSTILE["image"] + " (sửa)").first).to_be_visible()  # shown as typed
    expect(page.get_by_text("XX2 — " + HOSTILE["image"]).first).to_be_visible()
    # the change's table shows the name before (Markdown) and after (HTML) as typed, and runs neither
    expect(page.get_by_role("cell", name=HOSTILE["markdown"], exact=True).first).to_be_visible()
    expect(page.get_by_role("cell", name=HOSTILE["image"] + " (sửa)", exact=True).first).to_be_visible()
    expect(page.locator("img[src='x'], img[src*='evil'], a[href*='evil'], script:has-text('htx')")).to_have_count(0)
    visit(page, "Sơ đồ liên kết")
    frame = page.frame_locator("iframe").first
    expect(frame.locator("body[data-stabilized=true]")).to_have_count(1, timeout=60_000)
    expect(frame.locator("img, iframe, svg")).to_have_count(0)
    # the one script loaded by address is the app's own copy of vis-network (nothing a name injected)
    expect(frame.locator("script[src]")).to_have_count(1)
    expect(frame.locator("script[src='app/static/vis-network-9.1.2.min.js']")).to_have_count(1)
    page.get_by_test_id("stExpander").get_by_text("Cần xử lý").click()  # the lists, under the drawing
    page.get_by_role("tab", name="Chưa tham gia liên kết").click()
    for extra in ("Mức độ đạt chỉ tiêu", "Trao đổi dữ liệu", "Trang chủ"):
        visit(page, extra)
    expect(page.locator("img[src*='evil'], a[href*='evil']")).to_have_count(0)
    assert tall.dialogs == [], tall.dialogs  # no alert() ran anywhere
    assert tall.outside == [] and tall.errors == [], (tall.outside, tall.errors)
