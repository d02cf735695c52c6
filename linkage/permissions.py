"""Who may read and change which records: roles scoped to the administrative map.

Every domain function that reads or writes user data asks here, so the app, the command line and
any future interface apply the same rules. Where a record "lies" is computed set-based by
`Locator` from stored records and the rows being written:

- cooperatives, producers, raw material areas, buyers: the district of their commune (a buyer
  without a commune lies nowhere);
- linkages: every district holding one of their cooperative, producer or raw-material-area parties;
- linkage parties: their linkage's districts and the party's own; adoptions: their linkage's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from linkage.actor import Actor
from linkage.db import chunked
from linkage.errors import Refused
from linkage.exchange.spec import BY_NAME, PARTY_ENTITY
from linkage.models import Commune, District, Linkage, LinkageParty, Producer

REFERENCE = ("products", "province_key_products")
HOMED = ("cooperatives", "producers", "raw_material_areas", "buyers")


@dataclass
class Locator:
    """Where records lie, as stored and as they will be after the rows being written.

    `stored_*` hold the database's view; `homes` and `parties` start as copies of it and get the
    rows of an import laid over them (`importing.overlay`). A permission asks about both: a
    record must be in the actor's scope as it is and as it will be.
    """

    session: Session
    homes: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (entity, code) -> commune, after
    parties: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # linkage -> {(type, code)}, after
    stored_homes: dict[tuple[str, str], str | None] = field(default_factory=dict)
    stored_parties: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    stored_linkages: set[str] = field(default_factory=set)  # linkage codes the database holds
    _commune_district: dict[str, str] = field(default_factory=dict)
    _district_province: dict[str, str] = field(default_factory=dict)

    def province(self, district: str) -> str | None:
        """The province of a district (the map is read once per locator, not once per record)."""
        if not self._district_province:
            rows = self.session.execute(sa.select(col(District.code), col(District.province_code)))
            self._district_province = {d: p for d, p in rows}
        return self._district_province.get(district)

    def district(self, commune: str | None) -> str | None:
        if commune is None:
            return None
        if not self._commune_district:
            rows = self.session.execute(sa.select(col(Commune.code), col(Commune.district_code)))
            self._commune_district = {c: d for c, d in rows}
        return self._commune_district.get(commune)

    def load_homes(self, entity: str, codes: Iterable[str]) -> None:
        """Stored communes of these records (missing ones stay unknown)."""
        model: Any = BY_NAME[entity].model
        wanted = sorted({c for c in codes if (entity, c) not in self.stored_homes})
        for code in wanted:
            self.stored_homes[(entity, code)] = None
        for chunk in chunked(wanted):
            query = sa.select(model.code, model.commune_code).where(model.code.in_(chunk))
            for code, commune in self.session.execute(query):
                self.stored_homes[(entity, code)] = commune
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

    def home_district(self, entity: str, code: str, stored: bool = False) -> str | None:
        self.load_homes(entity, [code])
        return self.district((self.stored_homes if stored else self.homes).get((entity, code)))

    def linkage_districts(self, linkage: str, stored: bool = False) -> set[str]:
        self.load_parties([linkage])
        parties = self.stored_parties[linkage] if stored else self.parties[linkage]
        found = {self.home_district(PARTY_ENTITY[t], c, stored) for t, c in parties if t != "buyer"}
        return {d for d in found if d}

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


def places(locator: Locator, entity: str, record: dict[str, Any], stored: bool) -> set[str]:
    """The districts a record lies in (CONTRACT §3 locations, extended to every entity)."""
    if entity in HOMED:
        district = locator.district(record.get("commune_code"))
        if district:
            return {district}
        if entity == "buyers":  # a buyer with no commune lies where the linkages naming it lie
            return {
                d
                for lk in locator.linkages_naming("buyer", record["code"], stored)
                for d in locator.linkage_districts(lk, stored)
            }
        return set()
    if entity == "linkages":
        return locator.linkage_districts(record["code"], stored)
    # A stored party row of a cooperative, producer or area lies where that party lies: its district
    # may take it out of a linkage, and no other district can, even one the linkage also reaches.
    if entity == "linkage_parties" and stored and record["party_type"] != "buyer":
        own = locator.home_district(PARTY_ENTITY[record["party_type"]], record["party_code"], stored)
        return {own} if own else set()
    # Otherwise it lies where its linkage lies without the rows being written: adding one's own
    # producer to another district's linkage does not make that linkage one's own.
    linkage = record["linkage_code"]
    locator.load_parties([linkage])
    return locator.linkage_districts(linkage, stored=stored or linkage in locator.stored_linkages)


def officer_may(locator: Locator, district: str, entity: str, old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    """An officer edits what lies in its district, as stored and as it will be; a new buyer with no
    commune may be registered by any officer (it lies nowhere until a linkage names it)."""
    if entity in REFERENCE:
        return False
    if old is None and entity == "buyers" and not new.get("commune_code"):
        return True
    if old is not None and district not in places(locator, entity, old, stored=True):
        return False
    return district in places(locator, entity, new, stored=False)


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
    may register a new buyer it sells to (buyers are shared, so it may not change existing ones)."""
    if entity == "buyers":
        return old is None
    if entity == "raw_material_areas":
        if old is not None and not cooperative_owns_area(locator, cooperative, old["code"], stored=True):
            return False
        return cooperative_owns_area(locator, cooperative, new["code"], stored=False)
    if old is not None and not cooperative_sees(locator, cooperative, entity, old, stored=True):
        return False
    return cooperative_sees(locator, cooperative, entity, new, stored=False)


