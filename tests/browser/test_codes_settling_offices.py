"""What new users met on the province demo, in real headless Chromium, each test on a fresh server: a scope
chosen by name and every unit named with its province and map (a short code never silently becomes another
unit); the settling list imported back as it was downloaded, with only its filled rows written; the
settling page offering no commune by default and saying who can settle the others; a cooperative told
that today's office verifies its changes, not the district office closed on 1 July 2025.

Expected names and counts are read from the statistics office's lists and the tables, never from the app."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from linkage.accounts.demo_accounts import create_demo_accounts
from linkage.accounts.users import Actor
from linkage.demo import generate
from linkage.geo.maps import NEW_MAP, OLD_MAP, crosswalk, map_data
from linkage.records.catalog import init
from linkage.records.settling import to_settle
from linkage.store.db import get_engine

from .conftest import FIRST_RUN, WAIT, Demo, Watched, app_server, choose, quiet, settled, sign_in_with, url_with, visit

pytestmark = pytest.mark.browser
PASSWORD = "mật-khẩu-cán-bộ-mới"


@pytest.fixture
def province_demo(tmp_path: Path) -> Demo:
    """The province demo (Đắk Lắk) and its demo accounts; each test starts its own server on it."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = get_engine(url)
    init(engine)
    generate(engine, scale="province", seed=1)
    return url, engine, {a.username: a for a in create_demo_accounts(engine)}


def signed_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base)
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Đăng nhập")).to_be_visible(timeout=FIRST_RUN)
    visit(page, "Đăng nhập")
    sign_in_with(page, username, password)


def inside(name: str) -> str:
    """A unit's name inside a Vietnamese phrase: its division word in lower case (`Tỉnh Đắk Lắk` → `tỉnh Đắk Lắk`)."""
    return name[:1].lower() + name[1:]


def test_a_scope_is_chosen_by_name_and_a_short_code_never_becomes_another_unit(
    province_demo: Demo, watched: Watched
) -> None:
    url, engine, accounts = province_demo
    xa = accounts["officer.xa.demo"]
    commune = map_data(NEW_MAP).communes[xa.scope]
    province = map_data(NEW_MAP).provinces[commune.province].name
    page = watched.page
    with app_server(url) as base:
        signed_in(page, base, "admin.demo", accounts["admin.demo"].password)
        visit(page, "Người dùng")
        # The users table names every unit scope: name, province, code and map.
        table = page.get_by_test_id("stDataFrame").first
        expect(table).to_contain_text(f"{commune.name}, {province} ({xa.scope}, 2025-07)", timeout=WAIT)

        page.get_by_test_id("stExpander").get_by_text("Thêm người dùng").click()
        settled(page)
        search = page.get_by_role("textbox", name="Tìm đơn vị theo tên")
        search.fill("643")  # the code of Thành phố Buôn Ma Thuột on 2025-01: both readings are offered, by name
        search.press("Enter")
        settled(page)
        page.get_by_role("combobox", name="Phạm vi").click()
        options = page.get_by_role("option")
        expect(options.filter(has_text="Phường Thanh Liệt, Thành phố Hà Nội (00643, 2025-07)")).to_have_count(1)
        expect(options.filter(has_text="Thành phố Buôn Ma Thuột, Tỉnh Đắk Lắk (643, 2025-01)")).to_have_count(1)
        page.keyboard.press("Escape")
        search.fill("buon ma thuot")  # by name, without diacritics
        search.press("Enter")
        settled(page)
        page.get_by_role("combobox", name="Phạm vi").click()
        page.get_by_role("option", name="Thành phố Buôn Ma Thuột, Tỉnh Đắk Lắk (643, 2025-01)").click()
        settled(page)
        expect(page.get_by_text("Phạm vi: Thành phố Buôn Ma Thuột, Tỉnh Đắk Lắk (643, 2025-01)")).to_be_visible()
        page.get_by_role("textbox", name="Tên đăng nhập").fill("canbo.bmt")
        page.get_by_role("textbox", name="Mật khẩu", exact=True).fill(PASSWORD)
        page.get_by_role("textbox", name=re.compile("^Nhập lại mật khẩu")).fill(PASSWORD)
        page.get_by_role("button", name="Thêm", exact=True).click()
        settled(page)
        expect(
            page.get_by_text(
                "Đã thêm người dùng canbo.bmt, phạm vi: Thành phố Buôn Ma Thuột, Tỉnh Đắk Lắk (643, 2025-01)."
            )
        ).to_be_visible(timeout=WAIT)
        expect(page.get_by_test_id("stDataFrame").first).to_contain_text(
            "Thành phố Buôn Ma Thuột, Tỉnh Đắk Lắk (643, 2025-01)"
        )

        # A page that reads a short code from its address names both readings instead of guessing one.
        page.goto(f"{base}/coverage?map=2025-07&unit=643")
        settled(page)
        expect(page.get_by_text(re.compile(r'^Mã "643" được gõ thiếu các số 0'))).to_be_visible(timeout=WAIT)
        expect(page.get_by_role("heading", name=re.compile("^Việt Nam tính đến"))).to_be_visible()  # nothing guessed
        expect(page.get_by_role("button", name="Thành phố Buôn Ma Thuột, Tỉnh Đắk Lắk (643, 2025-01)")).to_be_visible()
        page.get_by_role("button", name="Phường Thanh Liệt, Thành phố Hà Nội (00643, 2025-07)").click()
        settled(page)
        expect(page.get_by_role("heading", name=re.compile("^Phường Thanh Liệt tính đến"))).to_be_visible(timeout=WAIT)
        page.goto(f"{base}/settling?unit=643")  # the settling page too: no list for a unit it guessed
        settled(page)
        expect(page.get_by_text(re.compile(r'^Mã "643" được gõ thiếu các số 0'))).to_be_visible(timeout=WAIT)
        expect(page.get_by_text(re.compile("^Bản ghi nằm ở"))).to_have_count(0)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
        expect(page.get_by_role("button", name="Phường Thanh Liệt, Thành phố Hà Nội (00643, 2025-07)")).to_be_visible()
        page.get_by_role("button", name="Thành phố Buôn Ma Thuột, Tỉnh Đắk Lắk (643, 2025-01)").click()
        settled(page)
        expect(
            page.get_by_text("Bản ghi nằm ở Thành phố Buôn Ma Thuột, Tỉnh Đắk Lắk (643, 2025-01)", exact=False)
        ).to_be_visible(timeout=WAIT)
        expect(page).to_have_url(url_with("map=2025-01", "unit=643"))
        quiet(watched)
    with engine.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT role, unit_code, unit_map FROM user_account WHERE username = 'canbo.bmt'")
        ).one()
    assert tuple(stored) == ("officer", "643", OLD_MAP)


