"""Upsert of validated exchange rows: insert new codes, update changed records, leave the rest.

Unchanged rows are not touched (no new timestamp or version), which is what makes a second
import of the same files change nothing. Writes are set-based: one executemany per entity.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from linkage.exchange.spec import PARTY_COLUMN
from linkage.exchange.validate import Parsed, Record, party_record
from linkage.models import utcnow

CHUNK = 5000


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Plan:
    """The writes one entity's rows need: nothing is written until `apply`."""

    parsed: Parsed
    inserts: list[Record]
    updates: list[Record]
    counts: Counts


def _comparable(value: Any) -> Any:
    if isinstance(value, float | Decimal):
        return Decimal(str(value)).quantize(Decimal("0.0001"))
    return value


def _stored(session: Session, p: Parsed, fields: list[str]) -> dict[tuple[Any, ...], Record]:
    """The stored records whose key the import names, by key, in chunks of one IN list each."""
    model = p.entity.model
    first = p.entity.key[0]
    wanted = sorted({r[first] for _, r in p.rows})
    pk = [c.name for c in sa.inspect(model).primary_key]  # type: ignore[union-attr]
    columns = list(dict.fromkeys([*pk, *p.entity.key, *fields, "archived_at", "version"]))
    found: dict[tuple[Any, ...], Record] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        query = sa.select(*(getattr(model, c) for c in columns)).where(getattr(model, first).in_(chunk))
        for row in session.execute(query).mappings():
            record = dict(row)
            found[tuple(record[k] for k in p.entity.key)] = record
    return found


def plan(session: Session, p: Parsed) -> Plan:
    """Compare one entity's parsed rows with what is stored."""
    model = p.entity.model
    fields = list(p.entity.column_names)
    if p.entity.name == "linkage_parties":
        fields += list(PARTY_COLUMN.values())
    stored = _stored(session, p, fields)
    now = utcnow()
    inserts: list[Record] = []
    updates: list[Record] = []
    counts = Counts()
    for _, record in p.rows:
        values = party_record(record) if p.entity.name == "linkage_parties" else dict(record)
        old = stored.get(p.key(record))
        if old is None:
            inserts.append({**values, "created_at": now, "updated_at": now, "version": 1})
            continue
        changed = old["archived_at"] is not None or any(_comparable(old[f]) != _comparable(values[f]) for f in fields)
        if changed:
            pk = {c.name: old[c.name] for c in sa.inspect(model).primary_key}  # type: ignore[union-attr]
            updates.append({**values, **pk, "updated_at": now, "archived_at": None, "version": old["version"] + 1})
        else:
            counts.unchanged += 1
    counts.inserted, counts.updated = len(inserts), len(updates)
    return Plan(p, inserts, updates, counts)


def apply(session: Session, plan: Plan) -> None:
    """Execute a plan in the session's transaction, one executemany per chunk."""
    model = plan.parsed.entity.model
    # Leads are cleared before any is set, so moving the lead never trips the one-lead index.
    clearing = [u for u in plan.updates if not u.get("is_lead")]
    setting = [u for u in plan.updates if u.get("is_lead")]
    for statement, batch in (
        (sa.update(model), clearing),
        (sa.insert(model), plan.inserts),
        (sa.update(model), setting),
    ):
        for start in range(0, len(batch), CHUNK):
            session.execute(statement, batch[start : start + CHUNK])
