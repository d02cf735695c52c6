"""Record keys: the one text that names a record in history, reviews and forms, and loading the
stored record it names.

A record's key text is its code, or its key columns' exchange values joined by `|` (codes may not
contain `|`, so the parts split back unambiguously). A leaf module: it knows the entities and the
models, nothing that acts on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from linkage.errors import NotFound
from linkage.exchange.spec import BY_NAME
from linkage.exchange.values import format_value
from linkage.store.db import chunked

SEPARATOR = "|"


def record_key(key_columns: Sequence[str], record: Mapping[str, Any]) -> str:
    """The key text of a record (stored values or exchange text), e.g. `K01` or `M01|cooperative|K01`.

    >>> record_key(("linkage_code", "technology", "adopted_on"), {"linkage_code": "M01",
    ...     "technology": "e_commerce", "adopted_on": date(2024, 3, 1)})
    'M01|e_commerce|2024-03-01'
    """
    return SEPARATOR.join(format_value(record[k]) for k in key_columns)


def key_parts(entity: str, key: str) -> dict[str, Any]:
    """The key columns a key text names, typed as stored (dates as dates); NotFound if it cannot
    name a record of `entity`."""
    spec = BY_NAME[entity]
    parts = key.split(SEPARATOR) if len(spec.key) > 1 else [key]
    if len(parts) != len(spec.key):
        raise NotFound("no_record", entity=entity, key=key)
    return {
        name: date.fromisoformat(part) if spec.column(name).kind == "date" else part
        for name, part in zip(spec.key, parts, strict=True)
    }


def key_filter(entity: str, key: str) -> list[Any]:
    """Conditions selecting the record a key text names."""
    model = BY_NAME[entity].model
    return [getattr(model, name) == value for name, value in key_parts(entity, key).items()]


def load(session: Session, entity: str, key: str) -> dict[str, Any] | None:
    """The stored row (every column) of one record, or None."""
    model = BY_NAME[entity].model
    row = session.execute(sa.select(model.__table__).where(*key_filter(entity, key))).mappings().first()  # type: ignore[attr-defined]
    return dict(row) if row else None


def load_many(session: Session, entity: str, keys: list[str]) -> dict[str, dict[str, Any]]:
    """Stored rows of many records by their key text, in chunks of one IN list on the first key column."""
    spec = BY_NAME[entity]
    model: Any = spec.model
    first = spec.key[0]
    wanted = sorted({key.split(SEPARATOR)[0] for key in keys})
    found: dict[str, dict[str, Any]] = {}
    for chunk in chunked(wanted):
        query = sa.select(model.__table__).where(getattr(model, first).in_(chunk))
        for row in session.execute(query).mappings():
            record = dict(row)
            found[record_key(spec.key, record)] = record
    return {key: found[key] for key in keys if key in found}
