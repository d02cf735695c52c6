"""The three indicator rules of docs/indicators.md over plain columns: the one place they are counted.

Everything here is Python's own lists, sets and dicts, on purpose. At national scale the rules touch
a few tens of thousands of rows once per date and map; plain loops over them cost less than the
frames around them did, and a process that only counts (`linkage coverage`) need not import pandas,
which alone took longer than the counting (docs/benchmarks.md). The app hands its cached facts over
as `Inputs` (`indicators.inputs_of`); the command line reads them straight from the database
(`linkage.counting.live`).

A row is placed on a map as docs/exchange-files.md ("Two maps") says: its commune of that map when
given, else the unit the commune of the other map is placed in (`maps.placement_columns`).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Any

from linkage.counting.lifespan import in_force
from linkage.geo.maps import (
    NATIONAL_CODE,
    NATIONAL_NAME,
    NEW_MAP,
    OLD_MAP,
    check_map,
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
ALL_LEVELS = ("national", "province", "district", "commune")


def reported_levels(map_name: str) -> tuple[str, ...]:
    """The levels at which map `map_name` reports at least one indicator, highest first: national,
    province and district on `2025-01`; national, province and commune on `2025-07`."""
    levels = {level for per_indicator in MAP_INDICATOR_LEVELS[check_map(map_name)].values() for level in per_indicator}
    return tuple(level for level in ALL_LEVELS if level in levels)


COLUMNS = (
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
)

Place = tuple[str | None, str | None, str | None]  # commune, district, province of one map; None above the unit
NOWHERE: Place = (None, None, None)
LEVEL_INDEX = {"commune": 0, "district": 1, "province": 2}


@dataclass(frozen=True)
class Inputs:
    """What the rules read: the live (or last verified) records as plain rows, dates as proleptic
    ordinals with open bounds already filled (`lifespan.ALWAYS`, `lifespan.NEVER`)."""

    cooperatives: Sequence[tuple[str | None, str | None, int, int]]  # commune 2025-01, 2025-07, start, end
    # code, product_code, start, end, has a buyer, has a raw material area
    linkages: Sequence[tuple[str, str | None, int, int, bool, bool]]
    adoptions: Sequence[tuple[str, int, int]]  # linkage_code, start, end
    party_places: Sequence[tuple[str, str | None, str | None]]  # linkage_code, commune 2025-01, 2025-07
    key_products: frozenset[tuple[str, str]]  # (province of 2025-01, product): national ones for every province
    national_keys: frozenset[str]
    # rows placed on a map, once per inputs and map: every date reuses them
    memo: dict[tuple[object, ...], Any] = field(default_factory=dict, compare=False, repr=False)
    # what one date's rules found (`_for_day`), the newest `DAYS_KEPT`: a page asks again for its date
    days: dict[tuple[object, ...], Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Counts:
    """Numerator, denominator and unplaced records by unit code, for one indicator at one level."""

    numerator: Mapping[str, int]
    denominator: Mapping[str, int]
    unplaced: Mapping[str, int]


@cache
def placement(from_map: str, on: str) -> Mapping[str, Place]:
    """Every commune code of `from_map` → where a record located in it is placed on map `on`."""
    columns = placement_columns(from_map, on)
    return dict(
        zip(
            columns["code"],
            zip(columns["commune_code"], columns["district_code"], columns["province_code"], strict=True),
            strict=True,
        )
    )


def place_all(communes: Iterable[tuple[str | None, str | None]], on: str) -> list[Place]:
    """Where each row located by its two communes (2025-01, 2025-07) is placed on map `on`: its own
    commune of that map when given, else from the commune of the other map; nowhere when the code is
    on neither list."""
    here = placement(on, on)
    there = placement(NEW_MAP if on == OLD_MAP else OLD_MAP, on)
    pairs = communes if on == OLD_MAP else ((new, old) for old, new in communes)  # (own, other)
    return [
        here.get(own, NOWHERE) if own is not None else there.get(other, NOWHERE) if other is not None else NOWHERE
        for own, other in pairs
    ]


def _memo[T](inputs: Inputs, key: tuple[object, ...], make: Callable[[], T]) -> T:
    """`make()` once per inputs and key: the inputs never change once read, and the app asks again."""
    if key not in inputs.memo:
        inputs.memo[key] = make()
    found: T = inputs.memo[key]
    return found


DAYS_KEPT = 48  # one date's findings kept per inputs (a few dates × maps × rules of the app's users)
_DAYS_LOCK = threading.Lock()  # the app's sessions are threads sharing the cached facts


def _for_day[T](inputs: Inputs, key: tuple[object, ...], make: Callable[[], T]) -> T:
    """`make()` once per inputs and key of one date, the oldest dropped past `DAYS_KEPT`: any date can
    be asked, and each would otherwise stay until the next write."""
    found: T | None = inputs.days.get(key)
    if found is None:
        found = make()
        with _DAYS_LOCK:
            while len(inputs.days) >= DAYS_KEPT:
                inputs.days.pop(next(iter(inputs.days)))
            inputs.days[key] = found
    return found


def _placed_cooperatives(inputs: Inputs, on: str) -> list[tuple[Place, int, int]]:
    """Each cooperative's place on map `on`, with its start and end."""

    def make() -> list[tuple[Place, int, int]]:
        rows = inputs.cooperatives
        places = place_all(((old, new) for old, new, _, _ in rows), on)
        return [(where, start, end) for where, (_, _, start, end) in zip(places, rows, strict=True)]

    return _memo(inputs, ("cooperatives", on), make)


