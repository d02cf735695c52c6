"""Import and export of the exchange files (docs/exchange-files.md): every refusal says where and why, and
an import writes all of its rows or none."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM
from linkage.exchange import ImportRefused, Problem
from linkage.exchange import read as reader
from linkage.records.exporting import export_folder
from linkage.records.importing import import_path
from linkage.store.db import read_session
from linkage.store.models import (
    Cooperative,
    DigitalAdoption,
    Linkage,
    LinkageParty,
    Producer,
    Product,
    RawMaterialArea,
)

from .conftest import empty_user_tables, statements

Files = Callable[..., Path]
FIXTURE = Path(__file__).parent / "fixtures" / "bac_kan"
COOPS = "code,name,commune_code,established_on,dissolved_on,members"


def refused(engine: Engine, path: Path) -> list[Problem]:
    with pytest.raises(ImportRefused) as caught:
        import_path(engine, path)
    return caught.value.problems


def one(engine: Engine, path: Path) -> Problem:
    problems = refused(engine, path)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def count(engine: Engine, model: type) -> int:
    with read_session(engine) as session:
        return session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_a_valid_folder_is_stored_with_dates_codes_and_names_as_meant(engine: Engine) -> None:
    report = import_path(engine, FIXTURE)
    assert report.counts["cooperatives"].inserted == 8
    with read_session(engine) as session:
        c4 = session.get(Cooperative, "C4")
        c6 = session.get(Cooperative, "C6")
        a2 = session.get(RawMaterialArea, "A2")
    assert c4 is not None and c4.established_on == date(2023, 6, 30)  # DD/MM/YYYY
    assert c6 is not None and c6.commune_code == "01858"  # leading zero restored
    assert c4.name == "HTX Bành Trạch"
    assert a2 is not None and Decimal(str(a2.area_ha)) == Decimal("12.5")


def test_importing_the_same_files_twice_changes_nothing(engine: Engine) -> None:
    import_path(engine, FIXTURE)
    with read_session(engine) as session:
        before = session.execute(sa.select(Cooperative.code, Cooperative.updated_at, Cooperative.version)).all()
    report = import_path(engine, FIXTURE)
    assert all(c.inserted == 0 and c.updated == 0 for c in report.counts.values())
    with read_session(engine) as session:
        after = session.execute(sa.select(Cooperative.code, Cooperative.updated_at, Cooperative.version)).all()
    assert sorted(before) == sorted(after)


def test_a_row_with_an_existing_code_updates_that_record(engine: Engine, files: Files) -> None:
    import_path(engine, FIXTURE)
    report = import_path(engine, files({"cooperatives": f"{COOPS}\nC1,HTX Dương Quang (mới),01849,2020-01-01,,25"}))
    assert (report.counts["cooperatives"].inserted, report.counts["cooperatives"].updated) == (0, 1)
    with read_session(engine) as session:
        c1 = session.get(Cooperative, "C1")
    assert c1 is not None and (c1.name, c1.members, c1.version) == ("HTX Dương Quang (mới)", 25, 2)


def test_one_bad_row_in_a_multi_file_import_writes_nothing(engine: Engine, files: Files) -> None:
    folder = files(
        {
            "cooperatives": f"{COOPS}\nK1,HTX Một,01849,,,1\nK2,HTX Hai,01852,,,2",
            "producers": "code,name,commune_code,kind,cooperative_code\n"
            "P1,Hộ A,01849,household,K1\nP2,Hộ B,01849,smallholder,K2",
        }
    )
    problem = one(engine, folder)
    assert (problem.file, problem.row, problem.column) == ("producers.csv", 3, "kind")
    assert "smallholder" in problem.message() and "household" in problem.message()
    assert count(engine, Cooperative) == 0 and count(engine, Producer) == 0


@pytest.mark.parametrize(
    ("table", "text", "row", "column", "words"),
    [
        ("cooperatives", f"{COOPS}\nK1,HTX,01849,2023-02-31,,", 2, "established_on", "not a real calendar date"),
        ("cooperatives", f"{COOPS}\nK1,HTX,01849,02/15/2023,,", 2, "established_on", "month-first"),
        ("cooperatives", f"{COOPS}\nK1,HTX,01849,15.02.2023,,", 2, "established_on", "not a date"),
        ("cooperatives", f"{COOPS}\nK1,HTX,01849,,,-3", 2, "members", "negative"),
        ("cooperatives", f"{COOPS}\nK1,HTX,01849,,,many", 2, "members", "not a whole number"),
        ("cooperatives", f"{COOPS}\nK1,,01849,,,", 2, "name", "required"),
        ("cooperatives", f"{COOPS}\nK1,HTX,99999,,,", 2, "commune_code", "not a known commune"),
        ("cooperatives", f"{COOPS}\nK1,HTX,01849,2023-01-01,2022-01-01,", 2, "dissolved_on", "before"),
        ("cooperatives", f"{COOPS}\nK1,HTX,01849,,,\nK1,HTX bis,01852,,,", 3, "code", "given twice"),
        ("cooperatives", f"{COOPS}\nK 1,HTX,01849,,,", 2, "code", "spaces"),
        ("products", "code,name_vi,name_en,national_key\nX,Xoài,,maybe", 2, "national_key", "not yes or no"),
        (
            "raw_material_areas",
            "code,name,commune_code,product_code,area_ha,planting_area_code\nA,Vùng,01849,RICE,-2,",
            2,
            "area_ha",
            "more than 0",
        ),
        (
            "raw_material_areas",
            'code,name,commune_code,product_code,area_ha,planting_area_code\nA,Vùng,01849,RICE,"8,5",',
            2,
            "area_ha",
            "point",
        ),
        (
            "linkages",
            "code,name,product_code,started_on,ended_on,form\nL,Chuỗi,DURIAN9,2024-01-01,,",
            2,
            "product_code",
            "not a known Product code",
        ),
        (
            "linkages",
            "code,name,product_code,started_on,ended_on,form\nL,Chuỗi,RICE,2024-06-01,31/05/2024,",
            2,
            "ended_on",
            "before",
        ),
        (
            "linkages",
            "code,name,product_code,started_on,ended_on,form\nL,Chuỗi,RICE,2024-06-01,,barter",
            2,
            "form",
            "full_chain",
        ),
        ("cooperatives", f"{COOPS}\nK1,HTX,01849,2205-01-01,,", 2, "established_on", "outside the years 1900–2100"),
        (
            "raw_material_areas",
            "code,name,commune_code,product_code,area_ha,planting_area_code\nA,Vùng,01849,RICE,2," + "V" * 81,
            2,
            "planting_area_code",
            "longer than 80 characters",
        ),
        (
            "producers",
            "code,name,commune_code,kind,cooperative_code\nP,Hộ,01849,household,HTX404",
            2,
            "cooperative_code",
            "not a known Cooperative code",
        ),
        ("province_key_products", "province_code,product_code\n99,RICE", 2, "province_code", "not a known"),
        (
            "digital_adoptions",
            "linkage_code,technology,adopted_on,discontinued_on\nL1,traceability,2024-01-01,2023-12-31",
            2,
            "discontinued_on",
            "before",
        ),
        (
            "linkage_parties",
            "linkage_code,party_type,party_code,is_lead\nL1,buyer,B1,\nL1,buyer,B1,",
            3,
            "party_code",
            "given twice",
        ),
        ("buyers", "code,name,kind,commune_code,phone\nB,Đại lý,trader,,0909", 1, "phone", "unknown column"),
        ("buyers", "code,kind\nB,trader", 1, "name", "missing"),
        ("buyers", "code,name,kind\nB,Đại lý,trader,extra", 2, None, "more values"),
    ],
)
def test_each_kind_of_bad_value_is_refused_with_file_row_column_and_a_plain_message(
    engine: Engine, files: Files, table: str, text: str, row: int, column: str | None, words: str
) -> None:
    if table in ("linkage_parties", "digital_adoptions"):
        import_path(engine, FIXTURE)  # L1 and B1 exist
    problem = one(engine, files({table: text}))
    assert (problem.file, problem.row, problem.column) == (f"{table}.csv", row, column)
    assert words in problem.message()
    line = str(problem)
    assert f"{table}.csv" in line and f"row {row}" in line and (column is None or column in line)


def test_references_resolve_within_the_import_and_against_stored_records(engine: Engine, files: Files) -> None:
    import_path(engine, FIXTURE)
    folder = files(
        {
            "linkage_parties": "linkage_code,party_type,party_code,is_lead\n"
            "L9,producer,P1,\nL1,producer,Q99,\nL1,buyer,P1,",
            "linkages": "code,name,product_code,started_on,ended_on,form\nL9,Chuỗi mới,RICE,2024-01-01,,",
        }
    )
    problems = refused(engine, folder)
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("linkage_parties.csv", 3, "party_code"),
        ("linkage_parties.csv", 4, "party_code"),  # P1 is a producer, not a buyer
    ]
    assert "Q99" in problems[0].message() and "Producer" in problems[0].message()


def test_two_leads_are_refused_counting_the_stored_lead(engine: Engine, files: Files) -> None:
    import_path(engine, FIXTURE)  # L1's lead is C1
    problem = one(engine, files({"linkage_parties": "linkage_code,party_type,party_code,is_lead\nL1,buyer,B1,có"}))
    assert (problem.row, problem.column) == (2, "is_lead")
    assert "L1" in problem.message() and "C1" in problem.message() and "B1" in problem.message()


def test_the_lead_can_move_to_another_party_in_one_import(engine: Engine, files: Files) -> None:
    import_path(engine, FIXTURE)
    import_path(
        engine,
        files({"linkage_parties": "linkage_code,party_type,party_code,is_lead\nL1,cooperative,C1,no\nL1,buyer,B1,yes"}),
    )
    with read_session(engine) as session:
        leads = session.execute(
            sa.select(LinkageParty.party_code).where(LinkageParty.linkage_code == "L1", LinkageParty.is_lead)
        ).scalars()
        assert list(leads) == ["B1"]


def test_the_same_adoption_twice_is_refused_whatever_the_date_format(engine: Engine, files: Files) -> None:
    import_path(engine, FIXTURE)
    text = (
        "linkage_code,technology,adopted_on,discontinued_on\nL2,traceability,2024-05-01,\nL2,traceability,01/05/2024,"
    )
    problem = one(engine, files({"digital_adoptions": text}))
    assert problem.row == 3 and "first on row 2" in problem.message()
    assert count(engine, DigitalAdoption) == 4


def test_utf8_with_a_bom_is_read_and_utf16_or_a_code_page_is_refused(engine: Engine, tmp_path: Path) -> None:
    text = f"{COOPS}\nK1,HTX Bành Trạch,01891,,,\n"
    (tmp_path / "bom").mkdir()
    (tmp_path / "bom" / "cooperatives.csv").write_bytes(text.encode("utf-8-sig"))
    import_path(engine, tmp_path / "bom")
    with read_session(engine) as session:
        stored = session.get(Cooperative, "K1")
    assert stored is not None and stored.name == "HTX Bành Trạch"

    (tmp_path / "u16").mkdir()
    (tmp_path / "u16" / "cooperatives.csv").write_bytes(text.encode("utf-16"))
    assert "UTF-16" in one(engine, tmp_path / "u16").message()

    (tmp_path / "cp").mkdir()
    (tmp_path / "cp" / "cooperatives.csv").write_bytes("code,name,commune_code\nK2,HTX Đá,01891\n".encode("cp1258"))
    assert "not UTF-8" in one(engine, tmp_path / "cp").message()


def test_a_file_over_the_size_limit_is_refused(engine: Engine, files: Files, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 100)
    folder = files({"cooperatives": COOPS + "\n" + "\n".join(f"K{i},HTX số {i},01849,,," for i in range(20))})
    problem = one(engine, folder)
    assert problem.code == "too_large" and "split" in problem.message()


def test_unknown_file_names_are_refused(engine: Engine, files: Files) -> None:
    problem = one(engine, files({"members": "code,name\nX,Y"}))
    assert problem.file == "members.csv" and "cooperatives" in problem.message()


def test_dry_run_validates_and_counts_but_writes_nothing(engine: Engine) -> None:
    report = import_path(engine, FIXTURE, dry_run=True)
    assert report.counts["linkages"].inserted == 7
    assert count(engine, Linkage) == 0


def test_messages_exist_in_vietnamese(engine: Engine, files: Files) -> None:
    problem = one(engine, files({"cooperatives": f"{COOPS}\nK1,HTX,01849,2023-02-31,,"}))
    assert (
        problem.line("vi")
        == 'cooperatives.csv, dòng 2, cột established_on: "2023-02-31" không phải ngày có thật trên lịch'
    )


def _export_texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8-sig") for p in sorted(folder.glob("*.csv"))}


def test_csv_export_then_import_into_an_empty_database_gives_the_same_records(engine: Engine, tmp_path: Path) -> None:
    import_path(engine, FIXTURE)
    with read_session(engine) as session:
        export_folder(session, tmp_path / "a", actor=SYSTEM)
    first = _export_texts(tmp_path / "a")
    assert "C6,HTX Bằng Thành,01858,,,,30" in first["cooperatives.csv"]
    assert "A2,Vùng chè Hà Hiệu,01897,,TEA,12.5," in first["raw_material_areas.csv"]
    empty_user_tables(engine)
    import_path(engine, tmp_path / "a")
    with read_session(engine) as session:
        export_folder(session, tmp_path / "b", actor=SYSTEM)
    assert _export_texts(tmp_path / "b") == first


def test_xlsx_export_round_trips_and_keeps_formula_like_text_as_text(
    engine: Engine, files: Files, tmp_path: Path
) -> None:
    import_path(engine, FIXTURE)
    import_path(engine, files({"buyers": "code,name,kind,commune_code\nB9,=1+2 Đại lý,trader,"}))
    with read_session(engine) as session:
        export_folder(session, tmp_path / "csv", actor=SYSTEM)
        (book_path,) = export_folder(session, tmp_path / "x", "xlsx", actor=SYSTEM)
    book = openpyxl.load_workbook(book_path)
    assert book.sheetnames[0] == "products"
    cell = next(c for row in book["buyers"].iter_rows() for c in row if c.value and "1+2" in str(c.value))
    assert (cell.value, cell.data_type) == ("'=1+2 Đại lý", "s")  # text, and still text if edited in Excel
    empty_user_tables(engine)
    import_path(engine, book_path)
    with read_session(engine) as session:
        export_folder(session, tmp_path / "again", actor=SYSTEM)
    assert _export_texts(tmp_path / "again") == _export_texts(tmp_path / "csv")


def test_a_workbook_typed_by_a_spreadsheet_program_is_read_as_meant(engine: Engine, tmp_path: Path) -> None:
    """Numbers lose leading zeros, dates are date cells, booleans TRUE/FALSE, empty cells None."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "cooperatives"
    sheet.append(["code", "name", "commune_code", "established_on", "dissolved_on", "members"])
    sheet.append([101, "HTX Số", 1849, datetime(2022, 3, 15), None, 12.0])
    products = book.create_sheet("products")
    products.append(["code", "name_vi", "name_en", "national_key"])
    products.append(["MACA2", "Mắc ca (giống mới)", None, True])
    book.save(tmp_path / "typed.xlsx")
    import_path(engine, tmp_path / "typed.xlsx")
    with read_session(engine) as session:
        coop = session.get(Cooperative, "101")
    assert coop is not None
    assert (coop.commune_code, coop.established_on, coop.members) == ("01849", date(2022, 3, 15), 12)


