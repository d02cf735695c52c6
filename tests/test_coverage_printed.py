"""What `linkage coverage` prints, read and counted without pandas, against the app's tables printed by pandas.

The command line reads the live records as plain rows (`live.read_inputs`) and writes CSV and JSON
itself (`linkage.counting.printed`); the app reads them into frames (`facts.read_facts`), counts
through `indicators.compute` and pandas writes the tables. Both must print the same bytes for every
date, map and level: a file another program reads must not change with the path that wrote it.
"""

from __future__ import annotations

import io
import json
from datetime import date

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from linkage.cli import main
from linkage.counting.facts import read_facts
from linkage.counting.indicators import compute, inputs_of, json_rows, reported_levels
from linkage.counting.live import read_inputs
from linkage.counting.printed import write_csv
from linkage.counting.rules import COLUMNS
from linkage.geo.maps import MAPS
from linkage.records import forms
from linkage.store.db import driver_connection, read_session

from .helpers import ADMIN, url

DATES = (date(2020, 1, 1), date(2021, 6, 30), date(2023, 6, 29), date(2025, 6, 30), date(2025, 7, 1), date(2026, 3, 1))


def test_the_plain_read_is_the_facts_read_as_rows(bac_kan: Engine) -> None:
    forms.archive(bac_kan, ADMIN, forms.read(bac_kan, ADMIN, "cooperatives", "C2"))  # archived: left out of both
    with read_session(bac_kan) as session:
        connection = driver_connection(session)
        plain, facts = read_inputs(connection), read_facts(connection)
    assert plain == inputs_of(facts)
    assert len(plain.cooperatives) == len(facts.cooperatives) > 0
    assert any(raw for *_, raw in plain.linkages) and any(buyer for *_, buyer, _ in plain.linkages)


def _printed(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["coverage", *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("on", MAPS)
def test_coverage_prints_what_pandas_printed_of_the_apps_tables(
    bac_kan: Engine, capsys: pytest.CaptureFixture[str], on: str
) -> None:
    with read_session(bac_kan) as session:
        facts = read_facts(driver_connection(session))
    for day in DATES:
        for level in (None, *reported_levels(on)):
            args = ["--as-of", day.isoformat(), "--map", on, "--db", url(bac_kan)]
            args += ["--level", level] if level else []
            table = compute(facts, day, (level,) if level else ("national", "province", "district", "commune"), on)
            assert len(table) > 0
            assert _printed(capsys, *args, "--format", "csv") == table.to_csv(index=False)
            assert json.loads(_printed(capsys, *args, "--format", "json")) == json_rows(table)


def test_a_name_with_commas_quotes_and_lines_is_written_as_pandas_writes_it() -> None:
    names = ['Xã "Mới", Tây', "Phường\nMột", '=HYPERLINK("x")', "Ấp 1; 2"]
    rows = [  # numerator i of denominator i % 3: a missing ratio and `met` when it is 0
        ("communes_with_cooperative", "province", f"{i:02d}", name, i, i % 3)
        + ((i / (i % 3), 0.7, i * 10 >= 7 * (i % 3)) if i % 3 else (float("nan"), 0.7, None))
        + ("2025-07", i)
        for i, name in enumerate(names)
    ]
    written = io.StringIO()
    write_csv(rows, written)
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS)).astype({"met": object})
    assert written.getvalue() == frame.to_csv(index=False)
    assert pd.read_csv(io.StringIO(written.getvalue()), dtype=str)["unit_name"].tolist() == names
