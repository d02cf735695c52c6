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

from linkage.accounts import Actor
from linkage.errors import Refused
from linkage.exchange.spec import PARTY_ENTITY
from linkage.models import Commune, District, LinkageParty, Producer

REFERENCE = ("products", "province_key_products")
HOMED = ("cooperatives", "producers", "raw_material_areas", "buyers")
CHUNK = 5000


def record_key(entity_key: tuple[str, ...], record: dict[str, Any]) -> str:
    """The one-string key history and reviews use: the code, or the key columns joined by `|`."""
    from linkage.exchange.values import format_value

    return "|".join(format_value(record[k]) for k in entity_key)


@dataclass
class Locator:
    """Districts of records, from stored data overlaid with the rows about to be written."""

    session: Session
    homes: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (entity, code) -> commune
    parties: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # linkage -> {(party_type, code)}
    _commune_district: dict[str, str] = field(default_factory=dict)

    def district(self, commune: str | None) -> str | None:
        if commune is None:
            return None
        if not self._commune_district:
            rows = self.session.execute(sa.select(col(Commune.code), col(Commune.district_code)))
            self._commune_district = {c: d for c, d in rows}
        return self._commune_district.get(commune)

    def load_homes(self, entity: str, codes: Iterable[str]) -> None:
        """Stored communes of these records (missing ones stay unknown)."""
        from linkage.exchange.spec import BY_NAME

        model: Any = BY_NAME[entity].model
        wanted = sorted({c for c in codes if (entity, c) not in self.homes})
        for start in range(0, len(wanted), CHUNK):
            query = sa.select(model.code, model.commune_code).where(model.code.in_(wanted[start : start + CHUNK]))
            for code, commune in self.session.execute(query):
                self.homes[(entity, code)] = commune

    def load_parties(self, linkages: Iterable[str]) -> None:
        wanted = sorted({code for code in linkages if code not in self.parties})
        for code in wanted:
            self.parties[code] = set()
        for start in range(0, len(wanted), CHUNK):
            query = sa.select(
                col(LinkageParty.linkage_code), col(LinkageParty.party_type), col(LinkageParty.party_code)
            ).where(
                col(LinkageParty.linkage_code).in_(wanted[start : start + CHUNK]),
                col(LinkageParty.archived_at).is_(None),
            )
            for linkage, party_type, party_code in self.session.execute(query):
                self.parties[linkage].add((party_type, party_code))
        homed = defaultdict(set)
        for code in wanted:
            for party_type, party_code in self.parties[code]:
                if party_type != "buyer":
                    homed[PARTY_ENTITY[party_type]].add(party_code)
        for entity, codes in homed.items():
            self.load_homes(entity, codes)

    def home_district(self, entity: str, code: str) -> str | None:
        return self.district(self.homes.get((entity, code)))

    def linkage_districts(self, linkage: str) -> set[str]:
        self.load_parties([linkage])
        found = {self.home_district(PARTY_ENTITY[t], c) for t, c in self.parties[linkage] if t != "buyer"}
        return {d for d in found if d}

    def cooperative_in(self, linkage: str, cooperative: str) -> bool:
        self.load_parties([linkage])
        return ("cooperative", cooperative) in self.parties[linkage]


def officer_may(locator: Locator, district: str, entity: str, old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    """An officer edits what lies in its district; a homed record must stay there."""
    if entity in REFERENCE:
        return False
    if entity in HOMED:
        found = {locator.district(new.get("commune_code"))}
        if old is not None:
            found.add(locator.district(old.get("commune_code")))
        return {d for d in found if d} <= {district}
    if entity == "linkages":
        places = locator.linkage_districts(new["code"])
        return not places or district in places
    places = locator.linkage_districts(new["linkage_code"])
    if entity == "linkage_parties" and new["party_type"] != "buyer":
        own = locator.home_district(PARTY_ENTITY[new["party_type"]], new["party_code"])
        if own:
            places = places | {own}
    return not places or district in places


def cooperative_may(
    locator: Locator, cooperative: str, entity: str, old: dict[str, Any] | None, new: dict[str, Any]
) -> bool:
    """A cooperative edits itself, its members, and the linkages it takes part in with their details."""
    if entity == "cooperatives":
        return new["code"] == cooperative
    if entity == "producers":
        return new.get("cooperative_code") == cooperative and (
            old is None or old.get("cooperative_code") == cooperative
        )
    if entity == "linkages":
        return locator.cooperative_in(new["code"], cooperative)
    if entity in ("linkage_parties", "digital_adoptions"):
        return locator.cooperative_in(new["linkage_code"], cooperative)
    if entity == "raw_material_areas":
        if old is None:
            return True  # a new area, to be added to one of its linkages
        linked = locator.session.execute(
            sa.select(col(LinkageParty.linkage_code)).where(
                col(LinkageParty.raw_material_area_code) == new["code"], col(LinkageParty.archived_at).is_(None)
            )
        ).scalars()
        return any(locator.cooperative_in(code, cooperative) for code in linked)
    return False


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
    cooperatives what they may edit. Reference data is readable by everyone."""
    if actor.role == "admin" or entity in REFERENCE or entity == "buyers":
        return True  # buyers are enterprises every linkage may name, not any cooperative's data
    if actor.role == "cooperative":
        return may_write(locator, actor, entity, record, record)
    places: set[str]
    if entity in HOMED:
        places = {d for d in [locator.district(record.get("commune_code"))] if d}
    elif entity == "linkages":
        places = locator.linkage_districts(record["code"])
    else:
        places = locator.linkage_districts(record["linkage_code"])
    if actor.role == "officer":
        return actor.unit_code in places
    if actor.role == "planner":
        if actor.unit_code == "VN":
            return True
        provinces = {
            p
            for p in locator.session.execute(
                sa.select(col(District.province_code)).where(col(District.code).in_(sorted(str(d) for d in places)))
            ).scalars()
        }
        return actor.unit_code in provinces
    return False


def check_rows(
    locator: Locator, actor: Actor, entity: str, rows: list[tuple[int, dict[str, Any] | None, dict[str, Any]]]
) -> list[int]:
    """Row numbers of (number, stored, new) rows the actor may not write."""
    if actor.role == "planner":
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
    province = session.execute(sa.select(col(District.province_code)).where(col(District.code) == unit_code)).scalar()
    if not may_view_unit(actor, unit_code, {unit_code: province} if province else {}):
        raise Refused("not_in_scope", role=actor.role, scope=actor.unit_code or actor.cooperative_code or "")
