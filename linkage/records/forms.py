"""One record at a time, as forms and the command line see it: read, save, archive, restore, history.

Saving goes through the same path as an import (`importing.import_tables` with a one-row table),
so a form obeys exactly the rules, permissions, history and reviews of an exchange file. Every
save carries the version it was read at: a record someone else saved since is refused with what
they changed, never overwritten.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from linkage.actor import SYSTEM, Actor
from linkage.errors import InUse, Invalid, NotFound, Refused, StaleEdit
from linkage.exchange import ImportRefused, Table
from linkage.exchange.keys import key_filter, load, record_key
from linkage.exchange.spec import BY_NAME, PARTY_COLUMN
from linkage.exchange.validate import parse_table
from linkage.exchange.values import format_value
from linkage.exchange.write import key_text
from linkage.records.codes import PREFIXES
from linkage.records.history import Entry, entries, log, report, reporting_place, settle, snapshot
from linkage.records.importing import import_tables
from linkage.records.permissions import Locator, in_reading_scope, may_start_linkage, may_write, refusal
from linkage.store.db import chunked, read_session, write_session
from linkage.store.models import LinkageParty, Review, utcnow

FORM_ROW = 2  # a form is the one data row under a header


@dataclass(frozen=True)
class RecordView:
    """A record as a form shows it: exchange values as text, its version, archive and review state."""

    entity: str
    key: str
    values: dict[str, str]
    version: int
    archived: bool
    review_status: str | None = None  # reported / returned / None (verified)
    review_comment: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def read(engine: Engine, actor: Actor, entity: str, key: str) -> RecordView:
    """One record for a form; refused outside the actor's reading scope."""
    with read_session(engine) as session:
        record = load(session, entity, key)
        if record is None:
            raise NotFound("no_record", entity=entity, key=key)
        if not in_reading_scope(Locator(session), actor, entity, record):
            raise refusal(actor)
        review = session.get(Review, (entity, key))
        values = {k: v or "" for k, v in (snapshot(record, entity) or {}).items() if k != "archived"}
        return RecordView(
            entity,
            key,
            values,
            int(record["version"]),
            record["archived_at"] is not None,
            review.status if review else None,
            review.comment if review else None,
        )


def _as_form_error(refused: ImportRefused, companion: str | None = None) -> Exception:
    """A refused form as one error. With a `companion` table (the party row saved with a new record),
    its problems are left out while the record itself has some: they only echo them."""
    problems = list(refused.problems)
    if companion is not None:
        problems = [p for p in problems if p.file != companion] or problems
    if all(p.code == "not_in_scope" or p.code.startswith("parties.") for p in problems):
        return Refused(problems[0].code, **problems[0].params)
    return Invalid(list[object](problems))


def save(
    engine: Engine, actor: Actor, entity: str, values: dict[str, str], original: RecordView | None = None
) -> RecordView:
    """Create (no `original`) or update (the record as it was read) one record from form values. A new
    cooperative, producer, buyer, raw material area or linkage whose code is left empty gets one the
    program makes (`linkage.records.codes`)."""
    table = _form_table(entity, values)
    try:
        done = import_tables(
            engine,
            [table],
            actor,
            expected_versions={(entity, FORM_ROW): original.version if original else None},
            make_codes=(entity,) if original is None and entity in PREFIXES else (),
        )
    except ImportRefused as refused:
        raise _as_form_error(refused) from None
    except StaleEdit as stale:
        if original is not None:
            raise _explained(engine, actor, original) from None
        raise stale
    return read(engine, actor, entity, done.made.get(entity) or _key(entity, values))


def _key(entity: str, values: dict[str, str]) -> str:
    """The key of a form's one row, as typed (the import took the rows out of the table it wrote)."""
    parsed, _ = parse_table(_form_table(entity, values))
    return key_text(parsed, parsed.rows[0][1])


