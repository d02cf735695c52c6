"""The app after the reform of 1 July 2025 in real headless Chromium, each test on a freshly started server
with the province demo (Đắk Lắk): the officer of a commune of 2025-07 (graph, verification, settling one
record and seeing the commune's figure move), the planner of a new province (coverage on 2025-07, the trend
with the reform marked, the end-of-period scorecard) and a district officer's account from before the
reform. Nothing any page asks for leaves the machine."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Frame, Page, expect
from sqlalchemy.engine import Engine

from linkage.accounts.demo_accounts import create_demo_accounts
from linkage.accounts.users import SYSTEM, Actor, add_user
from linkage.demo import generate
from linkage.geo.maps import NEW_MAP, OLD_MAP, crosswalk, map_data
from linkage.records import forms
from linkage.records.catalog import init
from linkage.records.unplaced import unplaced
from linkage.store.db import get_engine

from .conftest import FIRST_RUN, WAIT, Demo, Watched, app_server, quiet, settled, sign_in_with, url_with, visit

pytestmark = pytest.mark.browser

PASSWORD = "mật-khẩu-xã-thử"


def today() -> str:
    """Today as the pages write it, read when the page is: a constant of the module, read when the tests
    were collected, is yesterday for a test that runs after midnight."""
    return date.today().strftime("%d/%m/%Y")


@pytest.fixture
def demo(tmp_path: Path) -> Demo:
    """A database with the province demo and its demo accounts; each test starts its own server on it."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = get_engine(url)
    init(engine)
    generate(engine, scale="province", seed=1)
    return url, engine, {a.username: a for a in create_demo_accounts(engine)}


def drawing(page: Page) -> Frame:
    """The graph's frame, once its layout has settled."""
    handle = page.locator("iframe").first.element_handle(timeout=WAIT)
    frame = handle.content_frame()
    assert frame is not None
    expect(frame.locator("body[data-stabilized=true]")).to_have_count(1, timeout=60_000)
    return frame


def drawn_nodes(page: Page) -> list[str]:
    return list(drawing(page).evaluate("() => window.linkageNetwork.body.data.nodes.getIds()"))


# ---- the commune officer's data, read from the tables and the crosswalk (not from the app's answers) ----


def in_commune(commune: str, old: str | None, new: str | None) -> bool:
    """docs/indicators.md, "On which map", for one record and one commune of 2025-07: given there, or
    given on 2025-01 by a commune that went to it alone."""
    if new:
        return new == commune
    return bool(old) and crosswalk().old_to_new.get(str(old), ()) == (commune,)


def raw_material_counts(engine: Engine, commune: str, settled_area: tuple[str, str] | None = None) -> tuple[int, int]:
    """The commune's third indicator (docs/indicators.md) counted from the tables: active linkages with a raw
    material area party that have a party in the commune, and those of them with an active adoption.
    `settled_area` (code, commune of 2025-07) reads that area as if it had been settled there."""
    day = date.today().isoformat()
    parties = sa.text(
        """
        SELECT p.linkage_code, p.party_type,
               COALESCE(c.commune_code, s.commune_code, a.commune_code),
               COALESCE(c.commune_code_2025_07, s.commune_code_2025_07, a.commune_code_2025_07),
               a.code
        FROM linkage_party p JOIN linkage l ON l.code = p.linkage_code
        LEFT JOIN cooperative c ON p.party_type = 'cooperative' AND c.code = p.cooperative_code
        LEFT JOIN producer s ON p.party_type = 'producer' AND s.code = p.producer_code
        LEFT JOIN raw_material_area a ON p.party_type = 'raw_material_area' AND a.code = p.raw_material_area_code
        WHERE p.archived_at IS NULL AND l.archived_at IS NULL AND p.party_type != 'buyer'
          AND l.started_on <= :day AND (l.ended_on IS NULL OR l.ended_on > :day)
        """
    )
    adopted = sa.text(
        """
        SELECT DISTINCT linkage_code FROM digital_adoption
        WHERE archived_at IS NULL AND adopted_on <= :day AND (discontinued_on IS NULL OR discontinued_on > :day)
        """
    )
    with engine.connect() as connection:
        rows = connection.execute(parties, {"day": day}).all()
        digital = set(connection.execute(adopted, {"day": day}).scalars())
    with_area: set[str] = set()
    located: set[str] = set()
    for linkage, kind, old, new, area in rows:
        if kind == "raw_material_area":
            with_area.add(linkage)
            if settled_area and area == settled_area[0]:
                new = settled_area[1]
        if in_commune(commune, old, new):
            located.add(linkage)
    counted = with_area & located
    return len(counted & digital), len(counted)


