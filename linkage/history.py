"""The audit log and verification: who changed what and when, and whether an officer checked it.

The log is append-only (database triggers refuse UPDATE and DELETE). A change by a cooperative
account opens a review — *reported* — that the officer of the cooperative's place verifies or sends
back (issue 14: its commune's officers on today's map, else its province's, else its old
district's); the review keeps the last verified values so coverage can be computed on verified data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from linkage.actor import Actor
from linkage.db import chunked, read_session, write_session
from linkage.errors import NotFound, Refused, StaleEdit
from linkage.exchange.spec import BY_NAME
from linkage.exchange.values import format_value
from linkage.keys import load, load_many
from linkage.maps import NEW_MAP, OLD_MAP, map_data
from linkage.models import ChangeLog, Review, utcnow
from linkage.permissions import (
    Locator,
    has_review_queue,
    in_reading_scope,
    may_verify,
    reporting_cooperative,
    verifies,
)


def log(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entries: Iterable[tuple[str, dict[str, Any]]],
    comment: str | None = None,
) -> None:
    """Append one history row per (record key, {field: [old, new]}) in one executemany per chunk."""
    now = utcnow()
    rows = [
        {
            "at": now,
            "actor": actor.username,
            "action": action,
            "entity": entity,
            "record_key": key,
            "changes": changes,
            "comment": comment,
        }
        for key, changes in entries
    ]
    for chunk in chunked(rows):
        session.execute(sa.insert(ChangeLog), chunk)


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


def settle(session: Session, entity: str, keys: Iterable[str]) -> None:
    """Close reviews of records an officer or admin has now written: their values count as verified."""
    for chunk in chunked(keys):
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

    An officer's queue is selected in the database (`permissions.verifies`, on indexed columns): the
    page is read, never every review of the country. A cooperative's follows the records it reads."""
    if not has_review_queue(actor):
        return Queue(0, [])
    with read_session(engine) as session:
        query = sa.select(Review)
        if status is not None:
            query = query.where(col(Review.status) == status)
        cooperative = reporting_cooperative(actor)
        if cooperative is None:
            query = query.where(verifies(actor))
            total = int(session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one())
            query = query.order_by(col(Review.updated_at), col(Review.entity), col(Review.record_key)).offset(first)
            reviews = list(session.execute(query if size is None else query.limit(size)).scalars())
        else:
            reviews = list(session.execute(query.order_by(col(Review.updated_at))).scalars())
        by_entity: dict[str, list[str]] = {}
        for r in reviews:
            by_entity.setdefault(r.entity, []).append(r.record_key)
        stored = {entity: load_many(session, entity, keys) for entity, keys in by_entity.items()}
        locator = Locator(session)
        found = []
        for r in reviews:
            record = stored[r.entity].get(r.record_key)
            if record is None:
                continue
            if cooperative is not None and not in_reading_scope(locator, actor, r.entity, record):
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
        if cooperative is not None:
            total, found = len(found), found[first : None if size is None else first + size]
        return Queue(total, found)
