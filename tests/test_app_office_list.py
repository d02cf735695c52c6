"""The data exchange page's office-list section (docs/office-lists.md): upload, columns as understood,
every row resolved or not, the officer's picks and duplicate decisions, then one write."""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from linkage.accounts.users import Actor
from linkage.lists.service import import_list
from linkage.store.db import get_engine, write_session
from linkage.store.models import Cooperative

from .apptest import texts
from .office_lists import DAK_LAK, DUPLICATES, THANH_HOA, OfficeList, without_rows

ADMIN = Actor("quantri", "admin")


class Uploaded:
    def __init__(self, listed: OfficeList) -> None:
        self.name, self.data = listed.name, listed.data()
        self.file_id = hashlib.sha256(self.data).hexdigest()  # each upload its own, as Streamlit's

    def getvalue(self) -> bytes:
        return self.data


@pytest.fixture
def upload(monkeypatch: pytest.MonkeyPatch) -> Callable[[OfficeList], None]:
    """AppTest cannot drive a file uploader: the list's uploader hands back this list instead."""
    original = st.file_uploader

    def give(listed: OfficeList) -> None:
        def uploader(label: str, *args: Any, **kwargs: Any) -> Any:
            if kwargs.get("key") == "list_upload":
                original(label, *args, **kwargs)
                return Uploaded(listed)
            return original(label, *args, **kwargs)

        monkeypatch.setattr(st, "file_uploader", uploader)

    return give


def stored(database: str) -> dict[str, str]:
    with get_engine(database).connect() as conn:
        rows = conn.execute(sa.select(Cooperative.name, Cooperative.commune_code).where(Cooperative.code.like("HTX-%")))
        return {name: commune for name, commune in rows}


def test_an_officer_picks_the_commune_of_ambiguous_rows_then_writes_the_list(app, database, upload) -> None:
    upload(without_rows(THANH_HOA, {6, 7}))
    at: AppTest = app(ADMIN, "exchange.py")
    at.selectbox(key="list_map").set_value("2025-01").run()  # the province's list of before the reform
    assert "Chưa ghi được: 2 dòng cần quyết định" in texts(at)
    assert not [b for b in at.button if b.key == "list_write"]
    shown = at.dataframe[0].value
    assert list(shown["Dòng"]) == [3, 5]  # only the rows that need a decision, at first
    labels = at.selectbox(key="list_pick_3").options
    assert any("14823 Phường Phú Sơn (Thị xã Bỉm Sơn) · 2025-07:" in label for label in labels)
    at.selectbox(key="list_pick_3").set_value("14770").run()
    at.selectbox(key="list_pick_5").set_value("16408").run()
    assert stored(database) == {}  # nothing written before the officer asks
    at.button(key="list_write").click().run()
    assert not at.exception
    assert "Đã ghi: 5 mới, 0 cập nhật, 0 không đổi" in texts(at)
    assert stored(database) == {
        "HTX Hoằng Lộc": "15964",
        "HTX Phú Sơn": "14770",
        "HTX Phú Sơn Bỉm Sơn": "14823",
        "HTX Đông Khê": "16408",
        "HTX Nga Sơn": "16093",
    }


def test_the_filter_shows_every_row_when_asked(app, upload) -> None:
    upload(without_rows(THANH_HOA, {6, 7}))
    at: AppTest = app(ADMIN, "exchange.py")
    at.selectbox(key="list_map").set_value("2025-01").run()
    at.toggle(key="list_only").set_value(False).run()
    assert list(at.dataframe[0].value["Dòng"]) == [2, 3, 4, 5, 6]