def _party_places(inputs: Inputs, on: str) -> dict[str, list[Place]]:
    """Each linkage's located parties placed on map `on`: linkage code → its distinct places."""

    def make() -> dict[str, list[Place]]:
        rows = inputs.party_places
        found: dict[str, list[Place]] = {}
        for (code, _, _), where in zip(rows, place_all(((old, new) for _, old, new in rows), on), strict=True):
            places = found.get(code)
            if places is None:
                found[code] = [where]
            elif where not in places:
                places.append(where)
        return found

    return _memo(inputs, ("party_places", on), make)


def _located(inputs: Inputs, codes: Iterable[str], on: str) -> list[tuple[str, Place]]:
    """Each distinct place of the located parties of the linkages `codes` on map `on`: (linkage code, place)."""
    placed = _party_places(inputs, on)
    return [(code, where) for code in codes for where in placed.get(code, ())]


def _active_cooperatives(inputs: Inputs, day: int, on: str) -> list[Place]:
    """Where each cooperative active on `day` is placed on map `on`."""
    return _for_day(
        inputs,
        ("active cooperatives", day, on),
        lambda: [where for where, start, end in _placed_cooperatives(inputs, on) if in_force(start, end, day)],
    )


@dataclass(frozen=True)
class Units:
    """The units of one map the rules count over, as the snapshot lists them (ordered by code)."""

    rural: list[tuple[str, str, str | None, str]]  # rural communes: code, name, district, province
    districts: list[tuple[str, str, str]]  # in-scope districts: code, name, province (none on 2025-07)
    provinces: list[tuple[str, str]]  # provinces with a rural commune: code, name


@cache
def units_of(on: str) -> Units:
    communes = unit_columns(on, "commune")
    rural = [
        (code, name, district, province)
        for code, name, district, province, is_rural in zip(
            communes["code"],
            communes["name"],
            communes["district_code"],
            communes["province_code"],
            communes["is_rural"],
            strict=True,
        )
        if is_rural
    ]
    districts = unit_columns(on, "district")
    scope = [
        (code, name, province)
        for code, name, province, in_scope in zip(
            districts["code"], districts["name"], districts["province_code"], districts["in_scope"], strict=True
        )
        if in_scope
    ]
    with_rural = {province for _, _, _, province in rural}
    provinces = unit_columns(on, "province")
    listed = [(c, n) for c, n in zip(provinces["code"], provinces["name"], strict=True) if c in with_rural]
    return Units(rural, scope, listed)


def _count(units: Iterable[str | None]) -> Counter[str]:
    """How many times each unit is named; None (no unit) is not counted."""
    return Counter(unit for unit in units if unit is not None)


def _unplaced(located: Sequence[tuple[str, Place]], at: int | None, lowest: int) -> Counter[str]:
    """How many linkages lie in each unit of the level `at` (the country when None) but in no unit of the
    `lowest` level there (docs/indicators.md, `unplaced`). Such places are few: only their linkages are
    looked at."""
    above = {
        (code, NATIONAL_CODE if at is None else where[at])
        for code, where in located
        if where[lowest] is None and (at is None or where[at] is not None)
    }
    if not above:
        return Counter()
    below = {
        key
        for code, where in located
        if where[lowest] is not None and (key := (code, NATIONAL_CODE if at is None else where[at])) in above
    }
    return _count(unit for _, unit in above - below)


def covered_communes(inputs: Inputs, day: int, on: str) -> set[str]:
    """Rural communes of map `on` with a cooperative active on `day` placed in them."""
    with_cooperative = {where[0] for where in _active_cooperatives(inputs, day, on)}
    return {code for code, _, _, _ in units_of(on).rural if code in with_cooperative}


def _communes_with_cooperative(inputs: Inputs, day: int, on: str) -> dict[str, Counts]:
    rural = units_of(on).rural
    covered = covered_communes(inputs, day, on)
    above = [where for where in _active_cooperatives(inputs, day, on) if where[0] is None]  # not in a commune
    result = {}
    for level, at in (("district", 2), ("province", 3)):
        result[level] = Counts(
            _count(row[at] for row in rural if row[0] in covered),
            _count(row[at] for row in rural),
            _count(where[at - 1] for where in above),
        )
    result["national"] = Counts({NATIONAL_CODE: len(covered)}, {NATIONAL_CODE: len(rural)}, {NATIONAL_CODE: len(above)})
    return result


def _active_linkages(inputs: Inputs, day: int) -> list[tuple[str, str | None, bool, bool]]:
    """The linkages active on `day`: code, product, has a buyer, has a raw material area."""
    return _for_day(
        inputs,
        ("active linkages", day),
        lambda: [
            (code, product, buyer, raw)
            for code, product, start, end, buyer, raw in inputs.linkages
            if in_force(start, end, day)
        ],
    )


