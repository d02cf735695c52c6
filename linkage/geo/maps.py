"""The two administrative maps, the crosswalk between them, and placement (docs/exchange-files.md,
"Two maps").

The only module that reads the package `vietnam-provinces==2026.9.0`, including its private
conversion module, so an upstream rename touches this file alone:

- map `2025-01` (in force until 2025-06-30): `vietnam_provinces.legacy`, the January 2025 GSO list
  (province → district → commune), the map the programme was set on;
- map `2025-07` (from 2025-07-01): the top-level `Province` and `Ward` (province → commune);
- the crosswalk: `vietnam_provinces._ward_conversion_2025`, the official old→new commune table.

A code does not say its map (`00025` is Phường Ngọc Khánh on `2025-01` and Phường Giảng Võ on
`2025-07`), so a unit is a `Unit` (`linkage.geo.units`): map, level and code together. The package is
read only when the cache file of `linkage.geo.snapshot` is missing, and only by the functions below.

Placement: a commune given on one map is placed on the other in the smallest
unit holding every one of its crosswalk candidates — the commune if there is one, else (on `2025-01`)
the district if all candidates share one, else the province, else the country.

Example:

    >>> place(Unit(OLD_MAP, "commune", "00004"), NEW_MAP).code      # one candidate: that commune
    '00004'
    >>> place(Unit(OLD_MAP, "commune", "00019"), NEW_MAP).level     # split among four new communes
    'province'
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from linkage.geo.snapshot import Snapshot, counted, load, with_own_placements
from linkage.geo.units import (
    CODE_WIDTH,
    LAST_DAY_OF_OLD_MAP,
    MAP_LEVELS,
    MAPS,
    NATIONAL_CODE,
    NATIONAL_NAME,
    NEW_MAP,
    NEW_RURAL_KIND,
    OLD_MAP,
    OLD_RURAL_PREFIX,
    Crosswalk,
    MapData,
    Place,
    Unit,
    UnknownMap,
    check_map,
    is_rural,
    map_of,
    national,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [  # the words of `linkage.geo.units`, so every caller asks this module alone
    "CODE_WIDTH",
    "LAST_DAY_OF_OLD_MAP",
    "MAPS",
    "MAP_LEVELS",
    "NATIONAL_CODE",
    "NATIONAL_NAME",
    "NEW_MAP",
    "NEW_RURAL_KIND",
    "OLD_MAP",
    "OLD_RURAL_PREFIX",
    "Crosswalk",
    "MapData",
    "Place",
    "Unit",
    "UnknownMap",
    "agrees",
    "as_unit",
    "check_map",
    "crosswalk",
    "is_rural",
    "lookup",
    "map_data",
    "map_of",
    "national",
    "place",
    "placed_in",
    "placement_columns",
    "placements",
    "province_crosswalk",
    "smallest_holding",
    "unit_columns",
    "unit_holds",
]

# Where the January 2025 list in `legacy` differs from release 0.6.0, the release the programme's
# figures (and the acceptance kit's expected rows) were computed on: 0.6.0's spelling is kept.
_LEGACY_NAMES = {("district", "582"): "Thành phố Phan Rang-Tháp Chàm"}

# The conversion table's two known slips (docs/exchange-files.md, "The crosswalk"): the old province it gives for these
# old communes. The January list puts both where the right-hand value says.
TABLE_SLIPS = {"27691": ("82", "80"), "30781": ("89", "91")}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _frozen(places: dict[str, Place]) -> Mapping[str, Place]:
    return MappingProxyType(dict(sorted(places.items())))


def map_data(map_name: str) -> MapData:
    """The units of `map_name`, read from the pinned package once per process (see `_snapshot`)."""
    return _snapshot().maps[check_map(map_name)]


def _old_map() -> MapData:
    from vietnam_provinces import legacy  # lazy: the lists load only when a map is first used

    def named(level: str, code: str, name: str) -> str:
        return _LEGACY_NAMES.get((level, code), _nfc(name))

    provinces: dict[str, Place] = {}
    districts: dict[str, Place] = {}
    communes: dict[str, Place] = {}
    for p in legacy.Province.iter_all():
        code = f"{int(p.code):02d}"
        provinces[code] = Place(Unit(OLD_MAP, "province", code, named("province", code, p.name)), str(p.division_type))
    for d in legacy.District.iter_all():
        code, pcode = f"{int(d.code):03d}", f"{int(d.province_code):02d}"
        districts[code] = Place(
            Unit(OLD_MAP, "district", code, named("district", code, d.name), provinces[pcode].name),
            str(d.division_type),
            province=pcode,
        )
    for w in legacy.Ward.iter_all():
        code, dcode = f"{int(w.code):05d}", f"{int(w.district_code):03d}"
        district = districts[dcode]
        communes[code] = Place(
            Unit(OLD_MAP, "commune", code, named("commune", code, w.name), district.name),
            str(w.division_type),
            province=district.province,
            district=dcode,
        )
    return MapData(OLD_MAP, _frozen(provinces), _frozen(districts), _frozen(communes))


def _new_map() -> MapData:
    from vietnam_provinces import Province, Ward  # lazy, as above

    provinces: dict[str, Place] = {}
    communes: dict[str, Place] = {}
    for p in Province.iter_all():
        code = f"{int(p.code):02d}"
        provinces[code] = Place(Unit(NEW_MAP, "province", code, _nfc(p.name)), str(p.division_type))
    for w in Ward.iter_all():
        code, pcode = f"{int(w.code):05d}", f"{int(w.province_code):02d}"
        communes[code] = Place(
            Unit(NEW_MAP, "commune", code, _nfc(w.name), provinces[pcode].name), str(w.division_type), province=pcode
        )
    return MapData(NEW_MAP, _frozen(provinces), _frozen({}), _frozen(communes))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def crosswalk() -> Crosswalk:
    """The crosswalk, built from the package's conversion table once per process (see `_snapshot`)."""
    return _snapshot().crosswalk


