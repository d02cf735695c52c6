"""The coverage engine against a second formulation: one DuckDB SQL query over exported CSV files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM
from linkage.counting.coverage import load_facts
from linkage.counting.indicators import compute
from linkage.geo.maps import OLD_MAP
from linkage.records.exporting import export_folder
from linkage.records.importing import import_path
from linkage.store.db import read_session
from tests.duckdb_reference import duckdb_coverage, write_crosswalk_csv, write_geography_csv

FIXTURES = Path(__file__).parent / "fixtures"
DAYS = [date(2021, 12, 31), date(2023, 6, 29), date(2023, 6, 30), date(2025, 12, 31)]


# bac_kan: every record on 2025-01; two_maps: records given on 2025-07 only, in a split commune, on both
@pytest.mark.parametrize(("fixture", "day"), [("bac_kan", d) for d in DAYS] + [("two_maps", date(2025, 12, 31))])
def test_engine_and_sql_agree_on_every_row(engine: Engine, tmp_path: Path, fixture: str, day: date) -> None:
    import_path(engine, FIXTURES / fixture)
    with read_session(engine) as session:
        export_folder(session, tmp_path / "export", actor=SYSTEM)
        rows = compute(load_facts(session), day, map_name=OLD_MAP)
    write_geography_csv(tmp_path / "geo.csv")
    write_crosswalk_csv(tmp_path / "xw.csv")
    sql = duckdb_coverage(tmp_path / "export", tmp_path / "geo.csv", day, tmp_path / "xw.csv")
    mine = rows[["indicator", "level", "unit_code", "numerator", "denominator"]]
    mine = mine.sort_values(["indicator", "level", "unit_code"]).reset_index(drop=True)
    assert len(sql) == len(mine) == 634 * 2 + 63 * 3 + 3
    assert mine.to_dict("records") == sql[mine.columns].to_dict("records")
    assert mine["numerator"].sum() > 0
