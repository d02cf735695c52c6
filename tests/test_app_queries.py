"""Pages read what every row shares once per run: the statements a rerun sends do not grow with the rows."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from linkage.records import forms
from linkage.store.db import get_engine

from .apptest import text_tables
from .conftest import statements
from .helpers import C1_OFFICE, COOP_C1

App = Callable[..., AppTest]


def rerun_statements(at: AppTest, database: str) -> int:
    """Statements of a rerun with warm caches (a write since the last run reloads them once)."""
    at.run()
    with statements(get_engine(database)) as sent:
        at.run()
    assert not at.exception, at.exception
    return len(sent)


def report_linkages(database: str, codes: range) -> None:
    """New linkages a cooperative reports: each waits in the officer's queue with its product."""
    for n in codes:
        values = {"code": f"LQ{n}", "name": f"Chuỗi {n}", "product_code": "RICE", "started_on": "2025-01-01"}
        forms.start_linkage(get_engine(database), COOP_C1, {**values, "form": "production_consumption"})


def queue_headings(at: AppTest) -> list[str]:
    """The heading of each change in the queue (its bold first line), oldest first."""
    return [str(c.value) for c in at.markdown if str(c.value).startswith("**") and "LQ" in str(c.value)]


def test_the_verification_queue_reads_product_names_once_however_many_changes_wait(app: App, database: str) -> None:
    report_linkages(database, range(2))
    at = app(C1_OFFICE, "verification.py")
    few = rerun_statements(at, database)
    assert "Lúa gạo (RICE)" in [row["Giá trị báo cáo"] for table in text_tables(at) for row in table]
    report_linkages(database, range(2, 8))
    many = rerun_statements(at, database)
    assert len(queue_headings(at)) >= 8  # every change is listed
    assert many == few


def test_a_table_of_products_reads_their_names_once_however_many_rows(database: str) -> None:
    import pandas as pd

    from ui import labelled

    def shown(rows: int) -> tuple[int, list[object]]:
        frame = pd.DataFrame({"product_code": ["RICE", "CINNAMON"] * rows})
        labelled(frame)  # warm: names cached for this data version
        with statements(get_engine(database)) as sent:
            table = labelled(frame)
        return len(sent), list(table.iloc[:, 0])

    (few, _), (many, cells) = shown(1), shown(50)
    assert cells[:2] == ["Lúa gạo (RICE)", "Quế (CINNAMON)"]
    assert many == few


def test_a_long_queue_is_shown_a_page_at_a_time_oldest_first(app: App, database: str) -> None:
    report_linkages(database, range(15))  # 30 changes: each linkage and its party row
    at = app(C1_OFFICE, "verification.py")
    headings = queue_headings(at)
    assert len(headings) == 10 and "LQ0" in headings[0]
    at.number_input(key="queue_page").set_value(3).run()
    headings = queue_headings(at)
    assert len(headings) == 10 and "LQ14" in headings[-1]
    assert "21–30" in " ".join(c.value for c in at.caption)


def test_a_table_shows_each_cell_as_its_own_value_would_be_shown(database: str) -> None:
    """Cells are worked out once per distinct value (`ui.labelled`), yet each reads as shown alone:
    `True` and `1` stay apart, lists and missing values included."""
    import math

    import pandas as pd

    from ui import labelled, product_names, shown_value

    frame = pd.DataFrame(
        {
            "kind": ["producer", "cooperative", "producer", None],
            "digital": [True, 1, False, 0],
            "started_on": ["2024-03-01", "2024-03-01", None, math.nan],
            "technologies": [["e_commerce"], ["e_commerce", "traceability"], [], None],
            "product_code": ["RICE", "RICE", "CINNAMON", "RICE"],
        }
    )
    table = labelled(frame)
    names = product_names()
    expected = [[shown_value(c, frame[c][i], names) for c in frame.columns] for i in range(len(frame))]
    assert table.values.tolist() == expected
    assert table.iloc[0, 1] == "✓" and table.iloc[1, 1] == 1  # the flag and the number are not merged
