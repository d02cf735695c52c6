"""The indicator rows as `linkage coverage` prints them (CSV, JSON), from plain rows: no pandas to load.

A row is `rules.COLUMNS` in order. CSV writes what pandas' `to_csv` wrote before this module: floats as
Python's shortest repr, a missing ratio or `met` as an empty field, `True`/`False` for `met`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from linkage.counting.rules import COLUMNS

COUNTED = ("numerator", "denominator", "needed", "unplaced")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def write_csv(rows: Iterable[tuple[Any, ...]], out: TextIO) -> None:
    """The rows as CSV with a header line, a missing value as an empty field."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(tuple("" if _missing(value) else value for value in row) for row in rows)


def json_ready(records: Iterable[Mapping[Any, Any]]) -> list[dict[str, Any]]:
    """Records (column → value) as plain JSON-ready dicts: counts as ints, a missing ratio or `met` as
    None, the target as a float."""
    out: list[dict[str, Any]] = []
    for record in records:
        row = {str(k): v for k, v in record.items()}
        for key in COUNTED:
            if key in row:
                row[key] = int(row[key])
        row["ratio"] = None if _missing(row["ratio"]) else float(row["ratio"])
        row["met"] = None if _missing(row["met"]) else bool(row["met"])
        row["target"] = float(row["target"])
        out.append(row)
    return out
