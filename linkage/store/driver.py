"""The database through its driver alone: where it is, whether its schema is current, a read snapshot.

`linkage coverage` is a short process whose whole run is read facts, count, print. Loading
SQLAlchemy, SQLModel and the models costs it more than the reading itself, so
it reads through `sqlite3` or `psycopg` directly, with plain SQL (`linkage.counting.live`). The engine of
every other command and of the app (`linkage.store.db`) takes the URL rules and the schema check from
here, so there is one of each.

Example: `with reading("sqlite:///data.db") as connection: frame(connection, "SELECT code FROM product")`.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linkage.errors import DatabaseProblem

if TYPE_CHECKING:  # pandas is loaded when a frame is made: commands that make none (an import) start faster
    import pandas as pd

ENV_URL = "LINKAGE_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_URL = re.compile(r"^sqlite(\+pysqlite)?://(?P<rest>.*)$", re.S)
POSTGRES_URL = re.compile(r"^postgres(ql)?(\+psycopg)?://(?P<rest>.*)$", re.S)
BUSY_SECONDS = 30  # how long a read waits for a lock another process holds (a rollback-journal SQLite)


def not_ready(url: str | None) -> DatabaseProblem:
    """The refusal for a database that is missing, empty or not migrated to this version."""
    return DatabaseProblem(f"the database {shown_url(url)} is not ready or is out of date; run `linkage init` first")


def not_a_url(url: str | None) -> DatabaseProblem:
    """The refusal for a URL naming no database this program can use."""
    return DatabaseProblem(
        f"{resolve_url(url)!r} is not a database URL this program can use; "
        "write sqlite:///path/to/file.db or postgresql://user@host:5432/name"
    )


def default_url() -> str:
    """The embedded SQLite file, kept in the user's data folder, never in the git checkout."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'linkage-tracker' / 'linkage.db'}"


def resolve_url(url: str | None = None) -> str:
    """`--db` first, then LINKAGE_DATABASE_URL, then the embedded default (docs/command-line.md); PostgreSQL
    through psycopg (version 3) whichever way its URL is written."""
    url = url or os.environ.get(ENV_URL) or default_url()
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def shown_url(url: str | None) -> str:
    """The URL as messages show it: resolved, its password hidden."""
    return re.sub(r"^([\w+]+://[^:/@?#]*:)[^@/]*@", r"\1***@", resolve_url(url))


REVISION = re.compile(r"^(down_revision|revision)\b[^=]*=\s*['\"]?([\w]+)?['\"]?", re.M)


@cache
def _revisions() -> tuple[frozenset[str], frozenset[str]]:
    """Every migration this code knows and those another builds on, from the revision files."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((k, v) for k, v in REVISION.findall(path.read_text(encoding="utf-8")))
        revisions.add(found["revision"])
        if found.get("down_revision") and found["down_revision"] != "None":
            parents.add(found["down_revision"])
    return frozenset(revisions), frozenset(parents)


def known_revisions() -> frozenset[str]:
    return _revisions()[0]


def head_revision() -> str:
    """The newest migration this code knows: the one no other revision builds on. Read from the
    revision files, cheaper than loading Alembic on every command (a test checks both agree)."""
    revisions, parents = _revisions()
    (head,) = revisions - parents
    return head


def stored_revision(connection: Any) -> str | None:
    """The migration a database is at (a `sqlite3` or `psycopg` connection), None when it has none."""
    cursor = connection.cursor()
    try:
        if isinstance(connection, sqlite3.Connection):
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
        else:
            cursor.execute("SELECT 1 WHERE to_regclass('alembic_version') IS NOT NULL")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT version_num FROM alembic_version")
        found = cursor.fetchone()
    finally:
        cursor.close()
    return None if found is None else str(found[0])


def frame(connection: Any, sql: str) -> pd.DataFrame:
    """A query's rows as a DataFrame straight from the driver's cursor: for plain codes, names and
    dates, several times faster at national scale than SQLAlchemy's rows or pandas' SQL layer.
    Object columns keep `isin` on large code sets a hash lookup."""
    cursor = connection.cursor()
    try:
        cursor.execute(sql)
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        cursor.close()
    import pandas as pd  # lazy: see the module's imports

    return pd.DataFrame(rows, columns=names, dtype=object)


def _sqlite(url: str, rest: str) -> sqlite3.Connection:
    path = rest.split("?", 1)[0]
    path = path[1:] if path.startswith("/") else path
    if not path or path == ":memory:" or not Path(path).expanduser().is_file():
        raise not_ready(url)
    connection = sqlite3.connect(Path(path).expanduser(), timeout=BUSY_SECONDS, isolation_level=None)
    connection.execute("BEGIN")  # one snapshot for every query of the read (WAL: writers go on meanwhile)
    return connection


def _postgres(rest: str) -> Any:
    import psycopg  # lazy: only a PostgreSQL database needs its driver

    connection = psycopg.connect("postgresql://" + rest)
    connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ  # one snapshot for every query
    connection.read_only = True
    return connection


def _driver_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [sqlite3.Error]
    if (psycopg := sys.modules.get("psycopg")) is not None:  # no PostgreSQL error without its driver
        errors.append(psycopg.Error)
    return tuple(errors)


@contextmanager
def reading(url: str | None = None) -> Iterator[Any]:
    """A read-only snapshot of the database at `url` (resolved as `resolve_url`), through its driver,
    migrated to the newest revision this code knows. Anything that stops the read is a
    `DatabaseProblem` naming the database; nothing is ever written."""
    url = resolve_url(url)
    connection = None
    try:
        if sqlite := SQLITE_URL.match(url):
            connection = _sqlite(url, sqlite["rest"])
        elif postgres := POSTGRES_URL.match(url):
            connection = _postgres(postgres["rest"])
        else:
            raise not_a_url(url)
        if stored_revision(connection) != head_revision():
            raise not_ready(url)
        yield connection
    except _driver_errors() as exc:
        why = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())  # one line, as every refusal
        raise DatabaseProblem(f"cannot use the database {shown_url(url)}: {why}") from exc
    finally:
        if connection is not None:
            connection.close()  # a read-only transaction: closing ends it, nothing to commit
