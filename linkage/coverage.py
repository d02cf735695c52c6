"""The three digital-economy indicators of Decision 924/QD-TTg, exactly as CONTRACT §3 defines them.

The stored records are read once into `Facts` (a few compact DataFrames); each as-of date is
then a handful of vectorised filters and group-bys over every unit at once, so a trend over
five year ends costs one read, not five. Dates are compared as proleptic ordinals.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from linkage.actor import Actor
from linkage.db import data_version, read_frame, read_session
from linkage.exchange.spec import BY_NAME
from linkage.exchange.values import shield
from linkage.geography import LEVELS, NATIONAL_CODE, NATIONAL_NAME, Geography, level_of, read_geography
from linkage.keys import record_key
from linkage.lifespan import ADOPTION, COOPERATIVE, LINKAGE
from linkage.models import LinkageParty, Producer, Review
from linkage.permissions import Locator, readable_linkages

COMMUNES = "communes_with_cooperative"
DISTRICTS = "districts_with_key_product_linkage"
RAW_MATERIAL = "raw_material_linkages_with_digital_tech"
INDICATORS = (COMMUNES, DISTRICTS, RAW_MATERIAL)
TARGETS: dict[str, Fraction] = {COMMUNES: Fraction(7, 10), DISTRICTS: Fraction(7, 10), RAW_MATERIAL: Fraction(1, 2)}
INDICATOR_LEVELS: dict[str, tuple[str, ...]] = {
    COMMUNES: ("national", "province", "district"),
    DISTRICTS: ("national", "province"),
    RAW_MATERIAL: ("national", "province", "district"),
}
COLUMNS = ["indicator", "level", "unit_code", "unit_name", "numerator", "denominator", "ratio", "target", "met"]
YEAR_ENDS = tuple(date(year, 12, 31) for year in range(2021, 2026))


@dataclass(frozen=True)
class Facts:
    """What the indicators need, read once; archived records are already left out."""

    geography: Geography
    cooperatives: pd.DataFrame  # commune_code, start, end (ordinals)
    linkages: pd.DataFrame  # code, product_code, start, end, has_buyer, has_raw_material
    locations: pd.DataFrame  # linkage_code, commune_code, district_code, province_code
    adoptions: pd.DataFrame  # linkage_code, start, end
    key_products: pd.DataFrame  # province_code, product_code: national key products expanded per province
    producer_communes: frozenset[str]


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
    names = list(dict.fromkeys([*spec.key, *columns]))
    query = sa.select(*(getattr(model, c) for c in names), model.archived_at)
    if where is not None:
        query = query.where(where)
    if reviews is None:
        return read_frame(session, query.where(model.archived_at.is_(None)))[columns]
    frame = read_frame(session, query)
    pending = reviews.get(entity, {})
    if pending and len(frame):
        keys = frame[list(spec.key)].apply(lambda row: record_key(spec.key, row), axis=1)
        for key, snap in pending.items():
            rows = keys[keys == key].index
            if snap is None:
                frame = frame.drop(index=rows)
                continue
            for column in names:
                frame.loc[rows, column] = _typed(entity, column, snap.get(column))
            frame.loc[rows, "archived_at"] = None if snap.get("archived") == "false" else "archived"
    return frame[frame["archived_at"].isna()][columns]


def load_facts(session: Session, verified_only: bool = False) -> Facts:
    """Read every record the indicators depend on, with set-based queries only.

    `verified_only` uses each record as an officer last verified it: changes a cooperative reported
    and nobody checked yet are left out, as are records created unverified.
    """
    reviews: Reviews | None = None
    if verified_only:
        reviews = {}
        for review in session.execute(sa.select(Review)).scalars():
            reviews.setdefault(review.entity, {})[review.record_key] = review.snapshot
    geography = read_geography(session)
    coops = COOPERATIVE.with_ordinals(
        _records(session, "cooperatives", ["code", "commune_code", "established_on", "dissolved_on"], reviews)
    )
    linkages = LINKAGE.with_ordinals(
        _records(session, "linkages", ["code", "product_code", "started_on", "ended_on"], reviews)
    )
    parties = _records(session, "linkage_parties", ["linkage_code", "party_type", "party_code"], reviews)
    linkages["has_buyer"] = linkages["code"].isin(set(parties.loc[parties["party_type"] == "buyer", "linkage_code"]))
    linkages["has_raw_material"] = linkages["code"].isin(
        set(parties.loc[parties["party_type"] == "raw_material_area", "linkage_code"])
    )
    in_parties = col(Producer.code).in_(sa.select(col(LinkageParty.producer_code)))
    homes = pd.concat(
        [
            coops[["code", "commune_code"]].assign(party_type="cooperative"),
            _records(session, "producers", ["code", "commune_code"], reviews, in_parties).assign(party_type="producer"),
            _records(session, "raw_material_areas", ["code", "commune_code"], reviews).assign(
                party_type="raw_material_area"
            ),
        ]
    ).rename(columns={"code": "party_code"})
    communes = geography.communes[["code", "district_code", "province_code"]].rename(columns={"code": "commune_code"})
    locations = (
        parties.merge(homes, on=["party_type", "party_code"])[["linkage_code", "commune_code"]]
        .drop_duplicates()
        .merge(communes, on="commune_code")
    )
    adoptions = ADOPTION.with_ordinals(
        _records(session, "digital_adoptions", ["linkage_code", "adopted_on", "discontinued_on"], reviews)
    )
    products = _records(session, "products", ["code", "national_key"], reviews)
    national = products.loc[products["national_key"].astype(bool), ["code"]].rename(columns={"code": "product_code"})
    provincial = _records(session, "province_key_products", ["province_code", "product_code"], reviews)
    expanded = geography.provinces[["code"]].rename(columns={"code": "province_code"}).merge(national, how="cross")
    key_products = pd.concat([expanded, provincial]).drop_duplicates()
    producers = session.execute(
        sa.select(col(Producer.commune_code)).where(col(Producer.archived_at).is_(None)).distinct()
    ).scalars()
    return Facts(geography, coops, linkages, locations, adoptions, key_products, frozenset(producers))


@dataclass(frozen=True)
class UnitCounts:
    """Numerators and denominators by unit code for one indicator and one level."""

    numerator: pd.Series
    denominator: pd.Series


def _count_by(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame.groupby(column).size() if len(frame) else pd.Series(dtype="int64")


def _communes_with_cooperative(f: Facts, day: int) -> dict[str, UnitCounts]:
    rural = f.geography.communes[f.geography.communes["is_rural"]]
    with_coop = set(f.cooperatives.loc[COOPERATIVE.mask(f.cooperatives, day), "commune_code"])
    covered = rural[rural["code"].isin(with_coop)]
    return {
        "district": UnitCounts(_count_by(covered, "district_code"), _count_by(rural, "district_code")),
        "province": UnitCounts(_count_by(covered, "province_code"), _count_by(rural, "province_code")),
        "national": UnitCounts(pd.Series({NATIONAL_CODE: len(covered)}), pd.Series({NATIONAL_CODE: len(rural)})),
    }


def key_product_districts(f: Facts, day: int) -> set[str]:
    """In-scope districts with an active linkage that has a buyer and a key product of its province."""
    live = f.linkages[LINKAGE.mask(f.linkages, day) & f.linkages["has_buyer"]]
    located = f.locations[f.locations["linkage_code"].isin(set(live["code"]))].merge(
        live[["code", "product_code"]].rename(columns={"code": "linkage_code"}), on="linkage_code"
    )
    keyed = located.merge(f.key_products, on=["province_code", "product_code"])
    in_scope = set(f.geography.districts.loc[f.geography.districts["in_scope"], "code"])
    return set(keyed["district_code"]) & in_scope


def _districts_with_key_product_linkage(f: Facts, day: int) -> dict[str, UnitCounts]:
    scope = f.geography.districts[f.geography.districts["in_scope"]]
    covered = scope[scope["code"].isin(key_product_districts(f, day))]
    return {
        "province": UnitCounts(_count_by(covered, "province_code"), _count_by(scope, "province_code")),
        "national": UnitCounts(pd.Series({NATIONAL_CODE: len(covered)}), pd.Series({NATIONAL_CODE: len(scope)})),
    }


def digital_linkages(f: Facts, day: int) -> set[str]:
    """Codes of linkages with a technology adopted on or before `day` and not discontinued by it."""
    return set(f.adoptions.loc[ADOPTION.mask(f.adoptions, day), "linkage_code"])


def _raw_material_linkages_with_digital_tech(f: Facts, day: int) -> dict[str, UnitCounts]:
    live = f.linkages[LINKAGE.mask(f.linkages, day) & f.linkages["has_raw_material"]]
    located = f.locations[f.locations["linkage_code"].isin(set(live["code"]))].copy()
    located["digital"] = located["linkage_code"].isin(digital_linkages(f, day))
    result = {}
    for level, column in (("district", "district_code"), ("province", "province_code")):
        once = located.drop_duplicates(["linkage_code", column])
        result[level] = UnitCounts(_count_by(once[once["digital"]], column), _count_by(once, column))
    once = located.drop_duplicates("linkage_code")
    result["national"] = UnitCounts(
        pd.Series({NATIONAL_CODE: int(once["digital"].sum())}), pd.Series({NATIONAL_CODE: len(once)})
    )
    return result


RULES = {
    COMMUNES: _communes_with_cooperative,
    DISTRICTS: _districts_with_key_product_linkage,
    RAW_MATERIAL: _raw_material_linkages_with_digital_tech,
}


def _units(geo: Geography, level: str) -> pd.DataFrame:
    """Every in-scope unit of a level, with its name: reported even when it has no data."""
    if level == "national":
        return pd.DataFrame({"unit_code": [NATIONAL_CODE], "unit_name": [NATIONAL_NAME]})
    scope = geo.districts[geo.districts["in_scope"]]
    if level == "district":
        units = scope[["code", "name"]]
    else:
        units = geo.provinces[geo.provinces["code"].isin(set(scope["province_code"]))][["code", "name"]]
    return units.rename(columns={"code": "unit_code", "name": "unit_name"})


def compute(facts: Facts, as_of: date, levels: Sequence[str] = LEVELS) -> pd.DataFrame:
    """One row per indicator and in-scope unit (CONTRACT §3): counts, ratio, target, met."""
    day = as_of.toordinal()
    frames = []
    for indicator in INDICATORS:
        counts = RULES[indicator](facts, day)
        for level in INDICATOR_LEVELS[indicator]:
            if level not in levels:
                continue
            units = _units(facts.geography, level)
            c = counts[level]
            units["numerator"] = units["unit_code"].map(c.numerator).fillna(0).astype("int64")
            units["denominator"] = units["unit_code"].map(c.denominator).fillna(0).astype("int64")
            units.insert(0, "level", level)
            units.insert(0, "indicator", indicator)
            frames.append(units)
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


def trend(facts: Facts, dates: Iterable[date] = YEAR_ENDS, levels: Sequence[str] = LEVELS) -> pd.DataFrame:
    """The indicators at each date from one read of the data: rows as `compute` plus `as_of`."""
    frames = []
    for day in dates:
        rows = compute(facts, day, levels)
        rows.insert(0, "as_of", day.isoformat())
        frames.append(rows)
    return pd.concat(frames, ignore_index=True)


def json_rows(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON-ready dicts: ints stay ints, a missing ratio or `met` is None."""
    out: list[dict[str, Any]] = []
    for row in rows.to_dict("records"):
        for key in ("numerator", "denominator", "needed"):
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


