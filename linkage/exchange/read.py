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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from linkage.exchange.problems import Problem
from linkage.exchange.spec import BY_NAME, ENTITIES
from linkage.exchange.values import QUOTE, unshield

MAX_FILE_BYTES = 40 * 1024 * 1024  # one file as uploaded; the national producers.csv is about 15 MB
SUFFIXES = (".csv", ".xlsx")

# Bounds on what one file may hold, checked before and while it is read so that no upload or import
# can take the server's memory or time (docs/exchange-files.md, "Limits"). A workbook is a zip
# archive: its directory says how large each part inflates, so a workbook is refused from that
# directory, before openpyxl reads a byte of it. The national export (about 214,000 producers in one
# file) stays well inside every bound.
MAX_ROWS = 250_000  # data rows of one table (a file, or a sheet of a workbook)
MAX_COLUMNS = 20  # columns of a row; an exchange file has at most 10
MAX_CELL_CHARS = 32_767  # characters of one cell, as a spreadsheet program keeps at most
MAX_INFLATED_BYTES = 160 * 1024 * 1024  # all parts of a workbook, inflated
MAX_PART_BYTES = 24 * 1024 * 1024  # any part that is not a sheet (openpyxl holds it whole: shared strings, styles)
MAX_PARTS = 2_000  # parts in a workbook's archive

# The libraries that read a workbook's content: the zip archive (zipfile, zlib), openpyxl and the XML
# parsers under it. What they raise while reading a damaged file (cut short, bytes changed, a part
# missing or not XML, a zip feature Python lacks, a value of the wrong kind) is the file's fault and is
# refused in one plain line (`xlsx_broken`); anything raised by our own code is a bug, and goes on to
# be logged with its traceback under a reference (ui.navigation_run), never called a broken file.
WORKBOOK_READERS = frozenset({"zipfile", "zlib", "openpyxl", "et_xmlfile", "xml", "lxml", "defusedxml", "_compression"})


def broken_workbook(error: BaseException) -> bool:
    """Whether `error`, met while reading a workbook, comes from the file's content: an exception of a
    reader library's own kind (`BadZipFile`, `zlib.error`, openpyxl's `InvalidFileException`, an XML
    parse error), or any exception raised inside a reader library's code (a `KeyError` for a missing
    part, a `ValueError` or `TypeError` for a value openpyxl cannot take). Never an error raised by
    our own code, nor running out of memory."""
    if not isinstance(error, Exception) or isinstance(error, MemoryError):
        return False
    if type(error).__module__.split(".")[0] in WORKBOOK_READERS:
        return True
    trace = error.__traceback__
    if trace is None:
        return False
    while trace.tb_next is not None:
        trace = trace.tb_next
    module = str(trace.tb_frame.f_globals.get("__name__", ""))
    return module.split(".")[0] in WORKBOOK_READERS


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
        with file.open("rb") as stream:
            return _read_csv(stream, name, file.stem.lower())
    if suffix == ".xlsx":
        with file.open("rb") as stream:
            return _read_workbook(stream, name, file.stem.lower())
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


class _Bounds(Exception):
    """A file passes one of the bounds above: reading stops at once."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


def _bounded(name: str, rows: Iterable[Sequence[str]]) -> Iterator[list[str]]:
    """The rows of one table, one at a time, refused as soon as one passes a bound: the file is never
    read further than the limit, and no more than one row of it is held here (`rows` streams)."""
    for number, record in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            raise _Bounds(Problem(name, None, None, "limits.too_many_rows", {"limit": f"{MAX_ROWS:,}"}))
        if len(record) > MAX_COLUMNS:
            wide: dict[str, object] = {"limit": MAX_COLUMNS, "count": len(record)}
            raise _Bounds(Problem(name, number, None, "limits.too_many_columns", wide))
        if record and max(map(len, record)) > MAX_CELL_CHARS:
            i = next(i for i, cell in enumerate(record) if len(cell) > MAX_CELL_CHARS)
            long: dict[str, object] = {"limit": f"{MAX_CELL_CHARS:,}"}
            raise _Bounds(Problem(name, number, f"#{i + 1}", "limits.cell_too_long", long))
        yield record if isinstance(record, list) else list(record)


def _csv_rows(stream: IO[bytes], name: str) -> Iterator[list[str]]:
    """CSV records decoded while they are read (UTF-8, with or without BOM); a NUL byte is a binary file."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    for record in csv.reader(text):
        if "\x00" in "".join(record):
            raise _Bounds(Problem(name, None, None, "binary"))
        yield record


