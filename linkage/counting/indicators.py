"""The three digital-economy indicators of Decision 924/QD-TTg, exactly as docs/indicators.md defines them.

The stored records are read once into `Facts` (`linkage.counting.facts`); each as-of date is then a handful
of vectorised filters and group-bys over every unit at once, so a trend over five year ends costs
one read, not five. Dates are compared as proleptic ordinals. Nothing here reads the database: the
same counting serves the app (from `coverage.FACTS`) and `linkage coverage` (from `facts.read_facts`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from linkage.counting.facts import BOTH_COMMUNES, Facts
from linkage.counting.lifespan import ADOPTION, COOPERATIVE, LINKAGE
from linkage.frames import is_in
from linkage.geo.geography import LEVELS
from linkage.geo.maps import (
    NATIONAL_CODE,
    NATIONAL_NAME,
    NEW_MAP,
    OLD_MAP,
    Unit,
    as_unit,
    check_map,
    map_of,
    national,
    placement_columns,
    unit_columns,
)

COMMUNES = "communes_with_cooperative"


DISTRICTS = "districts_with_key_product_linkage"


RAW_MATERIAL = "raw_material_linkages_with_digital_tech"


INDICATORS = (COMMUNES, DISTRICTS, RAW_MATERIAL)


TARGETS: dict[str, Fraction] = {COMMUNES: Fraction(7, 10), DISTRICTS: Fraction(7, 10), RAW_MATERIAL: Fraction(1, 2)}


MAP_INDICATOR_LEVELS: dict[str, dict[str, tuple[str, ...]]] = {  # docs/indicators.md: the levels of each map
    OLD_MAP: {
        COMMUNES: ("national", "province", "district"),
        DISTRICTS: ("national", "province"),
        RAW_MATERIAL: ("national", "province", "district"),
    },
    NEW_MAP: {COMMUNES: ("national", "province"), DISTRICTS: (), RAW_MATERIAL: ("national", "province", "commune")},
}


INDICATOR_LEVELS = MAP_INDICATOR_LEVELS[OLD_MAP]


ALL_LEVELS = ("national", "province", "district", "commune")


def reported_levels(map_name: str) -> tuple[str, ...]:
    """The levels at which map `map_name` reports at least one indicator, highest first: national,
    province and district on `2025-01`; national, province and commune on `2025-07`."""
    levels = {level for per_indicator in MAP_INDICATOR_LEVELS[check_map(map_name)].values() for level in per_indicator}
    return tuple(level for level in ALL_LEVELS if level in levels)


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


YEAR_ENDS = tuple(date(year, 12, 31) for year in range(2021, 2026))


_COMPUTED_LOCK = threading.Lock()


COMPUTED_KEPT = 64  # indicator tables kept per facts (a few dates × maps × level sets of an app's users)


@dataclass(frozen=True)
class UnitCounts:
    """Numerators, denominators and unplaced records by unit code for one indicator and one level."""

    numerator: pd.Series
    denominator: pd.Series
    unplaced: pd.Series


def _count_by(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].value_counts(sort=False) if len(frame) else pd.Series(dtype="int64")


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
    in it is placed in (docs/exchange-files.md, "Two maps"), None above that unit (`maps.placement_columns`), once per
    process."""
    return pd.DataFrame(placement_columns(from_map, on), dtype=object).set_index("code")


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
    return placed.loc[is_in(placed["linkage_code"], codes), ["linkage_code", *PLACED]]


def _unplaced_by(located: pd.DataFrame, key: str, column: str | None, lowest: str) -> pd.Series:
    """How many records (`key`) are in each unit of `column` (the country when None) but in no unit of
    the `lowest` level there (docs/indicators.md, `unplaced`). Such rows are few (placed above the
    lowest level): only their records are looked at."""
    inside = located[located[column].notna()] if column else located
    keys = [key, column] if column else [key]
    above = inside[inside[lowest].isna()]
    if not len(above):
        return pd.Series(dtype="int64")
    candidates = above[keys].drop_duplicates()
    theirs = inside[is_in(inside[key], candidates[key]) & inside[lowest].notna()][keys].drop_duplicates()
    placed_too = candidates.merge(theirs, how="left", indicator=True)["_merge"].eq("both").to_numpy()
    loose = candidates[~placed_too]
    if column is None:
        return pd.Series({NATIONAL_CODE: len(loose)})
    return loose[column].value_counts(sort=False)


@dataclass(frozen=True)
class MapUnits:
    """The units of one map as the indicators need them."""

    provinces: pd.DataFrame  # code, name
    districts: pd.DataFrame  # code, name, province_code, in_scope (empty on 2025-07)
    communes: pd.DataFrame  # code, name, district_code (None on 2025-07), province_code, is_rural


@cache
def _new_map_units() -> MapUnits:
    communes = pd.DataFrame(unit_columns(NEW_MAP, "commune"), dtype=object).astype({"is_rural": bool})
    provinces = pd.DataFrame(unit_columns(NEW_MAP, "province"), dtype=object)
    districts = pd.DataFrame(columns=["code", "name", "province_code", "in_scope"])
    return MapUnits(provinces, districts, communes)


def map_units(f: Facts, map_name: str) -> MapUnits:
    if map_name == OLD_MAP:
        return MapUnits(f.geography.provinces, f.geography.districts, f.geography.communes)
    return _new_map_units()