@dataclass(frozen=True)
class CommuneCase:
    commune: str  # a commune of 2025-07 with a record to settle and a cooperative placed in it
    name: str
    area: str  # a raw material area placed above the commune whose candidates include it
    area_name: str
    cooperative: str  # a cooperative placed in the commune, which reports a change
    cooperative_name: str


def commune_case(engine: Engine, preferred: str) -> CommuneCase:
    """A commune of 2025-07 whose settling list holds a raw material area (it moves the commune's only
    figure) and in which a cooperative lies: the demo officer's own commune if it qualifies, else the
    first by code. Read from `linkage.records.unplaced` and the tables, never fixed here."""
    areas = [r for r in unplaced(engine, NEW_MAP) if r.file == "raw_material_areas"]
    assert areas, "the demo has a raw material area in a split commune"
    with engine.connect() as connection:
        cooperatives = connection.execute(
            sa.text(
                "SELECT code, name, commune_code, commune_code_2025_07 FROM cooperative"
                " WHERE archived_at IS NULL ORDER BY code"
            )
        ).all()
    choices = sorted({(c.code != preferred, c.code) for r in areas for c in r.candidates})
    for _, commune in choices:
        lying = [c for c in cooperatives if in_commune(commune, c[2], c[3])]
        if lying:
            area = next(r for r in areas if commune in {c.code for c in r.candidates})
            name = map_data(NEW_MAP).communes[commune].unit.name
            return CommuneCase(commune, name, area.code, area.name, lying[0][0], lying[0][1])
    pytest.fail("no commune with a raw material area to settle holds a cooperative")


