"""The audit log and verification: who changed what and when, and whether an officer checked it.

The log is append-only (database triggers refuse UPDATE and DELETE). A change by a cooperative
account opens a review — *reported* — that the officer of the cooperative's place verifies or sends
back: since the reform (1 July 2025) its commune's economic office on today's map, else its
province's Department of Agriculture and Environment (`permissions.verifies`; a district office's
account keeps what was reported to it before the reform); the review keeps the last verified values
so coverage can be computed on verified data.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from linkage.actor import Actor
from linkage.errors import NotFound, Refused, StaleEdit
from linkage.exchange.keys import SEPARATOR, load, load_many
from linkage.exchange.spec import BY_NAME
from linkage.exchange.values import format_value
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, map_data
from linkage.records.permissions import (
    Locator,
    has_review_queue,
    may_verify,
    officers_today,
    reporting_cooperative,
    verifies,
    verifying_unit,
)
from linkage.store.db import chunked, insert_rows, read_session, touch, write_session
from linkage.store.models import ChangeLog, Linkage, LinkageParty, Producer, Review, UserAccount, utcnow


def log(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entries: Iterable[tuple[str, dict[str, Any]]],
    comment: str | None = None,
) -> None:
    """Append one history row per (record key, {field: [old, new]}) in one executemany per chunk; the
    records are also noted as changed for the data version the write makes (`db.touch`). The rows are
    made as they are written, a chunk at a time: an import's are as many as its records."""
    created = action == "create"  # a new record matters whatever its fields: named with none (any)
    noted: dict[str, Collection[str]] = {}

    def rows() -> Iterator[dict[str, Any]]:
        for key, changes in entries:
            noted[str(key)] = () if created else list(changes or ())
            yield {"record_key": key, "changes": changes}

    shared = {"at": utcnow(), "actor": actor.username, "action": action, "entity": entity, "comment": comment}
    insert_rows(session, ChangeLog, rows(), shared=shared)
    touch(session, entity, noted)


@dataclass(frozen=True)
class ReviewPlace:
    """Where a reporting cooperative's office lies, as a review keeps it to find who verifies: its
    commune (None when placed above one) and province on today's map, and its district on 2025-01."""

    commune_2025_07: str | None
    province_2025_07: str | None
    district: str | None


def report(
    session: Session,
    actor: Actor,
    entity: str,
    snapshots: dict[str, dict[str, str | None] | None],
    place: ReviewPlace | None,
) -> None:
    """Open or reopen reviews for records a cooperative changed, keeping the first verified snapshot.

    `place` is where the cooperative's office lay before the change (`reporting_place`): which
    officers verify is decided when a queue is read (`permissions.verifies`), so an officer account
    added later finds what waits for it."""
    if not snapshots:
        return
    existing = {
        r.record_key: r
        for r in session.execute(
            sa.select(Review).where(col(Review.entity) == entity, col(Review.record_key).in_(list(snapshots)))
        ).scalars()
    }
    now = utcnow()
    where = place or ReviewPlace(None, None, None)
    for key, snapshot in snapshots.items():
        review = existing.get(key)
        if review is None:
            session.add(
                Review(
                    entity=entity,
                    record_key=key,
                    snapshot=snapshot,
                    reported_by=actor.username,
                    district_code=where.district,
                    commune_2025_07=where.commune_2025_07,
                    province_2025_07=where.province_2025_07,
                )
            )
        else:
            review.status, review.reported_by, review.comment, review.updated_at = "reported", actor.username, None, now
            if not (review.district_code or review.province_2025_07):  # the first report's place stays
                review.district_code = where.district
                review.commune_2025_07, review.province_2025_07 = where.commune_2025_07, where.province_2025_07
            session.add(review)
    session.flush()


def reporting_place(locator: Locator, actor: Actor) -> ReviewPlace | None:
    """Where the reporting cooperative's office lies, as stored before this change, on both maps: its
    officers know the cooperative and verify what it reports, wherever the record lies."""
    cooperative = reporting_cooperative(actor)
    if cooperative is None:
        return None
    new = locator.home_place("cooperatives", cooperative, NEW_MAP, stored=True)
    old = locator.home_place("cooperatives", cooperative, OLD_MAP, stored=True)
    if new is None or old is None:
        return None
    district = {"commune": lambda: map_data(OLD_MAP).communes[old.code].district, "district": lambda: old.code}
    return ReviewPlace(
        new.code if new.level == "commune" else None,
        map_data(NEW_MAP).province_of(new) if new.level in ("commune", "province") else None,
        district[old.level]() if old.level in district else None,
    )