def _rows_in_unit(frame: pd.DataFrame, unit_code: str) -> pd.DataFrame:
    if unit_code == NATIONAL_CODE:
        return frame
    column = "province_code" if len(unit_code) == 2 else "district_code"
    return frame[frame[column] == unit_code]


def candidates(facts: Facts, as_of: date, unit_code: str) -> Candidates:
    """Candidates inside one unit (`VN`, a province or a district code) on `as_of`."""
    day = as_of.toordinal()
    geo = facts.geography
    live = facts.linkages[LINKAGE.mask(facts.linkages, day)]
    located = facts.locations[facts.locations["linkage_code"].isin(set(live["code"]))]

    rural = _rows_in_unit(geo.communes[geo.communes["is_rural"]], unit_code)
    with_coop = set(facts.cooperatives.loc[COOPERATIVE.mask(facts.cooperatives, day), "commune_code"])
    busy = facts.producer_communes | set(located["commune_code"])
    communes = rural[~rural["code"].isin(with_coop) & rural["code"].isin(busy)][["code", "name", "district_code"]]

    scope = _rows_in_unit(geo.districts[geo.districts["in_scope"]].rename(columns={"code": "district_code"}), unit_code)
    with_linkage = set(located["district_code"])
    districts = scope[
        scope["district_code"].isin(with_linkage) & ~scope["district_code"].isin(key_product_districts(facts, day))
    ][["district_code", "name"]]

    raw = live[live["has_raw_material"] & ~live["code"].isin(digital_linkages(facts, day))]
    here = set(_rows_in_unit(located, unit_code)["linkage_code"])
    linkages = raw[raw["code"].isin(here)][["code", "product_code"]]
    return Candidates(
        communes.reset_index(drop=True), districts.reset_index(drop=True), linkages.reset_index(drop=True)
    )