def _build_crosswalk(old: MapData, new: MapData) -> Crosswalk:
    from vietnam_provinces import _ward_conversion_2025 as table  # lazy, as above

    listed: dict[str, tuple[str, ...]] = {}
    district_of_entry: dict[str, str] = {}
    table_provinces: dict[str, str] = {}
    partly: set[str] = set()
    for number, entry in table.OLD_TO_NEW.items():
        key = f"{number:05d}"
        listed[key] = tuple(sorted(f"{n.code:05d}" for n in entry.new_wards))
        district_of_entry[key] = f"{entry.old_ward.district_code:03d}"
        province = f"{entry.old_ward.province_code:02d}"
        wrong, right = TABLE_SLIPS.get(key, ("", ""))
        table_provinces[key] = right if province == wrong else province
        if entry.old_ward.is_partly_merged:
            partly.add(key)

    by_district: dict[str, set[str]] = defaultdict(set)
    for key, news in listed.items():  # codes absent from the January list count here too
        by_district[district_of_entry[key]].update(news)

    old_to_new: dict[str, tuple[str, ...]] = {}
    absent: set[str] = set()
    for code, place in old.communes.items():
        if code in listed:
            old_to_new[code] = listed[code]
        else:
            absent.add(code)
            old_to_new[code] = tuple(sorted(by_district[place.district]))

    backwards: dict[str, set[str]] = defaultdict(set)
    for code, news in old_to_new.items():
        for n in news:
            backwards[n].add(code)
    new_to_old = {n: tuple(sorted(backwards[n])) for n in new.communes if n in backwards}

    # An island zone of 2025-07 took in no commune: on 2025-01 it was a district without communes.
    empty_districts = set(old.districts) - {p.district for p in old.communes.values()}
    islands: dict[str, str] = {}
    for code, place in new.communes.items():
        if code in new_to_old:
            continue
        bare = _fold(place.name).removeprefix("dac khu ")
        for d in sorted(empty_districts):
            if _fold(old.districts[d].name).endswith(" " + bare):
                islands[code] = d

    return Crosswalk(
        old_to_new=MappingProxyType(old_to_new),
        new_to_old=MappingProxyType(new_to_old),
        partly_merged=frozenset(partly & set(old.communes)),
        absent=frozenset(absent),
        island_districts=MappingProxyType(islands),
        table_provinces=MappingProxyType(table_provinces),
        table_splits=MappingProxyType({c: news for c, news in sorted(listed.items()) if len(news) > 1}),
        maps=MappingProxyType({OLD_MAP: old, NEW_MAP: new}),
    )