def _keyed(inputs: Inputs, day: int) -> list[tuple[str, Place]]:
    """Located places (on 2025-01) of the linkages active on `day` with a buyer, where the linkage's
    product is a key product of the province the place lies in; placed in no province, a national one."""

    def make() -> list[tuple[str, Place]]:
        products = {code: product for code, product, buyer, _ in _active_linkages(inputs, day) if buyer}
        keys, national = inputs.key_products, inputs.national_keys
        return [
            (code, where)
            for code, where in _located(inputs, products, OLD_MAP)
            if ((where[2], products[code]) in keys if where[2] is not None else products[code] in national)
        ]

    return _for_day(inputs, ("keyed", day), make)


def key_product_districts(inputs: Inputs, day: int) -> set[str]:
    """In-scope districts (2025-01) with an active linkage that has a buyer and a key product of its province."""
    keyed = {where[1] for _, where in _keyed(inputs, day)}
    return {code for code, _, _ in units_of(OLD_MAP).districts if code in keyed}


def _districts_with_key_product_linkage(inputs: Inputs, day: int, on: str) -> dict[str, Counts]:
    if on != OLD_MAP:
        return {}  # not reported on 2025-07: it has no districts
    keyed = _keyed(inputs, day)
    scope = units_of(OLD_MAP).districts
    covered = key_product_districts(inputs, day)
    return {
        "province": Counts(
            Counter(province for code, _, province in scope if code in covered),
            Counter(province for _, _, province in scope),
            _unplaced(keyed, 2, 1),
        ),
        "national": Counts(
            {NATIONAL_CODE: len(covered)},
            {NATIONAL_CODE: len(scope)},
            _unplaced(keyed, None, 1),
        ),
    }


def digital_linkages(inputs: Inputs, day: int) -> frozenset[str]:
    """Codes of linkages with a technology adopted on or before `day` and not discontinued by it."""
    return _for_day(
        inputs,
        ("digital", day),
        lambda: frozenset(code for code, start, end in inputs.adoptions if in_force(start, end, day)),
    )


def raw_material_counts(inputs: Inputs, day: int, on: str) -> dict[str, Counts]:
    """The third indicator at every level of map `on`, the commune level included (its map draws communes)."""

    def make() -> dict[str, Counts]:
        located = _located(inputs, (code for code, _, _, raw in _active_linkages(inputs, day) if raw), on)
        digital = digital_linkages(inputs, day)
        lowest = 1 if on == OLD_MAP else 0
        result = {}
        for level, at in LEVEL_INDEX.items():
            once = {(code, where[at]) for code, where in located}  # a linkage counts once in each unit
            result[level] = Counts(
                _count(unit for code, unit in once if code in digital),
                _count(unit for _, unit in once),
                _unplaced(located, at, lowest),
            )
        linkages = {code for code, _ in located}
        result["national"] = Counts(
            {NATIONAL_CODE: len(linkages & digital)},
            {NATIONAL_CODE: len(linkages)},
            _unplaced(located, None, lowest),
        )
        return result

    return _for_day(inputs, ("raw material", day, on), make)


RULES = {
    COMMUNES: _communes_with_cooperative,
    DISTRICTS: _districts_with_key_product_linkage,
    RAW_MATERIAL: raw_material_counts,
}


def _listed(on: str, level: str) -> list[tuple[str, str]]:
    """Every in-scope unit of a level (code, name): reported even when it has no data. In scope:
    rural communes, districts with a rural commune, provinces with a rural commune."""
    units = units_of(on)
    if level == "national":
        return [(NATIONAL_CODE, NATIONAL_NAME)]
    if level == "commune":
        return [(code, name) for code, name, _, _ in units.rural]
    if level == "district":
        return [(code, name) for code, name, _ in units.districts]
    return units.provinces


def met(indicator: str, numerator: int, denominator: int) -> bool | None:
    """Whether the ratio reaches the target, in whole numbers (no rounding); None without a denominator."""
    if denominator == 0:
        return None
    target = TARGETS[indicator]
    return numerator * target.denominator >= target.numerator * denominator


def rows(inputs: Inputs, day: int, levels: Sequence[str], on: str) -> list[tuple[Any, ...]]:
    """One row per indicator and in-scope unit of map `on` on the day with ordinal `day` (`COLUMNS`):
    the indicators in order, each level in the map's order, units by code."""
    out: list[tuple[Any, ...]] = []
    for indicator in INDICATORS:
        wanted = [level for level in MAP_INDICATOR_LEVELS[on][indicator] if level in levels]
        if not wanted:
            continue
        counts = RULES[indicator](inputs, day, on)
        target = float(TARGETS[indicator])
        for level in wanted:
            c = counts[level]
            for code, name in _listed(on, level):
                n, d = c.numerator.get(code, 0), c.denominator.get(code, 0)
                ratio = n / d if d else float("nan")
                unplaced = c.unplaced.get(code, 0)
                out.append((indicator, level, code, name, n, d, ratio, target, met(indicator, n, d), on, unplaced))
    return out
