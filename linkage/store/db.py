"""Engine, sessions and migrations for the embedded SQLite default and for PostgreSQL.

SQLite gets WAL, foreign keys, a busy timeout and `BEGIN IMMEDIATE` for writes: deferred
transactions lose updates when two sessions write the same rows. A writer waits for
the write lock by trying again every millisecond rather than through SQLite's busy handler, which
sleeps in steps of up to 100 ms: with many busy processes a waiting writer slept through the lock's
release again and again (the load test's save p95 in docs/benchmarks.md).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from linkage.store.driver import MIGRATIONS, frame, head_revision, resolve_url, stored_revision
from linkage.store.models import DataChange, DataVersion

if TYPE_CHECKING:  # pandas is loaded when a frame is made (`driver.frame`): an import makes none
    import pandas as pd

_engines: dict[str, Engine] = {}


BUSY_MS = 30_000  # how long a statement waits for SQLite's lock before it is refused
WRITER_POLL = 0.001  # seconds between a waiting writer's tries for the write lock


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let the begin hook below issue BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    if conn.get_execution_options().get("read_only", False):
        conn.exec_driver_sql("BEGIN")
        return
    raw: Any = conn.connection.driver_connection  # the sqlite3 connection
    conn.exec_driver_sql("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + conn.get_execution_options().get("lock_wait_ms", BUSY_MS) / 1000
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.Error as error:
                if getattr(error, "sqlite_errorcode", 0) & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    break  # not a wait: the last try below says what it is
            time.sleep(WRITER_POLL)
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the last try, without waiting: refused as SQLAlchemy's error
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_MS}")


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process; SQLite's folder is created on first use."""
    url = resolve_url(url)
    if url in _engines:
        return _engines[url]
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True)
    _engines[url] = engine
    return engine


def dispose_engine(url: str | None = None) -> None:
    engine = _engines.pop(resolve_url(url), None)
    if engine is not None:
        engine.dispose()


def dispose_all() -> None:
    """Close every engine of this process (SQLite checkpoints its write-ahead log on the last close)."""
    while _engines:
        _engines.popitem()[1].dispose()


EVERYTHING = "*"  # a DataChange row's entity and key when a write did not name its records
VERSIONS_KEPT = 2000  # data versions whose changed records are kept (`DataChange`), at least
# Older ones are deleted after every hundredth write has committed, not inside each write: the counter's
# row stays locked from its UPDATE to the commit, and under load every statement in that window makes
# the next writer wait (docs/benchmarks.md).
PRUNED_EVERY = 100


def touch(session: Session, entity: str, changed: Mapping[str, Collection[str]]) -> None:
    """Note, in a writing session, the records it changes (key → the fields changed; none: any may
    have): the data version it makes will name them, and the fields."""
    noted: dict[str, set[str] | None] = session.info.setdefault("touched", {}).setdefault(entity, {})
    for key, fields in changed.items():
        if not fields:  # a new record (an import's every row): no set to make
            noted[key] = None
            continue
        before = noted.get(key, set())
        noted[key] = None if before is None else before | set(fields)


def bump_data_version(session: Session) -> int | None:
    """Mark the data as changed, in the writing transaction, for every cache in every process, and
    record which records changed (`touch`), or that anything may have (`EVERYTHING`). Returns the new
    version (None for a database whose counter row is missing).

    The counter's row is locked from this UPDATE to the commit, so versions are made one at a time
    in commit order, on PostgreSQL too: a reader that sees version n sees every change up to n. The
    UPDATE returns the new value where the database can (SQLite from 3.35), one statement fewer in
    that window."""
    bump = sa.update(DataVersion).where(col(DataVersion.id) == 1).values(counter=col(DataVersion.counter) + 1)
    if session.get_bind().dialect.update_returning:
        version = session.execute(bump.returning(col(DataVersion.counter))).scalar_one_or_none()
    else:
        session.execute(bump)
        version = session.execute(sa.select(col(DataVersion.counter))).scalar_one_or_none()
    if version is None:  # a database whose counter row is missing: nothing can catch up from it
        return None
    touched: dict[str, dict[str, set[str] | None]] = session.info.pop("touched", {})
    rows = [{"version": version, "entity": EVERYTHING, "record_key": EVERYTHING, "fields": ""}]
    if 0 < sum(len(keys) for keys in touched.values()) <= NAMED_AT_MOST:  # else not listed one by one
        rows = [
            {"version": version, "entity": entity, "record_key": key, "fields": ",".join(sorted(fields or ()))}
            for entity, keys in sorted(touched.items())
            for key, fields in keys.items()
        ]
    session.execute(sa.insert(DataChange), rows)
    return int(version)


def prune_data_changes(engine: Engine, version: int) -> None:
    """After every hundredth write, outside its transaction: forget the records changed by versions more
    than `VERSIONS_KEPT` before `version`. Skipped while another writer holds SQLite's lock; the next
    hundredth write deletes what this one left."""
    if version % PRUNED_EVERY == 0:
        write_unless_busy(engine, sa.delete(DataChange).where(col(DataChange.version) <= version - VERSIONS_KEPT))


def data_version(engine: Engine) -> int:
    with read_session(engine) as session:
        return int(session.execute(sa.select(col(DataVersion.counter))).scalar_one_or_none() or 0)


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A transaction that commits everything or nothing and tells caches the data changed."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            version = bump_data_version(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    if version is not None:
        prune_data_changes(engine, version)


