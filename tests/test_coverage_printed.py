"""What `linkage coverage` prints, read and counted without pandas, against the app's tables printed by pandas.

The command line reads the live records as plain rows (`live.read_inputs`) and writes CSV and JSON
itself (`linkage.counting.printed`); the app reads them into frames (`facts.read_facts`), counts
through `indicators.compute` and pandas writes the tables. Both must print the same bytes for every
date, map and level: a file another program reads must not change with the path that wrote it. Both
count with `linkage.counting.rules`; the rules themselves are checked against independent
formulations elsewhere (`tests/test_coverage.py`, `tests/test_coverage_duckdb.py`).
"""

from __future__ import annotations

import io
import json
import math
from datetime import date
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from linkage.cli import main
from linkage.counting.facts import read_facts
from linkage.counting.indicators import ALL_LEVELS, compute, inputs_of, reported_levels
from linkage.counting.live import read_inputs
from linkage.counting.printed import write_csv
from linkage.counting.rules import COLUMNS
from linkage.geo.maps import MAPS
from linkage.records.importing import import_path
from linkage.store.db import driver_connection, read_session

from .helpers import FIXTURE, TWO_MAPS, url

DATES = (date(2020, 1, 1), date(2021, 6, 30), date(2023, 6, 29), date(2025, 6, 30), date(2025, 7, 1), date(2026, 3, 1))
FIXTURES = {"bac_kan": FIXTURE, "two_maps": TWO_MAPS}  # records on 2025-01 only; on either map or both


@pytest.fixture(params=sorted(FIXTURES))
def stored(engine: Engine, request: pytest.FixtureRequest) -> Engine:
    import_path(engine, FIXTURES[request.param])
    return engine


def test_the_plain_read_is_the_facts_read_as_rows(stored: Engine) -> None:
    # the same SQL (`live`) leaves archived records out of both: tests/test_facts_read.py checks that
    with read_session(stored) as session:
        connection = driver_connection(session)
        plain, facts = read_inputs(connection), read_facts(connection)
    assert plain == inputs_of(facts)
    assert len(plain.cooperatives) == len(facts.cooperatives) > 0
    assert any(raw for *_, raw in plain.linkages) and any(buyer for *_, buyer, _ in plain.linkages)


def _printed(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["coverage", *args]) == 0
    return capsys.readouterr().out


def _json_of(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The table as JSON readers get it, written out here by hand: counts as ints, a missing ratio or
    `met` as null."""
    return [
        {
            **row,
            **{key: int(row[key]) for key in ("numerator", "denominator", "unplaced")},
            "ratio": None if math.isnan(row["ratio"]) else float(row["ratio"]),
            "target": float(row["target"]),
            "met": None if row["met"] is None else bool(row["met"]),
        }
        for row in table.to_dict("records")
    ]


@pytest.mark.parametrize("on", MAPS)
def test_coverage_prints_what_pandas_printed_of_the_apps_tables(
    stored: Engine, capsys: pytest.CaptureFixture[str], on: str
) -> None:
    with read_session(stored) as session:
        facts = read_facts(driver_connection(session))
    for day in DATES:
        for level in (None, *reported_levels(on)):
            args = ["--as-of", day.isoformat(), "--map", on, "--db", url(stored)]
            args += ["--level", level] if level else []
            table = compute(facts, day, (level,) if level else ALL_LEVELS, on)
            assert len(table) > 0
            assert _printed(capsys, *args, "--format", "csv") == table.to_csv(index=False)
            assert json.loads(_printed(capsys, *args, "--format", "json")) == _json_of(table)


def test_names_and_shares_are_written_as_pandas_writes_them() -> None:
    names = ['Xã "Mới", Tây', "Phường\nMột", '=HYPERLINK("x")', "Ấp 1; 2", "Thôn 7", "Bản 8"]
    rows = [  # i of (i % 3) * 7: shares such as 1/7 and 5/14, none without a denominator
        ("communes_with_cooperative", "province", f"{i:02d}", name, i, 7 * (i % 3))
        + ((i / (7 * (i % 3)), 0.7, i * 10 >= 49 * (i % 3)) if i % 3 else (float("nan"), 0.7, None))
        + ("2025-07", i)
        for i, name in enumerate(names)
    ]
    written = io.StringIO()
    write_csv(rows, written)
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS)).astype({"met": object})
    assert written.getvalue() == frame.to_csv(index=False)
    back = pd.read_csv(io.StringIO(written.getvalue()), dtype=str, keep_default_na=False)
    assert back["unit_name"].tolist() == names
    assert back["ratio"].tolist()[:3] == ["", repr(1 / 7), repr(2 / 14)]
