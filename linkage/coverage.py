"""The three digital-economy indicators of Decision 924/QD-TTg, exactly as CONTRACT §3 defines them.

The stored records are read once into `Facts` (a few compact DataFrames); each as-of date is
then a handful of vectorised filters and group-bys over every unit at once, so a trend over
five year ends costs one read, not five. Dates are compared as proleptic ordinals.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from linkage.actor import Actor
from linkage.db import CHUNK, EVERYTHING, data_version, read_frame, read_session, schema_is_current
from linkage.exchange.spec import BY_NAME, PARTY_COLUMN, PARTY_ENTITY
from linkage.exchange.values import shield
from linkage.geography import LEVELS, NATIONAL_CODE, NATIONAL_NAME, Geography, read_geography
from linkage.keys import SEPARATOR, record_key
from linkage.lifespan import ADOPTION, COOPERATIVE, LINKAGE
from linkage.maps import NEW_MAP, OLD_MAP, Unit, as_unit, check_map, map_data, map_of, national, placements
from linkage.models import (
    Cooperative,
    DataChange,
    DigitalAdoption,
    Linkage,
    LinkageParty,
    Producer,
    RawMaterialArea,
    Review,
)
from linkage.permissions import Locator, home_unit, readable_linkages

COMMUNES = "communes_with_cooperative"
DISTRICTS = "districts_with_key_product_linkage"
RAW_MATERIAL = "raw_material_linkages_with_digital_tech"
INDICATORS = (COMMUNES, DISTRICTS, RAW_MATERIAL)
TARGETS: dict[str, Fraction] = {COMMUNES: Fraction(7, 10), DISTRICTS: Fraction(7, 10), RAW_MATERIAL: Fraction(1, 2)}
MAP_INDICATOR_LEVELS: dict[str, dict[str, tuple[str, ...]]] = {  # CONTRACT §3: the levels of each map
    OLD_MAP: {
        COMMUNES: ("national", "province", "district"),
        DISTRICTS: ("national", "province"),
        RAW_MATERIAL: ("national", "province", "district"),
    },
    NEW_MAP: {COMMUNES: ("national", "province"), DISTRICTS: (), RAW_MATERIAL: ("national", "province", "commune")},
}
INDICATOR_LEVELS = MAP_INDICATOR_LEVELS[OLD_MAP]
ALL_LEVELS = ("national", "province", "district", "commune")
COLUMNS = [
    "indicator",
    "level",
    "unit_code",
    "unit_name",
    "numerator",
    "denominator",
    "ratio",
    "target",
    "met",
    "map",
    "unplaced",
]
BOTH_COMMUNES = ("commune_code", "commune_code_2025_07")
YEAR_ENDS = tuple(date(year, 12, 31) for year in range(2021, 2026))


@dataclass(frozen=True)
class Facts:
    """What the indicators need, read once; archived records are already left out."""

    geography: Geography  # map 2025-01 as stored
    cooperatives: pd.DataFrame  # commune_code, commune_code_2025_07, start, end (ordinals)
    linkages: pd.DataFrame  # code, product_code, start, end, has_buyer, has_raw_material
    adoptions: pd.DataFrame  # linkage_code, start, end
    key_products: pd.DataFrame  # province_code, product_code: national key products expanded per province
    # linkage_code, commune_code, commune_code_2025_07: where each located party is, on either map or both
    party_places: pd.DataFrame = field(default_factory=pd.DataFrame)
    national_keys: frozenset[str] = frozenset()
    # commune_code, commune_code_2025_07: the distinct locations of live producers, on either map or both
    producer_places: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(BOTH_COMMUNES)))
    # frames placed on a map, computed once per map for these facts (`_memo`): every date reuses them
    memo: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict, compare=False, repr=False)
    # indicator rows already computed from these facts (`compute`), by (date, levels, map): a reader
    # asking again before the next write gets them back instead of counting every unit anew
    computed: dict[tuple[date, tuple[str, ...], str], pd.DataFrame] = field(
        default_factory=dict, compare=False, repr=False
    )


_COMPUTED_LOCK = threading.Lock()
COMPUTED_KEPT = 64  # indicator tables kept per facts (a few dates × maps × level sets of an app's users)


Reviews = dict[str, dict[str, dict[str, str | None] | None]]  # entity -> record key -> verified snapshot


def _typed(entity: str, column: str, text: str | None) -> Any:
    if not text:
        return None
    return date.fromisoformat(text) if BY_NAME[entity].column(column).kind == "date" else text


def _records(
    session: Session, entity: str, columns: list[str], reviews: Reviews | None, where: Any = None
) -> pd.DataFrame:
    """Live records of an entity; with `reviews`, as last verified (unverified new records left out)."""
    spec = BY_NAME[entity]
    model: Any = spec.model
    if reviews is None:
        live = sa.select(*(getattr(model, c) for c in columns)).where(model.archived_at.is_(None))
        return read_frame(session, live if where is None else live.where(where))
    names = list(dict.fromkeys([*spec.key, *columns]))
    query = sa.select(*(getattr(model, c) for c in names), model.archived_at)
    if where is not None:
        query = query.where(where)
    frame = read_frame(session, query)
    pending = reviews.get(entity, {})
    if pending and len(frame):
        # One pass over the records and one bulk assignment, however many changes wait for an officer.
        columns_of_key = zip(*(frame[k] for k in spec.key), strict=True)
        keys = pd.Series(
            [record_key(spec.key, dict(zip(spec.key, v, strict=True))) for v in columns_of_key], frame.index
        )
        waiting = keys[keys.isin(pending.keys())]
        created = [i for i, key in waiting.items() if pending[key] is None]  # new and never verified
        verified = {
            i: {column: _typed(entity, column, snap.get(column)) for column in names}
            | {"archived_at": None if snap.get("archived") == "false" else "archived"}
            for i, key in waiting.items()
            if (snap := pending[key]) is not None
        }
        if verified:
            values = pd.DataFrame.from_dict(verified, orient="index", dtype=object)
            frame.loc[values.index, values.columns] = values
        frame = frame.drop(index=created)
    return frame[frame["archived_at"].isna()][columns]


HOMED = ("cooperative", "producer", "raw_material_area")  # the parties with a commune (a buyer has none)


def _live_places(session: Session) -> tuple[pd.DataFrame, set[str], set[str]]:
    """Where the located parties of each linkage are, and which linkages have a buyer and which a raw
    material area, from live records: joined and made distinct by the database, which returns a
    fraction of the rows `_places_from_records` reads and merges."""
    party = LinkageParty
    live = col(party.archived_at).is_(None)
    homes = []
    for party_type in HOMED:
        model: Any = BY_NAME[PARTY_ENTITY[party_type]].model
        homes.append(
            sa.select(col(party.linkage_code), col(model.commune_code), col(model.commune_code_2025_07))
            .join(model, col(model.code) == getattr(party, PARTY_COLUMN[party_type]))
            .where(live, col(model.archived_at).is_(None))
        )
    places = read_frame(session, sa.union(*homes))
    places.columns = ["linkage_code", *BOTH_COMMUNES]
    kinds = read_frame(
        session,
        sa.select(col(party.party_type), col(party.linkage_code))
        .where(live, col(party.party_type).in_(("buyer", "raw_material_area")))
        .distinct(),
    )
    by_kind = kinds.groupby("party_type")["linkage_code"]
    found = {kind: set(codes) for kind, codes in by_kind}
    return places, found.get("buyer", set()), found.get("raw_material_area", set())


def _places_from_records(
    session: Session, coops: pd.DataFrame, reviews: Reviews | None, linkage_codes: set[str] | None = None
) -> tuple[pd.DataFrame, set[str], set[str]]:
    """`_live_places` from the records one by one: as an officer last verified them when `reviews` is
    given, and for the linkages `linkage_codes` only when given (reading only their parties' homes)."""
    party = LinkageParty
    of = None if linkage_codes is None else col(party.linkage_code).in_(sorted(linkage_codes))
    parties = _records(session, "linkage_parties", ["linkage_code", "party_type", "party_code"], reviews, of)
    both = ["code", *BOTH_COMMUNES]
    if linkage_codes is None:
        producers = col(Producer.code).in_(sa.select(col(party.producer_code)))
        areas = None
    else:
        kind = parties["party_type"]
        producers = col(Producer.code).in_(sorted(set(parties.loc[kind == "producer", "party_code"])))
        areas = col(RawMaterialArea.code).in_(sorted(set(parties.loc[kind == "raw_material_area", "party_code"])))
    homes = pd.concat(
        [
            coops[both].assign(party_type="cooperative"),
            _records(session, "producers", both, reviews, producers).assign(party_type="producer"),
            _records(session, "raw_material_areas", both, reviews, areas).assign(party_type="raw_material_area"),
        ]
    ).rename(columns={"code": "party_code"})
    places = parties.merge(homes, on=["party_type", "party_code"])[["linkage_code", *BOTH_COMMUNES]]
    kind = parties["party_type"]
    return (
        places.drop_duplicates(ignore_index=True),
        set(parties.loc[kind == "buyer", "linkage_code"]),
        set(parties.loc[kind == "raw_material_area", "linkage_code"]),
    )


COOPERATIVE_COLUMNS = ["code", *BOTH_COMMUNES, "established_on", "dissolved_on"]
LINKAGE_COLUMNS = ["code", "product_code", "started_on", "ended_on"]
ADOPTION_COLUMNS = ["linkage_code", "adopted_on", "discontinued_on"]


def pending_reviews(session: Session) -> Reviews:
    """Every change waiting for an officer: entity → record key → the record as last verified."""
    reviews: Reviews = {}
    query = sa.select(col(Review.entity), col(Review.record_key), col(Review.snapshot))
    for entity, key, snapshot in session.execute(query):
        reviews.setdefault(entity, {})[key] = snapshot
    return reviews


def _producer_places(session: Session, reviews: Reviews | None, touched: Collection[str] = ()) -> pd.DataFrame:
    """The distinct places of the producers, live or as last verified: the database makes those of
    every producer distinct, except the `touched` ones and those with a change waiting, which are
    read one by one (as verified, when `reviews`) and added."""
    apart = set(touched) | set((reviews or {}).get("producers", ()))
    query = sa.select(col(Producer.commune_code), col(Producer.commune_code_2025_07)).where(
        col(Producer.archived_at).is_(None)
    )
    if not apart:
        return read_frame(session, query.distinct())
    others = read_frame(session, query.where(col(Producer.code).not_in(sorted(apart))).distinct())
    read = _records(session, "producers", list(BOTH_COMMUNES), reviews, col(Producer.code).in_(sorted(apart)))
    return pd.concat([others, read]).drop_duplicates(ignore_index=True)


def load_facts(session: Session, verified_only: bool = False) -> Facts:
    """Read every record the indicators depend on, with set-based queries only.

    `verified_only` uses each record as an officer last verified it: changes a cooperative reported
    and nobody checked yet are left out, as are records created unverified.
    """
    reviews = pending_reviews(session) if verified_only else None
    geography = read_geography(session)
    coops = COOPERATIVE.with_ordinals(_records(session, "cooperatives", COOPERATIVE_COLUMNS, reviews))
    linkages = LINKAGE.with_ordinals(_records(session, "linkages", LINKAGE_COLUMNS, reviews))
    if reviews is None:
        party_places, buyers, raw_materials = _live_places(session)
    else:
        party_places, buyers, raw_materials = _places_from_records(session, coops, reviews)
    linkages["has_buyer"] = linkages["code"].isin(buyers)
    linkages["has_raw_material"] = linkages["code"].isin(raw_materials)
    adoptions = ADOPTION.with_ordinals(_records(session, "digital_adoptions", ADOPTION_COLUMNS, reviews))
    products = _records(session, "products", ["code", "national_key"], reviews)
    national = products.loc[products["national_key"].astype(bool), ["code"]].rename(columns={"code": "product_code"})
    provincial = _records(session, "province_key_products", ["province_code", "product_code"], reviews)
    expanded = geography.provinces[["code"]].rename(columns={"code": "province_code"}).merge(national, how="cross")
    key_products = pd.concat([expanded, provincial]).drop_duplicates()
    producer_places = _producer_places(session, reviews)
    return Facts(
        geography,
        coops,
        linkages,
        adoptions,
        key_products,
        party_places,
        frozenset(national["product_code"]),
        producer_places,
    )


PATCHED_AT_MOST = CHUNK  # records of one entity a patch reads by code; with more, reading everything is as quick
# The entities a patch reads record by record; any other (products and key products change every
# province's key products) makes a whole read.
PATCHABLE = frozenset(
    {"cooperatives", "producers", "raw_material_areas", "buyers", "linkages", "linkage_parties", "digital_adoptions"}
)


def _home_linkages(session: Session, touched: Mapping[str, Collection[str]]) -> set[str]:
    """The linkages with a touched cooperative, producer or raw material area among their parties
    (archived party rows too: as verified, one may still stand)."""
    party = LinkageParty
    found: set[str] = set()
    for party_type in HOMED:
        column = getattr(party, PARTY_COLUMN[party_type])
        if codes := touched.get(PARTY_ENTITY[party_type]):
            query = sa.select(col(party.linkage_code)).where(col(column).in_(sorted(codes))).distinct()
            found |= set(session.execute(query).scalars())
    return found


def _rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """The rows of `frame` as sorted tuples, missing values as None: two frames with the same rows in
    any order compare equal."""
    values = frame[list(columns)].astype(object)
    return sorted(map(tuple, values.where(values.notna(), None).to_numpy().tolist()), key=repr)


def _replaced(
    frame: pd.DataFrame, column: str, keys: Collection[str], fresh: pd.DataFrame, compared: Sequence[str]
) -> pd.DataFrame:
    """`frame` with its rows whose `column` is in `keys` replaced by `fresh`; `frame` itself when they
    are the same rows (a save that changed nothing the figures read)."""
    old = frame[frame[column].isin(keys)]
    if _rows(old, compared) == _rows(fresh, compared):
        return frame
    return pd.concat([frame[~frame[column].isin(keys)], fresh[list(frame.columns)]], ignore_index=True)


def patched(
    facts: Facts, session: Session, touched: Mapping[str, Collection[str]], reviews: Reviews | None
) -> Facts | None:
    """`facts` with the touched records (entity → record keys) read again, live or, with `reviews`,
    as last verified; every other row is kept. What `load_facts` would give for the same data, at
    the cost of the touched records: how "verified only" is made from the live facts (touched: the
    changes waiting), and how a reader catches up with a few saves. When the records read again
    hold what the facts already held (a new phone number, a member count: nothing a figure reads),
    the very same `facts` come back, with the figures already computed from them. None when a whole
    read is as quick or needed (many records of one entity, or another entity than `PATCHABLE`)."""
    if set(touched) - PATCHABLE or any(len(keys) > PATCHED_AT_MOST for keys in touched.values()):
        return None
    coops, linkages, adoptions = facts.cooperatives, facts.linkages, facts.adoptions
    places, producer_places = facts.party_places, facts.producer_places
    if codes := set(touched.get("cooperatives", ())):
        of = col(Cooperative.code).in_(sorted(codes))
        fresh = COOPERATIVE.with_ordinals(_records(session, "cooperatives", COOPERATIVE_COLUMNS, reviews, of))
        coops = _replaced(coops, "code", codes, fresh, list(coops.columns))
    if codes := set(touched.get("linkages", ())):
        of = col(Linkage.code).in_(sorted(codes))
        fresh = LINKAGE.with_ordinals(_records(session, "linkages", LINKAGE_COLUMNS, reviews, of))
        kept = linkages.loc[linkages["code"].isin(codes), ["code", "has_buyer", "has_raw_material"]]
        fresh = fresh.merge(kept, on="code", how="left").fillna({"has_buyer": False, "has_raw_material": False})
        linkages = _replaced(linkages, "code", codes, fresh, list(linkages.columns))
    party_linkages = {key.split(SEPARATOR)[0] for key in touched.get("linkage_parties", ())}
    # A cooperative read again as it was cannot have moved its linkages (producers and areas are not
    # kept to compare, so theirs are read again).
    homes = {**touched, "cooperatives": () if coops is facts.cooperatives else touched.get("cooperatives", ())}
    around = party_linkages | _home_linkages(session, homes) | set(touched.get("linkages", ()))
    if around:
        if len(around) > PATCHED_AT_MOST:
            return None
        fresh_places, buyers, raw_materials = _places_from_records(session, coops, reviews, around)
        both = ["linkage_code", *BOTH_COMMUNES]
        places = _replaced(places, "linkage_code", around, fresh_places, both)
        inside = linkages["code"].isin(around)
        flags = linkages.assign(
            has_buyer=linkages["has_buyer"].where(~inside, linkages["code"].isin(buyers)).astype(bool),
            has_raw_material=linkages["has_raw_material"]
            .where(~inside, linkages["code"].isin(raw_materials))
            .astype(bool),
        )
        if not flags[["has_buyer", "has_raw_material"]].equals(linkages[["has_buyer", "has_raw_material"]]):
            linkages = flags
    if adopting := {key.split(SEPARATOR)[0] for key in touched.get("digital_adoptions", ())}:
        of = col(DigitalAdoption.linkage_code).in_(sorted(adopting))
        fresh = ADOPTION.with_ordinals(_records(session, "digital_adoptions", ADOPTION_COLUMNS, reviews, of))
        adoptions = _replaced(adoptions, "linkage_code", adopting, fresh, list(adoptions.columns))
    if codes := set(touched.get("producers", ())):
        fresh = _producer_places(session, reviews, codes)
        if _rows(fresh, list(BOTH_COMMUNES)) != _rows(producer_places, list(BOTH_COMMUNES)):
            producer_places = fresh
    frames = (coops, linkages, adoptions, places, producer_places)
    before = (facts.cooperatives, facts.linkages, facts.adoptions, facts.party_places, facts.producer_places)
    if all(new is old for new, old in zip(frames, before, strict=True)):
        return facts
    return Facts(
        facts.geography,
        coops,
        linkages,
        adoptions,
        facts.key_products,
        places,
        facts.national_keys,
        producer_places,
    )


@dataclass(frozen=True)
class UnitCounts:
    """Numerators, denominators and unplaced records by unit code for one indicator and one level."""

    numerator: pd.Series
    denominator: pd.Series
    unplaced: pd.Series


def _count_by(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame.groupby(column).size() if len(frame) else pd.Series(dtype="int64")


def _national(numerator: int, denominator: int, unplaced: int) -> UnitCounts:
    return UnitCounts(
        pd.Series({NATIONAL_CODE: numerator}),
        pd.Series({NATIONAL_CODE: denominator}),
        pd.Series({NATIONAL_CODE: unplaced}),
    )


PLACED = ["commune_code", "district_code", "province_code"]


@cache
def _placement_table(from_map: str, on: str) -> pd.DataFrame:
    """Every commune code of `from_map` → the commune, district and province of map `on` a record located
    in it is placed in (CONTRACT §1), None above that unit: built once per process from `maps.placements`."""
    target = map_data(on)
    rows: list[tuple[str, str | None, str | None, str | None]] = []
    for code, unit in placements(from_map, on).items():
        if unit.level == "commune":
            where = target.communes[unit.code]
            rows.append((code, unit.code, where.district or None, where.province))
        elif unit.level == "district":
            rows.append((code, None, unit.code, target.districts[unit.code].province))
        elif unit.level == "province":
            rows.append((code, None, None, unit.code))
        else:
            rows.append((code, None, None, None))
    return pd.DataFrame(rows, columns=["code", *PLACED]).set_index("code")


def _placed(frame: pd.DataFrame, on: str) -> pd.DataFrame:
    """`frame` (with `commune_code` and `commune_code_2025_07`) plus where each row is placed on map `on`:
    its own commune there when given, else placed from the commune of the other map."""
    own, other = ("commune_code", "commune_code_2025_07") if on == OLD_MAP else ("commune_code_2025_07", "commune_code")
    here = _placement_table(on, on).reindex(frame[own].to_numpy()).reset_index(drop=True)
    there = _placement_table(OLD_MAP if on == NEW_MAP else NEW_MAP, on)
    there = there.reindex(frame[other].to_numpy()).reset_index(drop=True)
    given = np.broadcast_to(frame[own].notna().to_numpy()[:, None], here.shape)
    placed = here.where(given, there)
    placed.index = frame.index
    return pd.concat([frame.drop(columns=["commune_code"]), placed], axis=1)


def _memo(f: Facts, name: str, on: str, frame: pd.DataFrame) -> pd.DataFrame:
    """`_placed(frame, on)` computed once per facts and map (the facts never change once read)."""
    key = (name, on)
    if key not in f.memo:
        f.memo[key] = _placed(frame, on)
    return f.memo[key]


def _located(f: Facts, linkage_codes: Iterable[str], on: str) -> pd.DataFrame:
    """linkage_code and the placement on `on` of each located party of these linkages."""
    placed = _memo(f, "party_places", on, f.party_places)
    codes = linkage_codes if isinstance(linkage_codes, pd.Series) else pd.Series(list(linkage_codes), dtype="str")
    return placed.loc[placed["linkage_code"].isin(codes), ["linkage_code", *PLACED]]


def _unplaced_by(located: pd.DataFrame, key: str, column: str | None, lowest: str) -> pd.Series:
    """How many records (`key`) are in each unit of `column` (the country when None) but in no unit of
    the `lowest` level there (CONTRACT §3 "Unplaced records")."""
    inside = located[located[column].notna()] if column else located
    if not len(inside):
        return pd.Series(dtype="int64")
    keys = [key, column] if column else [key]
    settled = inside[lowest].notna().groupby([inside[k] for k in keys]).any()
    loose = settled[~settled]
    if column is None:
        return pd.Series({NATIONAL_CODE: len(loose)})
    return pd.Series(loose.index.get_level_values(column)).value_counts()


@dataclass(frozen=True)
class MapUnits:
    """The units of one map as the indicators need them."""

    provinces: pd.DataFrame  # code, name
    districts: pd.DataFrame  # code, name, province_code, in_scope (empty on 2025-07)
    communes: pd.DataFrame  # code, name, district_code (None on 2025-07), province_code, is_rural


@cache
def _new_map_units() -> MapUnits:
    data = map_data(NEW_MAP)
    provinces = pd.DataFrame([(p.code, p.name) for p in data.provinces.values()], columns=["code", "name"])
    communes = pd.DataFrame(
        [(p.code, p.name, None, p.province, data.is_rural(p.code)) for p in data.communes.values()],
        columns=["code", "name", "district_code", "province_code", "is_rural"],
    )
    districts = pd.DataFrame(columns=["code", "name", "province_code", "in_scope"])
    return MapUnits(provinces, districts, communes)


def map_units(f: Facts, map_name: str) -> MapUnits:
    if map_name == OLD_MAP:
        return MapUnits(f.geography.provinces, f.geography.districts, f.geography.communes)
    return _new_map_units()


def _communes_with_cooperative(f: Facts, day: int, on: str, units: MapUnits) -> dict[str, UnitCounts]:
    active = f.cooperatives[COOPERATIVE.mask(f.cooperatives, day)]
    placed = _memo(f, "cooperatives", on, f.cooperatives[["code", *BOTH_COMMUNES]]).loc[active.index]
    rural = units.communes[units.communes["is_rural"]]
    covered = rural[rural["code"].isin(placed["commune_code"].dropna().unique())]
    above = placed[placed["commune_code"].isna()]  # placed in a district, province or the country
    result = {
        level: UnitCounts(_count_by(covered, column), _count_by(rural, column), _count_by(above, column))
        for level, column in (("district", "district_code"), ("province", "province_code"))
    }
    result["national"] = _national(len(covered), len(rural), len(above))
    return result


def _keyed(f: Facts, located: pd.DataFrame) -> pd.DataFrame:
    """Located rows (with product_code) whose product is a key product for the province they lie in; a row
    placed only in the country has no province, so only a national key product counts there."""
    in_province = located[located["province_code"].notna()].merge(f.key_products, on=["province_code", "product_code"])
    nowhere = located[located["province_code"].isna() & located["product_code"].isin(f.national_keys)]
    return pd.concat([in_province, nowhere], ignore_index=True)


def key_product_districts(f: Facts, day: int) -> set[str]:
    """In-scope districts with an active linkage that has a buyer and a key product of its province."""
    live = f.linkages[LINKAGE.mask(f.linkages, day) & f.linkages["has_buyer"]]
    located = _located(f, live["code"], OLD_MAP).merge(
        live[["code", "product_code"]].rename(columns={"code": "linkage_code"}), on="linkage_code"
    )
    keyed = _keyed(f, located)
    in_scope = set(f.geography.districts.loc[f.geography.districts["in_scope"], "code"])
    return set(keyed["district_code"].dropna()) & in_scope


def _districts_with_key_product_linkage(f: Facts, day: int, on: str, units: MapUnits) -> dict[str, UnitCounts]:
    if on != OLD_MAP:
        return {}  # not reported on 2025-07: it has no districts
    live = f.linkages[LINKAGE.mask(f.linkages, day) & f.linkages["has_buyer"]]
    located = _located(f, live["code"], on).merge(
        live[["code", "product_code"]].rename(columns={"code": "linkage_code"}), on="linkage_code"
    )
    keyed = _keyed(f, located)
    scope = units.districts[units.districts["in_scope"]]
    covered = scope[scope["code"].isin(keyed["district_code"].dropna().unique())]
    return {
        "province": UnitCounts(
            _count_by(covered, "province_code"),
            _count_by(scope, "province_code"),
            _unplaced_by(keyed, "linkage_code", "province_code", "district_code"),
        ),
        "national": UnitCounts(
            pd.Series({NATIONAL_CODE: len(covered)}),
            pd.Series({NATIONAL_CODE: len(scope)}),
            _unplaced_by(keyed, "linkage_code", None, "district_code"),
        ),
    }


def _digital_codes(f: Facts, day: int) -> pd.Series:
    return f.adoptions.loc[ADOPTION.mask(f.adoptions, day), "linkage_code"].drop_duplicates()


def digital_linkages(f: Facts, day: int) -> set[str]:
    """Codes of linkages with a technology adopted on or before `day` and not discontinued by it."""
    return set(f.adoptions.loc[ADOPTION.mask(f.adoptions, day), "linkage_code"])


def _raw_material_linkages_with_digital_tech(f: Facts, day: int, on: str, units: MapUnits) -> dict[str, UnitCounts]:
    live = f.linkages[LINKAGE.mask(f.linkages, day) & f.linkages["has_raw_material"]]
    located = _located(f, live["code"], on)
    located["digital"] = located["linkage_code"].isin(_digital_codes(f, day))
    lowest = "district_code" if on == OLD_MAP else "commune_code"
    result = {}
    for level in ("commune", "district", "province"):
        column = f"{level}_code"
        once = located[located[column].notna()].drop_duplicates(["linkage_code", column])
        result[level] = UnitCounts(
            _count_by(once[once["digital"]], column),
            _count_by(once, column),
            _unplaced_by(located, "linkage_code", column, lowest),
        )
    once = located.drop_duplicates("linkage_code")
    unplaced = _unplaced_by(located, "linkage_code", None, lowest)
    result["national"] = _national(int(once["digital"].sum()), len(once), int(unplaced.sum()))
    return result


RULES = {
    COMMUNES: _communes_with_cooperative,
    DISTRICTS: _districts_with_key_product_linkage,
    RAW_MATERIAL: _raw_material_linkages_with_digital_tech,
}


def _units(units: MapUnits, level: str) -> pd.DataFrame:
    """Every in-scope unit of a level, with its name: reported even when it has no data.

    In scope: districts with a rural commune, provinces with such a district (with a rural commune on
    2025-07), rural communes."""
    if level == "national":
        return pd.DataFrame({"unit_code": [NATIONAL_CODE], "unit_name": [NATIONAL_NAME]})
    rural = units.communes[units.communes["is_rural"]]
    if level == "commune":
        chosen = rural[["code", "name"]]
    elif level == "district":
        chosen = units.districts[units.districts["in_scope"]][["code", "name"]]
    else:
        chosen = units.provinces[units.provinces["code"].isin(set(rural["province_code"]))][["code", "name"]]
    return chosen.rename(columns={"code": "unit_code", "name": "unit_name"}).reset_index(drop=True)


def compute(facts: Facts, as_of: date, levels: Sequence[str] = ALL_LEVELS, map_name: str | None = None) -> pd.DataFrame:
    """One row per indicator and in-scope unit of the map (CONTRACT §3): counts, ratio, target, met,
    map and unplaced. The map defaults to the map in force on `as_of`.

    Facts do not change once read (a write makes new ones), so the rows are kept on them and a copy
    handed out: the caller may change its copy."""
    on = check_map(map_name) if map_name else map_of(as_of)
    key = (as_of, tuple(levels), on)
    kept = facts.computed.get(key)
    if kept is None:
        kept = _compute(facts, as_of, levels, on)
        with _COMPUTED_LOCK:  # the app's sessions are threads sharing the cached facts
            while len(facts.computed) >= COMPUTED_KEPT:
                facts.computed.pop(next(iter(facts.computed)))
            facts.computed[key] = kept
    return kept.copy()


def _compute(facts: Facts, as_of: date, levels: Sequence[str], on: str) -> pd.DataFrame:
    units = map_units(facts, on)
    day = as_of.toordinal()
    frames = []
    for indicator in INDICATORS:
        wanted = [level for level in MAP_INDICATOR_LEVELS[on][indicator] if level in levels]
        if not wanted:
            continue
        counts = RULES[indicator](facts, day, on, units)
        for level in wanted:
            rows = _units(units, level)
            c = counts[level]
            rows["numerator"] = rows["unit_code"].map(c.numerator).fillna(0).astype("int64")
            rows["denominator"] = rows["unit_code"].map(c.denominator).fillna(0).astype("int64")
            rows["unplaced"] = rows["unit_code"].map(c.unplaced).fillna(0).astype("int64")
            rows.insert(0, "level", level)
            rows.insert(0, "indicator", indicator)
            frames.append(rows)
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    rows = pd.concat(frames, ignore_index=True)
    target = rows["indicator"].map({k: float(v) for k, v in TARGETS.items()})
    den = rows["denominator"].replace(0, np.nan)
    rows["ratio"] = (rows["numerator"] / den).astype("float64")
    rows["target"] = target
    met = [
        None if d == 0 else n * TARGETS[i].denominator >= TARGETS[i].numerator * d
        for i, n, d in zip(rows["indicator"], rows["numerator"], rows["denominator"], strict=True)
    ]
    rows["met"] = pd.Series(met, dtype="object")
    rows["map"] = on
    return rows[COLUMNS]


def needed(indicator: str, numerator: int, denominator: int) -> int:
    """How many more communes, districts or linkages reach the target (0 when met or no data)."""
    if denominator == 0:
        return 0
    return max(0, math.ceil(TARGETS[indicator] * denominator) - numerator)


def with_gap(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows plus a `needed` column: the gap to target in whole units, rounded up."""
    rows = rows.copy()
    rows["needed"] = [
        needed(i, int(n), int(d))
        for i, n, d in zip(rows["indicator"], rows["numerator"], rows["denominator"], strict=True)
    ]
    return rows


READINGS = ("own", "today")  # a trend's two readings of its dates: each on its own map, or all on today's map


def trend(
    facts: Facts,
    dates: Iterable[date] = YEAR_ENDS,
    levels: Sequence[str] = LEVELS,
    map_name: str | None = None,
    reading: str = "own",
) -> pd.DataFrame:
    """The indicators at each date from one read of the data: rows as `compute` plus `as_of`.

    Two readings (issue 13, item 4): `own` reads each date on the map in force then (the year ends
    2021–2024 on 2025-01, 2025 on 2025-07: the figures as they were reported); `today` reads every
    date on today's map (history as if the map of 1 July 2025 had always been in force). A
    `map_name` reads every date on that map whatever the reading (the programme's 2025-01)."""
    if reading not in READINGS:
        raise ValueError(f"unknown reading {reading!r}: the readings are {' and '.join(READINGS)}")
    today = map_of(date.today())
    frames = []
    for day in dates:
        on = map_name or (map_of(day) if reading == "own" else today)
        rows = compute(facts, day, levels, on)
        rows.insert(0, "as_of", day.isoformat())
        frames.append(rows)
    return pd.concat(frames, ignore_index=True)


def json_rows(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON-ready dicts: ints stay ints, a missing ratio or `met` is None."""
    out: list[dict[str, Any]] = []
    for row in rows.to_dict("records"):
        for key in ("numerator", "denominator", "needed", "unplaced"):
            if key in row:
                row[key] = int(row[key])
        row["ratio"] = None if pd.isna(row["ratio"]) else float(row["ratio"])
        row["met"] = None if row["met"] is None else bool(row["met"])
        row["target"] = float(row["target"])
        out.append({str(k): v for k, v in row.items()})
    return out


@dataclass(frozen=True)
class Candidates:
    """What would close a unit's gaps: the places and linkages an officer can act on."""

    communes_without_cooperative: pd.DataFrame  # rural communes with producers or linkages, no active cooperative
    districts_without_key_linkage: pd.DataFrame  # in-scope districts whose active linkages lack a buyer or key product
    linkages_without_digital: pd.DataFrame  # active raw-material linkages with no digital technology


def _rows_in_unit(frame: pd.DataFrame, unit: Unit, code: str = "commune_code") -> pd.DataFrame:
    """The rows of `frame` (with `province_code`, `district_code` and a commune column `code`, all on
    the unit's map) that lie in `unit`."""
    if unit.level == "national":
        return frame
    column = {"province": "province_code", "district": "district_code", "commune": code}[unit.level]
    return frame[frame[column] == unit.code]


def candidates(facts: Facts, as_of: date, unit: Unit | str) -> Candidates:
    """Candidates inside one unit of either map on `as_of` (a code: of 2025-01), every record placed on
    the unit's map (CONTRACT §1): one given on the other map only counts where it is placed there."""
    unit = _as_unit(unit)
    on = unit.map
    day = as_of.toordinal()
    units = map_units(facts, on)
    live = facts.linkages[LINKAGE.mask(facts.linkages, day)]
    located = _located(facts, live["code"], on)

    rural = _rows_in_unit(units.communes[units.communes["is_rural"]], unit, "code")
    active = facts.cooperatives[COOPERATIVE.mask(facts.cooperatives, day)]
    placed_coops = _memo(facts, "cooperatives", on, facts.cooperatives[["code", *BOTH_COMMUNES]])
    with_coop = set(placed_coops.loc[active.index, "commune_code"].dropna())
    producers = _memo(facts, "producer_places", on, facts.producer_places)["commune_code"]
    busy = set(producers.dropna()) | set(located["commune_code"].dropna())
    communes = rural[~rural["code"].isin(with_coop) & rural["code"].isin(busy)][["code", "name", "district_code"]]

    if on == OLD_MAP:
        in_scope = units.districts[units.districts["in_scope"]].rename(columns={"code": "district_code"})
        scope = _rows_in_unit(in_scope, unit)
        with_linkage = set(located["district_code"].dropna())
        districts = scope[
            scope["district_code"].isin(with_linkage) & ~scope["district_code"].isin(key_product_districts(facts, day))
        ][["district_code", "name"]]
    else:  # 2025-07 has no districts
        districts = pd.DataFrame(columns=["district_code", "name"])

    raw = live[live["has_raw_material"] & ~live["code"].isin(digital_linkages(facts, day))]
    here = set(_rows_in_unit(located, unit)["linkage_code"])
    linkages = raw[raw["code"].isin(here)][["code", "product_code"]]
    return Candidates(
        communes.reset_index(drop=True), districts.reset_index(drop=True), linkages.reset_index(drop=True)
    )


def _as_unit(unit: Unit | str) -> Unit:
    """`unit`, or the unit of 2025-01 a stored code names (the app's pages pass codes on that map until
    they offer a map); an unknown code is the country."""
    return as_unit(unit, OLD_MAP) or national(OLD_MAP)


ANY_FIELD: frozenset[str] = frozenset({"*"})


def _read(entity: str, columns: Sequence[str]) -> frozenset[str]:
    """The fields of `entity` a figure reads: the columns `load_facts` reads of it, its key aside."""
    return frozenset(set(columns) - set(BY_NAME[entity].key)) | {"archived"}


# The fields of each entity a figure reads (a change of others is passed over); "archived" is how the
# history names an archive or a restore. Key columns are not listed: a new key is a new record.
# A buyer's fields are never read (a linkage has a buyer when a party row names one); an entity not
# listed here is read whole (products, key products).
FIELDS_READ: dict[str, frozenset[str]] = {
    "cooperatives": _read("cooperatives", COOPERATIVE_COLUMNS),
    "producers": _read("producers", BOTH_COMMUNES),
    "raw_material_areas": _read("raw_material_areas", BOTH_COMMUNES),
    "buyers": frozenset(),
    "linkages": _read("linkages", LINKAGE_COLUMNS),
    "linkage_parties": _read("linkage_parties", ["linkage_code", "party_type", "party_code"]),
    "digital_adoptions": _read("digital_adoptions", ADOPTION_COLUMNS),
}


def changes_since(session: Session, cached: int, now: int) -> dict[str, set[str]] | None:
    """The records changed after data version `cached` up to `now`, by entity (`db.touch`), leaving
    out what the indicators never read (accounts, buyers, a change of fields not in `FIELDS_READ`);
    None when any of those writes did not name its records or is no longer kept: then only a whole
    read is sure."""
    columns = (DataChange.version, DataChange.entity, DataChange.record_key, DataChange.fields)
    rows = session.execute(
        sa.select(*map(col, columns)).where(col(DataChange.version) > cached, col(DataChange.version) <= now)
    ).all()
    if {version for version, _, _, _ in rows} != set(range(cached + 1, now + 1)):
        return None
    touched: dict[str, set[str]] = {}
    for _, entity, key, fields in rows:
        if entity == EVERYTHING:
            return None
        read = FIELDS_READ.get(entity, ANY_FIELD if entity in BY_NAME else frozenset())
        if read is ANY_FIELD or not fields or read & set(fields.split(",")):
            touched.setdefault(entity, set()).add(key)
    return touched


class FactsCache:
    """Facts per database, kept up to date with the stored data version (any process's write).

    A cache a few versions behind reads again only the records those writes changed (`patched`);
    verified facts are made from the live ones the same way. One lock per cache: the app's sessions
    run in threads, and two of them arriving at once should bring the facts up to date once."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, bool], tuple[int, Facts]] = {}
        self._lock = threading.Lock()

    def get(self, engine: Engine, verified_only: bool = False) -> Facts:
        key = (str(engine.url), verified_only)
        version = data_version(engine)
        hit = self._cache.get(key)
        if hit and hit[0] == version:
            return hit[1]
        with self._lock:
            hit = self._cache.get(key)
            if hit and hit[0] == version:
                return hit[1]
            with read_session(engine) as session:
                facts = self._caught_up(session, hit, version, verified_only)
                if facts is None and verified_only:
                    facts = self._verified_from_live(engine, session, version)
                if facts is None:
                    facts = load_facts(session, verified_only)
            self._cache[key] = (version, facts)
            return facts

    @staticmethod
    def _caught_up(session: Session, hit: tuple[int, Facts] | None, version: int, verified_only: bool) -> Facts | None:
        """The cached facts with the records changed since read again (None: read them whole)."""
        if hit is None or hit[0] > version:
            return None
        touched = changes_since(session, hit[0], version)
        if touched is None:
            return None
        reviews = pending_reviews(session) if verified_only else None
        return patched(hit[1], session, touched, reviews)

    def _verified_from_live(self, engine: Engine, session: Session, version: int) -> Facts | None:
        """Verified facts as the live ones of this version with the records whose change waits read as
        last verified: a few hundred rows instead of every fact (None: no live facts to start from)."""
        live = self._cache.get((str(engine.url), False))
        if not live or live[0] != version:
            return None
        reviews = pending_reviews(session)
        return patched(live[1], session, reviews, reviews)


FACTS = FactsCache()


def coverage(
    engine: Engine,
    as_of: date,
    levels: Sequence[str] = ALL_LEVELS,
    verified_only: bool = False,
    map_name: str | None = None,
) -> pd.DataFrame:
    """The indicator rows for `as_of` on a map, from cached facts when nothing changed since the last call.

    `verified_only` counts records as officers last verified them (CONTRACT §3 on checked data).
    `map_name` None is the map of `as_of` (CONTRACT §3's default, the command line's too).
    """
    return compute(FACTS.get(engine, verified_only), as_of, levels, map_name)


def warm(engine: Engine, today: date | None = None) -> None:
    """Read the facts and count today's figures on today's map before anyone asks: a server that
    starts with them (serve.py) answers its first sign-in, whose home page shows them, without a cold
    read of every record. Nothing is done on a database that is not migrated to this version."""
    if schema_is_current(engine):
        coverage(engine, today or date.today())


def unit_rows(rows: pd.DataFrame, unit_code: str) -> pd.DataFrame:
    return rows[rows["unit_code"] == unit_code]


def district_of(geo: Geography, commune_code: str) -> str:
    """The district a commune belongs to (the country when the code is unknown)."""
    match = geo.communes.loc[geo.communes["code"] == commune_code, "district_code"]
    return str(match.iloc[0]) if len(match) else NATIONAL_CODE


def breadcrumb(geo: Geography, unit: Unit | str) -> list[tuple[str, str]]:
    """(code, name) from the country down to `unit` (a code: of 2025-01), for drill-down navigation."""
    unit = _as_unit(unit)
    trail = [(NATIONAL_CODE, NATIONAL_NAME)]
    if unit.level == "national":
        return trail
    data = map_data(unit.map)
    if unit.level == "province":
        return [*trail, (unit.code, unit.name)]
    province = data.provinces[data.province_of(unit)].unit
    trail.append((province.code, province.name))
    if unit.level == "commune" and unit.map == OLD_MAP:
        district = data.districts[data.communes[unit.code].district].unit
        trail.append((district.code, district.name))
    return [*trail, (unit.code, unit.name)]


def child_rows(rows: pd.DataFrame, geo: Geography, unit: Unit | str) -> pd.DataFrame:
    """The rows of the units one level below `unit` (a code: of 2025-01) on its map: provinces of the
    country; districts of a province on 2025-01, its communes on 2025-07; none below that."""
    unit = _as_unit(unit)
    if unit.level == "national":
        return rows[rows["level"] == "province"]
    if unit.level != "province":
        return rows.iloc[0:0]
    data = map_data(unit.map)
    below = "district" if unit.map == OLD_MAP else "commune"
    mine = {code for code, place in data.level(below).items() if place.province == unit.code}
    return rows[(rows["level"] == below) & rows["unit_code"].isin(mine)]


def unit_trend(
    engine: Engine, unit: Unit | str, verified_only: bool = False, dates: Iterable[date] = YEAR_ENDS
) -> pd.DataFrame:
    """One unit's indicators at each date (the year ends 2021–2025 by default) on its map (a code: of
    2025-01), from cached facts."""
    unit = _as_unit(unit)
    rows = trend(FACTS.get(engine, verified_only), dates, (unit.level,), unit.map)
    return rows[rows["unit_code"] == unit.code].reset_index(drop=True)


def unit_candidates(
    engine: Engine, actor: Actor, as_of: date, unit: Unit | str, verified_only: bool = False
) -> Candidates:
    """A unit's candidates as the actor may see them: linkages outside its reading scope are left out
    (communes and districts are public geography)."""
    found = candidates(FACTS.get(engine, verified_only), as_of, unit)
    with read_session(engine) as session:
        allowed = readable_linkages(session, actor, found.linkages_without_digital["code"])
    linkages = found.linkages_without_digital
    return Candidates(
        found.communes_without_cooperative,
        found.districts_without_key_linkage,
        linkages[linkages["code"].isin(allowed)].reset_index(drop=True),
    )


def opening_unit(engine: Engine, actor: Actor) -> tuple[str, str]:
    """Where an actor's coverage page opens on either map, as (code, map): a planner's or officer's unit
    on the map of their scope, a cooperative's commune of 2025-07 (else the district of its commune of
    2025-01), else the whole country (on 2025-01: the page translates it to the map it shows)."""
    if actor.unit_code:  # planners and officers
        return actor.unit_code, actor.unit_map
    if actor.cooperative_code:
        with read_session(engine) as session:
            found = session.execute(
                sa.select(col(Cooperative.commune_code_2025_07)).where(col(Cooperative.code) == actor.cooperative_code)
            ).scalar()
            unit = None if found else home_unit(Locator(session), actor, OLD_MAP)
        if found:
            return str(found), NEW_MAP
        if unit is not None:
            return unit.code, unit.map
    return NATIONAL_CODE, OLD_MAP


def opening_map(actor: Actor) -> str | None:
    """The map an account's coverage page starts on before the user picks one: the map of its scope for
    a district or province of 2025-01 (such accounts keep working on the map they were given, where
    their unit exists); None, the map of the date, for everyone else.

    >>> opening_map(Actor("lan", "officer", "058")), opening_map(Actor("an", "officer", "24544", unit_map=NEW_MAP))
    ('2025-01', None)
    """
    if actor.unit_code and actor.unit_code != NATIONAL_CODE and actor.unit_map == OLD_MAP:
        return OLD_MAP
    return None


def linkages_located(facts: Facts, level: str, map_name: str = OLD_MAP) -> pd.Series:
    """How many linkages are located in each unit of `level` of the map, most first, every party
    placed on the map; a linkage in several units counts in each."""
    column = f"{level}_code"
    located = _located(facts, facts.linkages["code"], map_name).dropna(subset=[column])
    return located.drop_duplicates(["linkage_code", column])[column].value_counts()


def busiest_district(engine: Engine) -> str | None:
    """The district where most linkages are located: where a national user's graph opens."""
    counts = linkages_located(FACTS.get(engine), "district")
    return str(counts.index[0]) if len(counts) else None


def geography(engine: Engine) -> Geography:
    return FACTS.get(engine).geography


def to_csv(rows: pd.DataFrame) -> bytes:
    """Rows as a CSV download (UTF-8 with the BOM Excel needs for Vietnamese), text cells shielded."""
    shown = rows.apply(lambda column: column.map(lambda v: shield(v) if isinstance(v, str) else v))
    return shown.to_csv(index=False).encode("utf-8-sig")


def to_xlsx(rows: pd.DataFrame) -> bytes:
    """Rows as a workbook for official reports: numbers as numbers, every text cell as text."""
    from openpyxl import Workbook  # lazy: ~0.15 s to import, paid only when a workbook is asked for
    from openpyxl.cell import WriteOnlyCell  # lazy, with Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("coverage")
    sheet.append([str(c) for c in rows.columns])
    for record in rows.itertuples(index=False):
        cells = []
        for value in record:
            if value is None or (isinstance(value, float) and math.isnan(value)):
                value = None
            cell = WriteOnlyCell(sheet, value=shield(value) if isinstance(value, str) else value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class LinkageCounts:
    """Linkages located in one unit on one date: what a unit without indicator figures still has."""

    active: int  # linkages active on the date with a party placed in the unit
    raw_material: int  # of which with a raw-material area party
    digital: int  # of those, applying a digital technology on the date


def linkage_counts(facts: Facts, as_of: date, unit: Unit | str) -> LinkageCounts:
    """How many linkages lie in `unit` (of either map; a code: of 2025-01) on `as_of`, each counted once,
    every party placed on the unit's map."""
    unit = _as_unit(unit)
    day = as_of.toordinal()
    live = facts.linkages[LINKAGE.mask(facts.linkages, day)]
    here = _rows_in_unit(_located(facts, live["code"], unit.map), unit)
    live = live[live["code"].isin(set(here["linkage_code"]))]
    raw = set(live.loc[live["has_raw_material"], "code"])
    return LinkageCounts(len(live), len(raw), len(raw & digital_linkages(facts, day)))


def unit_linkage_counts(engine: Engine, as_of: date, unit: Unit | str, verified_only: bool = False) -> LinkageCounts:
    """`linkage_counts` from the cached facts."""
    return linkage_counts(FACTS.get(engine, verified_only), as_of, unit)
