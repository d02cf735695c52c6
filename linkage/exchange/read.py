"""Reading exchange files (CSV or XLSX; a folder, one file or one workbook) into text rows.

Everything becomes text here, as a person typed it, so validation has one path: a workbook
saved by a spreadsheet program holds numbers, dates and booleans that are turned back into
the text forms docs/exchange-files.md accepts ("Values"). The quote that export puts
before formula-like values (`values.shield`) is taken off here.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from linkage.exchange.problems import Problem
from linkage.exchange.spec import BY_NAME, ENTITIES
from linkage.exchange.values import unshield

MAX_FILE_BYTES = 100 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx")

# The officer's list of records to settle (`linkage unplaced --out`, docs/command-line.md), read back once filled
# in: each row updates the location columns of the record its `file` and `code` name, every other
# column keeping its stored value; the other columns of the list only help whoever fills it.
SETTLEMENT_COLUMNS = (
    "file",
    "code",
    "name",
    "commune_code",
    "commune_code_2025_07",
    "missing_column",
    "placed_level",
    "placed_code",
    "placed_name",
    "candidates",
)
SETTLEMENT_KEPT = ("code", "commune_code", "commune_code_2025_07")
SETTLED_FILES = tuple(e.name for e in ENTITIES if "commune_code_2025_07" in e.column_names)


@dataclass
class Table:
    """One entity's rows as read: `rows` pairs the spreadsheet row number with cell texts."""

    entity: str
    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # rows only update stored records: a required column the table leaves out keeps its stored value
    # (the settlement list); a row naming no stored record is refused
    updates_only: bool = False


def read_path(path: Path) -> tuple[list[Table], list[Problem]]:
    """All exchange tables under `path`, or the problems that keep them from being read."""
    if not path.exists():
        return [], [Problem(str(path), None, None, "path_missing")]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
        files = [p for p in files if p.suffix.lower() in SUFFIXES]
        if not files:
            return [], [Problem(str(path), None, None, "folder_empty")]
    else:
        files = [path]
    tables: list[Table] = []
    problems: list[Problem] = []
    for file in files:
        found, trouble = _read_file(file)
        tables += found
        problems += trouble
    seen: dict[str, str] = {}
    for table in tables:
        if table.entity in seen:
            problems.append(Problem(table.file, None, None, "entity_twice", {"other": seen[table.entity]}))
        seen[table.entity] = table.file
    return tables, problems


def _read_file(file: Path) -> tuple[list[Table], list[Problem]]:
    name = file.name
    size = file.stat().st_size
    if size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        return [], [Problem(name, None, None, "too_large", {"size_mb": round(size / 1048576, 1), "limit_mb": limit})]
    suffix = file.suffix.lower()
    if suffix == ".csv":
        return _read_csv(file.read_bytes(), name, file.stem.lower())
    if suffix == ".xlsx":
        return _read_workbook(file.read_bytes(), name, file.stem.lower())
    return [], [Problem(name, None, None, "unknown_format")]