def _explained(engine: Engine, actor: Actor, original: RecordView) -> StaleEdit:
    """What someone else changed since `original` was read, field by field."""
    try:
        now = read(engine, actor, original.entity, original.key)
    except NotFound:
        return StaleEdit("record_gone", {}, entity=original.entity, key=original.key)
    changed = {f: (original.values.get(f), v) for f, v in now.values.items() if original.values.get(f) != v}
    if now.archived != original.archived:
        changed["archived"] = (str(original.archived).lower(), str(now.archived).lower())
    return StaleEdit("changed_meanwhile_fields", changed, entity=original.entity, key=original.key)


def start_linkage(engine: Engine, actor: Actor, values: dict[str, str], lead: bool = False) -> RecordView:
    """A cooperative starts a new linkage with itself as a party, in one transaction."""
    if not may_start_linkage(actor) or not actor.cooperative_code:
        raise Refused("cooperatives_only")
    party = {
        "linkage_code": values.get("code", ""),
        "party_type": "cooperative",
        "party_code": actor.cooperative_code,
        "is_lead": "true" if lead else "false",
    }
    return _create_with_party(engine, actor, "linkages", values, party)


def _create_with_party(
    engine: Engine, actor: Actor, entity: str, values: dict[str, str], party: dict[str, str]
) -> RecordView:
    """A new record and the party row that ties it to a linkage, written together or not at all;
    problems of the party row are shown only when the record itself has none (they echo them)."""
    record = _form_table(entity, values)
    try:
        done = import_tables(
            engine,
            [record, _form_table("linkage_parties", party)],
            actor,
            expected_versions={(entity, FORM_ROW): None},
            make_codes=(entity,),
        )
    except ImportRefused as refused:
        raise _as_form_error(refused, companion="linkage_parties") from None
    return read(engine, actor, entity, done.made.get(entity) or _key(entity, values))


OWNED = {"linkages": ("linkage_parties", "digital_adoptions")}  # archived and restored with their linkage
SHOWN_REFERENCES = 5


def _referenced_by(entity: str) -> list[tuple[str, str]]:
    """(entity, column) pairs whose column holds a code of `entity`, from the schema's foreign keys."""
    target = BY_NAME[entity].model.__table__  # type: ignore[attr-defined]
    found = []
    for other in BY_NAME.values():
        for fk in other.model.__table__.foreign_keys:  # type: ignore[attr-defined]
            if fk.column.table is target:
                found.append((other.name, fk.parent.name))
    return found


def _refers_to(entity: str) -> list[tuple[str, str]]:
    """(column, entity) pairs: the user records this entity's columns point to."""
    table = BY_NAME[entity].model.__table__  # type: ignore[attr-defined]
    by_table = {spec.model.__table__.name: spec.name for spec in BY_NAME.values()}  # type: ignore[attr-defined]
    return [
        (fk.parent.name, by_table[fk.column.table.name])
        for fk in table.foreign_keys
        if fk.column.table.name in by_table
    ]


def _live(session: Session, entity: str, column: str, value: Any) -> list[str]:
    spec = BY_NAME[entity]
    model: Any = spec.model
    rows = session.execute(
        sa.select(*(getattr(model, k) for k in spec.key))
        .where(getattr(model, column) == value, model.archived_at.is_(None))
        .limit(SHOWN_REFERENCES + 1)
    )
    return [record_key(spec.key, row._asdict()) for row in rows]


def _check_archivable(session: Session, entity: str, record: dict[str, Any]) -> None:
    """Refuse to archive a record live records still point to: an export without it could not be
    imported back, and the records pointing to it would lose their meaning."""
    if "code" not in record:
        return
    users = [
        f"{other} {key}"
        for other, column in _referenced_by(entity)
        if other not in OWNED.get(entity, ())
        for key in _live(session, other, column, record["code"])
    ]
    if users:
        shown = ", ".join(users[:SHOWN_REFERENCES]) + (" …" if len(users) > SHOWN_REFERENCES else "")
        raise InUse("in_use", entity=entity, key=record["code"], users=shown)


