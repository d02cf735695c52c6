"""Codes the program makes for records entered in a form without one.

A cooperative adding a member, an area or a linkage has no code to give it; a code is the key of
exchange files (docs/exchange-files.md), so the program makes one: the entity's prefix and a
six-digit serial one above the highest such code stored (archived records included), the same
shape as the demonstration data's (`SX000124`). A code the user has (a registration number) is kept.

Codes are made inside the transaction that writes the record, after a lock that only one writer
holds at a time: SQLite's `BEGIN IMMEDIATE` (every write transaction, `linkage.store.db`) and, on
PostgreSQL, a transaction-level advisory lock per entity. Two forms saved at the same moment never
get the same code; the second waits for the first to commit and takes the next.

Example: with `SX000007` and `SX-ABC` stored, `next_code(session, "producers")` is `SX000008`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Collection
from dataclasses import replace

import sqlalchemy as sa
from sqlmodel import Session

from linkage.exchange.read import Table
from linkage.exchange.spec import BY_NAME

PREFIXES = {
    "cooperatives": "HTX",
    "producers": "SX",
    "buyers": "NM",
    "raw_material_areas": "VNL",
    "linkages": "LK",
}
DIGITS = 6
SCANNED = 200  # highest codes of the prefix read to find the highest serial (a typed `SX999999X` is skipped)
# party_type of a linkage party row that names a record of each entity
PARTY = "party_code"  # the linkage party file's column naming the party's record
PARTY_TYPES = {
    "cooperatives": "cooperative",
    "producers": "producer",
    "buyers": "buyer",
    "raw_material_areas": "raw_material_area",
}


def _lock(session: Session, entity: str) -> None:
    """Hold the entity's code lock until the transaction ends (PostgreSQL; SQLite's write lock is
    already held by `BEGIN IMMEDIATE`)."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"linkage-codes:{entity}".encode())
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def next_code(session: Session, entity: str) -> str:
    """The next code of `entity`'s series, under the entity's code lock (held until commit)."""
    _lock(session, entity)
    prefix = PREFIXES[entity]
    model: object = BY_NAME[entity].model
    code = model.code  # type: ignore[attr-defined]
    serial = re.compile(rf"^{re.escape(prefix)}(\d{{{DIGITS},}})$")
    rows = session.execute(
        sa.select(code)
        .where(code.like(f"{prefix}%"), sa.func.length(code) == len(prefix) + DIGITS)
        .order_by(code.desc())
        .limit(SCANNED)
    ).scalars()
    highest = max((int(m.group(1)) for c in rows if (m := serial.match(str(c)))), default=0)
    return f"{prefix}{highest + 1:0{DIGITS}d}"


def fill_codes(session: Session, tables: list[Table], entities: Collection[str]) -> tuple[list[Table], dict[str, str]]:
    """`tables` with a made code in the one form row of each of `entities` that left its code empty,
    and in the party row that ties that new record to its linkage (its `linkage_code` for a new
    linkage, its `party_code` for a new member of the linkage). Returns the tables and the codes
    made, by entity."""
    made: dict[str, str] = {}
    for table in tables:
        if table.entity in entities and len(table.rows) == 1 and not table.rows[0][1].get("code", "").strip():
            made[table.entity] = next_code(session, table.entity)
    if not made:
        return tables, made
    filled = []
    for table in tables:
        rows = []
        for number, values in table.rows:
            values = dict(values)
            if table.entity in made and not values.get("code", "").strip():
                values["code"] = made[table.entity]
            if table.entity == "linkage_parties":
                if "linkages" in made and not values.get("linkage_code", "").strip():
                    values["linkage_code"] = made["linkages"]
                for entity, code in made.items():
                    if values.get("party_type") == PARTY_TYPES.get(entity) and not values.get(PARTY, "").strip():
                        values[PARTY] = code
            rows.append((number, values))
        header = list(table.header)
        for column in ("code", "linkage_code", PARTY):
            if any(column in values for _, values in rows) and column not in header:
                header.append(column)
        filled.append(replace(table, header=header, rows=rows))
    return filled, made
