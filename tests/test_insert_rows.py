"""Bulk inserts send one statement per chunk whatever the pattern of empty values, and an empty
value takes the column's default as the ORM's insert gives it."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.store.db import CHUNK, insert_rows, write_session
from linkage.store.models import Buyer, ChangeLog, Cooperative
from tests.conftest import statements


def test_mixed_empty_values_go_in_one_statement_per_chunk_with_defaults(engine: Engine) -> None:
    count = CHUNK + 7
    rows: list[dict[str, object]] = []
    for i in range(count):
        row: dict[str, object] = {"code": f"B{i:05d}", "name": f"Người mua <{i}>"}
        if i % 3 == 1:
            row["kind"] = "trader"
        elif i % 3 == 2:
            row["kind"] = None  # said empty: the default, not NULL
        rows.append(row)
    with statements(engine) as sent, write_session(engine) as session:
        insert_rows(session, Buyer, rows)
    inserts = [s for s in sent if s.lstrip().upper().startswith("INSERT INTO BUYER")]
    assert len(inserts) == 2  # CHUNK rows, then the 7 left
    with engine.connect() as conn:
        stored = {
            code: (kind, name, created is not None, version)
            for code, kind, name, created, version in conn.execute(
                sa.text("SELECT code, kind, name, created_at, version FROM buyer WHERE code LIKE 'B%'")
            )
        }
    assert len(stored) == count
    for i in range(count):
        kind, name, has_created, version = stored[f"B{i:05d}"]
        assert kind == ("trader" if i % 3 == 1 else "enterprise")
        assert name == f"Người mua <{i}>"
        assert has_created and version == 1


STAMPS = {"created_at", "updated_at", "at"}


def _raw(engine: Engine, table: str, where: str) -> list[dict[str, object]]:
    """Rows as the driver returns them (SQLite: the stored text), without the key that differs."""
    with engine.connect() as conn:
        result = conn.exec_driver_sql(f"SELECT * FROM {table} WHERE {where} ORDER BY 1")
        return [dict(row._mapping) for row in result]


def _same_shape(ours: object, theirs: object) -> bool:
    if isinstance(ours, str) and isinstance(theirs, str):
        return len(ours) == len(theirs)  # a stamp's text: same format, another instant
    return type(ours) is type(theirs)


def test_values_are_stored_as_sqlalchemys_own_insert_stores_them(engine: Engine) -> None:
    with engine.connect() as conn:
        commune = conn.execute(sa.text("SELECT code FROM commune ORDER BY code LIMIT 1")).scalar_one()
    for prefix, write in (("SA", "orm"), ("IR", "ours")):
        rows = [
            {"code": f"{prefix}1", "name": "HTX Ê Đê", "commune_code": commune, "established_on": date(2019, 3, 5)},
            {"code": f"{prefix}2", "name": "=HYPERLINK(1)", "commune_code": commune, "members": 12, "version": None},
        ]
        history = [
            {
                "actor": "a",
                "action": "create",
                "entity": "cooperative",
                "record_key": f"{prefix}1",
                "changes": {"name": [None, "HTX Ê Đê"]},
                "comment": None,
            },
            {
                "actor": "a",
                "action": "create",
                "entity": "cooperative",
                "record_key": f"{prefix}2",
                "changes": None,
                "comment": "list.xlsx",
            },
        ]
        with write_session(engine) as session:
            if write == "orm":
                session.execute(sa.insert(Cooperative), rows)
                session.execute(sa.insert(ChangeLog), history)
            else:
                insert_rows(session, Cooperative, rows)
                insert_rows(session, ChangeLog, history)
    for table, key, skip in (("cooperative", "code", {"code"}), ("change_log", "record_key", {"id", "record_key"})):
        theirs = _raw(engine, table, f"substr({key}, 1, 2) = 'SA'")
        ours = _raw(engine, table, f"substr({key}, 1, 2) = 'IR'")
        assert len(ours) == len(theirs) == 2
        for mine, reference in zip(ours, theirs, strict=True):
            for column, value in reference.items():
                if column in skip:
                    continue
                if column in STAMPS:
                    assert _same_shape(mine[column], value), column
                else:
                    assert mine[column] == value, column