def _check_restorable(session: Session, entity: str, key: str, record: dict[str, Any]) -> None:
    """Refuse to restore a record that points to an archived one: restore that first."""
    for column, other in _refers_to(entity):
        value = record.get(column)
        if value is None:
            continue
        target = load(session, other, format_value(value))
        if target is not None and target["archived_at"] is not None:
            raise InUse("points_to_archived", entity=entity, key=key, other=other, other_key=value)


def _check_no_other_lead(session: Session, key: str, record: dict[str, Any]) -> None:
    """A lead party row comes back only if its linkage has found no other lead meanwhile."""
    other = session.execute(
        sa.select(col(LinkageParty.id)).where(
            col(LinkageParty.linkage_code) == record["linkage_code"],
            col(LinkageParty.is_lead),
            col(LinkageParty.archived_at).is_(None),
            col(LinkageParty.id) != record["id"],
        )
    ).first()
    if other is not None:
        raise InUse("lead_taken", entity="linkage_parties", key=key)


def _set_archived(engine: Engine, actor: Actor, original: RecordView, archived: bool) -> RecordView:
    entity, key = original.entity, original.key
    with write_session(engine) as session:
        record = load(session, entity, key)
        if record is None:
            raise NotFound("no_record", entity=entity, key=key)
        locator = Locator(session)
        if not may_write(locator, actor, entity, record, record):
            raise refusal(actor)
        if record["version"] != original.version:
            raise _explained(engine, actor, original)
        if archived:
            _check_archivable(session, entity, record)
        now = utcnow()
        place = reporting_place(locator, actor)
        targets = [(entity, key, original.version, record)]
        for child in OWNED.get(entity, ()) if "code" in record else ():
            model: Any = BY_NAME[child].model
            wanted = model.archived_at.is_(None) if archived else model.archived_at == record["archived_at"]
            rows = session.execute(sa.select(model.__table__).where(model.linkage_code == record["code"], wanted))
            for row in rows.mappings():
                child_key = record_key(BY_NAME[child].key, dict(row))
                targets.append((child, child_key, int(row["version"]), dict(row)))
        for target_entity, target_key, version, stored in targets:
            if not archived:
                _check_restorable(session, target_entity, target_key, stored)
                if target_entity == "linkage_parties" and stored.get("is_lead"):
                    _check_no_other_lead(session, target_key, stored)
            model = BY_NAME[target_entity].model
            done = session.execute(
                sa.update(model)
                .where(*key_filter(target_entity, target_key), col(model.version) == version)  # type: ignore[attr-defined]
                .values(archived_at=now if archived else None, updated_at=now, version=version + 1)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise _explained(engine, actor, original)
            change = {"archived": [str(not archived).lower(), str(archived).lower()]}
            log(session, actor, "archive" if archived else "restore", target_entity, [(target_key, change)])
            if actor.counts_as_verified:
                settle(session, target_entity, [target_key])
            else:
                report(session, actor, target_entity, {target_key: snapshot(stored, target_entity)}, place)
    return read(engine, SYSTEM, entity, key)  # the actor was allowed to write it; it may no longer see it


def archive(engine: Engine, actor: Actor, original: RecordView) -> RecordView:
    """Take a record out of use; it stays stored, in history and restorable."""
    return _set_archived(engine, actor, original, True)


def restore(engine: Engine, actor: Actor, original: RecordView) -> RecordView:
    return _set_archived(engine, actor, original, False)


def history(engine: Engine, actor: Actor, entity: str, key: str) -> list[Entry]:
    """Every recorded change of one record, oldest first; refused outside the reading scope."""
    read(engine, actor, entity, key)
    with read_session(engine) as session:
        return entries(session, entity, key)


__all__ = [
    "PARTY_COLUMN",
    "RecordView",
    "add_area",
    "archive",
    "areas_of",
    "find",
    "history",
    "linkages_of",
    "read",
    "restore",
    "save",
    "start_linkage",
]


def find(
    engine: Engine, actor: Actor, entity: str, among: Collection[str] | None = None, **equals: str
) -> list[RecordView]:
    """Live records whose columns equal the given text values (and, with `among`, whose first key
    column is one of those codes), within the actor's reading scope."""
    spec = BY_NAME[entity]
    model: Any = spec.model
    query = sa.select(model.__table__).where(model.archived_at.is_(None))
    for column, value in equals.items():
        query = query.where(getattr(model, column) == value)
    if among is not None:
        query = query.where(getattr(model, spec.key[0]).in_(sorted(set(among))))
    with read_session(engine) as session:
        rows = [dict(r) for r in session.execute(query.order_by(*(getattr(model, k) for k in spec.key))).mappings()]
        locator = Locator(session)
        if entity in ("linkages", "linkage_parties", "digital_adoptions"):
            locator.load_parties({r["code" if entity == "linkages" else "linkage_code"] for r in rows})
        keys = sorted({record_key(spec.key, row) for row in rows})
        reviews = {  # the reviews of these records only, never every review of the entity
            r.record_key: r
            for chunk in chunked(keys)
            for r in session.execute(
                sa.select(Review).where(col(Review.entity) == entity, col(Review.record_key).in_(chunk))
            ).scalars()
        }
        found = []
        for row in rows:
            if not in_reading_scope(locator, actor, entity, row):
                continue
            values = {k: v or "" for k, v in (snapshot(row, entity) or {}).items() if k != "archived"}
            key = record_key(spec.key, row)
            review = reviews.get(key)
            found.append(
                RecordView(
                    entity,
                    key,
                    values,
                    int(row["version"]),
                    False,
                    review.status if review else None,
                    review.comment if review else None,
                )
            )
        return found


def linkages_of(engine: Engine, actor: Actor, cooperative: str) -> list[RecordView]:
    """The live linkages a cooperative takes part in."""
    parties = find(engine, actor, "linkage_parties", party_type="cooperative", party_code=cooperative)
    return find(engine, actor, "linkages", among={p.values["linkage_code"] for p in parties})


def areas_of(engine: Engine, actor: Actor, cooperative: str) -> list[RecordView]:
    """The live raw material areas of the linkages a cooperative takes part in."""
    linkages = {view.key for view in linkages_of(engine, actor, cooperative)}
    parties = find(engine, actor, "linkage_parties", among=linkages, party_type="raw_material_area")
    return find(engine, actor, "raw_material_areas", among={p.values["party_code"] for p in parties})


def party_choices(engine: Engine, actor: Actor, cooperative: str) -> list[tuple[str, str, str]]:
    """The parties a cooperative may add to one of its linkages, as (party type, code, name), by type
    then name: every buyer (buyers are shared), its own members and raw material areas, and itself."""
    found = [
        ("cooperative", view.key, view.values.get("name", ""))
        for view in find(engine, actor, "cooperatives", among=[cooperative])
    ]
    found += [
        ("producer", v.key, v.values.get("name", ""))
        for v in find(engine, actor, "producers", cooperative_code=cooperative)
    ]
    found += [("raw_material_area", v.key, v.values.get("name", "")) for v in areas_of(engine, actor, cooperative)]
    found += [("buyer", v.key, v.values.get("name", "")) for v in find(engine, actor, "buyers")]
    order = {"buyer": 0, "producer": 1, "raw_material_area": 2, "cooperative": 3}
    return sorted(found, key=lambda p: (order[p[0]], p[2].casefold(), p[1]))


def add_area(engine: Engine, actor: Actor, values: dict[str, str], linkage_code: str) -> RecordView:
    """A new raw material area and the party row that puts it into a linkage, in one transaction
    (a cooperative may create an area only for one of its linkages)."""
    party = {"linkage_code": linkage_code, "party_type": "raw_material_area", "party_code": values.get("code", "")}
    return _create_with_party(engine, actor, "raw_material_areas", values, party)


def _form_table(entity: str, values: dict[str, str]) -> Table:
    header = [c for c in BY_NAME[entity].column_names if c in values]
    return Table(entity, entity, header, [(FORM_ROW, {c: values[c] for c in header})])
