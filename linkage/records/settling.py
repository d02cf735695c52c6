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

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from linkage.actor import Actor
from linkage.errors import Refused
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, map_data
from linkage.geo.typed_codes import described
from linkage.i18n import t
from linkage.records import forms
from linkage.records.forms import RecordView
from linkage.records.permissions import may_place_in, readable, scope_unit
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


@dataclass(frozen=True)
class Choice:
    """One candidate commune of a record to settle, as the actor may or may not choose it."""

    commune: Unit
    allowed: bool  # the actor may save the record in this commune
    settlers: tuple[
        Unit, ...
    ]  # the units whose offices may: the commune (2025-07), then its province; its district (2025-01)


def settlers(commune: Unit) -> tuple[Unit, ...]:
    """The units whose officers may place a record in `commune` (`permissions.officer_may`: the record
    must then lie in their scope): on 2025-07 the commune's economic office, else the provincial
    Department of Agriculture and Environment; on 2025-01 the district's agriculture office."""
    data = map_data(commune.map)
    place = data.communes[commune.code]
    if commune.map == OLD_MAP:
        return (data.districts[place.district].unit,)
    return (commune, data.provinces[place.province].unit)


def choices(actor: Actor, record: UnplacedRecord) -> list[Choice]:
    """The record's candidate communes, each marked whether this actor may choose it (in the order
    the crosswalk gives them: the page offers none by default)."""
    return [Choice(c, may_place_in(actor, c), settlers(c)) for c in record.candidates]


def who_settles(commune: Unit, lang: str) -> str:
    """Who can place a record in `commune`, in a sentence with names (see `settlers`)."""
    units = settlers(commune)
    if commune.map == NEW_MAP:
        office = "ward" if map_data(NEW_MAP).communes[commune.code].kind == "phường" else "commune"
        return t(
            f"settling.by_{office}", lang, commune=_inside(commune.name, lang), province=_inside(units[1].name, lang)
        )
    return t("settling.by_district", lang, district=described(units[0]))


def _inside(name: str, lang: str) -> str:
    """A unit's name inside a Vietnamese phrase, its division word in lower case (`Phòng Kinh tế xã Ea
    Ktur`); English keeps the list's spelling."""
    return name[:1].lower() + name[1:] if lang == "vi" else name


class SettleRefused(Refused):
    """A candidate commune outside the actor's scope, refused in a sentence naming the record, the
    commune, the actor's scope and who can settle it."""

    def __init__(self, record: UnplacedRecord, commune: Unit, actor: Actor):
        scope = scope_unit(actor)
        super().__init__(
            "settling.not_yours",
            record=record.name,
            code=record.code,
            commune=described(commune),
            scope=described(scope) if scope is not None else actor.username,
        )
        self.commune = commune

    def message(self, lang: str = "en") -> str:
        return f"{super().message(lang)} {who_settles(self.commune, lang)}"


def settle(engine: Engine, actor: Actor, record: UnplacedRecord, on: str, commune: str) -> RecordView:
    """Place `record` exactly on map `on`: its missing column set to `commune` (one of its candidates),
    saved through `forms.save` against the version just read. A candidate the actor may not choose is
    refused first, in words naming who can (`SettleRefused`); the exchange rules refuse a commune the
    crosswalk does not give for it, and the permissions a record outside the actor's scope."""
    chosen = next((c for c in record.candidates if c.code == commune), None)
    if chosen is not None and not may_place_in(actor, chosen):
        raise SettleRefused(record, chosen, actor)
    view = forms.read(engine, actor, record.file, record.code)
    return forms.save(engine, actor, record.file, {**view.values, MAP_COLUMN[on]: commune}, view)
