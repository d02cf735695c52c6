"""The cooperative's forms through AppTest: communes chosen by name, choices that must be made,
and Streamlit's own words set in the user's language where Streamlit lets them be set."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from linkage.accounts.users import SYSTEM, Actor
from linkage.geo.geography import gso_rows
from linkage.records import forms
from linkage.store.db import get_engine

from .apptest import texts
from .helpers import COOP_C1

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
    assert "chờ Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên xác nhận" in texts(at)
    assert forms.read(get_engine(database), SYSTEM, "producers", "P60").values["commune_code"] == "01852"


def test_a_stored_commune_of_another_province_stays_named_and_kept(app: App, database: str) -> None:
    engine = get_engine(database)
    member = forms.save(
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
    saved = forms.read(engine, SYSTEM, "producers", "P61")
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
    assert forms.find(get_engine(database), SYSTEM, "linkages", among=["L60"]) == []
    assert at.text_input(key="start_linkage:name").value == "Chuỗi mới"  # what was typed stays


def test_a_new_area_has_no_product_until_one_is_chosen(app: App, database: str) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    assert at.selectbox(key="new_area:product_code:vi").value is None
    for column, value in (("code", "A60"), ("name", "Đồi chè"), ("area_ha", "3")):
        at.text_input(key=f"new_area:{column}").set_value(value)
    at.selectbox(key="new_area:commune_code:vi").select("01849")
    at.button(key="FormSubmitter:new_area-Lưu").click().run()
    assert "Mã sản phẩm là bắt buộc" in texts(at)
    assert forms.find(get_engine(database), SYSTEM, "raw_material_areas", among=["A60"]) == []


# --- The commune on today's map first, the one before the reform for older records -----


def new_communes_of(province: int) -> dict[str, str]:
    """Code → `commune — province (code)` of one province of 2025-07, straight from the package."""
    from vietnam_provinces import Province, Ward

    name = next(p.name for p in Province.iter_all() if int(p.code) == province)
    return {
        f"{int(w.code):05d}": f"{w.name} — {name} ({int(w.code):05d})"
        for w in Ward.iter_all()
        if int(w.province_code) == province
    }


def widget_keys(at: AppTest) -> list[str]:
    return [str(s.key) for s in at.selectbox]


def test_the_commune_of_todays_map_comes_first_among_the_new_provinces_communes(app: App) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    keys = widget_keys(at)
    assert keys.index("profile:commune_code_2025_07:vi") < keys.index("profile:commune_code:vi")
    new = at.selectbox(key="profile:commune_code_2025_07:vi")
    assert new.label == "Xã, phường (bản đồ từ 01/07/2025)"
    # Bắc Kạn (06) went whole into Thái Nguyên (19): its communes of 2025-07 are offered
    assert sorted(new.options[1:]) == sorted(new_communes_of(19).values())
    assert new.value == ""  # C1 was entered on 2025-01 only: nothing chosen for it


def test_choosing_the_new_commune_saves_it_beside_the_old_one_through_the_normal_write_path(
    app: App, database: str
) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    at.selectbox(key="profile:commune_code_2025_07:vi").select("01849")  # Xã Phong Quang took in 01849
    at.button(key="FormSubmitter:profile-Lưu").click().run()
    assert "chờ Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên xác nhận" in texts(at)
    saved = forms.read(get_engine(database), SYSTEM, "cooperatives", "C1")
    assert (saved.values["commune_code"], saved.values["commune_code_2025_07"]) == ("01849", "01849")
    assert saved.review_status == "reported"


def test_a_new_commune_that_disagrees_with_the_old_one_is_refused_and_nothing_is_written(
    app: App, database: str
) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    at.selectbox(key="profile:commune_code_2025_07:vi").select("01864")  # not where 01849 went
    at.button(key="FormSubmitter:profile-Lưu").click().run()
    assert "01849" in texts(at) and "01864" in texts(at)
    assert forms.read(get_engine(database), SYSTEM, "cooperatives", "C1").values["commune_code_2025_07"] == ""


def test_the_old_commune_is_filled_from_the_crosswalk_when_the_new_one_took_in_exactly_one(
    app: App, database: str
) -> None:
    # new 01957 (Xã Thượng Quan) took in old 01957 alone; new 01864 took in four old communes
    for code, name, commune in (("P70", "Hộ Thượng Quan", "01957"), ("P71", "Hộ Bằng Thành", "01864")):
        at = app(COOP_C1, "my_cooperative.py")
        at.text_input(key="new_member:code").set_value(code)
        at.text_input(key="new_member:name").set_value(name)
        at.selectbox(key="new_member:commune_code_2025_07:vi").select(commune)
        at.button(key="FormSubmitter:new_member-Lưu").click().run()
        assert not at.exception, at.exception
    engine = get_engine(database)
    p70, p71 = (forms.read(engine, SYSTEM, "producers", c).values for c in ("P70", "P71"))
    assert (p70["commune_code"], p70["commune_code_2025_07"]) == ("01957", "01957")
    assert (p71["commune_code"], p71["commune_code_2025_07"]) == ("", "01864")


def test_a_cooperative_founded_after_the_reform_is_not_asked_its_commune_before_it(app: App, database: str) -> None:
    engine = get_engine(database)
    for code, founded in (("K9", "2025-09-01"), ("K8", "2019-05-01")):
        forms.save(
            engine,
            SYSTEM,
            "cooperatives",
            {"code": code, "name": f"HTX {code}", "commune_code_2025_07": "01957", "established_on": founded},
            None,
        )
    young = app(Actor("htx9", "cooperative", cooperative_code="K9"), "my_cooperative.py")
    assert "profile:commune_code:vi" not in widget_keys(young)
    assert young.selectbox(key="profile:commune_code_2025_07:vi").value == "01957"
    old = app(Actor("htx8", "cooperative", cooperative_code="K8"), "my_cooperative.py")
    assert old.selectbox(key="profile:commune_code:vi").value == "01957"  # pre-filled: the crosswalk's one answer
    old.button(key="FormSubmitter:profile-Lưu").click().run()
    assert forms.read(engine, SYSTEM, "cooperatives", "K8").values["commune_code"] == "01957"