def may_import(actor: Actor) -> bool:
    """Planners read and export; every other role may send files (each row then checked)."""
    return actor.role in ("admin", "officer", "cooperative")


def may_write(locator: Locator, actor: Actor, entity: str, old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    if actor.role == "admin":
        return True
    if actor.role == "officer" and actor.unit_code:
        return officer_may(locator, actor.unit_code, entity, old, new)
    if actor.role == "cooperative" and actor.cooperative_code:
        return cooperative_may(locator, actor.cooperative_code, entity, old, new)
    return False


def in_reading_scope(locator: Locator, actor: Actor, entity: str, record: dict[str, Any]) -> bool:
    """Reading: admins everything; planners their country or province; officers their district;
    cooperatives their own sphere. Reference data and buyers are readable by everyone."""
    if actor.role == "admin" or entity in REFERENCE or entity == "buyers":
        return True  # buyers are enterprises every linkage may name, not any cooperative's data
    if actor.role == "cooperative":
        return bool(actor.cooperative_code) and cooperative_sees(
            locator, str(actor.cooperative_code), entity, record, stored=False
        )
    found = places(locator, entity, record, stored=False)
    if actor.role == "officer":
        return actor.unit_code in found
    if actor.role == "planner":
        if actor.unit_code == "VN":
            return True
        return actor.unit_code in {locator.province(d) for d in found}
    return False


def readable(session: Session, actor: Actor, entity: str, records: list[dict[str, Any]]) -> list[bool]:
    """Which of these records (column -> value) the actor may read, with one locator for them all."""
    locator = Locator(session)
    if actor.role != "admin":
        linkage_column = "code" if entity == "linkages" else "linkage_code"
        if linkage_column in BY_NAME[entity].column_names:
            locator.load_parties({r[linkage_column] for r in records})
    return [in_reading_scope(locator, actor, entity, r) for r in records]


def check_rows(
    locator: Locator, actor: Actor, entity: str, rows: list[tuple[int, dict[str, Any] | None, dict[str, Any]]]
) -> list[int]:
    """Row numbers of (number, stored, new) rows the actor may not write."""
    if not may_import(actor):
        return [number for number, _, _ in rows]
    if actor.role == "cooperative" and entity in HOMED:
        locator.load_homes(entity, [new["code"] for _, _, new in rows])
    return [number for number, old, new in rows if not may_write(locator, actor, entity, old, new)]


def require(allowed: bool, key: str = "not_in_scope", **params: object) -> None:
    if not allowed:
        raise Refused(key, **params)


def members_of(session: Session, cooperative: str) -> list[str]:
    return list(
        session.execute(
            sa.select(col(Producer.code)).where(
                col(Producer.cooperative_code) == cooperative, col(Producer.archived_at).is_(None)
            )
        ).scalars()
    )


def may_view_unit(actor: Actor, unit_code: str, province_of_district: dict[str, str]) -> bool:
    """Whose graphs an actor may open: admins and national planners any unit, a province planner its
    province and its districts, an officer its district."""
    if actor.role == "admin" or (actor.role == "planner" and actor.unit_code == "VN"):
        return True
    if actor.role == "planner":
        return unit_code == actor.unit_code or province_of_district.get(unit_code) == actor.unit_code
    if actor.role == "officer":
        return unit_code == actor.unit_code
    return False


def require_unit_view(session: Session, actor: Actor, unit_code: str) -> None:
    """Refuse a unit's graph or lists to an actor who may not open it (see `may_view_unit`)."""
    province = Locator(session).province(unit_code)
    if not may_view_unit(actor, unit_code, {unit_code: province} if province else {}):
        raise Refused("not_in_scope", role=actor.role, scope=actor.unit_code or actor.cooperative_code or "")


def readable_linkages(session: Session, actor: Actor, codes: Iterable[str]) -> set[str]:
    """The linkages among `codes` the actor may read (all of them for admins and national planners)."""
    wanted = set(codes)
    if actor.role == "admin" or (actor.role == "planner" and actor.unit_code == "VN"):
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
    "exchange": ("admin", "planner", "officer"),
    "users": ("admin",),
    "account": ("admin", "planner", "officer", "cooperative"),
}
OPEN_PAGES = ("home", "forbidden")  # anyone, signed in or not
SIGNED_OUT_PAGES = ("login",)


def pages_for(actor: Actor | None) -> list[str]:
    """The role pages an actor opens, in menu order; none for a visitor who has not signed in.

    >>> pages_for(Actor("lan", "officer", "058"))
    ['coverage', 'graph', 'verification', 'exchange', 'account']
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
