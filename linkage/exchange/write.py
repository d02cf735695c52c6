"""Upsert of validated rows: insert new codes, update changed records, leave the rest.

Unchanged rows are not touched (no new timestamp or version), which is what makes a second
import of the same files change nothing. Updates are guarded by the version read in the plan,
so a record someone else saved in between is never silently overwritten. Writes are set-based:
one executemany per chunk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from linkage.exchange.keys import record_key
from linkage.exchange.validate import Parsed, Record, party_record, stored_fields
from linkage.exchange.values import format_value
from linkage.store.db import chunked, insert_rows
from linkage.store.models import utcnow


@dataclass
class RowCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(slots=True)
class Change:
    """One row of an import or a form, compared with what is stored."""

    row: int  # spreadsheet row number (a form is row 2: its one data row)
    key: str  # the record key history and reviews use
    old: Record | None  # as stored, None for a new record
    new: Record  # as it will be stored
    differs: dict[str, list[str | None]] = field(default_factory=dict)  # an update's field -> [old, new] as text
    columns: tuple[str, ...] = ()  # the entity's columns, which a new record's history lists

    @property
    def changed(self) -> dict[str, list[str | None]]:
        """Field -> [old, new] as text, as history records it. A new record's is made when asked for
        (history, on write): a dry run of the largest file admitted would hold one per row."""
        if self.old is None:
            new = self.new  # most values are text, which `format_value` gives back as it is
            return {
                f: [None, v if type(v) is str else format_value(v)] for f in self.columns if (v := new[f]) is not None
            }
        return self.differs

    @property
    def kind(self) -> str:
        if self.old is None:
            return "create"
        return "update" if self.differs else "same"


@dataclass
class Plan:
    """The writes one entity's rows need: nothing is written until `apply`."""

    parsed: Parsed
    fields: list[str]
    changes: list[Change]

    @property
    def counts(self) -> RowCounts:
        kinds = [c.kind for c in self.changes]
        return RowCounts(kinds.count("create"), kinds.count("update"), kinds.count("same"))


def _comparable(value: Any) -> Any:
    if isinstance(value, float | Decimal):
        return Decimal(str(value)).quantize(Decimal("0.0001"))
    return value


def key_text(p: Parsed, record: Record) -> str:
    """The record key history and reviews use for a parsed row."""
    return record_key(p.entity.key, record)


def plan(p: Parsed) -> Plan:
    """Compare one entity's parsed rows with what is stored (read once by `validate`)."""
    fields = stored_fields(p.entity)
    stored = p.stored
    changes = []
    columns = tuple(p.entity.column_names)
    parties = p.entity.name == "linkage_parties"
    single = p.entity.key[0] if len(p.entity.key) == 1 else None
    for number, record in p.rows:
        new = party_record(record) if parties else record  # parsed rows are not changed afterwards
        old = stored.get(p.key(record)) if stored else None  # nothing stored: no key to make (a new database)
        key = format_value(record[single]) if single is not None else key_text(p, record)  # `record_key` of one column
        change = Change(number, key, old, new, columns=columns)
        if old is not None:
            change.differs = {
                f: [format_value(old[f]), format_value(new[f])]
                for f in columns
                if _comparable(old[f]) != _comparable(new[f])
            }
            if old["archived_at"] is not None:
                change.differs["archived"] = ["true", "false"]
        changes.append(change)
    return Plan(p, fields, changes)


class Conflict(Exception):
    """A record changed between the plan and the write: the whole transaction must be undone."""


def apply(session: Session, plan: Plan) -> None:
    """Execute a plan in the session's transaction; raise Conflict if a guarded update missed."""
    model = plan.parsed.entity.model
    table = model.__table__  # type: ignore[attr-defined]
    pk = [c.name for c in table.primary_key]
    now = utcnow()
    inserts = [c.new for c in plan.changes if c.old is None]  # created: the stamps and version are shared
    updates = [
        {
            **{f"v_{f}": c.new[f] for f in plan.fields},
            **{f"pk_{k}": c.old[k] for k in pk},
            "v_version": c.old["version"] + 1,
            "old_version": c.old["version"],
        }
        for c in plan.changes
        if c.kind == "update" and c.old is not None
    ]
    # The key columns are not set: the plan matched the record on them, so they are equal, and setting a
    # key makes SQLite look for the rows that refer to it (a scan where that column has no index).
    assigned = [f for f in [*plan.fields, "version"] if f not in plan.parsed.entity.key]
    statement = (
        sa.update(table)
        .where(*(table.c[k] == sa.bindparam(f"pk_{k}") for k in pk), table.c.version == sa.bindparam("old_version"))
        .values({**{f: sa.bindparam(f"v_{f}") for f in assigned}, "updated_at": now, "archived_at": None})
    )
    # Leads are cleared before any is set, so moving the lead never trips the one-lead index.
    clearing = [u for u in updates if not u.get("v_is_lead")]
    setting = [u for u in updates if u.get("v_is_lead")]
    for batch, is_insert in ((clearing, False), (inserts, True), (setting, False)):
        for chunk in chunked(batch):
            if is_insert:
                insert_rows(session, model, chunk, shared={"created_at": now, "updated_at": now, "version": 1})
            elif session.execute(statement, chunk).rowcount != len(chunk):  # type: ignore[attr-defined]
                raise Conflict(plan.parsed.entity.name)
