"""The browser benchmark runs end to end on a tiny database, so that it does not rot between runs.

It checks that every row of the table is measured, never how fast: goals are the benchmark's job."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.browser import ROWS, SECTION
from linkage.accounts.users import Actor
from linkage.records.catalog import init
from linkage.records.history import pending, verifier_of
from linkage.records.importing import import_path
from linkage.store.db import get_engine

from ..helpers import FIXTURE

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_browser_benchmark_measures_every_row_and_keeps_the_other_sections(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tiny.db'}"
    init(get_engine(url))
    import_path(get_engine(url), FIXTURE)  # Bắc Kạn: the busiest cooperative is C1, district 058
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\nkept\n\n## Load\n\nalso kept\n\n" + SECTION + "\n\nan old run\n", encoding="utf-8")

    # A process of its own, as `python -m bench --browser` runs: this test process may already
    # hold Playwright's sync API (the session's browser fixture), which cannot be started twice.
    args = ["--browser", "--db", url, "--repeats", "1", "--pending", "3", "--out", str(out)]
    done = subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]

    # Reported now, after the reform: the queue measured is today's verifying office's (C1's commune
    # office, else its province's department), not the district office's of before.
    office = verifier_of(get_engine(url), Actor("htx_c1", "cooperative", cooperative_code="C1"))
    assert office is not None and office.map == "2025-07"
    verifier = Actor("x", "officer", office.code, unit_map=office.map)
    assert len(pending(get_engine(url), verifier, status="reported")) == 3
    assert pending(get_engine(url), Actor("x", "officer", "058"), status="reported") == []
    text = out.read_text(encoding="utf-8")
    assert "kept" in text and "also kept" in text and "an old run" not in text
    table = [line for line in text.split(SECTION)[1].splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(table) == len(ROWS)
    for line, (_, what, goal) in zip(table, ROWS, strict=True):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[0] == what.format(pending="3", list_rows="5,000")
        assert cells[1].endswith(" s"), line  # measured: a p95, not "—"
        phases = cells[3].split(" · ")  # where the time went: wait, run, draw, each measured
        assert len(phases) == 3 and all(float(p) >= 0 for p in phases), line
        assert cells[4] == f"≤ {goal:g} s"
        assert cells[5].split(" (")[0] in ("met", "**not met**") and "Error" not in cells[5], line
