"""Office lists in their own layout (docs/office-lists.md): the corpus of `office_lists` read against
its hand-written truth, then written through the one write path on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.lists.service import Decisions, import_list, read_office_list
from linkage.store.db import write_session
from linkage.store.models import ChangeLog, Cooperative, Producer, RawMaterialArea
from tests.office_lists import (
    CORPUS,
    DAK_LAK,
    DUPLICATES,
    LAM_DONG,
    LAM_DONG_PRODUCERS,
    SON_LA,
    THANH_HOA,
    OfficeList,
    without_rows,
)


def read(engine: Engine, listed: OfficeList, **options: object):  # type: ignore[no-untyped-def]
    return read_office_list(engine, listed.name, listed.data(), listed.entity, map_name=listed.map,
                            sheet=listed.sheet, **options)  # type: ignore[arg-type]  # fmt: skip


def write(engine: Engine, listed: OfficeList, **options: object):  # type: ignore[no-untyped-def]
    return import_list(engine, listed.name, listed.data(), listed.entity, map_name=listed.map,
                       sheet=listed.sheet, **options)  # type: ignore[arg-type]  # fmt: skip


def count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())


@pytest.mark.parametrize("listed", CORPUS, ids=lambda x: x.name)
def test_every_row_is_its_true_commune_or_flagged_never_a_wrong_one(engine: Engine, listed: OfficeList) -> None:
    if listed is LAM_DONG_PRODUCERS:
        write(engine, without_last(LAM_DONG))
    result = read(engine, listed)
    assert [r.row for r in result.rows] == list(range(listed.first_row, listed.first_row + len(listed.rows)))
    for row, truth in zip(result.rows, listed.truths, strict=True):
        if truth.status == "resolved":
            assert (row.map, row.commune, row.status) == (truth.map, truth.code, "new"), row.row
        else:
            assert row.status == truth.status and not row.commune, row.row
            assert tuple(code for code, _, _ in row.candidates) == truth.candidates, row.row


def without_last(listed: OfficeList) -> OfficeList:
    return OfficeList(listed.name, listed.entity, listed.header, listed.rows[:-1], listed.truths[:-1],
                      listed.map, listed.title, listed.footer, listed.sheet, listed.delimiter)  # fmt: skip


def test_titles_total_row_and_unclaimed_columns_are_not_records(engine: Engine) -> None:
    result = read(engine, DAK_LAK)
    assert result.header_row == 4
    assert result.ignored == ["STT", "Ghi chú"]
    assert len(result.rows) == 6  # the blank row and `Tổng cộng` below the table are no records


def test_dates_and_numbers_as_offices_type_them(engine: Engine) -> None:
    cells = [r.cells for r in read(engine, DAK_LAK).rows]
    # a date cell, `5/3/2019` (5 March), a year alone, `05-03-2017`, `2020`, a date cell
    assert [c["established_on"] for c in cells] == [
        "2019-03-05", "2019-03-05", "2018-01-01", "2017-03-05", "2020-01-01", "2021-12-01",
    ]  # fmt: skip
    assert [c["members"] for c in cells] == ["25", "1200", "30", "12", "8", "40"]


def test_a_list_comes_in_once_and_again_changes_nothing(engine: Engine) -> None:
    first = write(engine, DAK_LAK)
    assert first.written and [r.status for r in first.rows] == ["new"] * 6
    assert count(engine, Cooperative) == 6
    again = write(engine, DAK_LAK)
    assert [r.status for r in again.rows] == ["same"] * 6
    assert count(engine, Cooperative) == 6
    with engine.connect() as conn:
        comments = set(conn.execute(sa.select(ChangeLog.comment).where(ChangeLog.entity == "cooperatives")).scalars())
    assert comments == {DAK_LAK.name}  # the history names the list's file


def test_a_registration_number_names_the_record(engine: Engine) -> None:
    write(engine, DAK_LAK)
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(Cooperative.name, Cooperative.commune_code).where(Cooperative.code == "6000123456")
        )
        assert row.one() == ("HTX Ea Ral", "24190")


def test_a_list_with_a_row_to_decide_writes_nothing(engine: Engine) -> None:
    result = write(engine, THANH_HOA)
    assert not result.written
    assert {r.row: r.status for r in result.blocked} == {
        3: "ambiguous",
        5: "ambiguous",
        6: "unresolved",
        7: "unresolved",
    }
    assert count(engine, Cooperative) == 0


def test_the_commune_an_officer_picks_for_an_ambiguous_row_is_written(engine: Engine) -> None:
    flagged = without_rows(THANH_HOA, {6, 7})
    picks = Decisions(communes={3: "14770", 5: "16408", 4: "99999"})  # a pick for a row that needs none is ignored
    result = write(engine, flagged, decisions=picks)
    assert result.written
    assert {r.row: r.commune for r in result.rows} == {2: "15964", 3: "14770", 4: "14823", 5: "16408", 6: "16093"}


def test_a_pick_outside_the_candidates_is_not_taken(engine: Engine) -> None:
    result = read(engine, without_rows(THANH_HOA, {6, 7}), decisions=Decisions(communes={3: "15964"}))
    assert next(r for r in result.rows if r.row == 3).status == "ambiguous"


def test_near_duplicates_are_listed_before_anything_is_written(engine: Engine) -> None:
    write(engine, DAK_LAK)
    result = write(engine, DUPLICATES)
    assert not result.written and count(engine, Cooperative) == 6
    by_row = {r.row: r for r in result.rows}
    assert by_row[2].status == "same" and not by_row[2].similar
    assert [(s.name, s.why) for s in by_row[3].similar] == [("HTX Nông nghiệp Ea Tir", "one_letter")]
    assert [(s.code, s.name, s.why) for s in by_row[4].similar] == [("6000123456", "HTX Ea Ral", "same_code")]
    assert by_row[6].status == "invalid" and "row 5" in by_row[6].message()
    assert {r.row for r in result.blocked} == {3, 4, 6}


def test_decided_duplicates_are_written_as_decided(engine: Engine) -> None:
    write(engine, DAK_LAK)
    decided = Decisions(new={3}, same_as={4: "6000123456"})
    result = write(engine, without_rows(DUPLICATES, {6}), decisions=decided)
    assert result.written
    assert {r.row: r.status for r in result.rows} == {2: "same", 3: "new", 4: "same", 5: "new"}
    with engine.connect() as conn:  # the same record: its stored name is kept, the list's is in the message
        assert conn.execute(sa.select(Cooperative.name).where(Cooperative.code == "6000123456")).scalar_one() == (
            "HTX Ea Ral"
        )
    assert count(engine, Cooperative) == 8


def stored_name(engine: Engine, code: str) -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.select(Cooperative.name).where(Cooperative.code == code)).scalar_one())


def test_a_registration_number_stored_under_another_name_is_never_a_new_record(engine: Engine) -> None:
    write(engine, DAK_LAK)
    before = count(engine, Cooperative)
    result = write(engine, without_rows(DUPLICATES, {6}), decisions=Decisions(new={3, 4}))
    assert not result.written and {r.row for r in result.blocked} == {4}  # a number names one record
    assert result.rows[2].status == "duplicate" and "6000123456" in result.rows[2].message()
    assert stored_name(engine, "6000123456") == "HTX Ea Ral" and count(engine, Cooperative) == before


def test_the_same_record_keeps_its_stored_name_and_says_so(engine: Engine) -> None:
    write(engine, DAK_LAK)
    with engine.connect() as conn:
        named = sa.select(Cooperative.code).where(Cooperative.name == "HTX Nông nghiệp Ea Tir")
        ea_tir = conn.execute(named).scalar_one()
    decided = Decisions(same_as={3: ea_tir, 4: "6000123456"}, left_out={2})  # row 2 is that record by name
    result = write(engine, without_rows(DUPLICATES, {6}), decisions=decided)
    assert result.written, result.problem_lines()
    by_row = {r.row: r for r in result.rows}
    assert (by_row[3].code, by_row[4].code) == (ea_tir, "6000123456")
    assert "HTX Ea Ral" in by_row[4].message() and "HTX Sông Hinh" in by_row[4].message()
    assert "HTX Nông nghiệp Ea Tlr" in by_row[3].message()
    assert stored_name(engine, "6000123456") == "HTX Ea Ral"
    assert stored_name(engine, ea_tir) == "HTX Nông nghiệp Ea Tir"


def test_a_name_written_otherwise_never_renames_the_stored_record(engine: Engine) -> None:
    write(engine, DAK_LAK)
    otherwise = OfficeList(
        "dak_lak_viet_hoa.csv",
        "cooperatives",
        ["STT", "Tên HTX", "Mã số HTX", "Địa chỉ"],
        [
            [1, "HTX EA RAL", "6000123456", "X. Ea Ral, H. Ea H'leo"],  # its number, the name in capitals
            [2, "HTX Nông nghiệp Éa Tir", "", "Xã Ea Tir, Huyện Ea H'leo"],  # by name: other marks
        ],
        [],
    )
    result = write(engine, otherwise)
    assert result.written and [r.status for r in result.rows] == ["same", "same"]
    assert 'its stored name "HTX Ea Ral" is kept' in result.rows[0].message()
    assert "HTX Nông nghiệp Ea Tir" in result.rows[1].message()
    assert stored_name(engine, "6000123456") == "HTX Ea Ral"
    with engine.connect() as conn:
        names = set(conn.execute(sa.select(Cooperative.name)).scalars())
    assert "HTX Nông nghiệp Ea Tir" in names and "HTX EA RAL" not in names


def test_a_row_left_out_is_not_written_and_the_rest_is(engine: Engine) -> None:
    write(engine, DAK_LAK)
    before = count(engine, Cooperative)
    result = write(engine, DUPLICATES, decisions=Decisions(new={3}, left_out={4, 6}))
    assert result.written, result.problem_lines()
    assert {r.row: r.status for r in result.rows} == {2: "same", 3: "new", 4: "left_out", 5: "new", 6: "left_out"}
    assert stored_name(engine, "6000123456") == "HTX Ea Ral" and count(engine, Cooperative) == before + 2
    assert "left_out" in result.report_csv().splitlines()[3]


def test_the_same_as_a_record_not_stored_is_refused(engine: Engine) -> None:
    write(engine, DAK_LAK)
    result = write(engine, without_rows(DUPLICATES, {6}), decisions=Decisions(new={3}, same_as={4: "KHONG-CO"}))
    assert not result.written and result.rows[2].status == "invalid" and "KHONG-CO" in result.rows[2].message()


def test_producers_name_their_cooperative_by_name_or_number(engine: Engine) -> None:
    write(engine, without_last(LAM_DONG))
    result = write(engine, LAM_DONG_PRODUCERS)
    assert result.written, [r.message() for r in result.rows]
    with engine.connect() as conn:
        duc_trong = conn.execute(sa.select(Cooperative.code).where(Cooperative.name == "HTX Đức Trọng")).scalar_one()
        rows = conn.execute(sa.select(Producer.name, Producer.cooperative_code, Producer.kind).order_by(Producer.name))
        assert list(rows) == [
            ("K'Sor Ching", None, "farm"),
            ("Nguyễn Văn An", duc_trong, "household"),
            ("Trần Thị Bình", "5800111222", "household"),
        ]


def test_areas_name_their_product_and_write_decimal_commas(engine: Engine) -> None:
    result = write(engine, SON_LA)
    assert result.written
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(RawMaterialArea.name, RawMaterialArea.product_code, RawMaterialArea.area_ha)
            .order_by(RawMaterialArea.name)
        )  # fmt: skip
        assert [(n, p, Decimal(str(a))) for n, p, a in rows] == [
            ("Vùng chè Vân Hồ", "TEA", Decimal("12.5")),
            ("Vùng cà phê Chiềng Mai", "COFFEE", Decimal("1234.5")),
            ("Vùng rau Mộc Châu", "VEGETABLE", Decimal("30")),
        ]


def test_the_report_has_a_line_per_row_with_its_candidates(engine: Engine) -> None:
    report = read(engine, THANH_HOA).report_csv()
    lines = report.splitlines()
    assert lines[0] == "row,status,code,name,commune_code,commune_code_2025_07,candidates,message"
    assert len(lines) == 1 + 7
    assert lines[2].startswith("3,ambiguous,,HTX Phú Sơn,,,14770 Phường Phú Sơn; 14823 Phường Phú Sơn,")
    assert lines[1].startswith("2,new,HTX-") and ",15964,," in lines[1]


@pytest.mark.parametrize("entity", ["cooperatives", "producers", "buyers", "raw_material_areas"])
def test_every_sheet_of_the_template_is_read_as_its_kind(engine: Engine, entity: str) -> None:
    from linkage.lists.template import SHEETS, template_workbook

    title, headers = SHEETS[entity]
    filled = {
        "cooperatives": [1, "HTX Ea Tir", "", "X. Ea Tir, H. Ea H'leo, Đắk Lắk", "5/3/2019", 12, ""],
        "producers": [1, "Nguyễn Văn An", "Hộ gia đình", "X. Ea Tir, H. Ea H'leo, Đắk Lắk", "", ""],
        "buyers": [1, "Công ty Cà phê Ea Tir", "6000999999", "Chế biến", "X. Ea Tir, H. Ea H'leo, Đắk Lắk", ""],
        "raw_material_areas": [1, "Vùng cà phê Ea Tir", "Cà phê", "12,5", "", "Ea Tir", "Ea H'leo", "Đắk Lắk"],
    }[entity]
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    assert book.sheetnames == ["Hợp tác xã", "Hộ sản xuất", "Doanh nghiệp", "Vùng nguyên liệu"]
    book[title].append(filled)
    out = io.BytesIO()
    book.save(out)
    result = read_office_list(engine, "mau.xlsx", out.getvalue(), entity, sheet=title)
    assert result.header_row == 4 and result.ignored == [h for h in headers if h in ("STT", "Ghi chú")]
    assert [(r.status, r.map, r.commune) for r in result.rows] == [("new", "2025-01", "24207")]


def test_a_list_read_again_gives_each_reader_its_own_rows_and_other_bytes_are_read_anew() -> None:
    from linkage.lists.sheet import read_list

    data = DAK_LAK.data()
    first = read_list(DAK_LAK.name, data)
    header, rows = list(first.header), [(n, list(c)) for n, c in first.rows]
    first.header[1], first.rows[:] = "Tên khác", []  # what one reader does to its table stays its own
    again = read_list(DAK_LAK.name, data)
    assert (again.header, again.rows) == (header, rows) and len(rows) == 6
    last = DAK_LAK.first_row + 5
    shorter = read_list(DAK_LAK.name, without_rows(DAK_LAK, {last}).data())  # same file name, other content
    assert [cells[1] for _, cells in shorter.rows] == [cells[1] for _, cells in rows[:-1]]


def test_the_same_list_previewed_again_sees_what_changed_in_the_database_meanwhile(engine: Engine) -> None:
    write(engine, DAK_LAK)
    data = DUPLICATES.data()  # the same upload, previewed twice as the app's page does on a rerun
    before = read_office_list(engine, DUPLICATES.name, data, DUPLICATES.entity)
    assert before.rows[0].status == "same" and before.rows[2].same_code
    with write_session(engine) as session:  # meanwhile another office archives one record and renames another
        stored = sa.update(Cooperative).where(Cooperative.name == "HTX Nông nghiệp Ea Tir")
        session.execute(stored.values(archived_at=sa.func.current_timestamp()))
        session.execute(sa.update(Cooperative).where(Cooperative.code == "6000123456").values(name="HTX Sông Hinh"))
    after = read_office_list(engine, DUPLICATES.name, data, DUPLICATES.entity)
    assert after.rows[0].status == "new" and not after.rows[2].similar and after.rows[2].matched
    assert [(s.name, s.why, s.row) for s in after.rows[1].similar] == [("HTX Nông nghiệp Ea Tir", "one_letter_row", 2)]