def place(unit: Unit, on: str) -> Unit:
    """The smallest unit of map `on` that holds every crosswalk candidate of commune `unit`.

    On its own map a unit is placed in itself. A commune with one candidate is placed in it; with
    several, on 2025-01 in their district if they share one, else in their province if they share
    one (on both maps), else in the country. An island zone of 2025-07 is placed in its old district.
    """
    check_map(on)
    if unit.map == on:
        return unit
    snapshot = _snapshot()
    return _place(unit, on, snapshot.maps, snapshot.crosswalk)


def _place(unit: Unit, on: str, maps: Mapping[str, MapData], cw: Crosswalk) -> Unit:
    """`place` over given maps and crosswalk (the snapshot is built with it)."""
    if unit.level != "commune":
        raise ValueError(f"only communes are placed on another map, not {unit}")
    target = maps[on]
    if unit.map == NEW_MAP and unit.code in cw.island_districts:
        return target.districts[cw.island_districts[unit.code]].unit
    codes = cw.old_to_new.get(unit.code, ()) if unit.map == OLD_MAP else cw.new_to_old.get(unit.code, ())
    return _holding(target, on, codes)


def smallest_holding(communes: Iterable[str], on: str) -> Unit:
    """The smallest unit of map `on` holding every one of these communes of that map: the commune if
    there is one, else (on 2025-01) their district, else their province, else the country."""
    return _holding(map_data(on), on, communes)


def _holding(target: MapData, on: str, communes: Iterable[str]) -> Unit:
    places = [target.communes[c] for c in communes]
    if len(places) == 1:
        return places[0].unit
    districts = {p.district for p in places}
    if on == OLD_MAP and len(districts) == 1 and places:
        return target.districts[districts.pop()].unit
    provinces = {p.province for p in places}
    if len(provinces) == 1:
        return target.provinces[provinces.pop()].unit
    return national(on)


def unit_holds(outer: Unit, inner: Unit) -> bool:
    """Whether `inner` lies in `outer` (or is it); both on the same map."""
    if outer.map != inner.map:
        raise ValueError(f"{outer} and {inner} are on different maps")
    if outer.level == "national" or outer == inner:
        return True
    data = map_data(outer.map)
    if inner.level == "commune":
        place_ = data.communes[inner.code]
        return (outer.level == "district" and place_.district == outer.code) or (
            outer.level == "province" and place_.province == outer.code
        )
    if inner.level == "district":
        return outer.level == "province" and data.districts[inner.code].province == outer.code
    return False


@cache
def province_crosswalk() -> Mapping[str, tuple[str, ...]]:
    """Old province → the new provinces its communes went to (sorted), from the corrected commune table.

    The package's own province table is derived from the table's two slips and says Tiền Giang (82)
    was split; read with the slips corrected, each old province goes to exactly one new province.
    Absent communes count in the province of the January list."""
    cw = crosswalk()
    old, new = map_data(OLD_MAP), map_data(NEW_MAP)
    result: dict[str, set[str]] = defaultdict(set)
    for code, news in cw.old_to_new.items():
        province = cw.table_provinces.get(code) or old.communes[code].province
        for n in news:
            result[province].add(new.communes[n].province)
    return MappingProxyType({p: tuple(sorted(s)) for p, s in sorted(result.items())})


def placed_in(commune_2025_01: str | None, commune_2025_07: str | None, on: str) -> Unit:
    """Where a record located by its commune on one map or both (codes zero-padded, None if not given)
    is placed on map `on`: its own commune there if given, else by `place` from the other one."""
    if on == OLD_MAP and commune_2025_01:
        return map_data(OLD_MAP).communes[commune_2025_01].unit
    if on == NEW_MAP and commune_2025_07:
        return map_data(NEW_MAP).communes[commune_2025_07].unit
    if commune_2025_01:
        return place(map_data(OLD_MAP).communes[commune_2025_01].unit, on)
    if commune_2025_07:
        return place(map_data(NEW_MAP).communes[commune_2025_07].unit, on)
    raise ValueError("a record located on neither map")


