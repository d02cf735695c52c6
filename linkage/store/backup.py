"""Backup and restore of the embedded SQLite database, safe while the app is running.

SQLite's online backup API copies a consistent snapshot page by page while other connections
keep reading and writing; copying the file (and its `-wal` beside it) by hand is not safe. A
restore first checks the file, then saves the current database beside the backup so nothing is
lost, copies the backup in, migrates it to this version's schema and raises the data version
above every earlier value so each running app reloads what it shows. PostgreSQL is backed up
with its own tools (`pg_dump`/`pg_restore`, docs/deploy.md).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.errors import BackupRefused
from linkage.store.db import migrate
from linkage.store.driver import known_revisions

SQLITE_HEADER = b"SQLite format 3\x00"
PAGES_PER_STEP = 1024  # copy in steps so writers of the live database are not held up for long


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    size_bytes: int
    cooperatives: int
    linkages: int

    def describe(self) -> str:
        size = self.size_bytes / 1_048_576
        return f"{self.path}: {size:.1f} MB, {self.cooperatives} cooperatives, {self.linkages} linkages"


def require_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        raise BackupRefused("backup_postgresql")


@contextmanager
def _live(engine: Engine) -> Iterator[sqlite3.Connection]:
    """The live database's own sqlite3 connection, from the engine's pool (its pragmas applied)."""
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        yield connection
    finally:
        raw.close()


def _read_only(path: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True))


def _summary(path: Path) -> BackupSummary:
    with _read_only(path) as db:
        cooperatives = db.execute("SELECT count(*) FROM cooperative WHERE archived_at IS NULL").fetchone()[0]
        linkages = db.execute("SELECT count(*) FROM linkage WHERE archived_at IS NULL").fetchone()[0]
    return BackupSummary(path, path.stat().st_size, int(cooperatives), int(linkages))


def backup(engine: Engine, path: Path) -> BackupSummary:
    """Copy the live database to `path` (a new file), consistently, while others keep working."""
    require_sqlite(engine)
    if path.exists():
        raise BackupRefused("backup_exists", path=str(path))
    if not path.parent.is_dir():
        raise BackupRefused("backup_no_folder", folder=str(path.parent))
    partial = path.with_name(path.name + ".partial")
    with closing(sqlite3.connect(partial)) as target, _live(engine) as live:
        live.backup(target, pages=PAGES_PER_STEP)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    partial.replace(path)
    return _summary(path)


def check_backup(path: Path) -> None:
    """Refuse, in words, anything that is not an intact Linkage Tracker database."""
    if not path.is_file():
        raise BackupRefused("backup_missing", path=str(path))
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupRefused("backup_not_sqlite", path=str(path))
    try:
        with _read_only(path) as db:
            if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupRefused("backup_damaged", path=str(path))
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        raise BackupRefused("backup_damaged", path=str(path)) from None
    if not {"alembic_version", "cooperative", "linkage", "data_version"} <= tables:
        raise BackupRefused("backup_not_ours", path=str(path))
    with _read_only(path) as db:
        revision = db.execute("SELECT version_num FROM alembic_version").fetchone()
    if revision is None or revision[0] not in known_revisions():
        raise BackupRefused("backup_newer", path=str(path), revision=revision[0] if revision else "?")


def restore(engine: Engine, path: Path) -> tuple[BackupSummary, Path | None]:
    """Replace the live database by the backup at `path`.

    Returns the backup's summary and where the data held before was saved (None when the
    database was empty or new, as on a fresh machine).
    """
    require_sqlite(engine)
    check_backup(path)
    saved: Path | None = None
    previous = 0
    if "data_version" in sa.inspect(engine).get_table_names():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        saved = path.with_name(f"before-restore-{stamp}.db")
        backup(engine, saved)
        with engine.connect() as conn:
            previous = int(conn.exec_driver_sql("SELECT counter FROM data_version").scalar_one_or_none() or 0)
    with _read_only(path) as source, _live(engine) as live:
        source.backup(live, pages=PAGES_PER_STEP)
    engine.dispose()  # pooled connections may cache the old schema
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE data_version SET counter = max(counter, :previous) + 1"), {"previous": previous})
    return _summary(path), saved
