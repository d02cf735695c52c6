"""Settling placements: an officer's list of the records in their scope placed above the
commune on a map, and the one choice that places a record exactly.

A record given by its commune on one map only is placed on the other by the crosswalk (docs/exchange-files.md, "Two
maps"); when that commune was split, or merged with others, the record lands in a district or a province and counts in
no commune (`linkage.records.unplaced`). Choosing one of its candidate communes fills the record's missing column,
through the one write path of forms and files (`forms.save`: the exchange rules, permissions, history), so the list and
the coverage figures move at once.

Example: `to_settle(engine, actor, "2025-07")` lists HTX Thượng Đình, given in old Xã Thượng Đình
(05932, split between new 05908 and 05941); `settle(engine, actor, that, "05908")` saves
`commune_code_2025_07 = 05908` beside `commune_code = 05932`.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from linkage.actor import Actor
from linkage.geo.maps import Unit
from linkage.records import forms
from linkage.records.forms import RecordView
from linkage.records.permissions import readable
from linkage.records.unplaced import MAP_COLUMN, UnplacedRecord, unplaced
from linkage.store.db import read_session


def to_settle(engine: Engine, actor: Actor, on: str, unit: Unit | None = None) -> list[UnplacedRecord]:
    """The records placed on map `on` above the commune that the actor may read (with `unit`, a unit of
    `on`: those placed in it or below it, or with a candidate commune in it), sorted by file and code."""
    found = unplaced(engine, on, unit)
    by_file: dict[str, list[UnplacedRecord]] = {}
    for record in found:
        by_file.setdefault(record.file, []).append(record)
    allowed: set[tuple[str, str]] = set()
    with read_session(engine) as session:
        for file, rows in by_file.items():
            values = [{"code": r.code, "commune_code": r.commune_code or None, **_new(r)} for r in rows]
            allowed |= {
                (file, r.code) for r, ok in zip(rows, readable(session, actor, file, values), strict=True) if ok
            }
    return [r for r in found if (r.file, r.code) in allowed]


def _new(record: UnplacedRecord) -> dict[str, str | None]:
    return {"commune_code_2025_07": record.commune_code_2025_07 or None}


def settle(engine: Engine, actor: Actor, record: UnplacedRecord, on: str, commune: str) -> RecordView:
    """Place `record` exactly on map `on`: its missing column set to `commune` (one of its candidates),
    saved through `forms.save` against the version just read; the exchange rules refuse a commune the
    crosswalk does not give for it, in words, and the permissions a record outside the actor's scope."""
    view = forms.read(engine, actor, record.file, record.code)
    return forms.save(engine, actor, record.file, {**view.values, MAP_COLUMN[on]: commune}, view)