def decode_text(data: bytes, name: str) -> tuple[str | None, Problem | None]:
    """UTF-8 text (with or without BOM), or a problem that says how to save the file right."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and (data[0] == 0 or data[1] == 0)):
        return None, Problem(name, None, None, "utf16")
    if b"\x00" in data:
        return None, Problem(name, None, None, "binary")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, Problem(name, None, None, "not_utf8")


def _read_csv(data: bytes, name: str, entity: str) -> tuple[list[Table], list[Problem]]:
    text, problem = decode_text(data, name)
    if problem or text is None:
        return [], [problem] if problem else []
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return [], [Problem(name, None, None, "csv_broken", {"detail": str(exc)})]
    if entity not in BY_NAME:
        if is_settlement(records):
            return _settlement(name, records)
        return [], [Problem(name, None, None, "unknown_file", {"expected": ", ".join(BY_NAME)})]
    return _table(name, entity, records)


def is_settlement(records: list[list[str]]) -> bool:
    """Whether rows read from a file not named after an entity are the settlement list (its header)."""
    header = {cell.strip().lower() for cell in records[0]} if records else set()
    return {"file", *SETTLEMENT_KEPT} <= header


def _settlement(name: str, records: list[list[str]]) -> tuple[list[Table], list[Problem]]:
    """The filled settlement list as one update-only table per entity it names (rows keep their
    numbers, problems name this file)."""
    problems: list[Problem] = []
    header = [cell.strip().lower() for cell in records[0]]
    for i, column in enumerate(header):
        if column and column not in SETTLEMENT_COLUMNS:
            expected = ", ".join(SETTLEMENT_COLUMNS)
            problems.append(Problem(name, 1, column, "unknown_column", {"column": column, "expected": expected}))
        elif not column and any(i < len(r) and r[i].strip() for r in records[1:]):
            problems.append(Problem(name, 1, f"#{i + 1}", "empty_header"))
    tables: dict[str, Table] = {}
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = {column: unshield(record[i]) if i < len(record) else "" for i, column in enumerate(header) if column}
        entity = cells["file"].strip().lower()
        if entity not in SETTLED_FILES:
            wrong: dict[str, object] = {"value": cells["file"], "expected": ", ".join(SETTLED_FILES)}
            problems.append(Problem(name, number, "file", "settlement_file", wrong))
            continue
        table = tables.setdefault(entity, Table(entity, name, list(SETTLEMENT_KEPT), updates_only=True))
        table.rows.append((number, {column: cells[column] for column in SETTLEMENT_KEPT}))
    return [tables[e] for e in SETTLED_FILES if e in tables], problems


def _table(name: str, entity: str, records: list[list[str]]) -> tuple[list[Table], list[Problem]]:
    """Check the header against the entity's columns and pair each data row with its number."""
    problems: list[Problem] = []
    while records and not any(cell.strip() for cell in records[-1]):
        records.pop()
    if not records:
        return [], [Problem(name, None, None, "no_header")]
    header = [cell.strip().lower() for cell in records[0]]
    spec = BY_NAME[entity]
    keep = [i for i, col in enumerate(header) if col or any(i < len(r) and r[i].strip() for r in records[1:])]
    for i in keep:
        col = header[i]
        if not col:
            problems.append(Problem(name, 1, f"#{i + 1}", "empty_header"))
        elif col not in spec.column_names:
            problems.append(
                Problem(name, 1, col, "unknown_column", {"column": col, "expected": ", ".join(spec.column_names)})
            )
        elif header.count(col) > 1 and header.index(col) != i:
            problems.append(Problem(name, 1, col, "column_twice", {"column": col}))
    for column in spec.columns:
        if column.required and column.name not in header:
            problems.append(Problem(name, 1, column.name, "missing_column", {"column": column.name}))
    table = Table(entity, name, [header[i] for i in keep])
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        extra = [c for i, c in enumerate(record) if i >= len(header) and c.strip()]
        if extra:
            problems.append(Problem(name, number, None, "too_many_values", {"count": len(header)}))
            continue
        table.rows.append((number, {header[i]: unshield(record[i]) if i < len(record) else "" for i in keep}))
    return [table], problems


def _cell_text(value: object) -> str:
    """A typed spreadsheet cell as the text a person would have typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_workbook(data: bytes, name: str, stem: str) -> tuple[list[Table], list[Problem]]:
    """A workbook named after an entity is that entity's file (its first sheet, docs/exchange-files.md);
    any other workbook holds one sheet per entity, named after it."""
    import openpyxl  # lazy: slow to import, paid only when a workbook is read (start-up stays fast)

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return [], [Problem(name, None, None, "xlsx_broken", {"detail": type(exc).__name__})]
    tables: list[Table] = []
    problems: list[Problem] = []
    try:
        sheets = book.worksheets
        if sheets and stem not in BY_NAME and not any(s.title.strip().lower() in BY_NAME for s in sheets):
            first = [[_cell_text(v) for v in row] for row in sheets[0].iter_rows(values_only=True)]
            if is_settlement(first):  # the settlement list, saved as a workbook by a spreadsheet program
                return _settlement(name, first)
        if stem in BY_NAME and not any(s.title.strip().lower() in BY_NAME for s in sheets):
            named = [(stem, sheets[0])]
        else:
            named = []
            for sheet in sheets:
                title = sheet.title.strip().lower()
                if title in BY_NAME:
                    named.append((title, sheet))
                elif sheet.max_row and sheet.max_row > 1:
                    problems.append(
                        Problem(f"{name}[{sheet.title}]", None, None, "unknown_sheet", {"expected": ", ".join(BY_NAME)})
                    )
            if not named and not problems:
                problems.append(Problem(name, None, None, "unknown_file", {"expected": ", ".join(BY_NAME)}))
        for entity, sheet in named:
            records = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            found, trouble = _table(f"{name}[{entity}]" if len(sheets) > 1 else name, entity, records)
            tables += found
            problems += trouble
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as exc:  # ParseError is a SyntaxError
        return [], [Problem(name, None, None, "xlsx_broken", {"detail": type(exc).__name__})]
    finally:
        book.close()
    return tables, problems
