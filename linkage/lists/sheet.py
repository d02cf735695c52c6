"""Reading an office's list: a CSV or one sheet of a workbook as rows of cell texts, and its table.

Cells become text as a person would have typed them (a date cell `2019-03-05`, a number typed as a
number `1858`, not `1858.0`), with the spreadsheet's row number kept for every message. Above the
table, titles, merged cells and blank rows are skipped (`headers.find_header`); below it, blank rows
and a total row (`Tổng cộng…`, `Cộng`) are not records.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import threading
import unicodedata
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from linkage.exchange.read import broken_workbook, decode_text
from linkage.lists.headers import HEADER_ROWS, find_header
from linkage.lists.problems import ListRefused

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_SHEET_BYTES = 400 * 1024 * 1024  # a workbook's sheets as they unpack: a small zip can hold gigabytes
TOTAL = re.compile(r"^(tổng cộng|tổng số|tổng|cộng|tong cong|tong so)(\W|$)")
KEPT_CELLS = 500_000  # the cells of the latest lists read, kept to be read again (some 60 MB at most)


@dataclass
class Sheet:
    """The table of a list: its header cells and its data rows as (spreadsheet row, cells)."""

    file: str
    header: list[str]
    header_row: int  # as a spreadsheet numbers it
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def cell_text(value: object) -> str:
    """A typed cell as the text a person would have typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


def read_list(name: str, data: bytes, sheet: str | None = None) -> Sheet:
    """The table of the list `name` (CSV or XLSX, the first sheet or `sheet`), or `ListRefused`.

    The app's page reads the uploaded list again on every click (its header, then all of it): the
    latest lists read are kept by their content, up to `KEPT_CELLS` cells, and each caller gets its
    own copy of the rows."""
    held = (name, sheet, hashlib.sha256(data).hexdigest())
    with _LOCK:
        found = _KEPT.get(held)
        if found is not None:
            _KEPT.move_to_end(held)
    if found is None:
        found = _read_list(name, data, sheet)
        _keep(held, found)
    return Sheet(found.file, list(found.header), found.header_row, list(found.rows))


_KEPT: OrderedDict[tuple[str, str | None, str], Sheet] = OrderedDict()
_LOCK = threading.Lock()  # the app's sessions run in threads


def _keep(held: tuple[str, str | None, str], read: Sheet) -> None:
    def cells(kept: Sheet) -> int:
        return len(kept.header) + sum(len(c) for _, c in kept.rows)

    if cells(read) > KEPT_CELLS:
        return
    with _LOCK:
        _KEPT[held] = read
        total = sum(cells(k) for k in _KEPT.values())
        while total > KEPT_CELLS:
            _, dropped = _KEPT.popitem(last=False)
            total -= cells(dropped)


def _read_list(name: str, data: bytes, sheet: str | None) -> Sheet:
    if len(data) > MAX_FILE_BYTES:
        raise ListRefused(name, None, None, "too_large", limit_mb=MAX_FILE_BYTES // 1048576)
    lower = name.lower()
    if lower.endswith(".csv"):
        if sheet:
            raise ListRefused(name, None, None, "sheet_in_csv", sheet=sheet)
        rows = _csv_rows(name, data)
    elif lower.endswith((".xlsx", ".xlsm")):
        rows = _workbook_rows(name, data, sheet)
    else:
        raise ListRefused(name, None, None, "unknown_format")
    return table(name, rows)


def table(name: str, rows: list[list[str]]) -> Sheet:
    """The header (found as `find_header` says) and the data rows under it."""
    at = find_header(rows)
    if at is None:
        looked = min(len(rows), HEADER_ROWS)
        raise ListRefused(name, None, None, "no_header", rows=f"1–{looked}" if looked else "0")
    result = Sheet(name, rows[at], at + 1)
    for index in range(at + 1, len(rows)):
        cells = rows[index]
        if not any(cells) or is_total(cells):
            continue
        result.rows.append((index + 1, cells))
    return result


def is_total(cells: list[str]) -> bool:
    """A total row: its first filled cell starts with `Tổng cộng`, `Tổng số` or `Cộng` (not `Công ty`:
    compared with diacritics, and without them only as `tong cong`/`tong so`)."""
    first = next((c for c in cells if c), "")
    return bool(TOTAL.match(first.lower())) and not first[:1].isdigit()


def _csv_rows(name: str, data: bytes) -> list[list[str]]:
    text, problem = decode_text(data, name)
    if problem is not None or text is None:
        raise ListRefused(name, None, None, problem.code if problem else "not_utf8")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        return [[cell_text(c) for c in r] for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ListRefused(name, None, None, "csv_broken", detail=str(exc)) from None


def _workbook_rows(name: str, data: bytes, sheet: str | None) -> list[list[str]]:
    import openpyxl  # lazy: ~0.15 s to import, paid only when a workbook is read (start-up stays fast)

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
    except Exception as exc:
        if not broken_workbook(exc):
            raise
        raise ListRefused(name, None, None, "xlsx_broken", detail="not a zip archive") from None
    if unpacked > MAX_SHEET_BYTES:
        raise ListRefused(name, None, None, "too_large", limit_mb=MAX_SHEET_BYTES // 1048576)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        if not broken_workbook(exc):
            raise
        raise ListRefused(name, None, None, "xlsx_broken", detail=type(exc).__name__) from None
    try:
        if not book.worksheets:  # a workbook whose sheet list names none
            raise ListRefused(name, None, None, "xlsx_broken", detail="no sheet")
        if sheet is None:
            chosen = book.worksheets[0]
        else:
            names = {s.title.strip().lower(): s for s in book.worksheets}
            if sheet.strip().lower() not in names:
                titles = ", ".join(s.title for s in book.worksheets)
                raise ListRefused(name, None, None, "no_sheet", sheet=sheet, sheets=titles)
            chosen = names[sheet.strip().lower()]
        rows = [[cell_text(v) for v in row] for row in chosen.iter_rows(values_only=True)]
    except Exception as exc:
        if not broken_workbook(exc):
            raise
        raise ListRefused(name, None, None, "xlsx_broken", detail=type(exc).__name__) from None
    finally:
        book.close()
    while rows and not any(rows[-1]):
        rows.pop()
    return rows
