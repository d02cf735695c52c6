"""Every page through streamlit.testing.v1.AppTest, signed in as the role that uses it."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import openpyxl
import pytest

from linkage.accounts.users import SYSTEM, Actor
from linkage.counting.coverage import opening_map
from linkage.geo.maps import NEW_MAP, OLD_MAP, crosswalk, map_data
from linkage.records import forms
from linkage.store.db import get_engine

from .apptest import PAGES, graph_list, text_tables, texts
from .helpers import C1_OFFICE, COOP_C1, OFFICER_058, PLANNER_VN


def test_signing_in_with_a_wrong_password_says_so_and_the_right_one_opens_the_officers_pages(app) -> None:
    at = app(page="login.py")
    at.text_input(key="login_username").set_value("lan")
    at.text_input(key="login_password").set_value("sai-mật-khẩu")
    at.button[0].click().run()
    assert at.error[0].value == "Sai tên đăng nhập hoặc mật khẩu"  # a sentence: its first letter a capital
    at.text_input(key="login_password").set_value("mật-khẩu-dài")
    at.button[0].click().run()
    assert at.session_state["actor"]["username"] == "lan"
    assert "Đăng nhập: **lan**" in texts(at)


def test_the_coverage_page_opens_the_unit_in_the_url_and_drills_down(app) -> None:
    at = app(PLANNER_VN, "coverage.py", unit="06", map="2025-01")
    assert at.subheader[0].value.startswith("Tỉnh Bắc Kạn")
    assert [m.label for m in at.metric][:1] == ["Xã có hợp tác xã"]
    # The breadcrumb leads back to the country; the rows below target name Bắc Kạn's districts.
    assert [at.button(key=f"crumb_{c}").label for c in ("VN", "06")] == ["Việt Nam", "Tỉnh Bắc Kạn"]
    at.button(key="crumb_VN").click().run()
    assert at.query_params["unit"] == ["VN"] or at.query_params["unit"] == "VN"
    assert at.subheader[0].value.startswith("Việt Nam")


def test_the_verified_only_toggle_changes_the_figure_a_cooperative_reported(app, database: str) -> None:
    engine = get_engine(database)
    original = forms.read(engine, COOP_C1, "cooperatives", "C1")
    forms.save(engine, COOP_C1, "cooperatives", {**original.values, "dissolved_on": "2021-01-01"}, original)
    at = app(PLANNER_VN, "coverage.py", unit="058", map="2025-01")
    assert at.metric[0].value == "0,0%"
    at.toggle(key="coverage_verified").set_value(True).run()
    assert at.metric[0].value == "50,0%"


def test_a_cooperative_form_with_a_bad_date_is_explained_and_nothing_is_saved(app, database: str) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    at.text_input(key="profile:established_on").set_value("31/02/2020")
    at.button(key="FormSubmitter:profile-Lưu").click().run()
    assert "Ngày thành lập" in texts(at) and "không phải ngày có thật" in texts(at)
    assert forms.read(get_engine(database), SYSTEM, "cooperatives", "C1").values["established_on"] == "2020-01-01"


def test_a_cooperative_saves_its_profile_and_it_waits_for_verification(app, database: str) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    at.text_input(key="profile:members").set_value("25")
    at.button(key="FormSubmitter:profile-Lưu").click().run()
    assert "chờ Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên xác nhận" in texts(at)
    view = forms.read(get_engine(database), SYSTEM, "cooperatives", "C1")
    assert (view.values["members"], view.review_status) == ("25", "reported")


def test_a_stale_edit_is_refused_with_what_changed(app, database: str) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    engine = get_engine(database)
    # An officer saves the record while the cooperative's form is open.
    view = forms.read(engine, OFFICER_058, "cooperatives", "C1")
    forms.save(engine, OFFICER_058, "cooperatives", {**view.values, "members": "33"}, view)
    at.text_input(key="profile:name").set_value("HTX Dương Quang (tên mới)")
    at.button(key="FormSubmitter:profile-Lưu").click().run()
    assert "đã được người khác sửa" in texts(at) and "Số thành viên: 20 → 33" in texts(at)
    assert forms.read(engine, SYSTEM, "cooperatives", "C1").values["name"] == "HTX Dương Quang"


def test_the_officer_verifies_a_reported_change(app, database: str) -> None:
    engine = get_engine(database)
    original = forms.read(engine, COOP_C1, "cooperatives", "C1")
    forms.save(engine, COOP_C1, "cooperatives", {**original.values, "members": "26"}, original)
    version = forms.read(engine, SYSTEM, "cooperatives", "C1").version
    at = app(C1_OFFICE, "verification.py")
    assert "HTX" not in at.title[0].value and "Hợp tác xã C1" in texts(at)
    assert text_tables(at) == [[{"Trường": "Số thành viên", "Giá trị đã xác nhận": "20", "Giá trị báo cáo": "26"}]]
    at.button(key=f"verify_cooperatives_C1_{version}").click().run()
    assert "Không có thay đổi nào chờ xác nhận" in texts(at)
    assert forms.read(engine, SYSTEM, "cooperatives", "C1").review_status is None


def test_the_data_exchange_page_offers_templates_and_a_scoped_export(app, downloads) -> None:
    at = app(OFFICER_058, "exchange.py")
    assert at.title[0].value == "Trao đổi dữ liệu"
    at.button(key="prepare_export").click().run()
    assert not at.exception
    book = openpyxl.load_workbook(io.BytesIO(downloads(at)), read_only=True)  # the default format
    sheet = {name: [row[0] for row in book[name].iter_rows(min_row=2, values_only=True)] for name in book.sheetnames}
    assert sheet["cooperatives"] == ["C1", "C2"] and sheet["linkages"] == ["L1"]  # district 058's, no other
    assert sheet["raw_material_areas"] == ["A1"]


def test_a_cooperative_exports_its_own_sphere_and_may_send_files(app, downloads) -> None:
    at = app(COOP_C1, "exchange.py")
    assert at.get("file_uploader")  # a file is checked row by row like its forms, then waits for an officer
    at.button(key="prepare_export").click().run()
    book = openpyxl.load_workbook(io.BytesIO(downloads(at)), read_only=True)
    sheet = {name: [row[0] for row in book[name].iter_rows(min_row=2, values_only=True)] for name in book.sheetnames}
    assert sheet["cooperatives"] == ["C1"] and sheet["linkages"] == ["L1"]  # itself and its linkage, no other
    assert sheet["raw_material_areas"] == ["A1"]


@pytest.mark.parametrize("page", ["verification.py", "graph.py"])
def test_a_cooperative_cannot_open_officers_pages(app, page: str) -> None:
    at = app(COOP_C1)
    # Only the pages of the role are registered in the navigation; any other path is refused.
    with pytest.raises(ValueError, match="Could not find a navigation page") as refused:
        at.switch_page(str(PAGES / page))
    registered = str(refused.value).split("Known pages: ")[1]
    assert sorted(Path(p).name for p in ast.literal_eval(registered.rstrip("."))) == [
        "account.py",
        "coverage.py",
        "exchange.py",
        *["forbidden.py"] * 4,  # graph, verification, settling and users answer their address with a refusal
        *["home.py"] * 2,  # home, and the sign-in address reloaded once signed in
        "my_cooperative.py",
    ]
    at.switch_page(str(PAGES / "forbidden.py")).run()
    assert at.title[0].value == "Tài khoản này không xem được trang này" and not at.dataframe


def test_switching_language_translates_the_page(app) -> None:
    at = app(PLANNER_VN, "coverage.py")
    at.sidebar.radio[0].set_value("en").run()
    assert at.title[0].value == "Coverage of the Decision 924 targets"


def test_the_graph_page_opens_the_officers_district_with_its_analytics(app) -> None:
    at = app(OFFICER_058, "graph.py")
    assert at.selectbox(key="graph_unit").value == "2025-01:district:058"
    assert at.selectbox(key="graph_unit").options == ["Thành Phố Bắc Kạn — Tỉnh Bắc Kạn (058, 2025-01)"]
    # The lists come when their part is opened: the drawing first, and no list is read before.
    assert [e.label for e in at.expander] == ["Cần xử lý"] and not at.tabs and not at.dataframe
    at.session_state["graph_act_on"] = True
    at.run()
    assert [t.label for t in at.tabs] == [
        "Chưa tham gia liên kết",
        "Phụ thuộc bên mua",
        "Chưa có công nghệ số",
        "Chỉ một bên mua",
    ]
    # C2 sits in 058 and takes part in no linkage; B1 is behind the district's only linkage. Only the
    # open tab's list is read and shown.
    assert len(at.dataframe) == 1 and "C2" in at.dataframe[0].value["Mã"].tolist()
    assert graph_list(at, "dependence")["Quá một nửa"].tolist() == ["✓"]


def test_an_officer_cannot_open_another_districts_graph_by_searching(app) -> None:
    at = app(OFFICER_058, "graph.py")
    at.text_input(key="graph_search").set_value("ba be").run()
    assert "Không có đơn vị nào bạn được xem" in texts(at)


def test_a_province_planner_searches_without_diacritics(app) -> None:
    at = app(Actor("hoa", "planner", "06"), "graph.py")
    at.text_input(key="graph_search").set_value("ba be").run()
    # The new Xã Ba Bể (2025-07) took in communes of the old Huyện Ba Bể only, so it lies in the
    # planner's province of 2025-01 and is offered too; no Ba Bể of another province is.
    old_communes = crosswalk().new_to_old["01906"]
    assert old_communes and all(map_data(OLD_MAP).communes[c].province == "06" for c in old_communes)
    assert at.selectbox(key="graph_unit").options == [
        "Huyện Ba Bể — Tỉnh Bắc Kạn (061, 2025-01)",
        "Xã Ba Bể — Tỉnh Thái Nguyên (01906, 2025-07)",
    ]


# --- Coverage of a unit with no rural commune -------------------------------


def test_a_shared_link_to_a_wholly_urban_district_says_it_has_no_figures_and_shows_its_province(app) -> None:
    at = app(PLANNER_VN, "coverage.py", unit="001", map="2025-01")
    assert at.subheader[0].value.startswith("Quận Ba Đình")
    said = texts(at)
    assert "Quận Ba Đình không có xã nông thôn nào" in said
    # Its own linkage counts: L7 (Phúc Xá's vegetables, a raw-material area, no technology) lies there.
    assert "1 liên kết đang hoạt động" in said and "1 có vùng nguyên liệu" in said and "0 ứng dụng công nghệ số" in said
    # The province's figures stand in: three cards, the first Hà Nội's communes with a cooperative.
    assert [m.label for m in at.metric] == [
        "Xã có hợp tác xã",
        "Huyện có liên kết sản phẩm chủ lực",
        "Liên kết vùng nguyên liệu ứng dụng công nghệ số",
    ]
    assert "Thành phố Hà Nội" in said
    assert at.query_params["unit"] in ("001", ["001"])


def test_a_wholly_urban_district_found_by_search_opens_without_figures(app) -> None:
    at = app(PLANNER_VN, "coverage.py")
    at.selectbox(key="coverage_map:vi").select("2025-01").run()
    at.text_input(key="coverage_search").set_value("ba dinh").run()
    at.button(key="goto_2025-01_district_001").click().run()
    assert not at.exception, at.exception
    assert at.subheader[0].value.startswith("Quận Ba Đình")
    assert "Quận Ba Đình không có xã nông thôn nào" in texts(at) and len(at.metric) == 3


def test_an_officer_whose_district_is_wholly_urban_opens_the_coverage_page(app) -> None:
    at = app(Actor("tuan", "officer", "002"), "coverage.py")
    # an account of 2025-01 keeps working on its map: its own district first, with no figures, said so
    assert at.selectbox(key="coverage_map:vi").value == "2025-01"
    assert at.subheader[0].value.startswith("Quận Hoàn Kiếm")
    assert "Quận Hoàn Kiếm không có xã nông thôn nào" in texts(at)
    assert len(at.metric) == 3
    # today's map on request: the district opens what it became, and says so
    at.selectbox(key="coverage_map:vi").select("2025-07").run()
    assert at.subheader[0].value.startswith(
        "Thành phố Hà Nội"
    ) and "Quận Hoàn Kiếm là đơn vị của bản đồ 2025-01" in texts(at)


def test_an_officer_of_a_new_commune_opens_on_today_s_map() -> None:
    assert opening_map(Actor("an", "officer", "24544", unit_map=NEW_MAP)) is None  # the map of the date
    assert opening_map(Actor("lan", "officer", "058")) == OLD_MAP
    assert opening_map(Actor("hoa", "planner", "06")) == OLD_MAP
    assert opening_map(Actor("thu", "planner", "66", unit_map=NEW_MAP)) is None
    assert opening_map(Actor("vn", "planner", "VN")) is None  # the nation is on both maps
    assert opening_map(Actor("root", "admin")) is None


def test_a_ward_of_an_urban_district_opens_its_district_in_english(app) -> None:
    at = app(PLANNER_VN, "coverage.py", unit="00001", map="2025-01")
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    assert at.subheader[0].value.startswith("Quận Ba Đình on ")
    assert "Quận Ba Đình has no rural commune" in texts(at)


def test_a_province_graph_is_drawn_as_its_districts_and_a_district_as_its_chains(app) -> None:
    at = app(Actor("hoa", "planner", "06"), "graph.py")
    assert at.selectbox(key="graph_unit").value == "2025-01:province:06"
    overview = "Sơ đồ tỉnh vẽ theo huyện"
    assert any(c.value.startswith(overview) for c in at.caption)
    assert "district:061" in at.get("iframe")[0].proto.srcdoc and "linkage:L3" not in at.get("iframe")[0].proto.srcdoc
    at.selectbox(key="graph_unit").select("2025-01:district:061").run()
    assert not any(c.value.startswith(overview) for c in at.caption)
    assert "linkage:L3" in at.get("iframe")[0].proto.srcdoc