def test_the_commune_officer_draws_verifies_and_settles_and_the_communes_figure_moves(
    demo: Demo, watched: Watched
) -> None:
    url, engine, accounts = demo
    case = commune_case(engine, accounts["officer.xa.demo"].scope)
    officer = accounts["officer.xa.demo"]
    username, password = officer.username, officer.password
    if case.commune != officer.scope:  # the demo officer's commune has nothing to settle: one that has
        username, password = "canbo.xa.thu", PASSWORD
        add_user(engine, SYSTEM, username, password, "officer", case.commune, None, NEW_MAP)
    # The cooperative of the commune reports a change through the write path its own page uses.
    add_user(engine, SYSTEM, "htx.xa.thu", PASSWORD, "cooperative", None, case.cooperative)
    cooperative = Actor("htx.xa.thu", "cooperative", cooperative_code=case.cooperative)
    view = forms.read(engine, cooperative, "cooperatives", case.cooperative)
    members = str(int(view.values.get("members") or 0) + 7)
    forms.save(engine, cooperative, "cooperatives", {**view.values, "members": members}, view)
    before = raw_material_counts(engine, case.commune)
    after = raw_material_counts(engine, case.commune, (case.area, case.commune))
    assert after != before, "settling the area moves the commune's figure"
    waiting = [r for r in unplaced(engine, NEW_MAP) if case.commune in {c.code for c in r.candidates}]

    page = watched.page
    with app_server(url) as base:
        page.goto(base)  # the first request of a fresh server: the home page
        expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Đăng nhập")).to_be_visible(
            timeout=FIRST_RUN
        )
        visit(page, "Đăng nhập")
        sign_in_with(page, username, password)

        visit(page, "Sơ đồ liên kết")  # a new commune's graph is the officer's daily view
        expect(drawing(page).locator("h1")).to_have_text(f"{case.name} — tính đến {today()}", timeout=WAIT)
        assert f"cooperative:{case.cooperative}" in drawn_nodes(page)
        expect(page).to_have_url(url_with("map=2025-07", f"unit={case.commune}"))

        visit(page, "Xác nhận")  # the change the commune's cooperative reported reaches its commune office
        reported = page.get_by_text(re.compile(rf"{re.escape(case.cooperative_name)}$"))
        expect(reported).to_be_visible(timeout=WAIT)
        item = (  # the bordered box of that change: the innermost block holding its words and its buttons
            page.get_by_test_id("stVerticalBlock")
            .filter(has=page.get_by_text("do htx.xa.thu báo cáo"))
            .filter(has=page.get_by_role("button", name="Trả lại"))
            .last
        )
        expect(item.get_by_text(case.cooperative_name)).to_be_visible()
        item.get_by_role("button", name="Xác nhận", exact=True).click()
        settled(page)
        expect(page.get_by_text(re.compile(rf"^Đã xác nhận .*{case.cooperative}"))).to_be_visible(timeout=WAIT)
        expect(page.get_by_text("do htx.xa.thu báo cáo")).to_have_count(0)  # verified: off the queue

        visit(page, "Mức độ đạt chỉ tiêu")  # on the commune, on today's map
        heading = f"{case.name} tính đến {today()} (bản đồ 2025-07)"
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT)
        expect(page.get_by_text(f"{before[0]} trên {before[1]} · mục tiêu 50%")).to_be_visible()
        page.reload()  # F5 keeps the sign-in and the commune
        settled(page)
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT)
        expect(page.get_by_label("Mật khẩu")).to_have_count(0)
        expect(page.get_by_text(f"{before[0]} trên {before[1]} · mục tiêu 50%")).to_be_visible()

        visit(page, "Xác định xã")
        expect(page.get_by_text(f"{len(waiting)} bản ghi nằm trên cấp xã trên bản đồ 2025-07")).to_be_visible(
            timeout=WAIT
        )
        picker = page.get_by_role("combobox", name="Bản ghi cần xác định")
        picker.click()
        picker.fill(case.area)  # typed to narrow the list
        page.get_by_role("option", name=re.compile(re.escape(f"{case.area} — {case.area_name}"))).click()
        settled(page)
        page.get_by_test_id("stMain").get_by_test_id("stRadio").get_by_text(
            re.compile(rf"^{re.escape(case.name)}, .*\({case.commune}, 2025-07\) — thuộc phạm vi của bạn")
        ).click()
        settled(page)
        page.get_by_role("button", name="Lưu xã này").click()
        settled(page)
        expect(page.get_by_text(f"Đã lưu: {case.area_name} thuộc {case.name}").first).to_be_visible(timeout=WAIT)
        expect(page.get_by_text(f"{len(waiting) - 1} bản ghi nằm trên cấp xã trên bản đồ 2025-07")).to_be_visible()

        visit(page, "Mức độ đạt chỉ tiêu")  # the commune's figure moved at once
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT)
        expect(page.get_by_text(f"{after[0]} trên {after[1]} · mục tiêu 50%")).to_be_visible()
        quiet(watched)
    stored = forms.read(engine, SYSTEM, "raw_material_areas", case.area).values
    assert stored["commune_code_2025_07"] == case.commune


