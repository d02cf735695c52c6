"""A process killed in the middle of an import or an edit leaves the database as it was.

The worker really dies (SIGKILL: no exception handler, no rollback call, no atexit); the
database's own atomicity (SQLite's WAL, PostgreSQL's transaction) has to hold.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.records import forms
from linkage.records.importing import import_path
from linkage.store.db import read_session, write_session
from linkage.store.models import Cooperative

from .helpers import OFFICER_058

WORKER = Path(__file__).parent / "crash_worker.py"
TABLES = ("cooperative", "producer", "linkage", "linkage_party", "change_log", "review", "data_version")


def snapshot(engine: Engine) -> dict[str, object]:
    with read_session(engine) as session:
        state: dict[str, object] = {
            t: session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES
        }
        state["version"] = session.execute(sa.text("SELECT counter FROM data_version")).scalar_one()
        c1 = session.get(Cooperative, "C1")
        state["C1"] = (c1.name, c1.members, c1.version) if c1 else None
    return state


def big_folder(tmp_path: Path, producers: int = 10_000) -> Path:
    folder = tmp_path / "big"
    folder.mkdir()
    lines = ["code,name,commune_code,established_on,members"]
    lines += [f"K{i},HTX số {i},01849,2022-01-01,{i % 50}" for i in range(500)]
    (folder / "cooperatives.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["code,name,commune_code,kind,cooperative_code"]
    lines += [f"H{i},Hộ số {i},01852,household,K{i % 500}" for i in range(producers)]
    (folder / "producers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def start(engine: Engine, task: str, at: str, target: str) -> subprocess.Popen[str]:
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    return subprocess.Popen(
        [sys.executable, str(WORKER), url, task, at, target],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def kill_at(worker: subprocess.Popen[str], marker: str) -> str:
    """Wait for the worker to say `marker`, kill it outright, return what else it printed."""
    assert worker.stdout is not None
    for line in worker.stdout:
        if line.strip() == marker:
            break
    else:
        pytest.fail(f"the worker ended before {marker!r}: {worker.stderr.read() if worker.stderr else ''}")
    worker.send_signal(signal.SIGKILL)
    rest = worker.stdout.read()
    worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    return rest


def assert_healthy(engine: Engine) -> None:
    """The file or server is intact and takes the next write at once (no lock left behind)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
    with write_session(engine) as session:
        session.execute(sa.text("SELECT 1"))


def test_an_import_killed_before_commit_leaves_nothing(bac_kan: Engine, tmp_path: Path) -> None:
    before = snapshot(bac_kan)
    worker = start(bac_kan, "import", "commit", str(big_folder(tmp_path)))
    kill_at(worker, "before-commit")
    assert snapshot(bac_kan) == before
    assert_healthy(bac_kan)


def test_an_import_killed_while_writing_rows_leaves_nothing(bac_kan: Engine, tmp_path: Path) -> None:
    before = snapshot(bac_kan)
    worker = start(bac_kan, "import", "write", str(big_folder(tmp_path)))
    rest = kill_at(worker, "writing")
    assert "committed" not in rest  # the kill landed inside the write
    assert snapshot(bac_kan) == before
    assert_healthy(bac_kan)
    import_path(bac_kan, tmp_path / "big")  # and the same import then goes through whole
    assert snapshot(bac_kan)["producer"] == int(str(before["producer"])) + 10_000


def test_an_edit_killed_before_commit_leaves_the_record_and_its_history_as_they_were(bac_kan: Engine) -> None:
    before = snapshot(bac_kan)
    worker = start(bac_kan, "edit", "commit", "C1")
    kill_at(worker, "before-commit")
    assert snapshot(bac_kan) == before
    assert_healthy(bac_kan)
    fresh = forms.read(bac_kan, OFFICER_058, "cooperatives", "C1")
    forms.save(bac_kan, OFFICER_058, "cooperatives", {**fresh.values, "members": "21"}, fresh)
    assert snapshot(bac_kan)["C1"] == ("HTX Dương Quang", 21, fresh.version + 1)
