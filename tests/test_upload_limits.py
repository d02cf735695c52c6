"""Uploads and imports are bounded before and while they are read (docs/exchange-files.md, "Limits").

Each file here is built by the test and read in a process of its own, whose peak memory is measured
(`ru_maxrss`): a workbook a few MB zipped that inflates to hundreds of MB, a CSV under the size limit with
800,000 rows, and the largest CSV the bounds admit. Whatever a file holds, the reading process
stays under 600 MB and ends within seconds, for the app's preview and for `linkage import --dry-run`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from linkage.exchange.read import MAX_COLUMNS, MAX_FILE_BYTES, MAX_INFLATED_BYTES, MAX_ROWS, read_path
from linkage.exchange.spec import BY_NAME

ROOT = Path(__file__).parent.parent
MEMORY_MB = 600
PRODUCERS = "code,name,commune_code,kind\n"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="producers" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def cell(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def inflating_workbook(path: Path, inflated_mb: int) -> Path:
    """A producers workbook whose one sheet inflates to `inflated_mb` MB of rows (written by hand, in
    chunks: the test never holds the sheet in memory)."""
    header = "<row>" + "".join(cell(c) for c in ("code", "name", "commune_code")) + "</row>"
    row = "<row>" + cell("P1") + cell("Hộ " + "x" * 200) + cell("01912") + "</row>"
    block = (row * (1024 * 1024 // len(row.encode()))).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            sheet.write(header.encode())
            for _ in range(inflated_mb):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


def producers_csv(path: Path, rows: int, name: str = "Hộ Nguyễn Văn") -> Path:
    """`rows` producers in Bắc Kạn commune 01912, every one valid."""
    line = "P{:07d}," + name + " {:d},01912,household\n"
    with path.open("w", encoding="utf-8") as out:
        out.write(PRODUCERS)
        for start in range(0, rows, 10_000):
            out.write("".join(line.format(i, i) for i in range(start, min(rows, start + 10_000))))
    return path


def measured(*command: str, timeout: float = 240) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run a command as the only child of a fresh Python process; its outcome and peak memory (MB)."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stderr.write(done.stderr)\n"
        "sys.stdout.write(done.stdout)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
        "sys.exit(done.returncode)\n"
    )
    env = {**os.environ, "LINKAGE_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *command], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env
    )
    *out, peak = done.stdout.strip().splitlines()
    return subprocess.CompletedProcess(done.args, done.returncode, "\n".join(out), done.stderr), float(peak)


def preview(url: str, file: Path) -> tuple[dict[str, object], float]:
    """The exchange page's preview of one upload, in a process of its own."""
    done, peak = measured(sys.executable, "-m", "tests.upload_worker", url, str(file))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), peak