def _active_cooperatives(f: Facts, day: int, on: str) -> pd.DataFrame:
    """The cooperatives active on `day`, placed on map `on`."""
    active = f.cooperatives[COOPERATIVE.mask(f.cooperatives, day)]
    return _memo(f, "cooperatives", on, f.cooperatives[["code", *BOTH_COMMUNES]]).loc[active.index]


def communes_with_cooperative(f: Facts, as_of: date, on: str) -> set[str]:
    """The rural communes of map `on` with an active cooperative placed in them on `as_of` (the first
    indicator's numerator, commune by commune: what its map colours)."""
    key = ("communes_with_cooperative", on, as_of)
    if key not in f.memo:  # the facts never change once read: a map redrawn for the same date reads it again
        units = map_units(f, check_map(on))
        rural = units.communes[units.communes["is_rural"]]
        placed = _active_cooperatives(f, as_of.toordinal(), on)
        f.memo[key] = frozenset(rural.loc[is_in(rural["code"], placed["commune_code"].dropna().unique()), "code"])
    return set(f.memo[key])


def commune_digital_counts(f: Facts, as_of: date, on: str) -> UnitCounts:
    """The third indicator counted in each commune of map `on` (reported for rural communes of 2025-07
    only; on 2025-01 its map draws communes with these counts all the same)."""
    key = ("commune_digital_counts", on, as_of)
    if key not in f.memo:
        f.memo[key] = _raw_material_linkages_with_digital_tech(f, as_of.toordinal(), on, map_units(f, check_map(on)))
    counts: UnitCounts = f.memo[key]["commune"]
    return counts


def _communes_with_cooperative(f: Facts, day: int, on: str, units: MapUnits) -> dict[str, UnitCounts]:
    placed = _active_cooperatives(f, day, on)
    rural = units.communes[units.communes["is_rural"]]
    covered = rural[is_in(rural["code"], placed["commune_code"].dropna().unique())]
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
    nowhere = located[located["province_code"].isna() & is_in(located["product_code"], f.national_keys)]
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
    covered = scope[is_in(scope["code"], keyed["district_code"].dropna().unique())]
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
    located["digital"] = is_in(located["linkage_code"], _digital_codes(f, day))
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
        chosen = units.provinces[is_in(units.provinces["code"], set(rural["province_code"]))][["code", "name"]]
    return chosen.rename(columns={"code": "unit_code", "name": "unit_name"}).reset_index(drop=True)


def compute(facts: Facts, as_of: date, levels: Sequence[str] = ALL_LEVELS, map_name: str | None = None) -> pd.DataFrame:
    """One row per indicator and in-scope unit of the map (docs/indicators.md): counts, ratio, target, met,
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

    Two readings: `own` reads each date on the map in force then (the year ends
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
    the unit's map (docs/exchange-files.md, "Two maps"): one given on the other map only counts where it is placed
    there."""
    unit = old_map_unit(unit)
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
    communes = rural[~is_in(rural["code"], with_coop) & is_in(rural["code"], busy)][["code", "name", "district_code"]]

    if on == OLD_MAP:
        in_scope = units.districts[units.districts["in_scope"]].rename(columns={"code": "district_code"})
        scope = _rows_in_unit(in_scope, unit)
        with_linkage = set(located["district_code"].dropna())
        districts = scope[
            is_in(scope["district_code"], with_linkage)
            & ~is_in(scope["district_code"], key_product_districts(facts, day))
        ][["district_code", "name"]]
    else:  # 2025-07 has no districts
        districts = pd.DataFrame(columns=["district_code", "name"])

    raw = live[live["has_raw_material"] & ~is_in(live["code"], digital_linkages(facts, day))]
    here = set(_rows_in_unit(located, unit)["linkage_code"])
    linkages = raw[is_in(raw["code"], here)][["code", "product_code"]]
    return Candidates(
        communes.reset_index(drop=True), districts.reset_index(drop=True), linkages.reset_index(drop=True)
    )


def old_map_unit(unit: Unit | str) -> Unit:
    """`unit`, or the unit of 2025-01 a stored code names (the app's pages pass codes on that map until
    they offer a map); an unknown code is the country."""
    return as_unit(unit, OLD_MAP) or national(OLD_MAP)


def linkages_located(facts: Facts, level: str, map_name: str = OLD_MAP) -> pd.Series:
    """How many linkages are located in each unit of `level` of the map, most first, every party
    placed on the map; a linkage in several units counts in each."""
    column = f"{level}_code"
    located = _located(facts, facts.linkages["code"], map_name).dropna(subset=[column])
    return located.drop_duplicates(["linkage_code", column])[column].value_counts()


@dataclass(frozen=True)
class LinkageCounts:
    """Linkages located in one unit on one date: what a unit without indicator figures still has."""

    active: int  # linkages active on the date with a party placed in the unit
    raw_material: int  # of which with a raw-material area party
    digital: int  # of those, applying a digital technology on the date


def linkage_counts(facts: Facts, as_of: date, unit: Unit | str) -> LinkageCounts:
    """How many linkages lie in `unit` (of either map; a code: of 2025-01) on `as_of`, each counted once,
    every party placed on the unit's map."""
    unit = old_map_unit(unit)
    day = as_of.toordinal()
    live = facts.linkages[LINKAGE.mask(facts.linkages, day)]
    here = _rows_in_unit(_located(facts, live["code"], unit.map), unit)
    live = live[is_in(live["code"], set(here["linkage_code"]))]
    raw = set(live.loc[live["has_raw_material"], "code"])
    return LinkageCounts(len(live), len(raw), len(raw & digital_linkages(facts, day)))