def test_the_settling_list_imports_back_as_it_is_with_only_its_filled_rows_written(
    province_demo: Demo, watched: Watched, tmp_path: Path
) -> None:
    url, engine, accounts = province_demo
    xa = accounts["officer.xa.demo"]
    officer = Actor(xa.username, "officer", xa.scope, None, NEW_MAP)
    listed = to_settle(engine, officer, NEW_MAP)
    assert len(listed) > 3, "the demo officer has records to settle"
    page = watched.page
    with app_server(url) as base:
        signed_in(page, base, xa.username, xa.password)
        visit(page, "Xác định xã")
        with page.expect_download() as download:
            page.get_by_role("button", name="Tải CSV").click()
        saved = tmp_path / "danh-sach.csv"
        download.value.save_as(saved)
        rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
        assert len(rows) == len(listed)
        filled = [r["code"] for r in rows if xa.scope in r["candidates"]][:3]
        assert len(filled) == 3
        for row in rows:  # the officer writes its commune into three rows; the rest stay as downloaded
            if row["code"] in filled:
                row[row["missing_column"]] = xa.scope
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        saved.write_text(out.getvalue(), encoding="utf-8-sig")

        visit(page, "Trao đổi dữ liệu")
        page.locator("input[type=file]").first.set_input_files(str(saved))
        settled(page)
        expect(page.get_by_text(f"{len(rows)} dòng trong ", exact=False)).to_be_visible(timeout=WAIT)
        expect(page.get_by_text(re.compile("cần sửa"))).to_have_count(0)
        page.get_by_role("button", name="Ghi vào cơ sở dữ liệu").click()
        settled(page)
        done = f"Đã nhập {len(rows)} dòng: 0 mới, 3 cập nhật, {len(rows) - 3} không đổi."
        expect(page.get_by_text(done)).to_be_visible(timeout=WAIT)
        quiet(watched)
    with engine.connect() as connection:
        stored = {
            code: new
            for table in ("cooperative", "producer", "buyer", "raw_material_area")
            for code, new in connection.execute(sa.text(f"SELECT code, commune_code_2025_07 FROM {table}"))
        }
    assert {r.code: stored[r.code] for r in listed} == {
        r.code: (xa.scope if r.code in filled else None) for r in listed
    }


