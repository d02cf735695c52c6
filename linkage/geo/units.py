"""The words of the two maps, with no data behind them: the map names and levels, a `Unit` (map, level
and code together: a code does not say its map), a unit as the package lists it (`Place`), every unit
of one map (`MapData`) and the crosswalk's shape (`Crosswalk`). What fills them is `linkage.geo.maps`;
how they are kept on disk, `linkage.geo.snapshot`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

OLD_MAP = "2025-01"
NEW_MAP = "2025-07"
MAPS = (OLD_MAP, NEW_MAP)
LAST_DAY_OF_OLD_MAP = date(2025, 6, 30)
NATIONAL_CODE = "VN"
NATIONAL_NAME = "Việt Nam"
CODE_WIDTH = {"province": 2, "district": 3, "commune": 5}
MAP_LEVELS = {
    OLD_MAP: ("national", "province", "district", "commune"),
    NEW_MAP: ("national", "province", "commune"),
}
OLD_RURAL_PREFIX = "Xã "  # on 2025-01 a rural commune is one named `Xã …`
NEW_RURAL_KIND = "xã"  # on 2025-07 one of division type `xã`


class UnknownMap(ValueError):
    """A map name that is not one of `MAPS`."""

    def __init__(self, name: str):
        super().__init__(f"unknown map {name!r}: the maps are {' and '.join(MAPS)}")
        self.name = name


def check_map(name: str) -> str:
    """`name` if it names a map, else `UnknownMap`."""
    if name not in MAPS:
        raise UnknownMap(name)
    return name


def map_of(day: date) -> str:
    """The map in force on `day`: `2025-01` up to 2025-06-30, `2025-07` after."""
    return OLD_MAP if day <= LAST_DAY_OF_OLD_MAP else NEW_MAP


@dataclass(frozen=True)
class Unit:
    """One administrative unit: its map, level and code are its identity; name and parent are for display.

    `parent` is the name of the unit above it (shown beside search results)."""

    map: str
    level: str
    code: str
    name: str = field(default="", compare=False)
    parent: str = field(default="", compare=False)


def national(map_name: str) -> Unit:
    return Unit(check_map(map_name), "national", NATIONAL_CODE, NATIONAL_NAME)


@dataclass(frozen=True)
class Place:
    """A unit of a map as the package lists it."""

    unit: Unit
    kind: str  # division type in Vietnamese: `tỉnh`, `huyện`, `xã`, `phường`, `thị trấn`, `đặc khu`, …
    province: str = ""  # province code (communes and districts)
    district: str = ""  # district code (communes of 2025-01)

    @property
    def code(self) -> str:
        return self.unit.code

    @property
    def name(self) -> str:
        return self.unit.name


@dataclass(frozen=True)
class MapData:
    """Every unit of one map, by level and code (read-only mappings)."""

    name: str
    provinces: Mapping[str, Place]
    districts: Mapping[str, Place]  # empty on 2025-07
    communes: Mapping[str, Place]

    def level(self, level: str) -> Mapping[str, Place]:
        return {"province": self.provinces, "district": self.districts, "commune": self.communes}[level]

    def unit(self, level: str, code: str) -> Unit | None:
        """The unit of this map at `level` with `code` (zero-padded), or None."""
        if level == "national":
            return national(self.name) if code.upper() == NATIONAL_CODE else None
        if level not in CODE_WIDTH:
            return None
        place = self.level(level).get(code)
        return place.unit if place else None

    def is_rural(self, code: str) -> bool:
        place = self.communes[code]
        return is_rural(self.name, place.name, place.kind)

    def province_of(self, unit: Unit) -> str:
        """The province code of a province, district or commune of this map."""
        if unit.level == "province":
            return unit.code
        return self.level(unit.level)[unit.code].province


def is_rural(map_name: str, name: str, kind: str) -> bool:
    """A rural commune (docs/exchange-files.md, "Two maps") is one named `Xã …` on 2025-01, one of division type `xã` on
    2025-07."""
    return name.startswith(OLD_RURAL_PREFIX) if map_name == OLD_MAP else kind == NEW_RURAL_KIND


@dataclass(frozen=True)
class Crosswalk:
    """The old→new commune relation (docs/exchange-files.md, "The crosswalk"), completed and corrected.

    - `old_to_new`: every commune of 2025-01 → its candidate communes on 2025-07 (sorted). Communes of
      the table keep its new communes; the 28 the table lacks (merged January–June 2025) get every new
      commune that took in any part of their old district.
    - `new_to_old`: the same relation read backwards, for every commune of 2025-07 that took in one.
    - `partly_merged`: old communes the table marks as partly merged (agreement with a split commune is
      checked at the level of its new province).
    - `absent`: the January communes missing from the table.
    - `island_districts`: new communes with no old commune (island zones) → the district of 2025-01
      that was the same island.
    """

    old_to_new: Mapping[str, tuple[str, ...]]
    new_to_old: Mapping[str, tuple[str, ...]]
    partly_merged: frozenset[str]
    absent: frozenset[str]
    island_districts: Mapping[str, str]
    table_provinces: Mapping[str, str]  # old commune → old province the table gives, slips corrected
    table_splits: Mapping[str, tuple[str, ...]]  # old codes the table divides among several new communes
    maps: Mapping[str, MapData] = field(default_factory=dict, compare=False, repr=False)  # both, by name

    def candidates(self, unit: Unit) -> tuple[Unit, ...]:
        """The communes of the other map that `unit` (a commune) went to or came from."""
        if unit.level != "commune":
            raise ValueError(f"only communes have crosswalk candidates, not {unit}")
        if unit.map == OLD_MAP:
            codes, other = self.old_to_new.get(unit.code, ()), NEW_MAP
        else:
            codes, other = self.new_to_old.get(unit.code, ()), OLD_MAP
        communes = self.maps[other].communes
        return tuple(communes[c].unit for c in codes)
