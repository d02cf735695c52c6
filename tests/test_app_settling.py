"""The settling page: records placed above the commune, each with its candidate communes; one
choice saves through the normal write path, and the list and the coverage figures move at once."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from linkage.accounts.users import SYSTEM, Actor
from linkage.geo.maps import Unit
from linkage.records import forms
from linkage.records.unplaced import UnplacedRecord
from linkage.store.db import get_engine

from .apptest import PAGES, texts
from .helpers import OFFICER_058

App = Callable[..., AppTest]
ADMIN = Actor("quantri", "admin")


def split_commune_cooperative(database: str) -> None:
    """K5 in old Xã Thượng Đình (05932, old Thái Nguyên), which was split between new 05908 and 05941:
    on 2025-07 it is placed in province 19 only (test_coverage_maps checks that crosswalk fact)."""
    forms.save(
        get_engine(database),
        SYSTEM,
        "cooperatives",
        {"code": "K5", "name": "HTX Thượng Đình", "commune_code": "05932", "established_on": "2020-01-01"},
        None,
    )


def test_settling_a_record_takes_it_off_the_list_and_the_unplaced_count_drops(app: App, database: str) -> None:
    split_commune_cooperative(database)
    at = app(ADMIN, "coverage.py", map="2025-07", unit="19")
    assert "1 bản ghi được tính ở Tỉnh Thái Nguyên đang nằm trên cấp xã" in texts(at)
    communes_card = at.metric[0].value
    at.button(key="settle").click().run()  # the coverage page's link to the list, for this map and unit
    assert at.title[0].value == "Bản ghi cần xác định xã: đang nằm trên cấp xã"
    # AppTest does not stay on a page a script switched to: open it as the link did, to act on it
    at.query_params["map"], at.query_params["unit"] = "2025-07", "19"
    at.switch_page(str(PAGES / "settling.py")).run()
    assert "Bản ghi nằm ở Tỉnh Thái Nguyên (19, 2025-07)" in texts(at)
    listed = at.dataframe[0].value
    assert listed["Bản ghi"].tolist() == ["Hợp tác xã K5 — HTX Thượng Đình"]
    assert listed["Xã đã khai (bản đồ kia)"].tolist() == ["Xã Thượng Đình — Huyện Phú Bình (05932, 2025-01)"]
    assert listed["Hiện nằm ở"].tolist() == ["Tỉnh Thái Nguyên (19, 2025-07)"]
    candidates = at.radio(key="settling_commune:cooperatives:K5")
    assert candidates.options == [  # the two communes of 2025-07 the old commune went to (the package's table)
        "Xã Phú Bình, Tỉnh Thái Nguyên (05908, 2025-07) — thuộc phạm vi của bạn: bạn lưu được",
        "Xã Điềm Thụy, Tỉnh Thái Nguyên (05941, 2025-07) — thuộc phạm vi của bạn: bạn lưu được",
    ]
    assert candidates.value is None and at.button(key="settling_save").disabled  # none chosen for the user
    candidates.set_value("05908").run()
    at.button(key="settling_save").click().run()
    assert not at.exception, at.exception
    assert "Không có bản ghi nào trong phạm vi của bạn nằm trên cấp xã trên bản đồ 2025-07" in texts(at)
    saved = forms.read(get_engine(database), SYSTEM, "cooperatives", "K5")
    assert (saved.values["commune_code"], saved.values["commune_code_2025_07"]) == ("05932", "05908")
    at.switch_page(str(PAGES / "coverage.py")).run()
    assert "đang nằm trên cấp xã" not in texts(at)
    assert at.metric[0].value != communes_card  # one more commune of province 19 with a cooperative


def test_an_officer_sees_only_what_it_may_read_and_a_cooperative_cannot_open_the_page(app: App, database: str) -> None:
    split_commune_cooperative(database)
    at = app(OFFICER_058, "settling.py")
    assert "Không có bản ghi nào trong phạm vi của bạn" in texts(at)  # K5 lies in old district 173, not 058
    assert not at.dataframe


def test_the_list_downloads_as_the_file_linkage_unplaced_writes(app: App, database: str, downloads) -> None:  # type: ignore[no-untyped-def]
    split_commune_cooperative(database)
    at = app(ADMIN, "settling.py", map="2025-07")
    rows = downloads(at).decode("utf-8-sig").splitlines()
    assert rows[0].startswith("file,code,name,commune_code,commune_code_2025_07,missing_column")
    assert rows[1].startswith("cooperatives,K5,HTX Thượng Đình,05932,,commune_code_2025_07,province,19,")


def test_a_link_with_a_short_code_naming_several_units_is_refused_naming_each(app: App, database: str) -> None:
    """`?unit=643` is Phường Thanh Liệt (00643) on today's map and Thành phố Buôn Ma Thuột (643) on 2025-01:
    the page picks neither and lists nothing for either; it names every reading and opens the one clicked."""
    split_commune_cooperative(database)
    ward = "Phường Thanh Liệt, Thành phố Hà Nội (00643, 2025-07)"
    city = "Thành phố Buôn Ma Thuột, Tỉnh Đắk Lắk (643, 2025-01)"
    for query in ({"unit": "643"}, {"unit": "643", "map": "2025-07"}):
        at = app(ADMIN, "settling.py", **query)
        warned = re.sub(r"\\(.)", r"\1", "\n".join(w.value for w in at.warning))  # as read
        assert 'Mã "643"' in warned and ward in warned and city in warned
        assert "Bản ghi nằm ở" not in texts(at) and not at.dataframe  # no unit guessed, no list shown
        labels = [b.label for b in at.button]
        assert ward in labels and city in labels
    next(b for b in at.button if b.label == city).click().run()
    assert not at.exception, at.exception
    assert f"Bản ghi nằm ở {city}" in texts(at) and not at.warning
    assert at.selectbox(key=at.selectbox[0].key).value == "2025-01"
    assert (at.query_params["map"], at.query_params["unit"]) == ("2025-01", "643")
    at = app(ADMIN, "settling.py", unit="00643", map="2025-07")  # typed in full: the ward, no question asked
    assert f"Bản ghi nằm ở {ward}" in texts(at) and not at.warning


def test_a_link_with_a_code_naming_no_unit_says_so_and_lists_the_users_own_scope(app: App, database: str) -> None:
    split_commune_cooperative(database)
    own = app(ADMIN, "settling.py", map="2025-07")
    at = app(ADMIN, "settling.py", unit="99999", map="2025-07")
    warned = re.sub(r"\\(.)", r"\1", "\n".join(w.value for w in at.warning))
    assert warned.startswith('Địa chỉ: "99999" không phải mã') and "2025-07" in warned
    assert "đang hiển thị các bản ghi trong phạm vi của bạn" in warned
    # the list is the one the user's own scope gives, not an empty one
    assert [d.value.to_dict() for d in at.dataframe] == [d.value.to_dict() for d in own.dataframe]
    assert own.dataframe and not own.warning


def test_the_list_is_read_once_while_the_officer_chooses_and_again_after_a_save(
    app: App, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui

    split_commune_cooperative(database)
    reads: list[str] = []
    real = ui.to_settle

    def counted(engine: Engine, actor: Actor, on: str, unit: Unit | None = None) -> list[UnplacedRecord]:
        reads.append(on)
        return real(engine, actor, on, unit)

    monkeypatch.setattr(ui, "to_settle", counted)
    at = app(ADMIN, "settling.py", map="2025-07", unit="19")
    assert reads == ["2025-07"]
    at.radio(key="settling_commune:cooperatives:K5").set_value("05908").run()
    assert reads == ["2025-07"]  # a choice reruns the page, not the national read behind the list
    at.button(key="settling_save").click().run()
    assert not at.exception, at.exception
    assert reads == ["2025-07", "2025-07"]  # the save made a new data version: the list is read again
    assert "Không có bản ghi nào trong phạm vi của bạn nằm trên cấp xã trên bản đồ 2025-07" in texts(at)
