"""The coverage download: what the coverage page shows for a unit, as a file a reader opens in a
spreadsheet (CSV or XLSX) and files with an official report.

A download carries the unit's own row for every indicator counted at its level and the rows of the
units one level below it (every indicator counted there), each row with the date and the map it was
counted on, so the file still says what it is once renamed or printed. Words are the reader's
language (headings, indicator names, levels, met or not); figures stay figures: counts as whole
numbers, shares as percentages (CSV: `61,5%` in Vietnamese, `61.5%` in English; XLSX: the number
0.615… shown in a percent format, so a spreadsheet can still compute with it).

Example: the province Đắk Lắk on 2025-01 gives its three rows (the second indicator, counted in
provinces only, among them) followed by its districts' rows of the first and third indicators.
"""

from __future__ import annotations

import io
import math
from datetime import date

import pandas as pd

from linkage.counting.coverage_view import UnitView
from linkage.counting.indicators import INDICATORS, with_gap
from linkage.exchange.values import shield
from linkage.i18n import day_text, t

COLUMNS = [
    "as_of",
    "map",
    "indicator",
    "level",
    "unit_code",
    "unit_name",
    "numerator",
    "denominator",
    "ratio",
    "target",
    "met",
    "needed",
    "unplaced",
]
SHARES = {"ratio": 1, "target": 0}  # share columns and the decimals a reader sees
WIDTHS = {"indicator": 48, "unit_name": 34, "level": 10, "map": 9, "as_of": 11, "unit_code": 10}  # characters
WIDTH = 12  # characters: every other column (numbers and their headings)


def report_rows(view: UnitView, as_of: date) -> pd.DataFrame:
    """The rows of a unit's download, in `COLUMNS` order: for each indicator, the unit's own row (the
    figures' unit: the nearest unit above with figures for a unit that has none) then the rows of the
    units one level below, by code. Every indicator the page shows is there."""
    own = view.cards.assign(_own=0)
    below = view.children.assign(_own=1)
    rows = pd.concat([frame for frame in (own, below) if len(frame)], ignore_index=True)
    order = {indicator: n for n, indicator in enumerate(INDICATORS)}
    rows = rows.assign(_indicator=rows["indicator"].map(order))
    rows = rows.sort_values(["_indicator", "_own", "unit_code"], kind="stable")
    rows = with_gap(rows.drop(columns=["_own", "_indicator"]).reset_index(drop=True))
    rows.insert(0, "as_of", as_of.isoformat())
    return rows[COLUMNS]


def percent_text(ratio: float, lang: str, digits: int = 1) -> str:
    """A share written the reader's way: `61,5%` in Vietnamese, `61.5%` in English.

    >>> percent_text(8 / 13, "vi"), percent_text(0.7, "en", 0)
    ('61,5%', '70%')
    """
    text = f"{ratio:.{digits}%}"
    return text.replace(".", ",") if lang == "vi" else text


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _words(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The rows with coded cells in words; numbers untouched."""
    met = {True: t("download.met.yes", lang), False: t("download.met.no", lang)}
    return rows.assign(
        as_of=rows["as_of"].map(day_text),
        indicator=rows["indicator"].map(lambda i: t(f"indicator.{i}", lang)),
        level=rows["level"].map(lambda v: t(f"download.level.{v}", lang)),
        met=rows["met"].map(lambda m: "" if _missing(m) else met[bool(m)]),
    )


def headings(lang: str) -> list[str]:
    """The column headings of a download in language `lang`."""
    return [t(f"download.column.{c}", lang) for c in COLUMNS]


def to_csv(rows: pd.DataFrame, lang: str) -> bytes:
    """`report_rows` as CSV for a reader: UTF-8 with the BOM Excel needs for Vietnamese, shares as
    percentages, text cells shielded from running as formulas."""
    shown = _words(rows, lang)
    for column, digits in SHARES.items():
        shown[column] = rows[column].map(lambda v, d=digits: "" if _missing(v) else percent_text(float(v), lang, d))
    shown = shown.apply(lambda column: column.map(lambda v: shield(v) if isinstance(v, str) else v))
    shown.columns = pd.Index(headings(lang))
    return shown.to_csv(index=False).encode("utf-8-sig")


def to_xlsx(rows: pd.DataFrame, lang: str) -> bytes:
    """`report_rows` as a workbook: counts as numbers, shares as numbers in a percent format, every text
    cell as text, columns wide enough to read, the heading row frozen and filterable."""
    from openpyxl import Workbook  # lazy: ~0.15 s to import, paid only when a workbook is asked for
    from openpyxl.cell import WriteOnlyCell  # lazy, with Workbook
    from openpyxl.utils import get_column_letter  # lazy, with Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(t("download.sheet", lang))
    for number, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = WIDTHS.get(column, WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    sheet.append(headings(lang))
    formats = {c: "0" + ("." + "0" * d if d else "") + "%" for c, d in SHARES.items()}
    for record in _words(rows, lang).itertuples(index=False):
        cells = []
        for column, value in zip(COLUMNS, record, strict=True):
            value = None if _missing(value) else value
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=shield(value))
                cell.data_type = "s"
            else:
                cell = WriteOnlyCell(sheet, value=float(value) if column in formats and value is not None else value)
                if column in formats:
                    cell.number_format = formats[column]
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def file_name(view: UnitView, as_of: date, on: str) -> str:
    """The download's name without extension, the map first: `coverage-2025-07-66-2026-12-06`; a unit of
    the other map (a province of today read on 2025-01) names its own map too."""
    unit = view.unit
    own = f"{unit.map}-" if unit.map != on else ""
    return f"coverage-{on}-{own}{unit.code}-{as_of.isoformat()}"