def test_the_provincial_planner_opens_the_new_province_its_trend_and_the_end_of_period_scorecard(
    demo: Demo, watched: Watched
) -> None:
    url, _, accounts = demo
    planner = accounts["planner.tinh.demo"]
    province = map_data(NEW_MAP).provinces[planner.scope].unit
    communes = {c.unit.name for c in map_data(NEW_MAP).communes.values() if c.unit.parent == province.name}
    districts = {d.unit.name for d in map_data(OLD_MAP).districts.values()}
    page = watched.page
    with app_server(url) as base:
        page.goto(f"{base}/coverage")  # a deep link as the first request of a fresh server
        sign_in_with(page, planner.username, planner.password, timeout=FIRST_RUN)
        heading = f"{province.name} tính đến {today()} (bản đồ 2025-07)"
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT)
        expect(page).to_have_url(url_with("map=2025-07", f"unit={province.code}"))
        charts = page.get_by_test_id("stVegaLiteChart")
        expect(charts.first.locator(".role-axis-label text").first).to_be_visible(timeout=WAIT)
        shown = {t for t in charts.first.locator(".role-axis-label text").all_text_contents() if not t.isdigit()}
        assert shown and shown <= communes, shown - communes  # the province's communes: no district
        assert not shown & districts - communes

        expect(page.get_by_role("heading", name="Diễn biến 2021–2025")).to_be_visible()
        reform = "Chính quyền hai cấp"  # app.polish.reform_mark: short enough for a phone
        for reading in ("Theo bản đồ có hiệu lực khi đó", "Theo bản đồ hiện nay"):
            page.get_by_test_id("stRadio").get_by_text(re.compile(f"^{reading}")).click()
            settled(page)
            trend = charts.filter(has=page.locator("text", has_text=reform))
            expect(trend).to_have_count(1, timeout=WAIT)  # the reform marked on the trend, in both readings
            expect(trend.locator(".role-axis-label text", has_text="01/07/2025")).to_have_count(1)

        page.reload()  # F5: still signed in, the same province on the same map
        settled(page)
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT)
        expect(page.get_by_label("Mật khẩu")).to_have_count(0)

        page.get_by_role("button", name=re.compile(r"^Kết quả cuối kỳ của chương trình")).click()  # one click
        settled(page)
        expect(page.get_by_role("heading", name="tính đến 31/12/2025 (bản đồ 2025-01)")).to_be_visible(timeout=WAIT)
        for part, value in (("day", "31"), ("month", "12"), ("year", "2025")):
            expect(page.get_by_role("spinbutton", name=f"{part}, Tính đến ngày")).to_have_attribute(
                "aria-valuenow", value
            )
        expect(page.get_by_role("combobox", name="Bản đồ hành chính")).to_have_value(re.compile(r"\(2025-01\)$"))
        expect(page).to_have_url(url_with("map=2025-01"))
        quiet(watched)


def test_a_district_officer_from_before_the_reform_opens_a_graph_link_coverage_and_stays_signed_in(
    demo: Demo, watched: Watched
) -> None:
    url, _, accounts = demo
    officer = accounts["officer.demo"]
    assert officer.unit_map == OLD_MAP
    district = map_data(OLD_MAP).districts[officer.scope].unit
    page = watched.page
    with app_server(url) as base:
        page.goto(f"{base}/graph?map=2025-01&unit={district.code}")  # a shared link, first on a fresh server
        sign_in_with(page, officer.username, officer.password, timeout=FIRST_RUN)
        title = f"{district.name} — tính đến {today()}"
        expect(drawing(page).locator("h1")).to_have_text(title, timeout=WAIT)
        assert any(n.startswith("linkage:") for n in drawn_nodes(page))
        expect(page).to_have_url(url_with("map=2025-01", f"unit={district.code}"))
        page.reload()  # F5 keeps the sign-in and the graph
        settled(page)
        expect(page.get_by_label("Mật khẩu")).to_have_count(0)
        expect(drawing(page).locator("h1")).to_have_text(title, timeout=WAIT)

        visit(page, "Mức độ đạt chỉ tiêu")  # an account of 2025-01 keeps working on its map: its own district
        heading = f"{district.name} tính đến {today()} (bản đồ 2025-01)"
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT)
        expect(page).to_have_url(url_with("map=2025-01", f"unit={district.code}"))
        page.get_by_role("combobox", name="Bản đồ hành chính").click()
        page.get_by_role("option", name=re.compile(r"\(2025-07\)$")).click()  # today's map on request
        settled(page)
        expect(page.get_by_text(f"{district.name} là đơn vị của bản đồ 2025-01")).to_be_visible(timeout=WAIT)
        page.get_by_role("combobox", name="Bản đồ hành chính").click()
        page.get_by_role("option", name=re.compile(r"\(2025-01\)$")).click()  # and back to their own
        settled(page)
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT)
        visit(page, "Sơ đồ liên kết")  # their own graph from the menu
        expect(drawing(page).locator("h1")).to_have_text(title, timeout=WAIT)
        visit(page, "Mức độ đạt chỉ tiêu")  # back on coverage: the map they chose is kept
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT)
        quiet(watched)
