"""The cooperative's forms through AppTest: communes chosen by name, choices that must be made,
and Streamlit's own words set in the user's language where Streamlit lets them be set."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from linkage import records
from linkage.accounts import SYSTEM
from linkage.db import get_engine
from linkage.geography import gso_rows

from .apptest import texts
from .test_permissions import COOP_C1

App = Callable[..., AppTest]


def bac_kan_communes() -> dict[str, str]:
    """Bắc Kạn's communes straight from the GSO package: code → `commune — district — province`."""
    provinces, districts, communes = gso_rows()
    district = {d["code"]: d for d in districts if d["province_code"] == "06"}
    province = next(p["name"] for p in provinces if p["code"] == "06")
    return {
        c["code"]: f"{c['name']} — {district[c['district_code']]['name']} — {province}"
        for c in communes
        if c["district_code"] in district
    }


def test_the_cooperatives_commune_shows_its_name_district_and_province(app: App) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    commune = at.selectbox(key="profile:commune_code:vi")
    assert commune.value == "01849"
    assert commune.format_func(commune.value) == "Xã Dương Quang — Thành Phố Bắc Kạn — Tỉnh Bắc Kạn (01849)"
    # the list holds its province's communes, every one named, and none of another province
    named = bac_kan_communes()
    # the first choice is "none on this map" (the commune may be given on the 2025-07 map instead)
    assert commune.options[0] == "—"
    assert sorted(commune.options[1:]) == sorted(f"{label} ({code})" for code, label in named.items())


def test_a_new_members_commune_is_chosen_by_name_and_saved_as_its_code(app: App, database: str) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    at.text_input(key="new_member:code").set_value("P60")
    at.text_input(key="new_member:name").set_value("Hộ Hà Thị Nông")
    commune = at.selectbox(key="new_member:commune_code:vi")
    assert commune.value == ""  # nothing chosen for the user: "—", no commune on this map yet
    commune.select_index(next(i for i, o in enumerate(commune.options) if o.startswith("Xã Nông Thượng —")))
    at.button(key="FormSubmitter:new_member-Lưu").click().run()
    assert "chờ cán bộ huyện xác nhận" in texts(at)
    assert records.read(get_engine(database), SYSTEM, "producers", "P60").values["commune_code"] == "01852"


def test_a_stored_commune_of_another_province_stays_named_and_kept(app: App, database: str) -> None:
    engine = get_engine(database)
    member = records.save(
        engine,
        SYSTEM,
        "producers",
        {"code": "P61", "name": "Hộ ở Hà Nội", "commune_code": "00001", "kind": "household", "cooperative_code": "C1"},
        None,
    )
    at = app(COOP_C1, "my_cooperative.py")
    at.selectbox(key="member_choice:vi").select("P61").run()
    commune = at.selectbox(key="member_P61:commune_code:vi")
    assert commune.format_func("00001") == "Phường Phúc Xá — Quận Ba Đình — Thành phố Hà Nội (00001)"
    at.text_input(key="member_P61:name").set_value("Hộ ở Hà Nội (sửa)")
    at.button(key="FormSubmitter:member_P61-Lưu").click().run()
    saved = records.read(engine, SYSTEM, "producers", "P61")
    assert (saved.values["name"], saved.values["commune_code"]) == ("Hộ ở Hà Nội (sửa)", "00001")
    assert saved.version == member.version + 1


def test_a_linkage_saved_without_a_product_is_refused_in_words_and_nothing_is_written(app: App, database: str) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    product = at.selectbox(key="start_linkage:product_code:vi")
    assert product.value is None and product.placeholder == "Chọn…"  # no silent first product
    at.text_input(key="start_linkage:code").set_value("L60")
    at.text_input(key="start_linkage:name").set_value("Chuỗi mới")
    at.text_input(key="start_linkage:started_on").set_value("01/03/2025")
    at.button(key="FormSubmitter:start_linkage-Lưu").click().run()
    assert "Mã sản phẩm là bắt buộc nhưng đang để trống" in texts(at)
    assert records.find(get_engine(database), SYSTEM, "linkages", among=["L60"]) == []
    assert at.text_input(key="start_linkage:name").value == "Chuỗi mới"  # what was typed stays


def test_a_new_area_has_no_product_until_one_is_chosen(app: App, database: str) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    assert at.selectbox(key="new_area:product_code:vi").value is None
    for column, value in (("code", "A60"), ("name", "Đồi chè"), ("area_ha", "3")):
        at.text_input(key=f"new_area:{column}").set_value(value)
    at.selectbox(key="new_area:commune_code:vi").select("01849")
    at.button(key="FormSubmitter:new_area-Lưu").click().run()
    assert "Mã sản phẩm là bắt buộc" in texts(at)
    assert records.find(get_engine(database), SYSTEM, "raw_material_areas", among=["A60"]) == []