def test_possible_duplicates_are_decided_before_the_write(app, database, upload) -> None:
    import_list(get_engine(database), DAK_LAK.name, DAK_LAK.data(), DAK_LAK.entity)
    upload(without_rows(DUPLICATES, {6}))
    at: AppTest = app(ADMIN, "exchange.py")
    assert "Chưa ghi được: 2 dòng" in texts(at)
    at.radio(key="list_dup_3").set_value("new").run()
    at.radio(key="list_dup_4").set_value("6000123456").run()
    at.button(key="list_write").click().run()
    assert "Đã ghi: 2 mới, 0 cập nhật, 2 không đổi" in texts(at)
    assert stored_name(database, "6000123456") == "HTX Ea Ral"  # the same record keeps its stored name


def test_a_decision_on_one_list_does_not_carry_over_to_the_next_list(app, database, upload) -> None:
    import_list(get_engine(database), DAK_LAK.name, DAK_LAK.data(), DAK_LAK.entity)
    upload(without_rows(DUPLICATES, {6}))
    at: AppTest = app(ADMIN, "exchange.py")
    at.radio(key="list_dup_3").set_value("new").run()
    assert "Chưa ghi được: 1 dòng" in texts(at)
    upload(without_rows(DUPLICATES, {5, 6}))  # another list, with the same rows 3 and 4
    at.run()
    assert "Chưa ghi được: 2 dòng" in texts(at)  # row 3 waits for this list's own decision


def test_the_preview_shown_again_sees_a_write_made_meanwhile_by_anyone(app, database, upload) -> None:
    engine = get_engine(database)
    import_list(engine, DAK_LAK.name, DAK_LAK.data(), DAK_LAK.entity)
    upload(without_rows(DUPLICATES, {6}))
    at: AppTest = app(ADMIN, "exchange.py")
    at.toggle(key="list_only").set_value(False).run()
    assert list(at.dataframe[0].value["Trạng thái"]) == ["same", "duplicate", "duplicate", "new"]
    with write_session(engine) as session:  # another office renames the record row 4 names by its number
        session.execute(sa.update(Cooperative).where(Cooperative.code == "6000123456").values(name="HTX Sông Hinh"))
    at.run()  # any click: the same list, columns and decisions
    assert list(at.dataframe[0].value["Trạng thái"]) == ["same", "duplicate", "same", "new"]


def stored_name(database: str, code: str) -> str:
    with get_engine(database).connect() as conn:
        return str(conn.execute(sa.select(Cooperative.name).where(Cooperative.code == code)).scalar_one())


def test_a_number_stored_under_another_name_is_that_record_or_left_out_never_a_new_one(app, database, upload) -> None:
    engine = get_engine(database)
    import_list(engine, DAK_LAK.name, DAK_LAK.data(), DAK_LAK.entity)
    with engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(Cooperative)).scalar_one()
    upload(without_rows(DUPLICATES, {6}))
    at: AppTest = app(ADMIN, "exchange.py")
    offered = at.radio(key="list_dup_4").options
    assert offered == ["— chưa quyết định —", "Chính là 6000123456 HTX Ea Ral", "Bỏ dòng này ra"]
    assert "Một bản ghi mới" in at.radio(key="list_dup_3").options  # a name one letter away may be another record
    at.radio(key="list_dup_3").set_value("new").run()
    at.radio(key="list_dup_4").set_value("left_out").run()
    at.toggle(key="list_only").set_value(False).run()
    assert list(at.dataframe[0].value["Trạng thái"]) == ["same", "new", "left_out", "new"]
    assert at.button(key="list_write").label == "Ghi cả 3 dòng"  # the row left out is not counted
    at.button(key="list_write").click().run()
    assert "Đã ghi: 2 mới, 0 cập nhật, 1 không đổi" in texts(at)
    assert stored_name(database, "6000123456") == "HTX Ea Ral"
    with engine.connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(Cooperative)).scalar_one()
    assert after == before + 2


def test_a_column_the_officer_names_is_read_as_that_field(app, upload) -> None:
    listed = OfficeList(
        "co_so.csv", "cooperatives", ["STT", "Tên cơ sở", "Địa chỉ"], [[1, "HTX Ea Tir", "X. Ea Tir, H. Ea H'leo"]], []
    )
    upload(listed)
    at: AppTest = app(ADMIN, "exchange.py")
    assert any("no column gives name" in e.value or "không cột nào cho name" in e.value for e in at.error)
    column = next(s for s in at.selectbox if s.label == "Tên cơ sở")
    column.set_value("name").run()
    assert not at.error and list(at.dataframe[0].value["Trạng thái"]) == ["new"]


