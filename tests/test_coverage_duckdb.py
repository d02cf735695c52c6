"""The coverage engine against a second formulation: one DuckDB SQL query over exported CSV files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from linkage.accounts import SYSTEM
from linkage.bench import duckdb_coverage, write_geography_csv
from linkage.coverage import compute, load_facts
from linkage.db import read_session
from linkage.exporting import export_folder
from linkage.importing import import_path

FIXTURE = Path(__file__).parent / "fixtures" / "bac_kan"


@pytest.mark.parametrize("day", [date(2021, 12, 31), date(2023, 6, 29), date(2023, 6, 30), date(2025, 12, 31)])
def test_engine_and_sql_agree_on_every_row(engine: Engine, tmp_path: Path, day: date) -> None:
    import_path(engine, FIXTURE)
    with read_session(engine) as session:
        export_folder(session, tmp_path / "export", actor=SYSTEM)
        rows = compute(load_facts(session), day)
    write_geography_csv(tmp_path / "geo.csv")
    sql = duckdb_coverage(tmp_path / "export", tmp_path / "geo.csv", day)
    mine = rows[["indicator", "level", "unit_code", "numerator", "denominator"]]
    mine = mine.sort_values(["indicator", "level", "unit_code"]).reset_index(drop=True)
    assert len(sql) == len(mine) == 634 * 2 + 63 * 3 + 3
    assert mine.to_dict("records") == sql[mine.columns].to_dict("records")
    assert mine["numerator"].sum() > 0
