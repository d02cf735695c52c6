"""The three digital-economy indicators of Decision 924/QD-TTg, exactly as docs/indicators.md defines them, as tables.

The stored records are read once into `Facts` (`linkage.counting.facts`); the rules themselves are
`linkage.counting.rules`, over the same facts as plain rows (`inputs_of`), each as-of date one pass over
every unit at once, so a trend over five year ends costs one read, not five. Here their counts become
the tables the pages, downloads and reports show, and the lists that say what would close a gap
(`candidates`). Nothing here reads the database.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import pandas as pd

from linkage.counting import rules
from linkage.counting.facts import BOTH_COMMUNES, Facts
from linkage.counting.lifespan import COOPERATIVE, LINKAGE
from linkage.counting.printed import json_ready
from linkage.counting.rules import MAP_INDICATOR_LEVELS, Counts, Inputs
from linkage.frames import is_in
from linkage.geo.geography import LEVELS
from linkage.geo.maps import (
    NEW_MAP,
    OLD_MAP,
    Unit,
    as_unit,
    check_map,
    map_of,
    national,
    unit_columns,
)

# The rules' names, here too for the pages and reports that show their tables.
COMMUNES, DISTRICTS, RAW_MATERIAL, INDICATORS = rules.COMMUNES, rules.DISTRICTS, rules.RAW_MATERIAL, rules.INDICATORS
TARGETS, ALL_LEVELS, reported_levels = rules.TARGETS, rules.ALL_LEVELS, rules.reported_levels
INDICATOR_LEVELS = MAP_INDICATOR_LEVELS[OLD_MAP]


COLUMNS = list(rules.COLUMNS)


YEAR_ENDS = tuple(date(year, 12, 31) for year in range(2021, 2026))


_COMPUTED_LOCK = threading.Lock()


COMPUTED_KEPT = 64  # indicator tables kept per facts (a few dates × maps × level sets of an app's users)


PLACED = ["commune_code", "district_code", "province_code"]


def _placed(frame: pd.DataFrame, on: str) -> pd.DataFrame:
    """`frame` (with `commune_code` and `commune_code_2025_07`) plus where each row is placed on map `on`
    (`rules.place_all`): its own commune there when given, else placed from the commune of the other map."""
    communes = zip(_plain(frame["commune_code"]), _plain(frame["commune_code_2025_07"]), strict=True)
    placed = pd.DataFrame(rules.place_all(communes, on), columns=PLACED, index=frame.index, dtype=object)
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


def _plain(column: pd.Series) -> list[Any]:
    """A column's values as Python objects, anything missing as None."""
    values = column.to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = None
    return values.tolist()  # type: ignore[no-any-return]


def _column(frame: pd.DataFrame, name: str) -> list[Any]:
    if name in ("start", "end"):
        return frame[name].tolist()  # type: ignore[no-any-return]
    if name.startswith("has_"):
        return frame[name].astype(bool).tolist()  # type: ignore[no-any-return]
    return _plain(frame[name])


def _rows(frame: pd.DataFrame, *names: str) -> list[tuple[Any, ...]]:
    """Columns of a facts frame as plain rows: ordinals as ints, flags as bools, the rest as Python
    objects with None where missing."""
    if frame.empty and not set(names) <= set(frame.columns):  # an empty frame made without columns
        return []
    return list(zip(*(_column(frame, name) for name in names), strict=True))


def inputs_of(f: Facts) -> Inputs:
    """The facts as the rules read them (plain rows), made once per facts: they never change once read."""
    key = ("inputs",)
    if key not in f.memo:
        f.memo[key] = Inputs(
            cooperatives=_rows(f.cooperatives, *BOTH_COMMUNES, "start", "end"),  # type: ignore[arg-type]
            linkages=_rows(  # type: ignore[arg-type]
                f.linkages, "code", "product_code", "start", "end", "has_buyer", "has_raw_material"
            ),
            adoptions=_rows(f.adoptions, "linkage_code", "start", "end"),  # type: ignore[arg-type]
            party_places=_rows(f.party_places, "linkage_code", *BOTH_COMMUNES),  # type: ignore[arg-type]
            key_products=frozenset(_rows(f.key_products, "province_code", "product_code")),  # type: ignore[arg-type]
            national_keys=frozenset(f.national_keys),
        )
    inputs: Inputs = f.memo[key]
    return inputs


def communes_with_cooperative(f: Facts, as_of: date, on: str) -> set[str]:
    """The rural communes of map `on` with an active cooperative placed in them on `as_of` (the first
    indicator's numerator, commune by commune: what its map colours)."""
    return rules.covered_communes(inputs_of(f), as_of.toordinal(), check_map(on))


def commune_digital_counts(f: Facts, as_of: date, on: str) -> Counts:
    """The third indicator counted in each commune of map `on` (reported for rural communes of 2025-07
    only; on 2025-01 its map draws communes with these counts all the same)."""
    # kept by the rules for the date (`rules.DAYS_KEPT`): a map redrawn for the same date counts nothing again
    return rules.raw_material_counts(inputs_of(f), as_of.toordinal(), check_map(on))["commune"]


def key_product_districts(f: Facts, day: int) -> set[str]:
    """In-scope districts with an active linkage that has a buyer and a key product of its province."""
    return rules.key_product_districts(inputs_of(f), day)


def digital_linkages(f: Facts, day: int) -> set[str]:
    """Codes of linkages with a technology adopted on or before `day` and not discontinued by it."""
    return set(rules.digital_linkages(inputs_of(f), day))


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
    counted = rules.rows(inputs_of(facts), as_of.toordinal(), levels, on)
    rows = pd.DataFrame.from_records(counted, columns=COLUMNS)
    for column in ("numerator", "denominator", "unplaced"):
        rows[column] = rows[column].astype("int64")
    for column in ("ratio", "target"):
        rows[column] = rows[column].astype("float64")
    rows["met"] = rows["met"].astype(object)
    return rows


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
    return json_ready(rows.to_dict("records"))


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
