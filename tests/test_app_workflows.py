"""What each kind of user does in the app, through AppTest: choosing, filtering, editing, verifying,
switching language without losing what was chosen, and seeing other processes' writes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import UTC, date, timedelta
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from linkage.accounts.users import SYSTEM, Actor
from linkage.geo.geography import gso_rows
from linkage.records import forms
from linkage.records.history import pending
from linkage.store.db import get_engine

from .apptest import PAGES, graph_list, texts
from .helpers import C1_OFFICE, COOP_C1, COOP_C5, OFFICER_058, PLANNER_06, PLANNER_VN

App = Callable[..., AppTest]
Download = Callable[[AppTest], bytes]


def english(at: AppTest) -> AppTest:
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    return at


# --- Language: a switch keeps every choice -----------------------------------------------------


def test_switching_language_keeps_the_chosen_date_on_home(app: App) -> None:
    at = app()
    at.date_input(key="home_as_of").set_value(date(2021, 12, 31)).run()
    english(at)
    assert at.date_input(key="home_as_of").value == date(2021, 12, 31)
    assert at.metric[2].value == "33.3%" and at.metric[2].label == "Raw-material linkages applying digital technology"


def test_switching_language_keeps_the_unit_and_the_ranking_on_coverage(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py", unit="06", map="2025-01")
    at.radio(key="rank_by_2025-01:vi").set_value("raw_material_linkages_with_digital_tech").run()
    english(at)
    assert at.subheader[0].value.startswith("Tỉnh Bắc Kạn on ")
    assert at.radio(key="rank_by_2025-01:en").value == "raw_material_linkages_with_digital_tech"
    assert at.title[0].value == "Coverage of the Decision 924 targets"


def test_switching_language_keeps_the_graph_filters(app: App) -> None:
    at = app(OFFICER_058, "graph.py")
    at.multiselect(key="graph_types:vi").select("buyer").run()
    english(at)
    assert at.multiselect(key="graph_types:en").value == ["buyer"]
    assert at.title[0].value == "Linkage graph"


def test_switching_language_keeps_the_export_format_and_the_chosen_linkage(app: App) -> None:
    at = app(OFFICER_058, "exchange.py")
    at.radio(key="export_format").set_value("csv").run()
    english(at)
    assert at.radio(key="export_format").value == "csv" and at.title[0].value == "Data exchange"
    coop = app(COOP_C1, "my_cooperative.py")
    coop.selectbox(key="linkage_choice:vi").select("L1").run()
    english(coop)
    assert coop.selectbox(key="linkage_choice:en").value == "L1"
    assert coop.title[0].value == "My cooperative"


# --- Coverage ---------------------------------------------------------------------------------


def test_a_unit_found_by_search_opens_is_kept_in_the_address_and_when_coming_back(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py")
    assert at.subheader[0].value.startswith("Việt Nam")
    at.selectbox(key="coverage_map:vi").select("2025-01").run()
    at.text_input(key="coverage_search").set_value("ba be").run()
    at.button(key="goto_2025-01_district_061").click().run()
    assert at.subheader[0].value.startswith("Huyện Ba Bể")
    assert at.query_params["unit"] in ("061", ["061"]) and at.query_params["map"] in ("2025-01", ["2025-01"])
    at.switch_page(str(PAGES / "home.py")).run()
    at.query_params.clear()
    at.switch_page(str(PAGES / "coverage.py")).run()
    assert at.subheader[0].value.startswith("Huyện Ba Bể")  # the session remembers where the planner was


def test_a_province_planner_starts_on_its_province_with_its_districts_ranked(app: App) -> None:
    at = app(PLANNER_06, "coverage.py")
    # an account of 2025-01 starts on its own province, on its map
    assert at.subheader[0].value.startswith("Tỉnh Bắc Kạn") and "(bản đồ 2025-01)" in at.subheader[0].value
    assert not at.dataframe  # the table of units below the target is drawn when its part is opened
    (part,) = [e for e in at.expander if e.label.startswith("Đơn vị chưa đạt chỉ tiêu")]
    at.session_state["behind_open"] = True
    at.run()
    behind = at.dataframe[0].value
    assert part.label == f"Đơn vị chưa đạt chỉ tiêu: {len(behind)} (chọn một dòng để mở)"
    assert list(behind.columns) == ["Đơn vị", "Số đạt", "Trên tổng số", "Cần thêm"]  # by name, no codes
    from vietnam_provinces import legacy

    bac_kan = {d.name for d in legacy.District.iter_all() if int(d.province_code) == 6}  # the package's own list
    assert set(behind["Đơn vị"]) <= bac_kan and len(behind)
    assert (behind["Cần thêm"] > 0).all()
    # today's map on request: the province that took it in, and a note saying so
    at.selectbox(key="coverage_map:vi").select("2025-07").run()
    assert at.subheader[0].value.startswith("Tỉnh Thái Nguyên")
    assert "Tỉnh Bắc Kạn là đơn vị của bản đồ 2025-01" in texts(at)


def test_the_coverage_page_sees_a_write_made_by_another_process(app: App, database: str) -> None:
    at = app(PLANNER_VN, "coverage.py", unit="058", map="2025-01")
    assert at.metric[0].value == "50,0%"  # Dương Quang has a cooperative, Nông Thượng none
    folder = Path(database.removeprefix("sqlite:///")).parent / "new"
    folder.mkdir()
    (folder / "cooperatives.csv").write_text("code,name,commune_code\nK58,HTX Nông Thượng,01852\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "linkage", "import", str(folder), "--db", database],
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    at.run()  # the next page load
    assert at.metric[0].value == "100,0%"


# --- Graph ------------------------------------------------------------------------------------


def test_a_product_filter_narrows_the_chains_and_who_is_left_out_stays_listed(app: App) -> None:
    at = app(PLANNER_06, "graph.py")
    at.text_input(key="graph_search").set_value("ba be").run()
    at.selectbox(key="graph_unit").select("2025-01:district:061").run()
    at.date_input(key="graph_as_of").set_value(date(2023, 6, 29)).run()
    without_digital = graph_list(at, "no_digital")
    assert sorted(without_digital["Mã"]) == ["L3", "L4"]
    at.multiselect(key="graph_products:vi").select("TEA").run()
    assert sorted(at.dataframe[0].value["Mã"]) == ["L4"]  # the tab stays open
    left_out = graph_list(at, "unlinked")
    assert list(zip(left_out["Loại"], left_out["Mã"], strict=True)) == [
        ("hợp tác xã", "C3"),
        ("người sản xuất", "P3"),
        ("người sản xuất", "P4"),
    ]


def test_a_buyer_picked_then_dated_out_of_the_graph_is_cleared_with_a_note(app: App) -> None:
    at = app(OFFICER_058, "graph.py")
    at.session_state["graph_chosen"] = "buyer:B1"  # what picking B1 in the buyer-dependence list keeps
    at.run()
    assert [s.value for s in at.subheader][-1] == "bên mua: Công ty CP Nông sản Bắc Kạn"
    at.date_input(key="graph_as_of").set_value(date(2019, 1, 1)).run()  # before any linkage started
    assert not at.exception, at.exception
    assert "bên mua B1 không còn trong sơ đồ này" in texts(at)
    assert "pick" not in at.query_params and at.session_state["graph_chosen"] is None
    at.date_input(key="graph_as_of").set_value(date(2024, 1, 1)).run()  # the note was for that one change
    assert "không còn trong sơ đồ này" not in texts(at)


def test_a_linkage_picked_by_a_click_in_the_drawing_then_filtered_out_is_cleared_with_a_note(app: App) -> None:
    # A click on a node writes `pick` into the address (linkage/graphs/drawing.py BRIDGE); so does a shared link.
    at = app(OFFICER_058, "graph.py", unit="058", as_of="2024-06-30", pick="linkage:L1")
    assert [s.value for s in at.subheader][-1] == "liên kết: Chuỗi lúa Dương Quang"
    assert "Các bên liên kết" in texts(at)
    at.multiselect(key="graph_products:vi").select("TEA").run()  # L1 is rice
    assert not at.exception, at.exception
    assert "liên kết L1 không còn trong sơ đồ này" in texts(at)
    assert dict(at.query_params) == {"map": "2025-01", "unit": "058", "as_of": "2024-06-30", "product": "TEA"}


def test_a_pick_of_who_is_in_no_linkage_shows_its_record(app: App) -> None:
    at = app(OFFICER_058, "graph.py", pick="cooperative:C2")  # HTX Phường Sông Cầu is in no linkage
    assert [s.value for s in at.subheader][-1] == "hợp tác xã: HTX Phường Sông Cầu"
    assert {"C2", "01837", "8"} <= set(at.dataframe[-1].value[""])  # its record: code, commune, members


def test_a_pick_typed_into_the_address_is_text_and_is_cleared(app: App) -> None:
    at = app(OFFICER_058, "graph.py", pick="buyer:<img src=x onerror=alert(1)>")
    assert "bên mua <img src=x onerror=alert(1)> không còn trong sơ đồ này" in texts(at)
    at = app(OFFICER_058, "graph.py", pick="<script>:x")
    assert "Địa chỉ nêu" not in texts(at) and "không còn trong sơ đồ" in texts(at)


def test_the_unit_list_holds_the_users_own_units_before_any_search(app: App) -> None:
    assert app(OFFICER_058, "graph.py").selectbox(key="graph_unit").options == [
        "Thành Phố Bắc Kạn — Tỉnh Bắc Kạn (058, 2025-01)"
    ]
    planner = app(PLANNER_06, "graph.py").selectbox(key="graph_unit")
    assert planner.value == "2025-01:province:06"
    districts = sorted((d["code"], d["name"]) for d in gso_rows()[1] if d["province_code"] == "06")
    assert len(districts) == 8
    assert planner.options == [
        "Tỉnh Bắc Kạn (06, 2025-01)",
        *(f"{name} — Tỉnh Bắc Kạn ({code}, 2025-01)" for code, name in districts),
    ]
    for actor in (PLANNER_VN, Actor("quantri", "admin")):
        units = app(actor, "graph.py").selectbox(key="graph_unit")
        # the district with the most linkages, then the 34 provinces of today's map, then the 63 of 2025-01
        assert len(units.options) == 1 + 34 + 63 and units.options[1] == "Thành phố Hà Nội (01, 2025-07)"
        assert units.value.startswith("2025-01:district:")  # the district with the most linkages opens
        assert units.options[-1] == "Tỉnh Cà Mau (96, 2025-01)"


def test_a_shared_graph_link_opens_its_unit_date_and_filters_and_choices_go_into_the_address(app: App) -> None:
    at = app(PLANNER_06, "graph.py", unit="061", as_of="2023-06-29", product="TEA", party_type="buyer,producer")
    assert at.selectbox(key="graph_unit").value == "2025-01:district:061"
    assert at.date_input(key="graph_as_of").value == date(2023, 6, 29)
    assert at.multiselect(key="graph_products:vi").value == ["TEA"]
    assert at.multiselect(key="graph_types:vi").value == ["buyer", "producer"]
    assert sorted(graph_list(at, "no_digital")["Mã"]) == ["L4"]  # the tea linkage without digital technology
    at.multiselect(key="graph_tech:vi").select("e_commerce").run()
    at.date_input(key="graph_as_of").set_value(date(2022, 12, 31)).run()
    address = dict(at.query_params)
    assert address == {
        "map": "2025-01",
        "unit": "061",
        "as_of": "2022-12-31",
        "product": "TEA",
        "technology": "e_commerce",
        "party_type": "buyer,producer",
    }
    # A reload (a new session on the same address) shows the same graph, in English too.
    again = english(app(PLANNER_06, "graph.py", **address))
    assert again.selectbox(key="graph_unit").value == "2025-01:district:061"
    assert again.date_input(key="graph_as_of").value == date(2022, 12, 31)
    assert again.multiselect(key="graph_tech:en").value == ["e_commerce"]
    assert again.multiselect(key="graph_types:en").value == ["buyer", "producer"]
    assert dict(again.query_params) == address


def test_the_graph_comes_back_as_it_was_after_another_page(app: App) -> None:
    at = app(PLANNER_06, "graph.py")
    at.selectbox(key="graph_unit").select("2025-01:district:061").run()
    at.date_input(key="graph_as_of").set_value(date(2023, 6, 29)).run()
    at.multiselect(key="graph_products:vi").select("TEA").run()
    at.switch_page(str(PAGES / "coverage.py")).run()
    at.query_params.clear()  # the sidebar's link to the graph carries no address
    at.switch_page(str(PAGES / "graph.py")).run()
    assert at.selectbox(key="graph_unit").value == "2025-01:district:061"
    assert at.date_input(key="graph_as_of").value == date(2023, 6, 29)
    assert at.multiselect(key="graph_products:vi").value == ["TEA"]
    assert dict(at.query_params) == {"map": "2025-01", "unit": "061", "as_of": "2023-06-29", "product": "TEA"}


def test_a_graph_link_outside_the_users_scope_or_garbled_says_so_and_opens_the_users_own(app: App) -> None:
    at = app(OFFICER_058, "graph.py", unit="061", as_of="31/12/2023", product="TEA,NO_SUCH", technology="x")
    said = texts(at)
    assert "Tài khoản này không xem được sơ đồ của Huyện Ba Bể" in said
    assert 'ngày "31/12/2023", không đọc được' in said
    assert 'Bỏ qua sản phẩm "NO_SUCH"' in said and 'Bỏ qua công nghệ "x"' in said
    assert at.selectbox(key="graph_unit").value == "2025-01:district:058"
    assert at.date_input(key="graph_as_of").value == date.today()
    assert at.multiselect(key="graph_products:vi").value == ["TEA"]
    assert dict(at.query_params) == {
        "map": "2025-01",
        "unit": "058",
        "as_of": date.today().isoformat(),
        "product": "TEA",
    }
    assert app(OFFICER_058, "graph.py", unit="99").selectbox(key="graph_unit").value == "2025-01:district:058"


# --- My cooperative ---------------------------------------------------------------------------


def test_a_new_member_without_a_commune_is_explained_and_one_chosen_by_name_waits_for_the_officer(
    app: App, database: str
) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    at.text_input(key="new_member:code").set_value("P58")
    at.text_input(key="new_member:name").set_value("Hộ Nông Văn Mới")
    at.button(key="FormSubmitter:new_member-Lưu").click().run()
    # a commune on either map is needed (docs/exchange-files.md), and the refusal says so
    assert "Mã xã" in texts(at) and "bản đồ 2025-01" in texts(at) and "bản đồ 2025-07" in texts(at)
    assert forms.find(get_engine(database), SYSTEM, "producers", among=["P58"]) == []
    at.selectbox(key="new_member:commune_code:vi").select("01849")  # the rest is still as typed
    at.button(key="FormSubmitter:new_member-Lưu").click().run()
    assert "chờ Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên xác nhận" in texts(at)  # today's office, no district's
    assert [(p.key, p.status) for p in pending(get_engine(database), C1_OFFICE)] == [("P58", "reported")]
    assert pending(get_engine(database), OFFICER_058) == []


def test_a_raw_material_area_is_added_to_one_of_its_linkages(app: App, database: str) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    assert at.selectbox(key="area_for").options == ["L1 — Chuỗi lúa Dương Quang"]
    for column, value in (("code", "A58"), ("name", "Cánh đồng mẫu")):
        at.text_input(key=f"new_area:{column}").set_value(value)
    at.selectbox(key="new_area:commune_code:vi").select("01849")
    at.selectbox(key="new_area:product_code:vi").select("RICE")
    at.text_input(key="new_area:area_ha").set_value("0")
    at.button(key="FormSubmitter:new_area-Lưu").click().run()
    assert "lớn hơn 0" in texts(at)  # explained, nothing saved ...
    assert "không phải mã" not in texts(at)  # ... and no echo about the party row saved with it
    assert at.text_input(key="new_area:name").value == "Cánh đồng mẫu"  # what was typed stays
    at.text_input(key="new_area:area_ha").set_value("12,5")  # the Vietnamese decimal comma
    at.button(key="FormSubmitter:new_area-Lưu").click().run()
    assert "chờ Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên xác nhận" in texts(at)
    assert at.text_input(key="new_area:1:code").value == ""  # an empty form for the next area
    engine = get_engine(database)
    assert forms.read(engine, SYSTEM, "raw_material_areas", "A58").values["area_ha"] == "12.5"
    assert forms.read(engine, SYSTEM, "linkage_parties", "L1|raw_material_area|A58").review_status == "reported"


def test_a_cooperative_starts_a_linkage_and_adds_a_technology_to_it(app: App, database: str) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    at.text_input(key="start_linkage:code").set_value("L58")
    at.text_input(key="start_linkage:name").set_value("Chuỗi rau Dương Quang")
    at.selectbox(key="start_linkage:product_code:vi").select("VEGETABLE")
    at.text_input(key="start_linkage:started_on").set_value("01/03/2025")
    at.button(key="FormSubmitter:start_linkage-Lưu").click().run()
    assert "chờ Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên xác nhận" in texts(at)
    assert at.text_input(key="start_linkage:1:code").value == ""  # an empty form for the next one
    at.selectbox(key="linkage_choice:vi").select("L58").run()
    at.selectbox(key="new_digital_adoptions_L58:technology:vi").select("e_commerce")
    at.text_input(key="new_digital_adoptions_L58:adopted_on").set_value("15/03/2025")
    at.button(key="FormSubmitter:new_digital_adoptions_L58-Lưu").click().run()
    engine = get_engine(database)
    adoption = forms.read(engine, SYSTEM, "digital_adoptions", "L58|e_commerce|2025-03-15")
    assert (adoption.values["linkage_code"], adoption.review_status) == ("L58", "reported")
    assert forms.read(engine, SYSTEM, "linkage_parties", "L58|cooperative|C1").values["party_code"] == "C1"


def test_the_history_tab_lists_who_changed_what(app: App, database: str) -> None:
    engine = get_engine(database)
    view = forms.read(engine, OFFICER_058, "cooperatives", "C1")
    forms.save(engine, OFFICER_058, "cooperatives", {**view.values, "members": "31"}, view)
    at = app(COOP_C1, "my_cooperative.py")
    lines = [str(m.value).replace("\\", "") for m in at.markdown if str(m.value).startswith("- ")]
    assert any("lan" in line and "Số thành viên: 20 → 31" in line for line in lines)


def test_the_history_tab_says_when_on_vietnams_clock(app: App, database: str) -> None:
    engine = get_engine(database)
    view = forms.read(engine, OFFICER_058, "cooperatives", "C1")
    forms.save(engine, OFFICER_058, "cooperatives", {**view.values, "members": "31"}, view)
    (update,) = [e for e in forms.history(engine, SYSTEM, "cooperatives", "C1") if e.action == "update"]
    stored_utc = update.at.replace(tzinfo=UTC) if update.at.tzinfo is None else update.at.astimezone(UTC)
    in_hanoi = f"{stored_utc + timedelta(hours=7):%d/%m/%Y %H:%M} (UTC+7)"
    at = app(COOP_C1, "my_cooperative.py")
    lines = [str(m.value).replace("\\", "") for m in at.markdown if str(m.value).startswith("- ")]
    assert any(line.startswith(f"- {in_hanoi} · lan") for line in lines), lines


def test_a_cooperative_sees_only_its_own_linkages_and_areas(app: App) -> None:
    at = app(COOP_C5, "my_cooperative.py")
    assert at.selectbox(key="linkage_choice:vi").options == ["—", "L4 — Chuỗi chè Phúc Lộc"]
    assert at.selectbox(key="area_choice:vi").options == ["—", "A2 — Vùng chè Hà Hiệu"]
    assert "HTX Dương Quang" not in texts(at)


# --- Verification -----------------------------------------------------------------------------


def test_an_officer_sends_a_change_back_with_a_comment_and_the_cooperative_reads_it(app: App, database: str) -> None:
    engine = get_engine(database)
    original = forms.read(engine, COOP_C1, "cooperatives", "C1")
    forms.save(engine, COOP_C1, "cooperatives", {**original.values, "members": "26"}, original)
    version = forms.read(engine, SYSTEM, "cooperatives", "C1").version
    officer = app(C1_OFFICE, "verification.py")
    assert "HTX Dương Quang" in texts(officer)  # the record's name, not only its code
    officer.button(key=f"back_cooperatives_C1_{version}").click().run()
    assert "Hãy ghi rõ cần sửa gì" in texts(officer)  # an empty comment is refused, in a sentence
    officer.text_input(key=f"comment_cooperatives_C1_{version}").set_value("Số thành viên theo sổ là 24")
    officer.button(key=f"back_cooperatives_C1_{version}").click().run()
    assert "Không có thay đổi nào chờ xác nhận" in texts(officer)
    coop = app(COOP_C1, "my_cooperative.py")
    assert "Số thành viên theo sổ là 24" in "\n".join(str(e.value) for e in coop.error)


# --- Data exchange ----------------------------------------------------------------------------


def test_the_exchange_page_offers_every_template_and_a_scoped_export(app: App, downloads: Download) -> None:
    at = app(OFFICER_058, "exchange.py")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:9] == [
        "products.csv",
        "province_key_products.csv",
        "cooperatives.csv",
        "producers.csv",
        "buyers.csv",
        "raw_material_areas.csv",
        "linkages.csv",
        "linkage_parties.csv",
        "digital_adoptions.csv",
    ]
    at.radio(key="export_format").set_value("csv").run()
    at.button(key="prepare_export").click().run()
    assert at.get("download_button")[-1].proto.label == "Tải linkage-tracker-csv.zip"
    with zipfile.ZipFile(io.BytesIO(downloads(at))) as archive:
        files = {name: archive.read(name).decode("utf-8-sig").splitlines() for name in archive.namelist()}
    assert sorted(files) == sorted(label for label in labels[:9])
    assert [line.split(",")[0] for line in files["cooperatives.csv"][1:]] == ["C1", "C2"]  # district 058 only
    assert [line.split(",")[0] for line in files["linkages.csv"][1:]] == ["L1"]


def test_a_planner_exports_but_cannot_upload(app: App, downloads: Download) -> None:
    at = app(Actor("hoa", "planner", "06"), "exchange.py")
    assert not at.get("file_uploader")
    at.button(key="prepare_export").click().run()
    assert at.get("download_button")[-1].proto.label == "Tải linkage-tracker.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(downloads(at)), read_only=True)
    areas = [row[0] for row in book["raw_material_areas"].iter_rows(min_row=2, values_only=True)]
    assert areas == ["A1", "A2", "A3"]  # Bắc Kạn's; A4 lies in Hà Nội


@pytest.mark.parametrize("page", ["home.py", "coverage.py", "graph.py", "verification.py", "exchange.py"])
def test_every_officer_page_reads_in_english_after_the_switch(app: App, page: str) -> None:
    at = english(app(OFFICER_058, page))
    words = " ".join(t.value for t in at.title)
    assert not any(ch in words for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệ"), words
    assert "app." not in texts(at) and "choice." not in texts(at)


def test_a_choice_made_in_a_form_survives_a_refused_save_and_a_language_switch(app: App, database: str) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    at.text_input(key="new_member:code").set_value("P59")
    at.selectbox(key="new_member:commune_code:vi").select("01849")
    at.selectbox(key="new_member:kind:vi").select("enterprise")
    at.button(key="FormSubmitter:new_member-Lưu").click().run()  # refused: no name
    english(at)
    assert at.selectbox(key="new_member:kind:en").value == "enterprise"
    assert at.selectbox(key="new_member:commune_code:en").value == "01849"
    at.text_input(key="new_member:name").set_value("Công ty Mới")
    at.button(key="FormSubmitter:new_member-Save").click().run()
    saved = forms.read(get_engine(database), SYSTEM, "producers", "P59").values
    assert (saved["kind"], saved["commune_code"]) == ("enterprise", "01849")