def verifier_of(engine: Engine, actor: Actor) -> Unit | None:
    """The unit whose office verifies what this cooperative reports now (`permissions.verifying_unit`
    over its office's place and today's officer accounts: its commune, else its province, of today's
    map); None for any other actor, or a cooperative placed nowhere."""
    with read_session(engine) as session:
        place = reporting_place(Locator(session), actor)
        if place is None:
            return None
        officers = [str(code) for code in session.execute(officers_today()).scalars()]
    return verifying_unit(place.commune_2025_07, place.province_2025_07, officers)


def settle(session: Session, entity: str, keys: Iterable[str]) -> None:
    """Close reviews of records an officer or admin has now written: their values count as verified.
    Many records of an entity none of whose records waits for review (an import into a new database)
    are not searched chunk by chunk; the review of a form's one record is deleted without asking first."""
    chunks = list(chunked(keys))
    waiting = sa.select(col(Review.record_key)).where(col(Review.entity) == entity).limit(1)
    if len(chunks) > 1 and session.execute(waiting).first() is None:
        return
    for chunk in chunks:
        session.execute(sa.delete(Review).where(col(Review.entity) == entity, col(Review.record_key).in_(chunk)))


def snapshot(record: dict[str, Any] | None, entity: str) -> dict[str, str | None] | None:
    """A stored record's exchange values as text (None for a record that did not exist)."""
    if record is None:
        return None
    values: dict[str, str | None] = {c: format_value(record.get(c)) for c in BY_NAME[entity].column_names}
    values["archived"] = "true" if record.get("archived_at") is not None else "false"
    return values


@dataclass(frozen=True)
class Entry:
    at: datetime
    actor: str
    action: str
    changes: dict[str, list[str | None]]
    comment: str | None


def entries(session: Session, entity: str, key: str) -> list[Entry]:
    rows = session.execute(
        sa.select(ChangeLog)
        .where(col(ChangeLog.entity) == entity, col(ChangeLog.record_key) == key)
        .order_by(col(ChangeLog.id))
    ).scalars()
    return [Entry(r.at, r.actor, r.action, dict(r.changes), r.comment) for r in rows]


@dataclass(frozen=True)
class Pending:
    """A change waiting for an officer: the values as last verified and as reported now."""

    entity: str
    key: str
    status: str
    reported_by: str
    reported_at: datetime
    before: dict[str, str | None] | None
    after: dict[str, str | None] | None
    comment: str | None
    version: int  # the record's version the `after` values are: verifying checks it is still the same

    @property
    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return [f for f in after if before.get(f) != after.get(f)]


def _review(session: Session, entity: str, key: str) -> Review:
    review = session.get(Review, (entity, key))
    if review is None:
        raise NotFound("no_pending_change", entity=entity, key=key)
    return review


def _officer_for(session: Session, actor: Actor, entity: str, key: str, version: int) -> None:
    """Only who verifies the review (`permissions.may_verify`), and only the version they looked at."""
    record = load(session, entity, key)
    review = session.get(Review, (entity, key))
    if record is None or review is None:
        raise NotFound("no_pending_change", entity=entity, key=key)
    if not may_verify(session, actor, entity, key):
        raise Refused("verify_not_allowed", entity=entity, key=key)
    if int(record["version"]) != version:
        raise StaleEdit("changed_meanwhile", {}, entity=entity, key=key)


def verify(engine: Engine, actor: Actor, entity: str, key: str, version: int) -> None:
    """The officer who verifies the cooperative's changes confirms the values, as of the version seen."""
    with write_session(engine) as session:
        _officer_for(session, actor, entity, key, version)
        review = _review(session, entity, key)
        session.delete(review)
        log(session, actor, "verify", entity, [(key, {})])


def send_back(engine: Engine, actor: Actor, entity: str, key: str, comment: str, version: int) -> None:
    """An officer returns a reported change to the cooperative with a comment saying what to fix."""
    if not comment.strip():
        raise Refused("comment_required")
    with write_session(engine) as session:
        _officer_for(session, actor, entity, key, version)
        review = _review(session, entity, key)
        review.status, review.comment, review.updated_at = "returned", comment.strip(), utcnow()
        session.add(review)
        log(session, actor, "return", entity, [(key, {})], comment=comment.strip())