class FactsCache:
    """Facts per database, reused until the stored data version changes (any process's write).

    One lock per cache: the app's sessions run in threads, and two of them arriving cold should
    read the facts once, not twice."""

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
                facts = load_facts(session, verified_only)
            self._cache[key] = (version, facts)
            return facts


FACTS = FactsCache()


def coverage(engine: Engine, as_of: date, levels: Sequence[str] = LEVELS, verified_only: bool = False) -> pd.DataFrame:
    """The indicator rows for `as_of`, from cached facts when nothing changed since the last call.

    `verified_only` counts records as officers last verified them (CONTRACT §3 on checked data).
    """
    return compute(FACTS.get(engine, verified_only), as_of, levels)


def unit_rows(rows: pd.DataFrame, unit_code: str) -> pd.DataFrame:
    return rows[rows["unit_code"] == unit_code]


def district_of(geo: Geography, commune_code: str) -> str:
    """The district a commune belongs to (the country when the code is unknown)."""
    match = geo.communes.loc[geo.communes["code"] == commune_code, "district_code"]
    return str(match.iloc[0]) if len(match) else NATIONAL_CODE


def breadcrumb(geo: Geography, unit_code: str) -> list[tuple[str, str]]:
    """(code, name) from the country down to `unit_code`, for drill-down navigation."""
    trail = [(NATIONAL_CODE, NATIONAL_NAME)]
    if unit_code == NATIONAL_CODE:
        return trail
    if len(unit_code) == 3:
        district = geo.districts[geo.districts["code"] == unit_code]
        if district.empty:
            return trail
        province = str(district.iloc[0]["province_code"])
        return [*trail, (province, geo.name_of(province)), (unit_code, str(district.iloc[0]["name"]))]
    return [*trail, (unit_code, geo.name_of(unit_code))]


