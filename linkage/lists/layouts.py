"""The column choices an office made for a list layout, kept in the database for its next list.

An office's lists of one kind of record come in the same layout month after month. The first time, the
officer says which column gives which field where the header words do not; `remember` keeps those
choices under the office, the kind of record and the headers' signature (the headers as `headers.key`
reads them, so `Tên HTX` and `TÊN HTX` are one layout), and `recall` gives them back when the same
office uploads a list whose headers read the same, whoever of its officers uploads it.

The office is the account's unit on its map (`VN` for the country): officers of one office share
their layouts; another office's choices are never used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from linkage.actor import Actor
from linkage.lists.headers import fields_of, key
from linkage.store.db import read_session
from linkage.store.models import ListLayout, utcnow


def office_of(actor: Actor) -> str:
    """The office an account works for: its unit on its map, `VN` for the country."""
    if actor.unit_code in (None, "", "VN"):
        return "VN"
    return f"{actor.unit_map}:{actor.unit_code}"


def signature(header: Sequence[str]) -> str:
    """The layout's signature: the SHA-256 of its headers as keys, in order."""
    return hashlib.sha256("|".join(key(h) for h in header).encode()).hexdigest()


def recall(engine: Engine, actor: Actor, entity: str, header: Sequence[str]) -> dict[int, str] | None:
    """The field the actor's office last chose for each column of lists of `entity` with this header
    (column index → field, '' for a column read as no field), or None when it never chose."""
    query = sa.select(col(ListLayout.columns)).where(
        col(ListLayout.office) == office_of(actor),
        col(ListLayout.entity) == entity,
        col(ListLayout.signature) == signature(header),
    )
    with read_session(engine) as session:
        stored = session.execute(query).scalar_one_or_none()
    if not isinstance(stored, list) or len(stored) != len(header):
        return None
    known = set(fields_of(entity))
    return {i: field if field in known else "" for i, field in enumerate(stored) if isinstance(field, str)}


def remember(engine: Engine, actor: Actor, entity: str, header: Sequence[str], chosen: dict[int, str]) -> None:
    """Keep the office's choice of field for each column (column index → field, '' for none) for its
    next list of `entity` with this header; a later choice replaces it."""
    columns = [chosen.get(i, "") for i in range(len(header))]
    now = utcnow()
    values = {
        "office": office_of(actor),
        "entity": entity,
        "signature": signature(header),
        "columns": columns,
        "chosen_by": actor.username,
        "created_at": now,
        "updated_at": now,
    }
    with Session(engine) as session:
        insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
        statement = insert(ListLayout).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["office", "entity", "signature"],
            set_={"columns": columns, "chosen_by": actor.username, "updated_at": now},
        )
        session.execute(statement)
        session.commit()