def _read_csv(stream: IO[bytes], name: str, entity: str) -> tuple[list[Table], list[Problem]]:
    head = stream.read(4096)
    _, problem = decode_text(head, name)
    if problem is not None and problem.code != "not_utf8":  # a multi-byte letter may be cut at 4 KB
        return [], [problem]
    stream.seek(0)
    try:
        rows = _bounded(name, _csv_rows(stream, name))
        header = next(rows, None)
        if entity not in BY_NAME:
            if is_settlement(header):
                return _settlement(name, header or [], rows)
            return [], [Problem(name, None, None, "unknown_file", {"expected": ", ".join(BY_NAME)})]
        return _table(name, entity, header, rows)
    except _Bounds as bounds:
        return [], [bounds.problem]
    except UnicodeDecodeError:
        return [], [Problem(name, None, None, "not_utf8")]
    except csv.Error as exc:
        return [], [Problem(name, None, None, "csv_broken", {"detail": str(exc)})]


def is_settlement(first: list[str] | None) -> bool:
    """Whether a file not named after an entity is the settlement list (by its first row, the header)."""
    header = {cell.strip().lower() for cell in first or []}
    return {"file", *SETTLEMENT_KEPT} <= header


def _settlement(name: str, first: list[str], rows: Iterator[list[str]]) -> tuple[list[Table], list[Problem]]:
    """The filled settlement list as one update-only table per entity it names (rows keep their
    numbers, problems name this file)."""
    problems: list[Problem] = []
    header = [cell.strip().lower() for cell in first]
    unnamed = {i for i, column in enumerate(header) if not column}
    filled: set[int] = set()  # unnamed columns that hold a value in some row
    tables: dict[str, Table] = {}
    for number, record in enumerate(rows, start=2):
        filled.update(i for i in unnamed if i < len(record) and record[i].strip())
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
    heading = []
    for i, column in enumerate(header):
        if column and column not in SETTLEMENT_COLUMNS:
            expected = ", ".join(SETTLEMENT_COLUMNS)
            heading.append(Problem(name, 1, column, "unknown_column", {"column": column, "expected": expected}))
        elif i in filled:
            heading.append(Problem(name, 1, f"#{i + 1}", "empty_header"))
    return [tables[e] for e in SETTLED_FILES if e in tables], heading + problems


def _table(
    name: str, entity: str, first: list[str] | None, rows: Iterator[list[str]]
) -> tuple[list[Table], list[Problem]]:
    """Check the header against the entity's columns and pair each data row with its number, row by
    row as they are read. Only the entity's own columns are kept: a file with any other column is
    refused, so their values would never be used."""
    spec = BY_NAME[entity]
    header = [cell.strip().lower() for cell in first or []]
    known = {col: i for i, col in reversed(list(enumerate(header))) if col in spec.column_names}  # the first of twins
    unnamed = [i for i, col in enumerate(header) if not col]
    filled: set[int] = set()  # unnamed columns that hold a value in some row
    table = Table(entity, name, [])
    row_problems: list[Problem] = []
    names, pick, width = list(known), _picker(list(known.values())), max(known.values(), default=-1) + 1
    for number, record in enumerate(rows, start=2):
        joined = "".join(record)
        if not joined.strip():
            continue
        if unnamed:
            filled.update(i for i in unnamed if i < len(record) and record[i].strip())
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
            row_problems.append(Problem(name, number, None, "too_many_values", {"count": len(header)}))
            continue
        if len(record) >= width and QUOTE not in joined:  # nearly every row: every cell there, none to unshield
            table.rows.append((number, dict(zip(names, pick(record), strict=True))))
        else:
            cells = {col: unshield(record[i]) if i < len(record) else "" for col, i in known.items()}
            table.rows.append((number, cells))
    if not any(cell.strip() for cell in first or []) and not table.rows and not row_problems:
        return [], [Problem(name, None, None, "no_header")]
    problems: list[Problem] = []
    keep = [i for i, col in enumerate(header) if col or i in filled]
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
    table.header = [header[i] for i in keep]
    return [table], problems + row_problems


