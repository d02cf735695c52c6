"""A large file is typed a column at a time and written in bulk: what it stores and what it refuses
are what the cell-by-cell rules say (`parse_code`, `parse_text`, the row-by-row pass that names each
problem), and an update leaves a record's key alone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from linkage.exchange.read import Table
from linkage.exchange.validate import parse_table
from linkage.exchange.values import Bad, parse_code, parse_codes, parse_text, parse_texts
from linkage.records.importing import import_path
from linkage.store.db import CHUNK, read_session
from linkage.store.models import ChangeLog, Cooperative

from .conftest import statements

FIXTURE = Path(__file__).parent / "fixtures" / "bac_kan"
COOPS = "code,name,commune_code,established_on,dissolved_on,members"

# Texts near every rule of a code or a name: plain, padded, decomposed, with a space, a bar, a `.0`,
# a control character, a quote, or longer than the limit of 8 used below.
PIECES = st.sampled_from(["HTX01", "0058", "12.0", "A.0B", " K1 ", "A B", "a|b", "Ê", "E\u0302", "\x01", "'", "x" * 9])
TEXTS = st.lists(st.lists(PIECES, min_size=1, max_size=3).map("".join), max_size=12)


def _cell_by_cell(parse: Callable[[str, int], str], texts: list[str]) -> list[str] | tuple[str, dict[str, object]]:
    """Each text parsed alone, or the first refusal (its code and parameters)."""
    values = []
    for text in texts:
        try:
            values.append(parse(text, 8))
        except Bad as bad:
            return bad.code, bad.params
    return values


def _column(
    parse: Callable[[list[str], int], list[str]], texts: list[str]
) -> list[str] | tuple[str, dict[str, object]]:
    try:
        return parse(texts, 8)
    except Bad as bad:
        return bad.code, bad.params


@given(TEXTS)
def test_a_column_of_codes_is_read_as_each_code_alone_would_be(texts: list[str]) -> None:
    assert _column(parse_codes, texts) == _cell_by_cell(parse_code, texts)


@given(TEXTS)
def test_a_column_of_names_is_read_as_each_name_alone_would_be(texts: list[str]) -> None:
    assert _column(parse_texts, texts) == _cell_by_cell(parse_text, texts)


def test_problems_past_the_first_chunk_name_their_rows_and_every_other_row_is_typed() -> None:
    header = ["code", "name", "commune_code", "kind", "cooperative_code"]
    count = CHUNK + 10
    cells = [
        {"code": f"P{n:05d}", "name": f"Ho\u0302 {n}", "commune_code": "1858", "kind": "" if n % 2 else "farm"}
        for n in range(count)
    ]
    cells[7]["name"] = " "  # required, blank: row 9
    cells[CHUNK + 3]["kind"] = "alien"  # in the second chunk: row CHUNK + 5
    parsed, problems = parse_table(
        Table("producers", "producers.csv", header, [(n + 2, c) for n, c in enumerate(cells)])
    )
    assert [(p.row, p.column, p.code) for p in problems] == [(9, "name", "required"), (CHUNK + 5, "kind", "choice")]
    assert len(parsed.rows) == count - 2
    assert [number for number, _ in parsed.rows[:8]] == [2, 3, 4, 5, 6, 7, 8, 10]
    by_row = dict(parsed.rows)
    assert by_row[CHUNK + 6] == {
        "code": f"P{CHUNK + 4:05d}",
        "name": f"H\u00f4 {CHUNK + 4}",  # composed: one letter, as typed on most keyboards
        "commune_code": "01858",
        "commune_code_2025_07": None,
        "kind": "farm",
        "cooperative_code": None,
    }
    assert by_row[3]["kind"] == "household" and by_row[3]["name"] == "H\u00f4 1"


def test_an_update_sets_no_key_column_and_is_stored_and_logged(engine: Engine, files: Callable[..., Path]) -> None:
    import_path(engine, FIXTURE)
    with statements(engine) as sent:
        import_path(engine, files({"cooperatives": f"{COOPS}\nC1,HTX Dương Quang (mới),01849,2020-01-01,,25"}))
    updates = [s for s in sent if s.lstrip().upper().startswith("UPDATE COOPERATIVE")]
    assert len(updates) == 1
    assigned = updates[0].split("WHERE")[0]
    assert re.search(r"\bname\s*=", assigned) and not re.search(r"\bcode\s*=", assigned)
    with read_session(engine) as session:
        c1 = session.get(Cooperative, "C1")
        logged = session.execute(
            sa.select(ChangeLog.changes).where(ChangeLog.record_key == "C1", ChangeLog.action == "update")
        ).scalar_one()
    assert c1 is not None and (c1.code, c1.name, c1.members, c1.version) == ("C1", "HTX Dương Quang (mới)", 25, 2)
    assert logged["name"][1] == "HTX Dương Quang (mới)" and "code" not in logged


@pytest.mark.parametrize("rows", [1, CHUNK + 1])
def test_a_new_databases_records_are_found_new_whatever_the_files_size(
    engine: Engine, files: Callable[..., Path], rows: int
) -> None:
    body = "\n".join(f"K{n:05d},HTX số {n},01849,2020-01-01,,{n % 50}" for n in range(rows))
    report = import_path(engine, files({"cooperatives": f"{COOPS}\n{body}"}))
    assert report.counts["cooperatives"].inserted == rows
    again = import_path(engine, files({"cooperatives": f"{COOPS}\n{body}"}, folder="again"))
    assert (again.counts["cooperatives"].inserted, again.counts["cooperatives"].unchanged) == (0, rows)
