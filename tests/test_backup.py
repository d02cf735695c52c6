"""Backups: SQLite's online backup and checked restore, PostgreSQL's documented pg_dump/pg_restore."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.counting.coverage import coverage
from linkage.errors import BackupRefused
from linkage.records import forms
from linkage.records.importing import import_path
from linkage.store.backup import backup, restore
from linkage.store.db import data_version, dispose_engine, get_engine

from .conftest import create_pg_database, drop_pg_database
from .documented import run_block
from .helpers import FIXTURE, OFFICER_058, WORKER, linkage, url

DAY = date(2025, 12, 31)


@pytest.fixture
def sqlite(engine: Engine) -> Engine:
    if engine.dialect.name != "sqlite":
        pytest.skip("the SQLite backup; PostgreSQL is backed up with pg_dump (test_pg_dump_…)")
    import_path(engine, FIXTURE)
    return engine


@pytest.fixture
def postgres(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    import_path(engine, FIXTURE)
    return engine


def c1(path_or_engine: Path | Engine) -> tuple[str, int]:
    """C1's name and members, read straight from a backup file or the live database."""
    if isinstance(path_or_engine, Path):
        with sqlite3.connect(path_or_engine) as db:
            name, members = db.execute("SELECT name, members FROM cooperative WHERE code = 'C1'").fetchone()
        return name, members
    values = forms.read(path_or_engine, OFFICER_058, "cooperatives", "C1").values
    return values["name"], int(values["members"])


def test_a_backup_taken_while_others_save_is_one_consistent_moment(sqlite: Engine, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    writers = [
        subprocess.Popen([sys.executable, str(WORKER), url(sqlite), "3", f"w{i}"], stdout=subprocess.PIPE, env=env)
        for i in range(2)
    ]
    copies = []
    while any(w.poll() is None for w in writers):
        copies.append(backup(sqlite, tmp_path / f"b{len(copies)}.db").path)
    for w in writers:
        w.communicate(timeout=60)
    assert len(copies) >= 2
    for copy in copies:
        with sqlite3.connect(copy) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            members = db.execute("SELECT members FROM cooperative WHERE code = 'C1'").fetchone()[0]
            updates = db.execute(
                "SELECT count(*) FROM change_log WHERE entity = 'cooperatives' AND record_key = 'C1'"
                " AND action = 'update'"
            ).fetchone()[0]
        assert members == 20 + updates  # each saved increment and its history entry, or neither
        assert not Path(f"{copy}-wal").exists()  # one self-contained file


def test_a_backup_never_overwrites_a_file(sqlite: Engine, tmp_path: Path) -> None:
    (tmp_path / "old.db").write_bytes(b"an earlier backup")
    with pytest.raises(BackupRefused, match="already exists"):
        backup(sqlite, tmp_path / "old.db")
    assert (tmp_path / "old.db").read_bytes() == b"an earlier backup"
    with pytest.raises(BackupRefused, match="does not exist"):
        backup(sqlite, tmp_path / "no" / "such" / "folder.db")


def test_restore_brings_the_backup_back_keeps_what_it_replaced_and_running_caches_learn_of_it(
    sqlite: Engine, tmp_path: Path
) -> None:
    taken = backup(sqlite, tmp_path / "monday.db")
    assert (taken.cooperatives, taken.linkages) == (8, 7)  # the rows of the fixture files
    before = coverage(sqlite, DAY)  # warms the process's cache with Monday's figures
    fresh = forms.read(sqlite, OFFICER_058, "cooperatives", "C1")
    forms.save(sqlite, OFFICER_058, "cooperatives", {**fresh.values, "dissolved_on": "2021-01-01"}, fresh)
    changed = coverage(sqlite, DAY)
    assert not changed.equals(before)
    version = data_version(sqlite)

    summary, saved = restore(sqlite, tmp_path / "monday.db")
    assert summary.cooperatives == 8 and saved is not None
    assert forms.read(sqlite, OFFICER_058, "cooperatives", "C1").values["dissolved_on"] == ""
    assert data_version(sqlite) > version  # every app's cache reloads
    assert coverage(sqlite, DAY).equals(before)
    with sqlite3.connect(saved) as db:  # Tuesday's data is not lost
        assert db.execute("SELECT dissolved_on FROM cooperative WHERE code = 'C1'").fetchone()[0] == "2021-01-01"


def test_restore_refuses_what_is_not_an_intact_linkage_tracker_database(sqlite: Engine, tmp_path: Path) -> None:
    good = backup(sqlite, tmp_path / "good.db").path
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 8192] = b"\xff" * 8192
    damaged.write_bytes(bytes(data))
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE notes (text)")
    (tmp_path / "notes.txt").write_text("not a database", encoding="utf-8")
    version = data_version(sqlite)
    for path, words in (
        (tmp_path / "missing.db", "there is no file"),
        (tmp_path / "notes.txt", "not a SQLite database"),
        (damaged, "damaged"),
        (foreign, "not a Linkage Tracker database"),
    ):
        with pytest.raises(BackupRefused, match=words):
            restore(sqlite, path)
    assert data_version(sqlite) == version
    assert c1(sqlite) == ("HTX Dương Quang", 20)