def test_a_cooperative_account_sees_no_office_list_section(app) -> None:
    from .helpers import COOP_C1

    at: AppTest = app(COOP_C1, "exchange.py")
    assert not [u for u in at.get("file_uploader") if u.proto.id and "list_upload" in u.proto.id]
    assert "Danh sách theo mẫu của cơ quan" not in [h.value for h in at.subheader]


def test_the_columns_an_officer_chose_open_the_next_list_of_the_layout_for_the_office(app, database, upload) -> None:
    from .helpers import OFFICER_058, OFFICER_061

    header = ["STT", "Tên cơ sở", "Địa chỉ", "Mã"]  # `Mã` is the office's own numbering here, not a code
    row = [1, "HTX Dương Quang", "Xã Dương Quang, TP Bắc Kạn", 7]
    upload(OfficeList("thang_5.csv", "cooperatives", header, [row], []))
    at: AppTest = app(OFFICER_058, "exchange.py")
    assert at.error  # no column gives the name: the header words do not know `Tên cơ sở`
    next(s for s in at.selectbox if s.label == "Tên cơ sở").set_value("name").run()
    next(s for s in at.selectbox if s.label == "Mã").set_value("").run()
    assert not at.error
    # next month's list, the headers typed otherwise, by another officer of the same office: a new session
    header = ["stt", "TÊN CƠ SỞ", "Địa chỉ", "MÃ"]
    upload(OfficeList("thang_6.csv", "cooperatives", header, [[1, "HTX Mới", "Xã Dương Quang, TP Bắc Kạn", 8]], []))
    at = app(Actor("hung", "officer", "058"), "exchange.py")
    assert not at.error
    shown = {s.label: s.value for s in at.selectbox if s.label in header[1:]}
    assert shown == {"TÊN CƠ SỞ": "name", "Địa chỉ": "address", "MÃ": ""}
    at.toggle(key="list_only").set_value(False).run()
    rows = at.dataframe[0].value
    assert list(rows["Tên"]) == ["HTX Mới"] and list(rows["Mã"]) != ["8"]  # the office's numbering is no code
    at = app(OFFICER_061, "exchange.py")  # another office: its own choices, none yet
    assert {s.label: s.value for s in at.selectbox if s.label in header[1:]} == {
        "TÊN CƠ SỞ": "", "Địa chỉ": "address", "MÃ": "code"
    }  # fmt: skip
    assert at.error


def test_a_bug_reading_a_list_shows_a_reference_not_a_damaged_file(
    app, upload, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An error of our own reading code is no damaged workbook: the officer gets the plain message
    with a reference, and the log has that reference with the traceback."""

    def bug(value: object) -> str:
        raise KeyError("a bug of our own reading code")

    monkeypatch.setattr("ui.RERAISE_UNEXPECTED", False)
    monkeypatch.setattr("linkage.lists.sheet._KEPT", OrderedDict())  # not the copy an earlier test read
    monkeypatch.setattr("linkage.lists.sheet.cell_text", bug)
    upload(DAK_LAK)  # a workbook
    with caplog.at_level(logging.ERROR, logger="linkage.app"):
        at: AppTest = app(ADMIN, "exchange.py")
    errors = [error.value for error in at.error]
    assert len(errors) == 1 and errors[0].startswith("Trang này gặp lỗi ngoài dự kiến"), errors
    assert "xlsx" not in errors[0] and "a bug of our own" not in texts(at)
    found = re.search(r"\b([0-9a-f]{8})\b", errors[0])
    assert found is not None and found.group(1) in caplog.text
    assert "Traceback" in caplog.text and "a bug of our own reading code" in caplog.text