def test_a_folder_may_hold_one_workbook_per_entity_whatever_its_sheet_is_called(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    for name, header, row in (
        ("cooperatives", ["code", "name", "commune_code"], ["K1", "HTX Một", "01849"]),
        ("producers", ["code", "name", "commune_code", "cooperative_code"], ["P1", "Hộ Một", "01849", "K1"]),
    ):
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None and sheet.title == "Sheet"  # as a spreadsheet program names it
        sheet.append(header)
        sheet.append(row)
        book.save(folder / f"{name}.xlsx")
    report = import_path(engine, folder)
    assert (report.counts["cooperatives"].inserted, report.counts["producers"].inserted) == (1, 1)


def test_a_damaged_workbook_is_refused_in_words(engine: Engine, tmp_path: Path) -> None:
    import zipfile

    book = openpyxl.Workbook()
    assert book.active is not None
    book.active.append(["code", "name", "commune_code"])
    book.save(tmp_path / "good.xlsx")
    with zipfile.ZipFile(tmp_path / "good.xlsx") as good, zipfile.ZipFile(tmp_path / "cooperatives.xlsx", "w") as bad:
        for item in good.infolist():
            data = good.read(item)
            bad.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    problem = one(engine, tmp_path / "cooperatives.xlsx")
    assert problem.code == "xlsx_broken" and "cannot be opened" in problem.message()


def test_a_file_with_fewer_columns_updates_only_those_columns(engine: Engine, files: Files) -> None:
    import_path(engine, files({"cooperatives": f"{COOPS}\nK2,HTX Hai,01849,05/01/2021,01/05/2024,12"}, "first"))
    report = import_path(engine, files({"cooperatives": "code,name,commune_code\nK2,HTX Hai mới,1849"}, "second"))
    assert report.counts["cooperatives"].updated == 1
    with read_session(engine) as session:
        coop = session.get(Cooperative, "K2")
    assert coop is not None
    assert (coop.name, coop.established_on, coop.dissolved_on, coop.members) == (
        "HTX Hai mới",
        date(2021, 1, 5),
        date(2024, 5, 1),
        12,
    )


def test_rules_apply_to_the_record_as_it_will_be_stored(engine: Engine, files: Files) -> None:
    """A dissolution date alone is checked against the stored establishment date."""
    import_path(engine, files({"cooperatives": f"{COOPS}\nK2,HTX Hai,01849,05/01/2021,,"}, "first"))
    problem = one(engine, files({"cooperatives": "code,name,commune_code,dissolved_on\nK2,HTX Hai,01849,2020-01-01"}))
    assert (problem.row, problem.column, problem.code) == (2, "dissolved_on", "end_before_start")


def test_a_stored_lead_stays_the_lead_when_a_file_leaves_out_is_lead(engine: Engine, files: Files) -> None:
    import_path(engine, FIXTURE)
    problem = one(engine, files({"linkage_parties": "linkage_code,party_type,party_code,is_lead\nL1,buyer,B1,yes"}))
    assert problem.code == "two_leads"  # C1 still leads L1
    import_path(engine, files({"linkage_parties": "linkage_code,party_type,party_code\nL1,cooperative,C1"}, "again"))
    with read_session(engine) as session:
        lead = session.execute(sa.select(LinkageParty.party_code).where(LinkageParty.is_lead)).scalars().all()
    assert "C1" in lead


def test_a_date_cell_with_a_time_is_read_as_its_day(engine: Engine, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "name", "commune_code", "established_on", "members"])
    sheet.append(["K1", "HTX", 1849.0, datetime(2022, 3, 15, 14, 30), 12.0])
    book.save(tmp_path / "cooperatives.xlsx")
    import_path(engine, tmp_path / "cooperatives.xlsx")
    with read_session(engine) as session:
        coop = session.get(Cooperative, "K1")
    assert coop is not None and (coop.commune_code, coop.established_on) == ("01849", date(2022, 3, 15))