def agrees(commune_2025_01: str, commune_2025_07: str) -> bool:
    """Whether a commune on each map may both be given for one record (docs/exchange-files.md, "Locations"): the new
    commune is one of the old one's candidates, or, for an old commune the table marks partly merged, any new commune of
    the new province it went to.

    "Partly merged" widens only an old commune whose table entry lists a single new commune (132 do):
    the rest of it went somewhere the table does not say. One the table splits among several new
    communes is matched against that list (the acceptance kit refuses 31178 given with 31183)."""
    cw = crosswalk()
    candidates = cw.old_to_new.get(commune_2025_01, ())
    if commune_2025_07 in candidates:
        return True
    if commune_2025_01 in cw.partly_merged and len(candidates) == 1 and commune_2025_07 in map_data(NEW_MAP).communes:
        communes = map_data(NEW_MAP).communes
        return communes[commune_2025_07].province in {communes[c].province for c in candidates}
    return False


def placements(from_map: str, on: str) -> Mapping[str, Unit]:
    """Every commune of `from_map` → where a record located in it is placed on map `on` (`place` for
    all at once, built once per process), for set-based work such as coverage over all records."""
    return _snapshot().placements[(check_map(from_map), check_map(on))]


# The same units and placements as columns, straight from the snapshot's file: what counting over
# every unit at once reads (`linkage.counting.indicators`, `geography.old_map_geography`), without building a
# `Unit` per code or a row per unit, which `linkage coverage` would otherwise do on every run.


def unit_columns(map_name: str, level: str) -> Mapping[str, list[Any]]:
    """Every unit of a level of the map, ordered by code, as columns: `code`, `name`, and for districts
    `province_code` and `in_scope` (it has a rural commune), for communes `district_code` (None on
    2025-07), `province_code` and `is_rural`."""
    return _counted()["units"][check_map(map_name)][level]  # type: ignore[no-any-return]


def placement_columns(from_map: str, on: str) -> Mapping[str, list[Any]]:
    """`placements(from_map, on)` as columns: `code` (every commune of `from_map`) and the
    `commune_code`, `district_code` and `province_code` of map `on` it is placed in, None above the
    unit it is placed in."""
    return _counted()["placements"][f"{check_map(from_map)}>{check_map(on)}"]  # type: ignore[no-any-return]


def lookup(map_name: str, code: str) -> Unit | None:
    """The unit of map `map_name` listed under `code` (zero-padded as stored, or `VN`), whatever its
    level, or None: the map's own lists say what the code names there, not the code's length."""
    data = map_data(check_map(map_name))
    if code == NATIONAL_CODE:
        return national(map_name)
    for level in MAP_LEVELS[map_name][1:]:
        place = data.level(level).get(code)
        if place is not None:
            return place.unit
    return None


def as_unit(unit: Unit | str, map_name: str = OLD_MAP) -> Unit | None:
    """`unit` itself, or the unit a stored code names on `map_name` (callers that still pass codes: the
    app's pages, on 2025-01); None for a code the map does not list."""
    return unit if isinstance(unit, Unit) else lookup(map_name, unit)


@cache
def _snapshot() -> Snapshot:
    """Both maps, the crosswalk and the placements: from the cache file, else built from the package."""
    return load(_build_snapshot)


@cache
def _counted() -> dict[str, Any]:
    return counted(_snapshot)


def _build_snapshot() -> Snapshot:
    maps = {OLD_MAP: _old_map(), NEW_MAP: _new_map()}
    cw = _build_crosswalk(maps[OLD_MAP], maps[NEW_MAP])
    placed: dict[tuple[str, str], Mapping[str, Unit]] = {}
    for from_map, on in ((OLD_MAP, NEW_MAP), (NEW_MAP, OLD_MAP)):
        communes = maps[from_map].communes
        placed[(from_map, on)] = MappingProxyType({c: _place(p.unit, on, maps, cw) for c, p in communes.items()})
    return with_own_placements(maps, cw, placed)
