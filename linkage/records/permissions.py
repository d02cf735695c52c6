"""Who may read and change which records: roles scoped to a unit on a named map.

Every domain function that reads or writes user data asks here, so the app, the command line and
any future interface apply the same rules; no role is compared anywhere else (a test says so).
A scope is a unit of one map (`scope_unit`: an officer's district of 2025-01, commune or province of
2025-07; a planner's province of either map, or the country). Where a record "lies" on that map is
computed set-based by `Locator` from stored records and the rows being written:

- cooperatives, producers, raw material areas, buyers: their placement on the map (docs/exchange-files.md, "Two maps":
  their commune there, or where the crosswalk places their commune of the other map; a buyer without
  a commune lies where the linkages naming it lie);
- linkages: wherever one of their cooperative, producer or raw-material-area parties lies;
- linkage parties: their linkage's places and the party's own; adoptions: their linkage's.

A scope holds a record when its unit holds the record's placement (`maps.unit_holds`): a record
placed in a province, above any of its communes, is the province's, not a commune's or district's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from linkage.actor import Actor
from linkage.errors import Refused
from linkage.exchange.spec import BY_NAME, PARTY_ENTITY
from linkage.geo.maps import (
    MAP_LEVELS,
    MAPS,
    NEW_MAP,
    OLD_MAP,
    Unit,
    crosswalk,
    map_data,
    national,
    placements,
    province_crosswalk,
    unit_holds,
)
from linkage.geo.typed_codes import find_unit
from linkage.store.db import chunked
from linkage.store.models import Linkage, LinkageParty, Producer, Review, UserAccount
from linkage.vocabulary import ROLES

REFERENCE = ("products", "province_key_products")

# The units an account of each role may be scoped to, on each map: district officers of the
# programme's map keep working on it; since the reform officers work for a commune or a province.
SCOPE_LEVELS: dict[str, dict[str, tuple[str, ...]]] = {
    "officer": {OLD_MAP: ("district",), NEW_MAP: ("commune", "province")},
    "planner": {OLD_MAP: ("national", "province"), NEW_MAP: ("national", "province")},
}


def find_scope(text: str, on: str, levels: Iterable[str]) -> Unit | None:
    """The unit of map `on`, at one of `levels`, that `text` names (`typed_codes.read_code`: `VN`, or a
    code that may omit its leading zeros unless that makes it name another unit too), or None."""
    return find_unit(text, on, levels)


def scoped_to_unit(role: str) -> bool:
    """An account of `role` acts in a unit of a map (`SCOPE_LEVELS`): planners and officers."""
    return role in SCOPE_LEVELS


def scoped_to_cooperative(role: str) -> bool:
    """An account of `role` acts for one cooperative, named by its code, not for a unit."""
    return role == "cooperative"


def scope_fields(role: str, scope: str | None) -> tuple[str | None, str | None]:
    """One typed scope read as `role` needs it: (unit code, cooperative code), the other None."""
    text = (scope or "").strip() or None
    return (None, text) if scoped_to_cooperative(role) else (text, None)


def plans(actor: Actor) -> bool:
    """Planners follow the figures of their scope: they read and export, and write nothing."""
    return actor.role == "planner"


def scope_unit(actor: Actor) -> Unit | None:
    """The unit a planner or officer acts in, on its map (None for admins, cooperatives, or a unit
    that is not on the map: such an account reaches nothing)."""
    if actor.role not in SCOPE_LEVELS or not actor.unit_code or actor.unit_map not in MAPS:
        return None
    return _scope(actor.role, actor.unit_code, actor.unit_map)


@cache
def _scope(role: str, code: str, on: str) -> Unit | None:
    return find_scope(code, on, SCOPE_LEVELS[role][on])


HOMED = ("cooperatives", "producers", "raw_material_areas", "buyers")

Home = tuple[str | None, str | None]  # a record's commune on 2025-01 and on 2025-07 (either may be None)
NOWHERE: Home = (None, None)


def home_of(record: dict[str, Any]) -> Home:
    """The communes a record is given by (docs/exchange-files.md, "Locations": one map or both)."""
    return (record.get("commune_code") or None, record.get("commune_code_2025_07") or None)


def placement(home: Home, on: str) -> Unit | None:
    """Where a record given by `home` lies on map `on` (docs/exchange-files.md, "Two maps"): its commune there if given,
    else where the crosswalk places its commune of the other map (`maps.placements`, one table per map pair built once
    per process: no package lookup per record). None for a record with no commune."""
    old, new = home
    given, other = (old, new) if on == OLD_MAP else (new, old)
    if given:
        place = map_data(on).communes.get(given)
        return place.unit if place else None
    if other:
        return placements(NEW_MAP if on == OLD_MAP else OLD_MAP, on).get(other)
    return None


def holds(scope: Unit, found: Iterable[Unit]) -> bool:
    """Whether a scope holds any of these places (all on the scope's map): a record placed in a
    province is the province's, not any of its communes' or districts' (`maps.unit_holds`)."""
    return any(unit_holds(scope, unit) for unit in found)


@dataclass
class Locator:
    """Where records lie, as stored and as they will be after the rows being written.

    `stored_*` hold the database's view; `homes` and `parties` start as copies of it and get the
    rows of an import laid over them (`importing.overlay`). A permission asks about both: a
    record must be in the actor's scope as it is and as it will be. Places are read from the maps
    of the package, loaded once per process, never from the database's geography tables.
    """

    session: Session
    homes: dict[tuple[str, str], Home] = field(default_factory=dict)  # (entity, code) -> communes, after
    parties: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # linkage -> {(type, code)}, after
    stored_homes: dict[tuple[str, str], Home] = field(default_factory=dict)
    stored_parties: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    stored_linkages: set[str] = field(default_factory=set)  # linkage codes the database holds
    memberships: dict[str, str | None] = field(default_factory=dict)  # producer -> its cooperative, after

    def lay_over(self, entity: str, record: dict[str, Any]) -> None:
        """A row being written: where it will lie (and a producer, whose member it will be)."""
        self.homes[(entity, record["code"])] = home_of(record)
        if entity == "producers":
            self.memberships[record["code"]] = record.get("cooperative_code") or None

    def cooperative_of(self, producer: str) -> str | None:
        """The cooperative a producer is a member of, as it will be."""
        if producer not in self.memberships:
            query = sa.select(col(Producer.cooperative_code)).where(col(Producer.code) == producer)
            self.memberships[producer] = self.session.execute(query).scalar_one_or_none()
        return self.memberships[producer]

    def is_stored(self, entity: str, code: str) -> bool:
        """Whether the database holds this homed record (every one of them has a commune)."""
        self.load_homes(entity, [code])
        return self.stored_homes[(entity, code)] != NOWHERE

    def load_homes(self, entity: str, codes: Iterable[str]) -> None:
        """Stored communes of these records (missing ones stay unknown)."""
        model: Any = BY_NAME[entity].model
        wanted = sorted({c for c in codes if (entity, c) not in self.stored_homes})
        for code in wanted:
            self.stored_homes[(entity, code)] = NOWHERE
        for chunk in chunked(wanted):
            query = sa.select(model.code, model.commune_code, model.commune_code_2025_07).where(model.code.in_(chunk))
            for code, old, new in self.session.execute(query):
                self.stored_homes[(entity, code)] = (old, new)
        for code in wanted:
            self.homes.setdefault((entity, code), self.stored_homes[(entity, code)])

    def load_parties(self, linkages: Iterable[str]) -> None:
        wanted = sorted({code for code in linkages if code not in self.stored_parties})
        for code in wanted:
            self.stored_parties[code] = set()
        for chunk in chunked(wanted):
            # A live linkage's live parties; an archived linkage's parties archived with it, so it
            # still lies where it lay and its officers can restore it or verify its archiving.
            query = (
                sa.select(col(LinkageParty.linkage_code), col(LinkageParty.party_type), col(LinkageParty.party_code))
                .join(Linkage, col(Linkage.code) == col(LinkageParty.linkage_code))
                .where(
                    col(LinkageParty.linkage_code).in_(chunk),
                    sa.or_(
                        sa.and_(col(Linkage.archived_at).is_(None), col(LinkageParty.archived_at).is_(None)),
                        col(LinkageParty.archived_at) == col(Linkage.archived_at),
                    ),
                )
            )
            for linkage, party_type, party_code in self.session.execute(query):
                self.stored_parties[linkage].add((party_type, party_code))
            self.stored_linkages |= set(
                self.session.execute(sa.select(col(Linkage.code)).where(col(Linkage.code).in_(chunk))).scalars()
            )
        for code in wanted:
            self.parties.setdefault(code, set()).update(self.stored_parties[code])
        homed = defaultdict(set)
        for code in wanted:
            for party_type, party_code in self.parties[code]:
                if party_type != "buyer":
                    homed[PARTY_ENTITY[party_type]].add(party_code)
        for entity, codes in homed.items():
            self.load_homes(entity, codes)

    def home_place(self, entity: str, code: str, on: str, stored: bool = False) -> Unit | None:
        """Where a homed record lies on map `on`."""
        self.load_homes(entity, [code])
        return placement((self.stored_homes if stored else self.homes).get((entity, code), NOWHERE), on)

    def linkage_places(self, linkage: str, on: str, stored: bool = False) -> set[Unit]:
        """Where a linkage lies on map `on`: wherever one of its cooperative, producer or area parties lies."""
        self.load_parties([linkage])
        parties = self.stored_parties[linkage] if stored else self.parties[linkage]
        found = {self.home_place(PARTY_ENTITY[t], c, on, stored) for t, c in parties if t != "buyer"}
        return {unit for unit in found if unit is not None}

    def is_member(self, linkage: str, cooperative: str) -> bool:
        """The cooperative takes part in the linkage as stored, or starts this new linkage now."""
        self.load_parties([linkage])
        party = ("cooperative", cooperative)
        if linkage in self.stored_linkages:
            return party in self.stored_parties[linkage]
        return party in self.parties[linkage]

    def linkages_naming(self, party_type: str, code: str, stored: bool = False) -> set[str]:
        """Linkages that list this party, as stored (or also in the rows being written)."""
        column = {"raw_material_area": LinkageParty.raw_material_area_code, "buyer": LinkageParty.buyer_code}[
            party_type
        ]
        found = set(
            self.session.execute(
                sa.select(col(LinkageParty.linkage_code)).where(
                    col(column) == code, col(LinkageParty.archived_at).is_(None)
                )
            ).scalars()
        )
        if not stored:
            found |= {linkage for linkage, parties in self.parties.items() if (party_type, code) in parties}
        return found


def places(locator: Locator, entity: str, record: dict[str, Any], stored: bool, on: str = OLD_MAP) -> set[Unit]:
    """The units of map `on` a record lies in (docs/indicators.md, "located", extended to every entity): a
    homed record at its placement there, a linkage wherever its parties lie."""
    if entity in HOMED:
        place = placement(home_of(record), on)
        if place is not None:
            return {place}
        if entity == "buyers":  # a buyer with no commune lies where the linkages naming it lie
            return {
                unit
                for lk in locator.linkages_naming("buyer", record["code"], stored)
                for unit in locator.linkage_places(lk, on, stored)
            }
        return set()
    if entity == "linkages":
        return locator.linkage_places(record["code"], on, stored)
    # A stored party row of a cooperative, producer or area lies where that party lies: its officer
    # may take it out of a linkage, and no other can, even one whose unit the linkage also reaches.
    if entity == "linkage_parties" and stored and record["party_type"] != "buyer":
        own = locator.home_place(PARTY_ENTITY[record["party_type"]], record["party_code"], on, stored)
        return {own} if own else set()
    # Otherwise it lies where its linkage lies without the rows being written: adding one's own
    # producer to another unit's linkage does not make that linkage one's own.
    linkage = record["linkage_code"]
    locator.load_parties([linkage])
    return locator.linkage_places(linkage, on, stored=stored or linkage in locator.stored_linkages)


def settles(scope: Unit, entity: str, record: dict[str, Any]) -> bool:
    """A record placed on the scope's map above the commune (given by a split commune of the other map)
    one of whose candidate communes the scope holds: the scope may settle it (docs/exchange-files.md, "Locations": fill
    its commune on this map), so it reads it, and writes it as stored — as it will be it must then lie in the scope like
    any other write (the settling list of a commune officer)."""
    if entity not in HOMED:
        return False
    old, new = home_of(record)
    given, other_map = (old, OLD_MAP) if scope.map == NEW_MAP else (new, NEW_MAP)
    place = placement((old, new), scope.map)
    if place is None or place.level == "commune" or not given:
        return False
    commune = map_data(other_map).communes.get(given)
    return commune is not None and holds(scope, crosswalk().candidates(commune.unit))


def may_place_in(actor: Actor, unit: Unit) -> bool:
    """Whether the actor may save a record it reads as lying in `unit` (a candidate commune it settles a
    record into): admins anywhere, officers where their scope holds it (`officer_may`), nobody else."""
    if is_admin(actor):
        return True
    scope = scope_unit(actor)
    return actor.role == "officer" and scope is not None and scope.map == unit.map and unit_holds(scope, unit)


def party_place(locator: Locator, record: dict[str, Any], on: str) -> Unit | None:
    """Where the cooperative, producer or raw material area a `linkage_parties` row attaches lies on
    map `on`, as it will be (None for a buyer, which lies nowhere of its own)."""
    if record["party_type"] == "buyer":
        return None
    return locator.home_place(PARTY_ENTITY[record["party_type"]], record["party_code"], on)


def officer_attaches(locator: Locator, scope: Unit, record: dict[str, Any]) -> bool:
    """Attaching a cooperative, producer or area to a linkage is a write on that party's unit: the
    party must lie in the officer's unit (its linkage too, as for any party row). A buyer is shared by
    every linkage and attached by the linkage's officer."""
    if record["party_type"] == "buyer":
        return True
    place = party_place(locator, record, scope.map)
    return place is not None and unit_holds(scope, place)


def cooperative_attaches(locator: Locator, cooperative: str, record: dict[str, Any]) -> bool:
    """A cooperative attaches to its linkages only what is its own: itself, its member producers (as
    they will be), a raw material area new with this row or named only by its own linkages, and
    buyers (shared). Anything else is attached by the officer of the unit where it lies."""
    kind, code = record["party_type"], record["party_code"]
    if kind == "buyer":
        return True
    if kind == "cooperative":
        return bool(code == cooperative)
    if kind == "producer":
        return locator.cooperative_of(code) == cooperative
    if not locator.is_stored("raw_material_areas", code):
        return True
    linked = locator.linkages_naming("raw_material_area", code, stored=True)
    return bool(linked) and all(locator.is_member(lk, cooperative) for lk in linked)


def whom_to_ask(locator: Locator, actor: Actor, record: dict[str, Any]) -> dict[str, object] | None:
    """For a `linkage_parties` row refused because the party is not the actor's to attach: the party
    and the unit whose officer attaches it (on the actor's map; today's for a cooperative), for the
    refusal to name. None when the party is not the reason (the linkage is not the actor's either)."""
    if actor.role == "cooperative" and actor.cooperative_code:
        mine = locator.is_member(record["linkage_code"], actor.cooperative_code)
        if not mine or cooperative_attaches(locator, actor.cooperative_code, record):
            return None
        on = NEW_MAP
    else:
        scope = scope_unit(actor)
        if actor.role != "officer" or scope is None or officer_attaches(locator, scope, record):
            return None
        if not holds(scope, places(locator, "linkage_parties", record, stored=False, on=scope.map)):
            return None  # the linkage is not the officer's either: the plain refusal says so
        on = scope.map
    place = party_place(locator, record, on)
    if place is not None and place.map == OLD_MAP and place.level == "commune":  # officers of 2025-01 are a district's
        place = map_data(OLD_MAP).districts[map_data(OLD_MAP).communes[place.code].district].unit
    unit = f"{place.name} ({place.code}, {place.map})" if place is not None else "?"
    return {"party": record["party_code"], "unit": unit}


def officer_may(locator: Locator, scope: Unit, entity: str, old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    """An officer edits what lies in its unit on its map, as stored and as it will be (a record it
    `settles` counts as its own as stored); a new buyer with no commune may be registered by any
    officer (it lies nowhere until a linkage names it). A new party row also needs its party in the
    unit (`officer_attaches`)."""
    if entity in REFERENCE:
        return False
    if entity == "linkage_parties" and old is None and not officer_attaches(locator, scope, new):
        return False
    if old is None and entity == "buyers" and home_of(new) == NOWHERE:
        return True
    as_stored = old is None or holds(scope, places(locator, entity, old, stored=True, on=scope.map))
    if old is not None and not (as_stored or settles(scope, entity, old)):
        return False
    return holds(scope, places(locator, entity, new, stored=False, on=scope.map))


def cooperative_sees(locator: Locator, cooperative: str, entity: str, record: dict[str, Any], stored: bool) -> bool:
    """A cooperative's own sphere: itself, its members, the linkages it takes part in with their
    parties and adoptions, and those linkages' raw material areas."""
    if entity == "cooperatives":
        return bool(record["code"] == cooperative)
    if entity == "producers":
        return bool(record.get("cooperative_code") == cooperative)
    if entity == "linkages":
        return locator.is_member(record["code"], cooperative)
    if entity in ("linkage_parties", "digital_adoptions"):
        return locator.is_member(record["linkage_code"], cooperative)
    if entity == "raw_material_areas":
        linked = locator.linkages_naming("raw_material_area", record["code"], stored)
        return any(locator.is_member(code, cooperative) for code in linked)
    return False


def cooperative_owns_area(locator: Locator, cooperative: str, code: str, stored: bool) -> bool:
    """An area it may change: every linkage naming it is its own (an area shared with another
    cooperative's linkage is read, not changed, by each of them)."""
    linked = locator.linkages_naming("raw_material_area", code, stored)
    return bool(linked) and all(locator.is_member(lk, cooperative) for lk in linked)


def cooperative_may(
    locator: Locator, cooperative: str, entity: str, old: dict[str, Any] | None, new: dict[str, Any]
) -> bool:
    """In its sphere as stored and as it will be: a new raw material area only together with the
    party row that puts it into one of its linkages; a new linkage only with itself as a party. It
    may register a new buyer it sells to (buyers are shared, so it may not change existing ones). A
    new party row attaches only what is its own (`cooperative_attaches`)."""
    if entity == "buyers":
        return old is None
    if entity == "linkage_parties" and old is None and not cooperative_attaches(locator, cooperative, new):
        return False
    if entity == "raw_material_areas":
        if old is not None and not cooperative_owns_area(locator, cooperative, old["code"], stored=True):
            return False
        return cooperative_owns_area(locator, cooperative, new["code"], stored=False)
    if old is not None and not cooperative_sees(locator, cooperative, entity, old, stored=True):
        return False
    return cooperative_sees(locator, cooperative, entity, new, stored=False)


def is_admin(actor: Actor) -> bool:
    """Administrators (and the command line) act on every record, account and reference list."""
    return actor.role == "admin"


def require_admin(actor: Actor) -> None:
    """Accounts, identities and reference data are managed by administrators only."""
    if not is_admin(actor):
        raise Refused("admin_only")


def scope_text(actor: Actor) -> str:
    """The actor's scope as a refusal names it: a unit with its map, or a cooperative's code."""
    if actor.cooperative_code:
        return actor.cooperative_code
    return f"{actor.unit_code} ({actor.unit_map})" if actor.unit_code else ""


def refusal(actor: Actor) -> Refused:
    """The plain refusal of something outside the actor's scope."""
    return Refused("not_in_scope", role=actor.role, scope=scope_text(actor))


def may_import(actor: Actor) -> bool:
    """Planners read and export; every other role sends files (each row then checked against its
    scope). Cooperatives too: a cooperative with hundreds of member households keeps them in a
    spreadsheet, and a file obeys exactly the rules of its forms (reported, then verified). The app's
    exchange page is offered by this same rule (`PAGE_ROLES`)."""
    return actor.role in ("admin", "officer", "cooperative")


def may_import_office_lists(actor: Actor) -> bool:
    """Office lists (docs/office-lists.md) name records of many places by address: they are an
    office's own lists, read by administrators and officers; a cooperative sends its records as
    exchange files or forms."""
    return actor.role in ("admin", "officer")


def may_export(actor: Actor) -> bool:
    """Everyone signed in exports what they may read (`readable`): a cooperative its own sphere."""
    return actor.role in ("admin", "planner", "officer", "cooperative")


def may_start_linkage(actor: Actor) -> bool:
    """Starting a linkage with itself as a party is a cooperative's own form."""
    return actor.role == "cooperative" and bool(actor.cooperative_code)


def reporting_cooperative(actor: Actor) -> str | None:
    """The cooperative whose changes wait for an officer (None: the change counts as verified)."""
    return actor.cooperative_code if actor.role == "cooperative" and actor.cooperative_code else None


def has_review_queue(actor: Actor) -> bool:
    """Who sees reviews: officers and admins the ones they verify, cooperatives what they reported."""
    return actor.role in ("admin", "officer", "cooperative")


def may_write(locator: Locator, actor: Actor, entity: str, old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    if actor.role == "admin":
        return True
    scope = scope_unit(actor)
    if actor.role == "officer" and scope is not None:
        return officer_may(locator, scope, entity, old, new)
    if actor.role == "cooperative" and actor.cooperative_code:
        return cooperative_may(locator, actor.cooperative_code, entity, old, new)
    return False


def in_reading_scope(locator: Locator, actor: Actor, entity: str, record: dict[str, Any]) -> bool:
    """Reading: admins everything; planners and officers what lies in their unit on their map (the
    country, a province, a district of 2025-01, a commune of 2025-07); cooperatives their own sphere.
    Reference data and buyers are readable by everyone."""
    if actor.role == "admin" or entity in REFERENCE or entity == "buyers":
        return True  # buyers are enterprises every linkage may name, not any cooperative's data
    if actor.role == "cooperative":
        return bool(actor.cooperative_code) and cooperative_sees(
            locator, str(actor.cooperative_code), entity, record, stored=False
        )
    scope = scope_unit(actor)
    if scope is None:
        return False
    if scope.level == "national" or holds(scope, places(locator, entity, record, stored=False, on=scope.map)):
        return True
    return actor.role == "officer" and settles(scope, entity, record)


def readable(session: Session, actor: Actor, entity: str, records: list[dict[str, Any]]) -> list[bool]:
    """Which of these records (column -> value) the actor may read, with one locator for them all."""
    locator = Locator(session)
    if actor.role != "admin":
        linkage_column = "code" if entity == "linkages" else "linkage_code"
        if linkage_column in BY_NAME[entity].column_names:
            locator.load_parties({r[linkage_column] for r in records})
    return [in_reading_scope(locator, actor, entity, r) for r in records]


def check_rows(
    locator: Locator,
    actor: Actor,
    entity: str,
    rows: list[tuple[int, dict[str, Any] | None, dict[str, Any]]],
    unchanged: list[tuple[int, dict[str, Any]]] | None = None,
) -> list[int]:
    """Row numbers of (number, stored, new) rows the actor may not write, and of `unchanged` rows
    (number, the record as stored and sent again) it may not read. A row that changes nothing is no
    write and needs no right to change the record (the settling list comes back with its unfilled
    rows as they were), only the right to read it: the file then tells nothing of a record the actor
    could not read."""
    if not may_import(actor):
        return sorted([number for number, _, _ in rows] + [number for number, _ in unchanged or []])
    if reporting_cooperative(actor) and entity in HOMED:
        locator.load_homes(entity, [new["code"] for _, _, new in rows])
    refused = [number for number, old, new in rows if not may_write(locator, actor, entity, old, new)]
    if unchanged:
        linkage_column = "code" if entity == "linkages" else "linkage_code"
        if actor.role != "admin" and linkage_column in BY_NAME[entity].column_names:
            locator.load_parties({r[linkage_column] for _, r in unchanged})
        refused += [number for number, r in unchanged if not in_reading_scope(locator, actor, entity, r)]
    return sorted(refused)


def officers_today() -> sa.Select[str | None]:
    """The units of the enabled officer accounts of today's map: a commune's code (5 digits) never
    equals a province's (2)."""
    return sa.select(col(UserAccount.unit_code)).where(
        col(UserAccount.role) == "officer",
        col(UserAccount.unit_map) == NEW_MAP,
        col(UserAccount.disabled).is_(False),
        col(UserAccount.unit_code).is_not(None),
    )


# The moment the district offices closed: 1 July 2025, 00:00 in Vietnam (UTC+7). A change reported
# before it went to the district's agriculture office, and a district office's account verifies those
# still waiting; a change reported since goes to today's offices.
REFORM_MOMENT = datetime(2025, 6, 30, 17, 0, tzinfo=UTC)


def verifying_unit(commune_2025_07: str | None, province_2025_07: str | None, officers: Iterable[str]) -> Unit | None:
    """Whose office verifies what a cooperative placed here reports now (its commune and province on
    today's map), given the units of `officers_today`: the commune's economic office where it has an
    officer account, else the province's Department of Agriculture and Environment (whose officers
    verify it once they have an account; until then an administrator). The district offices closed
    with the reform: they are never named for a change reported today. None: placed nowhere."""
    if commune_2025_07 and commune_2025_07 in set(officers):
        return Unit(NEW_MAP, "commune", commune_2025_07)
    return Unit(NEW_MAP, "province", province_2025_07) if province_2025_07 else None


def verifies(actor: Actor) -> sa.ColumnElement[bool]:
    """The reviews this actor verifies, as a condition on `review` (`verifying_unit`): changes reported
    since the reform go to the officers of today's map whose unit holds the reporting cooperative's
    place, a commune's before its province's (decided when the queue is read, from the accounts that
    exist then, so an account added later takes over what waits); a district office's account of
    2025-01 keeps the changes of its district reported before the reform. Admins verify everything;
    nobody else anything."""
    if is_admin(actor):
        return sa.true()
    scope = scope_unit(actor)
    if actor.role != "officer" or scope is None:
        return sa.false()
    reported = col(Review.updated_at)
    commune, province = col(Review.commune_2025_07), col(Review.province_2025_07)
    if scope.map == NEW_MAP and scope.level == "commune":
        return sa.and_(reported >= REFORM_MOMENT, commune == scope.code)
    if scope.map == NEW_MAP and scope.level == "province":
        no_commune_officer = sa.or_(commune.is_(None), commune.not_in(officers_today()))
        return sa.and_(reported >= REFORM_MOMENT, province == scope.code, no_commune_officer)
    return sa.and_(reported < REFORM_MOMENT, col(Review.district_code) == scope.code)


def may_verify(session: Session, actor: Actor, entity: str, key: str) -> bool:
    """Whether the actor verifies (or sends back) this review now (`verifies`)."""
    found = session.execute(
        sa.select(col(Review.entity)).where(
            col(Review.entity) == entity, col(Review.record_key) == key, verifies(actor)
        )
    ).first()
    return found is not None


def sees_whole_country(actor: Actor) -> bool:
    """Admins and national planners: every unit is theirs, none comes first."""
    return actor.role == "admin" or (actor.role == "planner" and actor.unit_code == "VN")


def home_units(actor: Actor) -> list[Unit]:
    """The units an actor's lists start with, its own first: an officer's district or commune; a
    province (a planner's, or a provincial department's officer's), then the units below it on its map
    (districts on 2025-01, communes on 2025-07), by code; none for the whole country
    (`sees_whole_country`) or a cooperative."""
    scope = scope_unit(actor)
    if scope is None or scope.level == "national":
        return []
    if scope.level == "province":
        data = map_data(scope.map)
        below = data.districts if scope.map == OLD_MAP else data.communes
        return [scope, *(p.unit for _, p in sorted(below.items()) if p.province == scope.code)]
    return [scope]


def home_unit(locator: Locator, actor: Actor, on: str = OLD_MAP) -> Unit | None:
    """Where an actor's own figures are: a planner's or officer's unit (on its own map); for a
    cooperative, where its office lies on map `on` (on 2025-01 its district); None for the whole country."""
    scope = scope_unit(actor)
    if scope is not None:
        return None if scope.level == "national" else scope
    cooperative = reporting_cooperative(actor)
    if cooperative is None:
        return None
    place = locator.home_place("cooperatives", cooperative, on)
    if place is not None and on == OLD_MAP and place.level == "commune":
        return map_data(OLD_MAP).districts[map_data(OLD_MAP).communes[place.code].district].unit
    return place


def as_on(unit: Unit, on: str) -> Unit:
    """The smallest unit of map `on` holding all of `unit` (a unit of either map): a commune where the
    crosswalk places it; an old district or province in the new province its old province went into
    (whole, docs/exchange-files.md, "Two maps"); a new province in the old province it was, when it was one; else the
    country."""
    if unit.map == on:
        return unit
    if unit.level == "national":
        return national(on)
    if unit.level == "commune":
        return placements(unit.map, on).get(unit.code) or national(on)
    if unit.map == OLD_MAP:
        went = province_crosswalk().get(map_data(OLD_MAP).province_of(unit), ())
        return map_data(NEW_MAP).provinces[went[0]].unit if len(went) == 1 else national(on)
    came = [old for old, went in province_crosswalk().items() if went == (unit.code,)]
    return map_data(OLD_MAP).provinces[came[0]].unit if len(came) == 1 else national(on)


def may_view_unit(actor: Actor, unit_code: str, map_name: str = OLD_MAP) -> bool:
    """Whose graphs and lists an actor may open: admins and national planners any unit of either map;
    a planner or officer a unit its own unit holds, read on its map (a province planner of 2025-07
    opens its communes, and the old districts and provinces it took in whole)."""
    if sees_whole_country(actor):
        return True
    scope = scope_unit(actor)
    unit = find_scope(unit_code, map_name, MAP_LEVELS[map_name]) if map_name in MAPS else None
    if scope is None or unit is None:
        return False
    return unit_holds(scope, as_on(unit, scope.map))


def require_unit_view(session: Session, actor: Actor, unit_code: str, map_name: str = OLD_MAP) -> None:
    """Refuse a unit's graph or lists to an actor who may not open it (see `may_view_unit`)."""
    if not may_view_unit(actor, unit_code, map_name):
        raise refusal(actor)


def readable_linkages(session: Session, actor: Actor, codes: Iterable[str]) -> set[str]:
    """The linkages among `codes` the actor may read (all of them for admins and national planners)."""
    wanted = set(codes)
    if sees_whole_country(actor):
        return wanted
    locator = Locator(session)
    locator.load_parties(wanted)
    return {code for code in wanted if in_reading_scope(locator, actor, "linkages", {"code": code})}


# Which roles open which page of the app, in menu order. The app's navigation lists these pages and
# every page asks `may_open` before it shows anything, so the two can never disagree.
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "coverage": ("admin", "planner", "officer", "cooperative"),
    "graph": ("admin", "planner", "officer"),
    "my_cooperative": ("cooperative",),
    "verification": ("admin", "officer"),
    "settling": ("admin", "officer"),
    # The one rule of the domain decides the menu too: whoever may send files or export them.
    "exchange": tuple(role for role in ROLES if may_import(Actor("", role)) or may_export(Actor("", role))),
    "users": ("admin",),
    "account": ("admin", "planner", "officer", "cooperative"),
}
OPEN_PAGES = ("home", "forbidden")  # anyone, signed in or not
SIGNED_OUT_PAGES = ("login",)


def pages_for(actor: Actor | None) -> list[str]:
    """The role pages an actor opens, in menu order; none for a visitor who has not signed in.

    >>> pages_for(Actor("lan", "officer", "058"))
    ['coverage', 'graph', 'verification', 'settling', 'exchange', 'account']
    """
    if actor is None:
        return []
    return [page for page, roles in PAGE_ROLES.items() if actor.role in roles]


def may_open(actor: Actor | None, page: str) -> bool:
    """Whether `page` (a file name in `pages/` without `.py`) is for this visitor; unknown pages are for nobody."""
    if page in OPEN_PAGES:
        return True
    if page in SIGNED_OUT_PAGES:
        return actor is None
    return page in pages_for(actor)