def write_unless_busy(engine: Engine, statement: Any) -> bool:
    """Run one small write now, or skip it when another writer holds SQLite's lock (False): for
    bookkeeping a later request writes as well (a session's last use), which must never make a page
    wait behind an import. PostgreSQL takes no such lock: it always writes."""
    try:
        with Session(engine.execution_options(lock_wait_ms=0)) as session:
            session.execute(statement)
            session.commit()
    except sa.exc.OperationalError:
        if engine.dialect.name != "sqlite":
            raise
        return False
    return True


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session that never takes SQLite's write lock, so readers do not queue behind writers."""
    with Session(engine.execution_options(read_only=True)) as session:
        yield session


def read_frame(session: Session, query: Any) -> pd.DataFrame:
    """A query's rows as a DataFrame straight from the driver's cursor (`driver.frame`)."""
    connection = session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    return frame(driver_connection(session), sql)


def driver_connection(session: Session) -> Any:
    """The `sqlite3` or `psycopg` connection under a session, inside its transaction: for the reads
    written in plain SQL (`linkage.counting.facts`, `linkage.geo.geography`), which see what the session sees."""
    return session.connection().connection.driver_connection


CHUNK = 5000  # values in one IN list or one executemany: well under every driver's parameter limit
NAMED_AT_MOST = CHUNK  # records one write names (`touch`); a larger write is recorded as EVERYTHING


def chunked[T](values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Consecutive slices of at most `size` values: how a query over many codes is split into IN
    lists (sort the codes first where the order of the results matters)."""
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch


def _alembic_config() -> Any:
    from alembic.config import Config  # lazy: only migrations need Alembic, start-up stays fast

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def schema_is_current(engine: Engine) -> bool:
    """True when the database is migrated to the newest revision this code knows."""
    with engine.execution_options(read_only=True).connect() as connection:  # no write lock to look
        return stored_revision(connection.connection.driver_connection) == head_revision()


def migrate(engine: Engine, to: str = "head") -> None:
    """Bring the schema to the newest Alembic revision (or revision `to`, for upgrade tests);
    harmless when it is already there."""
    from alembic import command  # lazy: see _alembic_config

    config = _alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A revision that rebuilds a table others point to (SQLite's only way to change a column)
            # must run with foreign keys off; they are checked as a whole before the commit instead.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, to)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("the migration left records pointing nowhere; nothing was changed")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


_MISSING = object()


def insert_rows(
    session: Session, model: Any, rows: Iterable[Mapping[str, Any]], shared: Mapping[str, Any] | None = None
) -> None:
    """Insert `rows` of `model` with one executemany per chunk, the values typed for the driver here.

    The ORM's bulk insert starts a new statement whenever a row's pattern of empty values differs from
    the one before (one per three or four rows on real lists) and types every value of every row; here
    the statement is compiled once per chunk and a column's values are taken out of the rows and typed
    together. `shared` holds the values every row has (a stamp, the actor): typed once and never
    copied into each row; a row's own value for such a column is not used. As with the ORM, a column
    a row leaves empty (missing, or None where None is not a value of the column's type) gets its default."""
    table = model.__table__
    connection = session.connection()
    dialect = connection.dialect
    shared = shared or {}
    defaults = {c.name: c.default for c in table.columns if c.default is not None and not c.default.is_sequence}
    for chunk in chunked(rows):
        keys = sorted(set().union(*chunk, defaults, shared))
        compiled = table.insert().compile(dialect=dialect, column_keys=keys)
        names = list(compiled.positiontup or []) if compiled.positional else list(compiled.binds)
        given = [name for name in names if name not in shared]
        found, complete = _columns(chunk, given)
        taken = dict(zip(given, found, strict=True))
        columns = [
            _typed(taken[name], table.c[name], dialect, defaults.get(name), complete)
            if name in taken
            else list(_typed([shared[name]], table.c[name], dialect, defaults.get(name))) * len(chunk)
            for name in names
        ]
        if compiled.positional:
            values: list[Any] = list(zip(*columns, strict=True))
        else:
            values = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
        connection.exec_driver_sql(compiled.string, values)


def _columns(chunk: list[Mapping[str, Any]], names: list[str]) -> tuple[list[Sequence[Any]], bool]:
    """The values of `names` in the rows of a chunk, one sequence per name, and whether every row has
    every name (else `_MISSING` stands where a row has none): one C-level lookup per row when all are
    there, as they nearly always are."""
    if not names:
        return [], True
    getter = itemgetter(*names)
    try:
        found = list(map(getter, chunk))
    except KeyError:
        return [[row.get(name, _MISSING) for row in chunk] for name in names], False
    return ([found] if len(names) == 1 else list(zip(*found, strict=True))), True


def _typed(
    values: Sequence[Any], column: sa.Column[Any], dialect: Any, default: Any, complete: bool = False
) -> Sequence[Any]:
    """One column's values as the driver takes them; `complete`: no value is `_MISSING`."""
    typed = values
    if default is not None:
        keeps_none = column.type.should_evaluate_none  # JSON: None is `null`, not the default
        if not complete or (not keeps_none and None in values):  # `in` finds None by identity first
            fill = default.arg(None) if default.is_callable else default.arg
            typed = [fill if v is _MISSING or (v is None and not keeps_none) else v for v in values]
    elif not complete:
        typed = [None if v is _MISSING else v for v in values]
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return typed
    if len(set(map(id, typed))) == 1:  # one value for all (a default): typed once
        return [process(typed[0])] * len(typed)
    return list(map(process, typed))
