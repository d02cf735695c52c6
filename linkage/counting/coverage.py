"""Coverage from the database: the facts each process keeps up to date with every write, and what
the pages ask of them.

The counting itself is `linkage.counting.indicators` (docs/indicators.md) over `linkage.counting.facts.Facts`. Here the
facts are read (live, or as officers last verified them), cached per database and caught up after a write by reading
again only the records it changed (`patched`), and turned into what the pages show: a unit's figures, trend, candidates
and downloads.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from linkage.actor import Actor
from linkage.counting.coverage_map import CoverageMap, coverage_map
from linkage.counting.coverage_view import unit_view
from linkage.counting.facts import (
    ADOPTION_COLUMNS,
    BOTH_COMMUNES,
    COOPERATIVE_COLUMNS,
    HOMED,
    LINKAGE_COLUMNS,
    Facts,
    Records,
    assemble,
    read_facts,
)
from linkage.counting.indicators import (
    ALL_LEVELS,
    READINGS,
    YEAR_ENDS,
    Candidates,
    LinkageCounts,
    candidates,
    compute,
    linkage_counts,
    linkages_located,
    trend,
)
from linkage.counting.lifespan import ADOPTION, COOPERATIVE, LINKAGE
from linkage.exchange.keys import SEPARATOR, record_key
from linkage.exchange.spec import BY_NAME, PARTY_COLUMN, PARTY_ENTITY
from linkage.frames import is_in
from linkage.geo.geography import NATIONAL_CODE, Geography
from linkage.geo.maps import MAPS, NEW_MAP, OLD_MAP, Unit, map_of
from linkage.records.permissions import Locator, home_unit, readable_linkages
from linkage.store.db import (
    CHUNK,
    EVERYTHING,
    data_version,
    driver_connection,
    read_frame,
    read_session,
    schema_is_current,
)
from linkage.store.models import (
    Cooperative,
    DataChange,
    DigitalAdoption,
    Linkage,
    LinkageParty,
    Producer,
    RawMaterialArea,
    Review,
)

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
        waiting = keys[is_in(keys, pending.keys())]
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


def _places_from_records(
    session: Session, coops: pd.DataFrame, reviews: Reviews | None, linkage_codes: set[str] | None = None
) -> tuple[pd.DataFrame, set[str], set[str]]:
    """Where the parties of each linkage are (`live.PARTY_PLACES`), from the records one by one: as an
    officer last verified them when `reviews` is given, and for the linkages `linkage_codes` only when
    given (reading only their parties' homes)."""
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
    """Read every record the indicators depend on, with set-based queries only: the live records in
    plain SQL (`facts.read_facts`), in the session's transaction.

    `verified_only` uses each record as an officer last verified it: changes a cooperative reported
    and nobody checked yet are left out, as are records created unverified.
    """
    connection = driver_connection(session)
    if not verified_only:
        return read_facts(connection)
    reviews = pending_reviews(session)
    coops = _records(session, "cooperatives", COOPERATIVE_COLUMNS, reviews)
    party_places, buyers, raw_materials = _places_from_records(session, coops, reviews)
    records = Records(
        cooperatives=coops,
        linkages=_records(session, "linkages", LINKAGE_COLUMNS, reviews),
        party_places=party_places,
        buyers=buyers,
        raw_materials=raw_materials,
        adoptions=_records(session, "digital_adoptions", ADOPTION_COLUMNS, reviews),
        products=_records(session, "products", ["code", "national_key"], reviews),
        provincial=_records(session, "province_key_products", ["province_code", "product_code"], reviews),
        producer_places=_producer_places(session, reviews),
    )
    return assemble(records)


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
    old = frame[is_in(frame[column], keys)]
    if _rows(old, compared) == _rows(fresh, compared):
        return frame
    return pd.concat([frame[~is_in(frame[column], keys)], fresh[list(frame.columns)]], ignore_index=True)


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
        kept = linkages.loc[is_in(linkages["code"], codes), ["code", "has_buyer", "has_raw_material"]]
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
        inside = is_in(linkages["code"], around)
        flags = linkages.assign(
            has_buyer=linkages["has_buyer"].where(~inside, is_in(linkages["code"], buyers)).astype(bool),
            has_raw_material=linkages["has_raw_material"]
            .where(~inside, is_in(linkages["code"], raw_materials))
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

    `verified_only` counts records as officers last verified them (docs/indicators.md, "verified data only").
    `map_name` None is the map of `as_of` (docs/indicators.md, "On which map"; the command line's default too).
    """
    return compute(FACTS.get(engine, verified_only), as_of, levels, map_name)


def unit_map(engine: Engine, as_of: date, unit: Unit, indicator: str, verified_only: bool = False) -> CoverageMap:
    """The coverage map of `unit` (on its own map) for `indicator` on `as_of`, from the same cached facts
    and rows as the figures beside it."""
    facts = FACTS.get(engine, verified_only)
    return coverage_map(facts, compute(facts, as_of, map_name=unit.map), unit, as_of, indicator)


def warm(engine: Engine, today: date | None = None) -> None:
    """Read the facts and count what the first pages show before anyone asks: today's figures on
    either map and the year ends of the trends in both readings, from all records and from verified
    ones. A server that starts with them (serve.py) answers its first sign-in, a shared link to any
    unit's coverage page and the first click on "verified only" without a cold count. Nothing is done
    on a database that is not migrated to this version."""
    if not schema_is_current(engine):
        return
    for verified_only in (False, True):
        for map_name in MAPS:  # today's figures on either map: a shared link may name a unit of 2025-01
            coverage(engine, today or date.today(), verified_only=verified_only, map_name=map_name)
        for reading in READINGS:
            trend(FACTS.get(engine, verified_only), YEAR_ENDS, ALL_LEVELS, reading=reading)


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
        linkages[is_in(linkages["code"], allowed)].reset_index(drop=True),
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


def opening_figures(
    engine: Engine, actor: Actor | None, as_of: date, verified_only: bool = False
) -> list[tuple[Unit, pd.DataFrame]]:
    """What an account sees first (the home page), as (unit, its indicator rows) on `as_of`: its own
    unit (`opening_unit`), on the map of its scope for an account of a district or province of 2025-01
    (`opening_map`), else on the map of the date; for a commune, whose one indicator says little alone,
    its province's rows too. The country for no account and for national ones."""
    code, code_map = opening_unit(engine, actor) if actor is not None else (NATIONAL_CODE, OLD_MAP)
    on = (opening_map(actor) if actor is not None else None) or map_of(as_of)
    rows = coverage(engine, as_of, verified_only=verified_only, map_name=on)
    view = unit_view(rows, on, code, code_map)
    found = [(view.figures_unit, view.cards)]
    if view.figures_unit.level == "commune":
        province = view.trail[1]
        found.append((province, rows[(rows["level"] == "province") & (rows["unit_code"] == province.code)]))
    return found


def busiest_district(engine: Engine) -> str | None:
    """The district where most linkages are located: where a national user's graph opens."""
    counts = linkages_located(FACTS.get(engine), "district")
    return str(counts.index[0]) if len(counts) else None


def geography(engine: Engine) -> Geography:
    return FACTS.get(engine).geography


def unit_linkage_counts(engine: Engine, as_of: date, unit: Unit | str, verified_only: bool = False) -> LinkageCounts:
    """`linkage_counts` from the cached facts."""
    return linkage_counts(FACTS.get(engine, verified_only), as_of, unit)
