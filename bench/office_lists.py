"""Office lists at national scale: `python -m bench --office-lists` (docs/office-lists.md).

Builds the national demonstration data in a scratch SQLite database, then reads an office's list of
5,000 cooperatives given only by name and address (a title above the table, the address styles of
docs/office-lists.md on both maps, communes drawn at random over the whole country) exactly as
`linkage import-list --dry-run` does: header, values, every row's commune, same record or new, and the
write path's check. It measures the time that takes in a process that has read no list before (the
place index is built on the way) and once more warm, then the peak memory of a new process reading a
list of 50,000 rows, beside that of a process that only starts. Every row's commune is compared with
the commune it was written from: resolved to it, or flagged; a wrong commune is counted and must be 0.

Rewrites only its own section of docs/benchmarks.md; the other runs keep it.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linkage.lists.service import OfficeList

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Office lists"
GOALS = {"resolve_5000": 5.0, "memory_50000_mb": 500.0}
HEADER = ["STT", "Tên hợp tác xã", "Địa chỉ trụ sở", "Ngày thành lập", "Số thành viên"]
_SHORT = {"Xã": "X.", "Phường": "P.", "Thị trấn": "TT.", "Huyện": "H.", "Quận": "Q.", "Thị xã": "TX.",
          "Thành phố": "TP."}  # fmt: skip
STYLES = ("full", "short", "folded", "today")


@dataclass(frozen=True)
class Written:
    """One row of the generated list: the commune it was written from (map and code) and how."""

    map: str
    code: str
    style: str


def _short(name: str) -> str:
    for word, short in sorted(_SHORT.items(), key=lambda item: -len(item[0])):
        if name.startswith(word + " "):
            return f"{short} {name[len(word) + 1 :]}"
    return name


def address_list(rows: int, seed: int = 1) -> tuple[bytes, list[Written]]:
    """An office's workbook of `rows` cooperatives with addresses only, and the truth of each row.

    Styles, in turn: `Thôn 3, Xã …, Huyện …, Tỉnh …` (January 2025 map), `X. …, H. …` (abbreviated, no
    province), `xa …, huyen …, tinh …` (no diacritics, lower case), and `Xã …, Tỉnh …` (no district:
    today's map)."""
    from openpyxl import Workbook

    from linkage.geo.geography import fold
    from linkage.geo.maps import NEW_MAP, OLD_MAP, map_data

    pick = random.Random(seed)
    old, new = map_data(OLD_MAP), map_data(NEW_MAP)
    old_codes, new_codes = sorted(old.communes), sorted(new.communes)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách")
    sheet.append(["DANH SÁCH HỢP TÁC XÃ (số liệu thử cho đo hiệu năng)"])
    sheet.append([])
    sheet.append(HEADER)
    truths: list[Written] = []
    for i in range(rows):
        style = STYLES[i % len(STYLES)]
        if style == "today":
            place = new.communes[pick.choice(new_codes)]
            province = new.provinces[place.province].unit.name
            address = f"{place.unit.name}, {province}"
            truths.append(Written(NEW_MAP, place.unit.code, style))
        else:
            place = old.communes[pick.choice(old_codes)]
            district = old.districts[place.district].unit.name
            province = old.provinces[place.province].unit.name
            if style == "full":
                address = f"Thôn {i % 9 + 1}, {place.unit.name}, {district}, {province}"
            elif style == "short":
                address = f"{_short(place.unit.name)}, {_short(district)}"
            else:
                address = fold(f"{place.unit.name}, {district}, {province}")
            truths.append(Written(OLD_MAP, place.unit.code, style))
        sheet.append([i + 1, f"HTX Thử Nghiệm Số {i + 1}", address, f"{i % 28 + 1}/{i % 12 + 1}/2019", 7 + i % 50])
    sheet.append(["", "Tổng cộng", "", "", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), truths


def outcomes(listed: OfficeList, truths: list[Written]) -> Counter[str]:
    """How many rows resolved to the commune they were written from, were flagged (ambiguous or not
    found), or resolved to another commune (`wrong`: must be 0)."""
    found: Counter[str] = Counter()
    for row, truth in zip(listed.rows, truths, strict=True):
        if row.commune:
            found["right" if (row.map, row.commune) == (truth.map, truth.code) else "wrong"] += 1
        else:
            found[row.status] += 1
    return found


# The child reads its own high-water mark (VmHWM, reset by exec): `ru_maxrss` would also count the
# parent's memory at the fork, which the child inherits as its starting maximum.
_MEMORY = """
import sys, time
from pathlib import Path
from linkage.lists.service import import_list
from linkage.store.db import get_engine
engine = get_engine(sys.argv[1])
start = time.perf_counter()
if len(sys.argv) > 2:
    path = Path(sys.argv[2])
    listed = import_list(engine, path.name, path.read_bytes(), "cooperatives", dry_run=True)
    assert len(listed.rows) == int(sys.argv[3]), len(listed.rows)
seconds = time.perf_counter() - start
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")), seconds)
"""


def peak_memory_mb(url: str, path: Path | None = None, rows: int = 0) -> tuple[float, float]:
    """The peak resident memory (MB) of a new process that reads the list at `path` (or only starts),
    and the seconds the reading took."""
    args = [sys.executable, "-c", _MEMORY, url, *([str(path), str(rows)] if path else [])]
    done = subprocess.run(args, capture_output=True, text=True, check=True, cwd=ROOT)
    kb, seconds = done.stdout.split()[-2:]
    return int(kb) / 1024, float(seconds)


@dataclass
class Figures:
    rows: int
    file_kb: int
    resolve_first: float  # seconds, the first list of the process
    resolve_warm: float
    found: Counter[str]
    memory_rows: int
    memory_file_mb: float
    memory_mb: float  # peak of a new process reading the large list
    memory_seconds: float  # the time it took to read it
    memory_start_mb: float  # peak of a new process that only starts
    load_average: float  # the machine's (shared) load over the last minute, at the end


def measure(url: str, scratch: Path, rows: int = 5000, memory_rows: int = 50_000) -> Figures:
    """The figures on the database at `url`, in a process that has read no list before."""
    from linkage.lists.service import import_list
    from linkage.store.db import get_engine

    engine = get_engine(url)
    data, truths = address_list(rows)
    start = time.perf_counter()
    listed = import_list(engine, "bench.xlsx", data, "cooperatives", dry_run=True)
    first = time.perf_counter() - start
    start = time.perf_counter()
    import_list(engine, "bench.xlsx", data, "cooperatives", dry_run=True)
    warm = time.perf_counter() - start
    big = scratch / f"bench_{memory_rows}.xlsx"
    big_data, _ = address_list(memory_rows, seed=2)
    big.write_bytes(big_data)
    memory, seconds = peak_memory_mb(url, big, memory_rows)
    return Figures(
        rows,
        round(len(data) / 1024),
        first,
        warm,
        outcomes(listed, truths),
        memory_rows,
        len(big_data) / 1024 / 1024,
        memory,
        seconds,
        peak_memory_mb(url)[0],
        os.getloadavg()[0],
    )


def section(f: Figures, demo: str) -> str:
    def met(value: float, goal: float) -> str:
        return "met" if value <= goal else "**not met**"

    shown = ", ".join(f"{n:,} {k}" for k, n in sorted(f.found.items()))
    return "\n".join(
        [
            SECTION,
            "",
            f"`python -m bench --office-lists` on {date.today().isoformat()}: {platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, embedded SQLite holding the national demo "
            f"({demo}). A workbook of cooperatives by name and address only, communes drawn at random over "
            "the whole country, the address styles of docs/office-lists.md in turn (full with village, "
            "abbreviated without province, without diacritics, today's map without district), read as "
            "`linkage import-list --dry-run` reads it: every row's commune, same record or new, the write "
            "path's check.",
            "",
            "| what | measured | goal | |",
            "|---|---|---|---|",
            f"| resolving a list of {f.rows:,} rows ({f.file_kb} KB), the first list of the process "
            f"(it builds the place index) | {f.resolve_first:.3f} s | ≤ 5 s | "
            f"{met(f.resolve_first, GOALS['resolve_5000'])} |",
            f"| … the same list again, warm | {f.resolve_warm:.3f} s | | |",
            f"| peak memory of a new process reading a list of {f.memory_rows:,} rows ({f.memory_file_mb:.1f} MB) "
            f"| {f.memory_mb:.0f} MB | ≤ 500 MB | {met(f.memory_mb, GOALS['memory_50000_mb'])} |",
            f"| … the time it took to read it | {f.memory_seconds:.3f} s | | |",
            f"| … of a new process that only starts and opens the database | {f.memory_start_mb:.0f} MB | | |",
            "",
            f"The machine is shared (load average {f.load_average:.1f} on {os.cpu_count()} cores at the end of the "
            "run): timings vary by seconds from run to run.",
            "",
            f"Rows of the {f.rows:,}-row list against the commune each was written from: {shown} (`right`: "
            "that commune; `ambiguous`, `unresolved`: flagged, nothing guessed; `wrong`: another commune — "
            "none may be).",
            "",
        ]
    )


def replace_section(text: str, new: str) -> str:
    """`text` with its office-lists section replaced by `new` (appended when it has none)."""
    from bench.browser import section_of

    old = section_of(text, SECTION)
    if old:
        return text.replace(old, new)
    return text.rstrip("\n") + "\n\n" + new


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)

    from linkage.demo import generate
    from linkage.records.catalog import init
    from linkage.store.db import get_engine

    scratch = Path(tempfile.mkdtemp(prefix="linkage-bench-lists-"))
    url = f"sqlite:///{scratch / 'national.db'}"
    engine = get_engine(url)
    init(engine)
    summary = generate(engine, scale="national", seed=args.seed)
    figures = measure(url, scratch)
    text = section(figures, summary.describe().rstrip("."))
    old = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Benchmarks\n"
    args.out.write_text(replace_section(old, text), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