def dry_run(url: str, file: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    linkage = shutil.which("linkage", path=str(Path(sys.executable).parent)) or "linkage"
    return measured(linkage, "import", str(file), "--dry-run", "--db", url)


@pytest.fixture
def sqlite_url(engine: Engine, db_url: str) -> str:
    """Memory is the reader's matter, the same on both databases: measured once, on SQLite."""
    if engine.dialect.name != "sqlite":
        pytest.skip("measured on SQLite only")
    return db_url


def test_a_workbook_that_inflates_to_hundreds_of_mb_is_refused_from_its_directory(
    sqlite_url: str, tmp_path: Path
) -> None:
    book = inflating_workbook(tmp_path / "producers.xlsx", inflated_mb=400)
    assert book.stat().st_size < 8 * 1024 * 1024  # a few MB on the wire
    seen, peak = preview(sqlite_url, book)
    assert seen["codes"] == ["limits.inflates"]
    assert peak < MEMORY_MB, f"preview peak {peak} MB"
    done, cli_peak = dry_run(sqlite_url, book)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[:-1] == [  # then the summary line
        f"producers.xlsx: the workbook unpacks to 400 MB, more than the {MAX_INFLATED_BYTES // 2**20} MB an "
        "import reads; split it into several files, or save it as CSV"
    ]
    assert cli_peak < MEMORY_MB, f"dry-run peak {cli_peak} MB"
    print(f"inflating workbook: preview {peak} MB, dry run {cli_peak} MB")


def test_a_large_csv_is_refused_while_it_streams_at_the_row_bound(sqlite_url: str, tmp_path: Path) -> None:
    big = producers_csv(tmp_path / "producers.csv", rows=700_000)
    assert big.stat().st_size < MAX_FILE_BYTES  # under the size limit: only the row bound stops it
    seen, peak = preview(sqlite_url, big)
    assert seen["codes"] == ["limits.too_many_rows"]
    assert peak < MEMORY_MB, f"preview peak {peak} MB"
    done, cli_peak = dry_run(sqlite_url, big)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[:-1] == [  # then the summary line
        f"producers.csv: the file has more than {MAX_ROWS:,} rows, more than one import takes; split it into "
        "several files"
    ]
    assert cli_peak < MEMORY_MB, f"dry-run peak {cli_peak} MB"
    print(f"CSV of {big.stat().st_size // 2**20} MB: preview {peak} MB, dry run {cli_peak} MB")


def test_a_csv_over_the_size_limit_is_refused_before_it_is_read(sqlite_url: str, tmp_path: Path) -> None:
    huge = producers_csv(tmp_path / "producers.csv", rows=2_000_000)
    size_mb = round(huge.stat().st_size / 2**20, 1)
    assert size_mb > 90
    seen, peak = preview(sqlite_url, huge)  # the worker holds the uploaded bytes, as Streamlit does
    assert seen["codes"] == ["too_large"]
    assert peak < MEMORY_MB, f"preview peak {peak} MB"
    done, cli_peak = dry_run(sqlite_url, huge)
    assert done.stderr.splitlines()[0] == (
        f"producers.csv: the file is {size_mb} MB, more than the {MAX_FILE_BYTES // 2**20} MB an import takes; "
        "split it into several files"
    )
    assert cli_peak < MEMORY_MB, f"dry-run peak {cli_peak} MB"
    print(f"CSV of {size_mb} MB: preview {peak} MB, dry run {cli_peak} MB")


def test_the_largest_csv_the_bounds_admit_is_checked_in_under_600_mb(sqlite_url: str, tmp_path: Path) -> None:
    """As many valid rows as admitted, each as long as the size limit then allows: all of it is
    read, parsed and checked against the database."""
    name = "Hộ kinh doanh Nguyễn Văn " + "A" * (MAX_FILE_BYTES // MAX_ROWS - 65)
    largest = producers_csv(tmp_path / "producers.csv", rows=MAX_ROWS, name=name)
    assert MAX_FILE_BYTES * 0.9 < largest.stat().st_size <= MAX_FILE_BYTES
    seen, peak = preview(sqlite_url, largest)
    assert seen["codes"] == [] and seen["rows"] == MAX_ROWS
    assert "Table" not in str(seen["held"])  # the session keeps the preview's counts, not the rows
    assert peak < MEMORY_MB, f"preview peak {peak} MB"
    done, cli_peak = dry_run(sqlite_url, largest)
    assert done.returncode == 0, done.stderr
    assert cli_peak < MEMORY_MB, f"dry-run peak {cli_peak} MB"
    print(f"CSV of {MAX_ROWS:,} rows, {largest.stat().st_size // 2**20} MB: preview {peak} MB, dry run {cli_peak} MB")


def test_the_most_cells_the_bounds_admit_are_read_in_under_600_mb(sqlite_url: str, tmp_path: Path) -> None:
    """Every row as wide as admitted: the extra columns are refused by name, after the whole file is read."""
    widest = tmp_path / "producers.csv"
    extra = [f"x{i}" for i in range(MAX_COLUMNS - 4)]
    with widest.open("w", encoding="utf-8") as out:
        out.write(",".join(["code", "name", "commune_code", "kind", *extra]) + "\n")
        tail = "," + ",".join(["ab"] * len(extra)) + "\n"
        for start in range(0, MAX_ROWS, 10_000):
            out.write("".join(f"P{i:07d},Hộ {i},01912,household{tail}" for i in range(start, start + 10_000)))
    seen, peak = preview(sqlite_url, widest)
    assert seen["codes"] == ["unknown_column"]
    assert peak < MEMORY_MB, f"preview peak {peak} MB"
    done, cli_peak = dry_run(sqlite_url, widest)
    assert done.returncode != 0
    assert cli_peak < MEMORY_MB, f"dry-run peak {cli_peak} MB"
    print(f"CSV of {MAX_ROWS:,} rows x {MAX_COLUMNS} columns: preview {peak} MB, dry run {cli_peak} MB")


def test_a_row_wider_than_the_bound_is_refused_with_its_row_number(tmp_path: Path) -> None:
    wide = tmp_path / "producers.csv"
    wide.write_text(PRODUCERS + "P1,Hộ A,01912,household\n" + ",".join(["x"] * (MAX_COLUMNS + 1)) + "\n")
    _, problems = read_path(wide)
    assert [(p.row, p.code) for p in problems] == [(3, "limits.too_many_columns")]


def test_a_sheet_declaring_every_column_is_read_at_its_real_width(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "producers"
    sheet.append(["code", "name", "commune_code"])
    sheet.append(["P1", "Hộ A", "01912"])
    sheet.cell(row=1, column=16_384).value = None  # widens the declared dimension to XFD
    book.save(tmp_path / "producers.xlsx")
    tables, problems = read_path(tmp_path / "producers.xlsx")
    assert problems == []
    assert tables[0].rows == [(2, {"code": "P1", "name": "Hộ A", "commune_code": "01912"})]
    assert set(tables[0].header) <= set(BY_NAME["producers"].column_names)


def test_a_cell_longer_than_a_spreadsheet_cell_is_refused(tmp_path: Path) -> None:
    long = tmp_path / "producers.csv"
    long.write_text(PRODUCERS + "P1," + "x" * 40_000 + ",01912,household\n")
    _, problems = read_path(long)
    assert [(p.row, p.column, p.code) for p in problems] == [(2, "#2", "limits.cell_too_long")]