def child_rows(rows: pd.DataFrame, geo: Geography, unit_code: str) -> pd.DataFrame:
    """The rows of the units one level below `unit_code` (provinces of the country, districts of a
    province); empty for a district."""
    if unit_code == NATIONAL_CODE:
        return rows[rows["level"] == "province"]
    if len(unit_code) == 2:
        mine = set(geo.districts.loc[geo.districts["province_code"] == unit_code, "code"])
        return rows[(rows["level"] == "district") & rows["unit_code"].isin(mine)]
    return rows.iloc[0:0]


def unit_trend(
    engine: Engine, unit_code: str, verified_only: bool = False, dates: Iterable[date] = YEAR_ENDS
) -> pd.DataFrame:
    """One unit's indicators at each date (the year ends 2021–2025 by default), from cached facts."""
    level = "national" if unit_code == NATIONAL_CODE else "province" if len(unit_code) == 2 else "district"
    rows = trend(FACTS.get(engine, verified_only), dates, (level,))
    return rows[rows["unit_code"] == unit_code].reset_index(drop=True)


def unit_candidates(
    engine: Engine, actor: Actor, as_of: date, unit_code: str, verified_only: bool = False
) -> Candidates:
    """A unit's candidates as the actor may see them: linkages outside its reading scope are left out
    (communes and districts are public geography)."""
    found = candidates(FACTS.get(engine, verified_only), as_of, unit_code)
    with read_session(engine) as session:
        allowed = readable_linkages(session, actor, found.linkages_without_digital["code"])
    linkages = found.linkages_without_digital
    return Candidates(
        found.communes_without_cooperative,
        found.districts_without_key_linkage,
        linkages[linkages["code"].isin(allowed)].reset_index(drop=True),
    )


def home_unit(engine: Engine, actor: Actor) -> str:
    """Where an actor's coverage page opens: a planner's province, an officer's district, the
    district of a cooperative's office, else the whole country."""
    if actor.role in ("planner", "officer") and actor.unit_code:
        return actor.unit_code
    if actor.role == "cooperative" and actor.cooperative_code:
        with read_session(engine) as session:
            district = Locator(session).home_district("cooperatives", actor.cooperative_code)
        return district or NATIONAL_CODE
    return NATIONAL_CODE


def linkages_located(facts: Facts, level: str) -> pd.Series:
    """How many linkages are located in each district or province (`level`), most first; a linkage
    in several units counts in each."""
    column = f"{level}_code"
    return facts.locations.drop_duplicates(["linkage_code", column])[column].value_counts()


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


def linkage_counts(facts: Facts, as_of: date, unit_code: str) -> LinkageCounts:
    """How many linkages lie in `unit_code` (`VN`, a province, a district) on `as_of`, each counted once."""
    day = as_of.toordinal()
    level = "national" if unit_code == NATIONAL_CODE else level_of(unit_code)
    here = facts.locations if level == "national" else facts.locations[facts.locations[f"{level}_code"] == unit_code]
    live = facts.linkages[LINKAGE.mask(facts.linkages, day) & facts.linkages["code"].isin(set(here["linkage_code"]))]
    raw = set(live.loc[live["has_raw_material"], "code"])
    return LinkageCounts(len(live), len(raw), len(raw & digital_linkages(facts, day)))


def unit_linkage_counts(engine: Engine, as_of: date, unit_code: str, verified_only: bool = False) -> LinkageCounts:
    """`linkage_counts` from the cached facts."""
    return linkage_counts(FACTS.get(engine, verified_only), as_of, unit_code)