def test_false_cells_and_float_codes_from_a_spreadsheet(engine: Engine, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "products"
    sheet.append(["code", "name_vi", "national_key"])
    sheet.append([1858.0, "Sản phẩm số", False])
    book.save(tmp_path / "typed.xlsx")
    import_path(engine, tmp_path / "typed.xlsx")
    with read_session(engine) as session:
        product = session.execute(sa.select(Product).where(Product.code == "1858")).scalar_one()
    assert product.national_key is False


def test_a_reference_to_an_archived_record_says_so_and_listing_it_restores_it(engine: Engine, files: Files) -> None:
    from linkage.accounts.users import SYSTEM
    from linkage.records import forms

    import_path(engine, FIXTURE)
    forms.archive(engine, SYSTEM, forms.read(engine, SYSTEM, "producers", "P4"))
    problem = one(engine, files({"linkage_parties": "linkage_code,party_type,party_code\nL3,producer,P4"}))
    assert (problem.column, problem.code) == ("party_code", "archived_reference")
    assert "archived" in problem.message() and "restore it first" in problem.message()
    import_path(
        engine,
        files(
            {
                "producers": "code,name,commune_code\nP4,Hộ Lương Thị Mai,01900",
                "linkage_parties": "linkage_code,party_type,party_code\nL3,producer,P4",
            },
            "both",
        ),
    )
    assert forms.read(engine, SYSTEM, "producers", "P4").archived is False
    steps = forms.history(engine, SYSTEM, "producers", "P4")
    assert [e.action for e in steps] == ["create", "archive", "restore"]


def test_an_export_with_archived_records_imports_back_into_an_empty_database(engine: Engine, tmp_path: Path) -> None:
    from linkage.accounts.users import SYSTEM
    from linkage.records import forms

    import_path(engine, FIXTURE)
    forms.archive(engine, SYSTEM, forms.read(engine, SYSTEM, "linkages", "L4"))  # its parties go with it
    forms.archive(engine, SYSTEM, forms.read(engine, SYSTEM, "raw_material_areas", "A2"))  # only L4 used it
    with read_session(engine) as session:
        export_folder(session, tmp_path / "a", actor=SYSTEM)
    empty_user_tables(engine)
    import_path(engine, tmp_path / "a")
    with read_session(engine) as session:
        export_folder(session, tmp_path / "b", actor=SYSTEM)
    assert _export_texts(tmp_path / "b") == _export_texts(tmp_path / "a")
    assert "L4," not in _export_texts(tmp_path / "a")["linkages.csv"]


def test_an_import_writes_in_bulk_not_one_statement_per_row(engine: Engine, files: Files) -> None:
    rows = "\n".join(f"H{i},Hộ số {i},01849,household," for i in range(12_000))
    folder = files({"producers": f"code,name,commune_code,kind,cooperative_code\n{rows}"})
    with statements(engine) as sent:
        report = import_path(engine, folder)
    assert report.counts["producers"].inserted == 12_000
    assert len(sent) < 40  # chunks of thousands: reads, inserts, history
