"""Saving one row reads the records that row names, never whole tables (at national scale a
one-row form read every producer code of the country), and refuses exactly what it refused before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM, Actor
from linkage.exchange import ImportRefused, Table
from linkage.records import forms
from linkage.records.importing import import_tables
from linkage.store.db import write_session

from .conftest import statements

# Tables that grow with the country (records, units, reviews): a read of one of them must be narrowed.
LARGE = {
    "cooperative",
    "producer",
    "buyer",
    "raw_material_area",
    "linkage",
    "linkage_party",
    "digital_adoption",
    "commune",
    "commune_2025_07",
    "district",
    "province",
    "review",
}
FROM = re.compile(r"\bFROM\s+\"?(\w+)\"?", re.I)


def whole_table_reads(sent: list[str]) -> list[str]:
    """SELECTs from a large table with no WHERE at all: each reads every row of the table."""
    found = []
    for statement in sent:
        text = " ".join(statement.split())
        if not text.upper().startswith("SELECT") or " WHERE " in text.upper():
            continue
        if any(table in LARGE for table in FROM.findall(text)):
            found.append(text)
    return found


def test_a_one_row_form_reads_no_whole_table(bac_kan: Engine) -> None:
    officer = Actor("lan", "officer", "061")
    original = forms.read(bac_kan, officer, "producers", "P2")
    with statements(bac_kan) as sent:
        forms.save(bac_kan, officer, "producers", {**original.values, "name": "Tổ hợp tác mới"}, original)
    assert sent, "the save was not seen"
    assert whole_table_reads(sent) == []


def test_a_cooperatives_forms_and_lists_read_no_whole_table(bac_kan: Engine) -> None:
    cooperative = Actor("htx", "cooperative", cooperative_code="C1")
    with statements(bac_kan) as sent:
        linkages = forms.linkages_of(bac_kan, cooperative, "C1")
        original = forms.read(bac_kan, cooperative, "cooperatives", "C1")
        forms.save(bac_kan, cooperative, "cooperatives", {**original.values, "members": "21"}, original)
    assert linkages and whole_table_reads(sent) == []


def test_a_party_row_reads_no_whole_table(bac_kan: Engine) -> None:
    row = {"linkage_code": "L1", "party_type": "producer", "party_code": "P2", "is_lead": "false"}
    table = Table("linkage_parties", "linkage_parties", list(row), [(2, row)])
    with statements(bac_kan) as sent:
        import_tables(bac_kan, [table], SYSTEM, dry_run=True)
    assert whole_table_reads(sent) == []


def test_the_refusals_of_references_and_places_are_those_of_the_rows_named(bac_kan: Engine, tmp_path: Path) -> None:
    with write_session(bac_kan) as session:
        session.execute(sa.text("UPDATE cooperative SET archived_at = CURRENT_TIMESTAMP WHERE code = 'C2'"))
    header = ["code", "name", "commune_code", "commune_code_2025_07", "kind", "cooperative_code"]
    rows = [
        ["N1", "Hộ một", "01849", "", "household", "C2"],  # archived cooperative
        ["N2", "Hộ hai", "01849", "", "household", "C99"],  # no such cooperative
        ["N3", "Hộ ba", "99999", "", "household", "C1"],  # no such commune on 2025-01
        ["N4", "Hộ bốn", "", "99998", "household", "C1"],  # no such commune on 2025-07
        ["N5", "Hộ năm", "01849", "", "household", "N6"],  # names a cooperative... that is a producer code
        ["N6", "Hộ sáu", "01849", "", "household", "C1"],  # fine
    ]
    table = Table(
        "producers", "producers.csv", header, [(i + 2, dict(zip(header, r, strict=True))) for i, r in enumerate(rows)]
    )
    with pytest.raises(ImportRefused) as caught:
        import_tables(bac_kan, [table], SYSTEM)
    got = {(p.row, p.column, p.code, p.params.get("value")) for p in caught.value.problems}
    assert got == {
        (2, "cooperative_code", "archived_reference", "C2"),
        (3, "cooperative_code", "unknown_reference", "C99"),
        (4, "commune_code", "not_on_map", "99999"),
        (5, "commune_code_2025_07", "not_on_map", "99998"),
        (6, "cooperative_code", "unknown_reference", "N6"),
    }