def test_the_settling_page_offers_no_commune_and_says_who_can_settle_the_others(
    province_demo: Demo, watched: Watched
) -> None:
    url, engine, accounts = province_demo
    xa = accounts["officer.xa.demo"]
    new = map_data(NEW_MAP)
    officer = Actor(xa.username, "officer", xa.scope, None, NEW_MAP)
    record = next(r for r in to_settle(engine, officer, NEW_MAP) if {c.code for c in r.candidates} - {xa.scope})
    other = next(c for c in record.candidates if c.code != xa.scope)
    own = new.communes[xa.scope]
    office = "Phòng Kinh tế, Hạ tầng và Đô thị" if new.communes[other.code].kind == "phường" else "Phòng Kinh tế"
    department = f"Sở Nông nghiệp và Môi trường {inside(new.provinces[new.communes[other.code].province].name)}"
    page = watched.page
    with app_server(url) as base:
        signed_in(page, base, xa.username, xa.password)
        visit(page, "Xác định xã")
        picker = page.get_by_role("combobox", name="Bản ghi cần xác định")
        option = page.get_by_role("option", name=re.compile(re.escape(f"{record.code} — {record.name}")))
        choose(page, picker, record.code, option)  # as a person types: the list filters as it goes
        radio = page.get_by_test_id("stMain").get_by_test_id("stRadio")  # not the sidebar's language
        expect(radio.get_by_role("radio", checked=True)).to_have_count(0)  # no commune chosen for the officer
        expect(page.get_by_role("button", name="Lưu xã này")).to_be_disabled()
        expect(
            radio.get_by_text(re.compile(rf"^{re.escape(own.name)}, .*\({xa.scope}, 2025-07\) — thuộc phạm vi của bạn"))
        ).to_have_count(1 if xa.scope in {c.code for c in record.candidates} else 0)
        radio.get_by_text(
            re.compile(rf"^{re.escape(other.name)}, .*\({other.code}, 2025-07\) — do đơn vị khác xác định")
        ).click()
        settled(page)
        expect(
            page.get_by_text(f"{office} {inside(other.name)} hoặc {department} có thể xác định bản ghi này.")
        ).to_be_visible(timeout=WAIT)
        expect(page.get_by_role("button", name="Lưu xã này")).to_be_disabled()
        quiet(watched)
    with engine.connect() as connection:  # nothing was saved
        table = {"cooperatives": "cooperative", "producers": "producer", "buyers": "buyer"}.get(
            record.file, "raw_material_area"
        )
        assert (
            connection.execute(
                sa.text(f"SELECT commune_code_2025_07 FROM {table} WHERE code = :c"), {"c": record.code}
            ).scalar()
            is None
        )


def test_a_cooperative_is_told_that_todays_office_verifies_its_changes(province_demo: Demo, watched: Watched) -> None:
    url, engine, accounts = province_demo
    htx = accounts["htx.demo"]
    with engine.connect() as connection:
        old, given = connection.execute(
            sa.text("SELECT commune_code, commune_code_2025_07 FROM cooperative WHERE code = :c"), {"c": htx.scope}
        ).one()
        officers = set(
            connection.execute(
                sa.text("SELECT unit_code FROM user_account WHERE role = 'officer' AND unit_map = '2025-07'")
            ).scalars()
        )
    new = map_data(NEW_MAP)
    candidates = (given,) if given else crosswalk().old_to_new[old]
    commune = candidates[0] if len(candidates) == 1 else None
    # every candidate lies in one new province (docs/indicators.md, "On which map")
    province = new.communes[candidates[0]].province
    if commune in officers:
        place = new.communes[commune]
        word = "Phòng Kinh tế, Hạ tầng và Đô thị" if place.kind == "phường" else "Phòng Kinh tế"
        expected = f"{word} {inside(place.name)} ({new.provinces[province].name})"
    else:
        expected = f"Sở Nông nghiệp và Môi trường {inside(new.provinces[province].name)}"
    district = map_data(OLD_MAP).districts[map_data(OLD_MAP).communes[old].district].name if old else ""
    page = watched.page
    with app_server(url) as base:
        signed_in(page, base, htx.username, htx.password)
        visit(page, "Hợp tác xã của tôi")
        page.set_viewport_size({"width": 390, "height": 844})  # a cooperative on its phone
        settled(page)
        expect(page.get_by_text(f"Thay đổi của hợp tác xã do {expected} xác nhận.")).to_be_visible(timeout=WAIT)
        expect(page.get_by_text(re.compile("Phòng Nông nghiệp"))).to_have_count(0)  # no district office
        if district:
            expect(page.get_by_text(re.compile(f"do .*{re.escape(inside(district))}"))).to_have_count(0)
        quiet(watched)
