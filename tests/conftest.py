"""Shared fixtures: every database test runs on the embedded SQLite default and on PostgreSQL.

PostgreSQL is the local server (127.0.0.1:5432, user postgres, trust auth); each test run
creates its own database and drops it at the end. Set LINKAGE_TEST_POSTGRES=0 to run the
SQLite half only on a machine without the server (CI never does).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from linkage.accounts import users
from linkage.records.catalog import init
from linkage.store.db import bump_data_version, dispose_engine, get_engine, migrate
from linkage.store.models import SQLModel
from tests.helpers import FIXTURE

PG_ADMIN_URL = os.environ.get("LINKAGE_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgresql"] if os.environ.get("LINKAGE_TEST_POSTGRES", "1") != "0" else ["sqlite"]
PRODUCT_HASHER = users.hasher  # before `password_cost` swaps it
REFERENCE_TABLES = {
    "province",
    "district",
    "commune",
    "province_2025_07",
    "commune_2025_07",
    "technology",
    "product",
    "data_version",
    "alembic_version",
}


@pytest.fixture(scope="module", autouse=True)
def password_cost(request: pytest.FixtureRequest) -> Iterator[None]:
    """Passwords hashed in this process at argon2's lowest cost, as Django's documentation advises for
    tests: at the product's cost (64 MiB, three passes, four lanes) a hash takes 0.16 s of both cores,
    and hashing was 40 % of the account tests' time. argon2id all the same, and a stored hash names its
    own cost, so every check still runs. Browser modules keep the product's cost: their servers would
    rehash each account at its first sign-in. A test marked `real_password_cost` gets the product's
    hasher back; `linkage user add`, in its own process, hashes at the product's cost (test_cli.py)."""
    if request.path.parent.name == "browser":
        yield
        return
    from argon2 import PasswordHasher

    lowest = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "hasher", lambda: lowest)
        users._dummy_hash.cache_clear()  # the stand-in hash of unknown names, made by the hasher in use
        yield
    users._dummy_hash.cache_clear()


@pytest.fixture(autouse=True)
def real_password_cost(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The product's hasher, for a test marked `real_password_cost` (one that times a hash)."""
    if request.node.get_closest_marker("real_password_cost") is None:
        yield
        return
    monkeypatch.setattr(users, "hasher", PRODUCT_HASHER)
    users._dummy_hash.cache_clear()
    yield
    users._dummy_hash.cache_clear()


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def create_pg_database(admin: Engine) -> str:
    name = f"linkage_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return name


def drop_pg_database(admin: Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_at(request: pytest.FixtureRequest, tmp_path: Path, revision: str) -> Iterator[Engine]:
    """An empty database of the fixture's backend migrated only to `revision` (for migration tests),
    removed afterwards; use it as the body of a parametrised generator fixture."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        migrate(get_engine(url), to=revision)
        yield get_engine(url)
        dispose_engine(url)
        return
    admin = request.getfixturevalue("pg_admin")
    name = create_pg_database(admin)
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        migrate(get_engine(url), to=revision)
        yield get_engine(url)
    finally:
        dispose_engine(url)
        drop_pg_database(admin, name)


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database with the geography and catalogs loaded, one per backend per run."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'linkage.db'}"
        init(get_engine(url))
        yield url
        return
    admin = request.getfixturevalue("pg_admin")
    name = create_pg_database(admin)
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        init(get_engine(url))
        yield url
    finally:
        get_engine(url).dispose()
        drop_pg_database(admin, name)


@pytest.fixture
def engine(db_url: str) -> Engine:
    """The backend's database emptied of everything users entered (reference data kept)."""
    engine = get_engine(db_url)
    with engine.begin() as conn:
        _without_history_guard(conn)
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                conn.execute(table.delete())
        _restore_history_guard(conn)
        catalog = _catalog_products()
        conn.execute(
            sa.text("DELETE FROM product WHERE code NOT IN :codes").bindparams(sa.bindparam("codes", expanding=True)),
            {"codes": list(catalog)},
        )
        # An earlier test may have imported a catalog product with other values (the import fuzzer
        # writes RICE with national_key 0): every test starts from the catalog's own products.
        conn.execute(
            sa.text(
                "UPDATE product SET name_vi = :name_vi, name_en = :name_en, national_key = :national_key,"
                " archived_at = NULL WHERE code = :code"
            ),
            list(catalog.values()),
        )
        with Session(conn) as session:  # any process's cached facts of this database read everything again
            bump_data_version(session)
    return engine


def _without_history_guard(conn: sa.Connection) -> None:
    """Tests start from an empty history; the append-only triggers are lifted for this one transaction."""
    if conn.dialect.name == "sqlite":
        conn.info["guards"] = (
            conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'change_log'")
            .scalars()
            .all()
        )
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS change_log_no_update")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS change_log_no_delete")
    else:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")


def _restore_history_guard(conn: sa.Connection) -> None:
    for sql in conn.info.pop("guards", []):
        conn.exec_driver_sql(sql)


def _catalog_products() -> dict[str, dict[str, object]]:
    """The catalog's products as `linkage init` stores them, by code."""
    from linkage.records.catalog import products

    return {
        str(p["code"]): {k: p.get(k, "") for k in ("code", "name_vi", "name_en", "national_key")} for p in products()
    }


USER_TABLES = (  # children first, so foreign keys allow the deletes
    "review",
    "digital_adoption",
    "linkage_party",
    "linkage",
    "producer",
    "raw_material_area",
    "buyer",
    "cooperative",
    "province_key_product",
)


def empty_user_tables(engine: Engine) -> None:
    """Delete what users entered (the append-only history stays), as before an import into a new database."""
    with engine.begin() as conn:
        for table in USER_TABLES:
            conn.execute(sa.text(f"DELETE FROM {table}"))


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs (an executemany counts once)."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def bac_kan(engine: Engine) -> Engine:
    """The backend's database holding the hand-computed Bắc Kạn fixture."""
    from linkage.records.importing import import_path

    import_path(engine, FIXTURE)
    return engine


@pytest.fixture
def files(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write exchange files: files({"cooperatives": "code,name,...\\nK1,..."}) returns the folder."""

    def write(tables: dict[str, str], folder: str = "import") -> Path:
        target = tmp_path / folder
        target.mkdir(exist_ok=True)
        for name, text in tables.items():
            (target / f"{name}.csv").write_text(text.strip() + "\n", encoding="utf-8")
        return target

    return write


pytest_plugins = ["tests.apptest"]  # the `app` and `database` fixtures of the page tests
