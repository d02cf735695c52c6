"""Text that looks like a formula is stored as typed, leaves in every export as inert text, and
comes back unchanged when that export is imported again."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM
from linkage.exchange.values import shield, unshield
from linkage.records.exporting import export_folder
from linkage.records.importing import import_path
from linkage.store.db import read_session
from linkage.store.models import Buyer, Cooperative

from .conftest import empty_user_tables
from .helpers import NAMES

# What Excel and LibreOffice run when a cell starts with it (OWASP "CSV injection").
RUNS_AS_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@given(st.text())
def test_shielding_is_undone_exactly_and_leaves_nothing_a_spreadsheet_would_run(text: str) -> None:
    shielded = shield(text)
    assert not shielded.startswith(RUNS_AS_FORMULA)
    assert unshield(shielded) == text


def test_a_quote_typed_before_ordinary_text_is_kept() -> None:
    assert unshield("'HTX") == "'HTX"
    assert unshield("'") == "'"


def _hostile_cooperatives(tmp_path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "name", "commune_code"])
    writer.writerows([code, name, "01849"] for code, name in NAMES.items())
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cooperatives.csv").write_text(buffer.getvalue(), encoding="utf-8")
    (folder / "buyers.csv").write_text("code,name,kind\n=B1,Đại lý -5%,trader\n", encoding="utf-8")
    return folder


def _stored_names(engine: Engine) -> dict[str, str]:
    with read_session(engine) as session:
        coops = {c.code: c.name for c in session.execute(sa.select(Cooperative)).scalars()}
        buyers = {b.code: b.name for b in session.execute(sa.select(Buyer)).scalars()}
    return {**coops, **buyers}


def test_formula_like_names_are_stored_as_typed(engine: Engine, tmp_path: Path) -> None:
    import_path(engine, _hostile_cooperatives(tmp_path))
    typed = {**NAMES, "K5": "'=two quotes", "=B1": "Đại lý -5%"}  # K5: the first quote marks literal text
    assert _stored_names(engine) == typed


def test_the_csv_export_holds_no_cell_a_spreadsheet_would_run_and_reimports_as_typed(
    engine: Engine, tmp_path: Path
) -> None:
    import_path(engine, _hostile_cooperatives(tmp_path))
    with read_session(engine) as session:
        export_folder(session, tmp_path / "out", actor=SYSTEM)
    for path in (tmp_path / "out").glob("*.csv"):
        cells = [c for row in csv.reader(path.open(encoding="utf-8-sig")) for c in row]
        assert [c for c in cells if c.startswith(RUNS_AS_FORMULA)] == [], path.name
    exported = (tmp_path / "out" / "cooperatives.csv").read_text(encoding="utf-8-sig")
    assert "K4,'@SUM(A1:A9),01849" in exported
    assert "K6,'HTX có dấu nháy,01849" in exported  # ordinary text after a quote: left alone
    empty_user_tables(engine)
    import_path(engine, tmp_path / "out")
    assert _stored_names(engine) == {**NAMES, "K5": "'=two quotes", "=B1": "Đại lý -5%"}


def test_the_workbook_export_holds_text_cells_only_and_reimports_as_typed(engine: Engine, tmp_path: Path) -> None:
    import_path(engine, _hostile_cooperatives(tmp_path))
    with read_session(engine) as session:
        (book_path,) = export_folder(session, tmp_path / "x", "xlsx", actor=SYSTEM)
    book = openpyxl.load_workbook(book_path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.data_type == "s", (sheet.title, cell.coordinate)
                    assert not str(cell.value).startswith(RUNS_AS_FORMULA), (sheet.title, cell.value)
    empty_user_tables(engine)
    import_path(engine, book_path)
    assert _stored_names(engine) == {**NAMES, "K5": "'=two quotes", "=B1": "Đại lý -5%"}