def test_backup_and_restore_from_the_command_line(sqlite: Engine, tmp_path: Path) -> None:
    db = url(sqlite)
    done = linkage("backup", str(tmp_path / "b.db"), "--db", db)
    assert done.returncode == 0, done.stderr
    assert "8 cooperatives, 7 linkages" in done.stdout
    again = linkage("backup", str(tmp_path / "b.db"), "--db", db)
    assert again.returncode == 1 and "already exists" in again.stderr and "Traceback" not in again.stderr
    fresh = f"sqlite:///{tmp_path / 'new-machine.db'}"  # restoring onto a machine with nothing yet
    restored = linkage("restore", str(tmp_path / "b.db"), "--db", fresh)
    assert restored.returncode == 0, restored.stderr
    figures = ("coverage", "--map", "2025-01", "--level", "district", "--as-of", "2025-12-31", "--format", "json")
    out = linkage(*figures, "--db", fresh)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == json.loads(linkage(*figures, "--db", db).stdout) != []
    dispose_engine(fresh)


def test_the_command_line_points_postgresql_users_to_pg_dump(postgres: Engine, tmp_path: Path) -> None:
    refused = linkage("backup", str(tmp_path / "b.db"), "--db", url(postgres))
    assert refused.returncode == 1 and "pg_dump" in refused.stderr
    assert not (tmp_path / "b.db").exists()


def test_pg_dump_and_pg_restore_as_documented_give_the_same_data(
    postgres: Engine, tmp_path: Path, pg_admin: Engine
) -> None:
    dump = tmp_path / "linkage.dump"
    done = run_block("pg-backup", {"BACKUP_FILE": str(dump), "PG_URL": url(postgres).replace("+psycopg", "")})
    assert done.returncode == 0, done.stderr
    name = create_pg_database(pg_admin)
    drop_pg_database(pg_admin, name)  # the documented steps create it themselves
    restored_url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        done = run_block("pg-restore", {"BACKUP_FILE": str(dump), "RESTORED_DB": name, "RESTORED_URL": restored_url})
        assert done.returncode == 0, done.stderr
        restored = get_engine(restored_url)
        assert coverage(restored, DAY).equals(coverage(postgres, DAY))
        assert c1(restored) == c1(postgres)
        with pytest.raises(sa.exc.DBAPIError), restored.begin() as conn:  # history is still append-only
            conn.exec_driver_sql("DELETE FROM change_log")
    finally:
        dispose_engine(restored_url)
        drop_pg_database(pg_admin, name)


def test_a_backup_from_a_newer_version_is_refused_before_anything_changes(sqlite: Engine, tmp_path: Path) -> None:
    newer = backup(sqlite, tmp_path / "newer.db").path
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999_future'")
    version = data_version(sqlite)
    with pytest.raises(BackupRefused, match="newer version"):
        restore(sqlite, newer)
    assert data_version(sqlite) == version and c1(sqlite) == ("HTX Dương Quang", 20)
