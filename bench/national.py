"""National-scale benchmark: `python -m bench` (or `python3.12 tasks.py bench`).

`python -m bench --browser` measures in the browser instead (bench/browser.py), and
`python -m bench --office-lists` an office's list of addresses (bench/office_lists.py); each run
rewrites its own section of docs/benchmarks.md and keeps the others'.

Builds the national demonstration data in a scratch SQLite database and measures what users wait
for: init, demo generation, import of the national export, coverage cold and warm in-process,
`linkage coverage` as a whole process against DuckDB SQL over the same exported CSV files, graph
HTML for one district and one province, and peak memory. Writes `docs/benchmarks.md`.

The DuckDB query is a second, independent formulation of docs/indicators.md; the benchmark also checks
that it gives the same numbers as the coverage engine.

Its steps import what they measure when they run, to keep start-up fast for the tests that import
only the DuckDB oracle.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import csv
import ctypes
import functools
import gc
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from linkage.accounts.users import SYSTEM
from linkage.geo.maps import NEW_MAP, OLD_MAP
from tests.duckdb_reference import duckdb_coverage, write_crosswalk_csv, write_geography_csv

ROOT = Path(__file__).resolve().parent.parent
# Figures measured once while a design was chosen, written by hand and kept by every run: the code
# says what it does and why, and points here for how much it mattered.
DESIGN_SECTION = "## Measured while choosing the design"
GOALS = {
    "coverage_cold": 1.0,
    "coverage_warm": 0.2,
    "graph_district": 1.0,
    "import_national": 15.0,
    "peak_memory_mb": 600.0,
    "report_province": 3.0,
    "report_national": 6.0,
}
DUCKDB_SHARE = 0.5  # `linkage coverage` as a process against the DuckDB script's: at most half its time


def release() -> None:
    """Hand back to the system what the steps before freed (glibc keeps freed memory in its arenas), so
    that the peak measured is the heaviest step's own, not that step on top of what earlier, unrelated
    steps of this script left behind."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to hand back this way
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def timed[T](fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


PROCESS_RUNS = 5  # whole processes compared with each other: median of 5, taken in turns


def _process_seconds(commands: dict[str, list[str]], runs: int = PROCESS_RUNS) -> dict[str, float]:
    """The median wall time of each command as a new process, the commands run in turns (one of each,
    then again) so that a machine getting busier or quieter meanwhile weighs on all of them alike.

    As an installed release runs: the project's modules compiled to bytecode first (pip does so for
    an installed package; a machine with PYTHONDONTWRITEBYTECODE set would otherwise compile them in
    every process), and each command run once untimed, so the files it reads are in the page cache
    for every command alike."""
    compileall.compile_dir(Path(__file__).parent, quiet=1)
    for argv in commands.values():
        subprocess.run(argv, check=True, capture_output=True)
    times: dict[str, list[float]] = {key: [] for key in commands}
    for _ in range(runs):
        for key, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            times[key].append(time.perf_counter() - start)
    return {key: statistics.median(values) for key, values in times.items()}


COLD_SCRIPT = """
import json, sys, time
from datetime import date
start = time.perf_counter()
from linkage.counting import coverage
from linkage.counting import indicators
from linkage.store.db import get_engine, read_session
imported = time.perf_counter()
with read_session(get_engine(sys.argv[1])) as session:
    facts = coverage.load_facts(session)
loaded = time.perf_counter()
indicators.compute(facts, date.fromisoformat(sys.argv[2]), map_name=sys.argv[3])
done = time.perf_counter()
print(json.dumps({"imports": imported - start, "load": loaded - imported, "compute": done - loaded}))
"""


def cold_coverage(url: str, as_of: date, map_name: str, cache: Path | None = None, runs: int = 3) -> dict[str, float]:
    """Coverage of every level on a map in a new process, as a user's first request meets it: the
    median of `runs` processes of the seconds spent importing, reading the facts and computing (the
    maps come from the snapshot in the cache directory; `cache`: use that directory instead)."""
    import json

    env = {**os.environ, **({"LINKAGE_CACHE_DIR": str(cache)} if cache else {})}
    samples = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", COLD_SCRIPT, url, as_of.isoformat(), map_name],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        samples.append(json.loads(done.stdout))
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


def _drawn_units(engine: Any, facts: Any, as_of: date) -> tuple[str, str]:
    """The district with the most linkages whose whole graph is drawn (under the node cap), and the
    province with the most linkages: what officers and planners open."""
    from linkage.accounts.users import SYSTEM
    from linkage.counting.indicators import linkages_located
    from linkage.graphs.drawing import MAX_NODES
    from linkage.graphs.graph import build_graph
    from linkage.store.db import read_session

    busiest = linkages_located(facts, "district")
    district = str(busiest.index[0])
    with read_session(engine) as session:
        for code in busiest.index[:40]:
            if build_graph(session, str(code), as_of, actor=SYSTEM).number_of_nodes() <= MAX_NODES:
                district = str(code)
                break
    return district, str(linkages_located(facts, "province").index[0])


def _command(argv: list[str], scratch: Path) -> tuple[float, int, str]:
    """One command as its own process, as a user runs it: wall seconds, its peak memory in MB and
    what it printed."""
    out = scratch / "command.out"
    with out.open("w", encoding="utf-8") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    printed = out.read_text(encoding="utf-8")
    if process.returncode:
        raise RuntimeError(f"{' '.join(argv)} exited with {process.returncode}: {printed}")
    return seconds, round(usage.ru_maxrss / 1024), printed


def _import_100k(scratch: Path, linkage_cmd: list[str]) -> tuple[float, int]:
    """One producers.csv of 100,000 rows over real communes imported into a new database by `linkage
    import` as its own process, as an office runs it: seconds and its peak memory in MB."""
    from linkage.geo.geography import gso_rows
    from linkage.records.catalog import init
    from linkage.store.db import get_engine

    communes = [c["code"] for c in gso_rows()[2] if c["is_rural"]]
    folder = scratch / "100k"
    folder.mkdir()
    with (folder / "producers.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "commune_code", "kind"])
        for i in range(100_000):
            writer.writerow([f"H{i:06d}", f"Hộ sản xuất số {i}", communes[i % len(communes)].lstrip("0"), "household"])
    url = f"sqlite:///{scratch / '100k.db'}"
    init(get_engine(url))
    get_engine(url).dispose()
    seconds, peak, _ = _command([*linkage_cmd, "import", str(folder), "--db", url], scratch)
    return seconds, peak


LOAD_EDITORS, LOAD_READERS, LOAD_SECONDS = 6, 20, 60.0
LOAD_GOALS = {"save_p95_ms": 300.0, "read_p95_ms": 500.0}


def _moved_record(engine: Any, as_of: date) -> tuple[float, float]:
    """What a save of a field the figures read costs a reader whose facts are warm (the load run's saves
    change member counts, which no figure reads): seconds to catch up with it, then to count every unit
    of map `2025-01` again. The save moves a cooperative's founding date by a day, through the forms'
    write path."""
    import sqlalchemy as sa
    from sqlmodel import col

    from linkage.counting import coverage as cov
    from linkage.counting import indicators
    from linkage.records import forms
    from linkage.store.db import read_session
    from linkage.store.models import Cooperative

    cov.coverage(engine, as_of)  # warm, as a reader between two writes
    with read_session(engine) as session:
        first = sa.select(col(Cooperative.code)).order_by(col(Cooperative.code)).limit(1)
        code = str(session.execute(first).scalar_one())
    view = forms.read(engine, SYSTEM, "cooperatives", code)
    founded = date.fromisoformat(view.values["established_on"] or "2020-01-01")
    moved = founded.replace(day=2 if founded.day == 1 else 1).isoformat()
    forms.save(engine, SYSTEM, "cooperatives", {**view.values, "established_on": moved}, view)
    facts, caught_up = timed(lambda: cov.FACTS.get(engine))
    _, recount = timed(lambda: indicators.compute(facts, as_of, map_name=OLD_MAP))
    return caught_up, recount


def _load_runs(scratch: Path) -> list[Any]:
    """The load goal on the province demo, on SQLite and on the local PostgreSQL server:
    LOAD_EDITORS editors and LOAD_READERS readers for LOAD_SECONDS."""
    import uuid

    import sqlalchemy as sa

    from bench.load import run
    from linkage.demo import generate
    from linkage.records.catalog import init
    from linkage.store.db import dispose_engine, get_engine

    results = []
    sqlite_url = f"sqlite:///{scratch / 'load.db'}"
    init(get_engine(sqlite_url))
    generate(get_engine(sqlite_url), seed=2)
    results.append(run(sqlite_url, editors=LOAD_EDITORS, readers=LOAD_READERS, seconds=LOAD_SECONDS))
    admin = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
    name = f"linkage_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError:
        return results  # no PostgreSQL server here
    pg_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        init(get_engine(pg_url))
        generate(get_engine(pg_url), seed=2)
        results.append(run(pg_url, editors=LOAD_EDITORS, readers=LOAD_READERS, seconds=LOAD_SECONDS))
    finally:
        dispose_engine(pg_url)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return results


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--browser" in argv:  # the browser figures: bench/browser.py, its own options
        from bench import browser as bench_browser

        return bench_browser.main([a for a in argv if a != "--browser"])
    if "--office-lists" in argv:  # an office's list of addresses: bench/office_lists.py, its own options
        from bench import office_lists

        return office_lists.main([a for a in argv if a != "--office-lists"])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-load", action="store_true", help="skip the concurrent load runs")
    args = parser.parse_args(argv)

    from linkage.counting import coverage as cov
    from linkage.counting import indicators
    from linkage.demo import generate
    from linkage.graphs.graph_file import write_graph_file
    from linkage.records.catalog import init
    from linkage.records.exporting import export_folder
    from linkage.store.db import get_engine, read_session

    as_of = date(2025, 12, 31)
    figures: dict[str, Any] = {}
    scratch = Path(tempfile.mkdtemp(prefix="linkage-bench-"))
    url = f"sqlite:///{scratch / 'national.db'}"
    engine = get_engine(url)
    _, figures["init"] = timed(lambda: init(engine))
    summary, figures["demo_national"] = timed(lambda: generate(engine, scale="national", seed=args.seed))
    figures["demo_summary"] = summary.describe()
    release()
    exported = scratch / "export"
    with read_session(engine) as session:
        _, figures["export_national"] = timed(lambda: export_folder(session, exported, actor=SYSTEM))
    release()
    second = f"sqlite:///{scratch / 'imported.db'}"
    init(get_engine(second))
    linkage_cmd = [str(Path(sys.executable).parent / "linkage")]
    seconds, figures["import_peak_mb"], printed = _command(
        [*linkage_cmd, "import", str(exported), "--db", second], scratch
    )
    figures["import_national"] = seconds
    figures["import_rows"] = int(printed.split("Imported ", 1)[1].split(" ", 1)[0])

    with read_session(engine) as session:
        facts = cov.load_facts(session)
    rows = indicators.compute(facts, as_of, map_name=OLD_MAP)
    first = cold_coverage(url, as_of, OLD_MAP, cache=scratch / "empty-cache", runs=1)  # builds the map snapshot
    figures["coverage_cold_first"] = first["load"] + first["compute"]
    for name, key in ((OLD_MAP, "coverage"), (NEW_MAP, "coverage_new")):
        cold = cold_coverage(url, as_of, name)
        figures[f"{key}_load"], figures[f"{key}_imports"] = cold["load"], cold["imports"]
        figures[f"{key}_cold"] = cold["load"] + cold["compute"]
        cov.coverage(engine, as_of, map_name=name)  # fill the process cache
        start = time.perf_counter()
        cov.coverage(engine, as_of, map_name=name)
        figures[f"{key}_warm"] = time.perf_counter() - start
    _, figures["trend_5_years"] = timed(functools.partial(indicators.trend, facts))
    district, province = _drawn_units(engine, facts, as_of)
    mine = rows[["indicator", "level", "unit_code", "numerator", "denominator"]]
    mine = mine.sort_values(["indicator", "level", "unit_code"]).reset_index(drop=True)
    del facts, rows  # the reference below and the steps after it need none of the national facts
    release()

    geo, xw = scratch / "geography.csv", scratch / "crosswalk.csv"
    write_geography_csv(geo)
    write_crosswalk_csv(xw)
    oracle, figures["duckdb_in_process"] = timed(lambda: duckdb_coverage(exported, geo, as_of, xw))
    both = mine.merge(oracle, on=["indicator", "level", "unit_code"], how="outer", suffixes=("", "_duck"))
    figures["duckdb_agrees"] = len(both) == len(mine) == len(oracle) and bool(
        ((both["numerator"] == both["numerator_duck"]) & (both["denominator"] == both["denominator_duck"])).all()
    )
    del oracle, mine, both
    release()
    duck_script = (
        "import sys; from pathlib import Path; from datetime import date;"
        "from tests.duckdb_reference import duckdb_coverage;"
        f"duckdb_coverage(Path({str(exported)!r}), Path({str(geo)!r}), date(2025, 12, 31), Path({str(xw)!r}))"
        ".to_csv(sys.stdout)"
    )
    coverage_args = ["coverage", "--as-of", as_of.isoformat(), "--format", "csv", "--db", url]
    figures |= _process_seconds(
        {
            "coverage_process": [*linkage_cmd, *coverage_args, "--map", OLD_MAP],
            "coverage_new_process": [*linkage_cmd, *coverage_args, "--map", NEW_MAP],
            "duckdb_process": [sys.executable, "-c", duck_script],
        }
    )

    summary_d, figures["graph_district"] = timed(lambda: write_graph_file(engine, district, as_of, scratch / "d.html"))
    summary_p, figures["graph_province"] = timed(lambda: write_graph_file(engine, province, as_of, scratch / "p.html"))
    figures["graph_units"] = (
        f"district {district} ({summary_d.nodes} nodes, {summary_d.edges} edges drawn), "
        f"province {province} ({summary_p.nodes} nodes drawn"
        + (f", {summary_p.thinned} entities in no linkage left out" if summary_p.thinned else "")
        + (", over the cap: a message asks to filter" if summary_p.capped else "")
        + ")"
    )
    report_args = ["report", "--as-of", as_of.isoformat(), "--map", OLD_MAP, "--db", url, "--out"]
    figures |= _process_seconds(  # the filed report (Word) as a whole process: what an office waits for
        {
            "report_province": [*linkage_cmd, *report_args, str(scratch / "province.docx"), province],
            "report_national": [*linkage_cmd, *report_args, str(scratch / "national.docx"), "VN"],
        },
        runs=3,
    )
    figures["report_unit"] = province
    figures["graph_district_kb"] = round((scratch / "d.html").stat().st_size / 1024)
    figures["graph_province_kb"] = round((scratch / "p.html").stat().st_size / 1024)
    figures["import_100k"], figures["import_100k_peak_mb"] = _import_100k(scratch, linkage_cmd)
    figures["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    figures["catch_up"], figures["recount"] = _moved_record(engine, as_of)
    figures["load"] = [] if args.no_load else _load_runs(scratch)
    write_report(args.out, figures)
    print(args.out.read_text(encoding="utf-8"))
    return 0


def write_report(path: Path, f: dict[str, Any]) -> None:
    def row(name: str, key: str, goal: float | None = None, goal_text: str = "") -> str:
        value = f[key]
        shown = f"{value:.3f} s" if isinstance(value, float) else str(value)
        if goal is None:
            return f"| {name} | {shown} | {goal_text} | |"
        return f"| {name} | {shown} | {goal_text or f'≤ {goal:g} s'} | {'met' if value <= goal else '**not met**'} |"

    ratio = f["coverage_process"] / f["duckdb_process"]
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `python -m bench` on {date.today().isoformat()}: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, embedded SQLite. National demo: "
        f"{f['demo_summary']}",  # the summary ends its own sentence
        "",
        "| what | measured | goal | |",
        "|---|---|---|---|",
        row("`linkage init` (schema + geography + catalogs)", "init"),
        row("national demo generation", "demo_national"),
        row("export of the national data (CSV)", "export_national"),
        row(
            f"`linkage import` of the national export ({f['import_rows']:,} rows) into an empty database, "
            "as a whole process",
            "import_national",
            GOALS["import_national"],
        ),
        f"| … its peak memory, in its own process | {f['import_peak_mb']} MB |  | |",
        row(
            "`linkage import` of one producers.csv of 100,000 rows into an empty database, as a whole process",
            "import_100k",
        ),
        f"| … its peak memory, in its own process | {f['import_100k_peak_mb']} MB |  | |",
        row(
            "coverage on `2025-01`, all levels, cold: a new process reads and computes (median of 3)",
            "coverage_cold",
            GOALS["coverage_cold"],
        ),
        row("… of which reading the facts", "coverage_load"),
        row("… before it, importing the modules", "coverage_imports"),
        row("coverage on `2025-01`, all levels, warm in-process", "coverage_warm", GOALS["coverage_warm"]),
        row("coverage on `2025-07`, all levels, cold (as above)", "coverage_new_cold", GOALS["coverage_cold"]),
        row("… of which reading the facts", "coverage_new_load"),
        row("coverage on `2025-07`, all levels, warm in-process", "coverage_new_warm", GOALS["coverage_warm"]),
        row("warm facts catching up with a save of a field the figures read (a founding date)", "catch_up"),
        row("… then every unit counted again on `2025-01`", "recount"),
        row(
            "coverage on `2025-01` cold in the first process after an install (builds the maps' snapshot)",
            "coverage_cold_first",
        ),
        row("trend at five year ends, from loaded facts", "trend_5_years"),
        row(
            f"`linkage report {f['report_unit']} --map 2025-01` (a province's Word report) as a whole process "
            "(median of 3)",
            "report_province",
            GOALS["report_province"],
        ),
        row(
            "`linkage report VN --map 2025-01` (the national report) as a whole process (median of 3)",
            "report_national",
            GOALS["report_national"],
        ),
        row(
            "`linkage coverage --map 2025-01 --format csv` as a whole process (median of 5, in turns with DuckDB's)",
            "coverage_process",
            DUCKDB_SHARE * f["duckdb_process"],
            f"≤ half DuckDB's process = {DUCKDB_SHARE * f['duckdb_process']:.3f} s",
        ),
        row(
            "`linkage coverage --map 2025-07 --format csv` as a whole process (median of 5, in turns with DuckDB's)",
            "coverage_new_process",
            DUCKDB_SHARE * f["duckdb_process"],
            f"≤ half DuckDB's process = {DUCKDB_SHARE * f['duckdb_process']:.3f} s",
        ),
        row(
            "DuckDB SQL over the exported CSV files, whole process importing only DuckDB and pandas (median of 5)",
            "duckdb_process",
        ),
        row("DuckDB SQL in-process", "duckdb_in_process"),
        row(f"graph HTML, one district ({f['graph_district_kb']} KB)", "graph_district", GOALS["graph_district"]),
        row(f"graph HTML, one province ({f['graph_province_kb']} KB)", "graph_province"),
        f"| peak memory of the benchmark process | {f['peak_memory_mb']} MB | ≤ {GOALS['peak_memory_mb']:g} MB | "
        f"{'met' if f['peak_memory_mb'] <= GOALS['peak_memory_mb'] else '**not met**'} |",
        "",
        f"Graphs: {f['graph_units']}. `linkage coverage` / DuckDB process ratio: {ratio:.2f}. "
        f"DuckDB's independent formulation gives the same numerators and denominators for every row: "
        f"{'yes' if f['duckdb_agrees'] else 'NO — investigate'}.",
        "",
    ]
    if f["load"]:
        lines += [
            "## Load: concurrent editors and dashboard readers",
            "",
            "`python -m bench.load` on the province demo, loopback only: officers saving the same twelve",
            "cooperatives (each save adds a member; it carries the version it read, a stale one is retried)",
            "while readers compute every unit's coverage in a loop. A short run is part of the tests.",
            "",
            "`catch-ups`: reads that found a new data version. A reader's cache then reads again only the",
            "records the writes named (`coverage.patched`); a member count is read by no figure, so the",
            "readers here keep their facts and figures. A save of a field the figures read (a cooperative's",
            f"founding date, measured above on the national demo) costs each reader one catch-up and one count "
            f"of every unit: {f['catch_up'] * 1000:.0f} + {f['recount'] * 1000:.0f} ms in process.",
            "",
            "| backend | editors + readers | seconds | saves/s | stale edits | save p50 / p95 | reads/s "
            "| read p50 / p95 | catch-ups / reads | errors | lost updates | load average |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in f["load"]:
            lines.append(
                f"| {r.backend} | {r.editors} + {r.readers} | {r.seconds:g} | {r.saves_per_second:.1f} | {r.stale} | "
                f"{r.save_p50_ms:.0f} / {r.save_p95_ms:.0f} ms | {r.reads_per_second:.1f} | "
                f"{r.read_p50_ms:.0f} / {r.read_p95_ms:.0f} ms | {r.reloads} / {r.reads} | {len(r.errors)} | "
                f"{r.lost_updates} | {r.load_average:.1f} |"
            )
        lines += ["", "| goal | " + " | ".join(r.backend for r in f["load"]) + " |", "|---|" + "---|" * len(f["load"])]
        for key, limit in LOAD_GOALS.items():
            cells = [
                f"{getattr(r, key):.0f} ms {'met' if getattr(r, key) <= limit else '**not met**'}" for r in f["load"]
            ]
            lines.append(f"| {key.replace('_ms', '').replace('_', ' ')} ≤ {limit:.0f} ms | " + " | ".join(cells) + " |")
        for label, count in (("lost updates", "lost_updates"), ("errors", "errors")):
            values = [len(v) if isinstance(v := getattr(r, count), list) else v for r in f["load"]]
            lines.append(
                f"| {label}: 0 | " + " | ".join(f"{v} {'met' if v == 0 else '**not met**'}" for v in values) + " |"
            )
        lines.append("")
    from bench.browser import SECTION, section_of
    from bench.office_lists import SECTION as OFFICE_LISTS

    old = path.read_text(encoding="utf-8") if path.exists() else ""
    for heading in (DESIGN_SECTION, SECTION, OFFICE_LISTS):  # written by hand, by --browser, by --office-lists
        kept = section_of(old, heading)
        if kept:
            lines += [kept]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