@dataclass(frozen=True)
class Queue:
    """One page of an actor's reviews, and how many there are in all."""

    total: int
    changes: list[Pending]


def pending(engine: Engine, actor: Actor, status: str | None = None) -> list[Pending]:
    """Every review an actor should see (`queue` for one page of them): an officer's own queue, a
    cooperative's own reports; with `status`, only those (`reported`: what waits for an officer;
    `returned`: sent back)."""
    return queue(engine, actor, status).changes


def queue(engine: Engine, actor: Actor, status: str | None = None, first: int = 0, size: int | None = None) -> Queue:
    """Reviews an actor should see, oldest first, `size` of them from the `first` (all without `size`).

    Selected in the database, counted and paged there, never every review of the country: an
    officer's by who verifies them (`permissions.verifies`, on indexed columns), a cooperative's by
    the records of its own sphere (`own_reviews`)."""
    if not has_review_queue(actor):
        return Queue(0, [])
    with read_session(engine) as session:
        query = sa.select(Review)
        if status is not None:
            query = query.where(col(Review.status) == status)
        cooperative = reporting_cooperative(actor)
        query = query.where(verifies(actor) if cooperative is None else own_reviews(cooperative))
        total = int(session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one())
        query = query.order_by(col(Review.updated_at), col(Review.entity), col(Review.record_key)).offset(first)
        reviews = list(session.execute(query if size is None else query.limit(size)).scalars())
        by_entity: dict[str, list[str]] = {}
        for r in reviews:
            by_entity.setdefault(r.entity, []).append(r.record_key)
        stored = {entity: load_many(session, entity, keys) for entity, keys in by_entity.items()}
        found = []
        for r in reviews:
            record = stored[r.entity].get(r.record_key)
            if record is None:
                continue
            found.append(
                Pending(
                    r.entity,
                    r.record_key,
                    r.status,
                    r.reported_by,
                    r.updated_at,
                    r.snapshot,
                    snapshot(record, r.entity),
                    r.comment,
                    int(record["version"]),
                )
            )
        return Queue(total, found)


def own_reviews(cooperative: str) -> sa.ColumnElement[bool]:
    """The reviews of a cooperative's own sphere, as a condition on `review` (each branch on the review's
    key, the primary key, against indexed columns): itself, its member producers, the linkages it
    takes part in (`permissions.Locator.load_parties`: a live linkage's live party rows, an archived
    one's rows archived with it) with their party rows, adoptions and raw material areas, and the
    buyers its linkages name or its accounts reported (a new buyer it registered waits here too)."""
    party, linkage = LinkageParty, Linkage
    counts = sa.or_(
        sa.and_(col(linkage.archived_at).is_(None), col(party.archived_at).is_(None)),
        col(party.archived_at) == col(linkage.archived_at),
    )
    rows = sa.select(col(party.linkage_code)).join(linkage, col(linkage.code) == col(party.linkage_code))
    member = rows.where(col(party.party_type) == "cooperative", col(party.party_code) == cooperative, counts)
    members = member.subquery()
    named = sa.select(col(party.party_code)).join(linkage, col(linkage.code) == col(party.linkage_code))
    named = named.where(col(party.linkage_code).in_(sa.select(members.c.linkage_code)), counts)
    prefix = members.c.linkage_code + SEPARATOR  # a party row's or an adoption's key starts with its linkage's
    of_members = sa.exists(
        sa.select(members.c.linkage_code).where(
            sa.func.substr(col(Review.record_key), 1, sa.func.length(prefix)) == prefix
        )
    )
    accounts = sa.select(col(UserAccount.username)).where(col(UserAccount.cooperative_code) == cooperative)
    entity, key = col(Review.entity), col(Review.record_key)
    return sa.or_(
        sa.and_(entity == "cooperatives", key == cooperative),
        sa.and_(
            entity == "producers",
            key.in_(sa.select(col(Producer.code)).where(col(Producer.cooperative_code) == cooperative)),
        ),
        sa.and_(entity == "linkages", key.in_(sa.select(members.c.linkage_code))),
        sa.and_(entity.in_(("linkage_parties", "digital_adoptions")), of_members),
        sa.and_(entity == "raw_material_areas", key.in_(named.where(col(party.party_type) == "raw_material_area"))),
        sa.and_(
            entity == "buyers",
            sa.or_(key.in_(named.where(col(party.party_type) == "buyer")), col(Review.reported_by).in_(accounts)),
        ),
    )