def _picker(places: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """The cells at `places` of a row, as a tuple (`itemgetter` gives one cell bare)."""
    if len(places) == 1:
        (place,) = places
        return lambda record: (record[place],)
    return itemgetter(*places) if places else lambda record: ()


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


def archive_problem(stream: IO[bytes], name: str) -> Problem | None:
    """Whether a workbook's archive directory admits it: how many parts, and how large each inflates.
    The sizes are the ones the directory declares; `zipfile` never inflates a part past its declared
    size (it stops there, and a part that lies fails its checksum). None if the workbook is admitted."""
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
    except Exception as exc:
        if not broken_workbook(exc):
            raise
        return Problem(name, None, None, "xlsx_broken", {"detail": type(exc).__name__})
    mb = 1024 * 1024
    if len(parts) > MAX_PARTS:
        return Problem(name, None, None, "limits.too_many_parts", {"count": len(parts), "limit": MAX_PARTS})
    total = sum(part.file_size for part in parts)
    if total > MAX_INFLATED_BYTES:
        inflated: dict[str, object] = {"size_mb": round(total / mb), "limit_mb": MAX_INFLATED_BYTES // mb}
        return Problem(name, None, None, "limits.inflates", inflated)
    for part in parts:
        if not part.filename.startswith("xl/worksheets/") and part.file_size > MAX_PART_BYTES:
            sizes: dict[str, object] = {
                "part": part.filename,
                "size_mb": round(part.file_size / mb),
                "limit_mb": MAX_PART_BYTES // mb,
            }
            return Problem(name, None, None, "limits.part_inflates", sizes)
    return None


def _sheet_rows(sheet: Any) -> Iterator[list[str]]:
    """A sheet's rows as text, streamed by openpyxl's read-only reader, never wider than one column past
    the bound (a sheet may declare itself 16,384 columns wide): a value there is one column too many."""
    for row in sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        yield [_cell_text(v) for v in cells]


def _read_workbook(stream: IO[bytes], name: str, stem: str) -> tuple[list[Table], list[Problem]]:
    """A workbook named after an entity is that entity's file (its first sheet, docs/exchange-files.md);
    any other workbook holds one sheet per entity, named after it."""
    refused = archive_problem(stream, name)
    if refused is not None:
        return [], [refused]
    stream.seek(0)
    import openpyxl  # lazy: slow to import, paid only when a workbook is read (start-up stays fast)

    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:
        if not broken_workbook(exc):
            raise
        return [], [Problem(name, None, None, "xlsx_broken", {"detail": type(exc).__name__})]
    tables: list[Table] = []
    problems: list[Problem] = []
    try:
        sheets = book.worksheets
        if not sheets:  # a workbook whose sheet list names none
            return [], [Problem(name, None, None, "xlsx_broken", {"detail": "no sheet"})]
        if stem not in BY_NAME and not any(s.title.strip().lower() in BY_NAME for s in sheets):
            rows = _bounded(name, _sheet_rows(sheets[0]))
            first = next(rows, None)
            if is_settlement(first):  # the settlement list, saved as a workbook by a spreadsheet program
                return _settlement(name, first or [], rows)
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
            shown = f"{name}[{entity}]" if len(sheets) > 1 else name
            rows = _bounded(shown, _sheet_rows(sheet))
            found, trouble = _table(shown, entity, next(rows, None), rows)
            tables += found
            problems += trouble
    except _Bounds as bounds:
        return [], [bounds.problem]
    except Exception as exc:
        if not broken_workbook(exc):
            raise
        return [], [Problem(name, None, None, "xlsx_broken", {"detail": type(exc).__name__})]
    finally:
        book.close()
    return tables, problems
