"""Finding a unit of either map by its name or code, as users type it: the pages' search boxes.

A commune is known by its old name to some and by its new one to others, so a search looks on both
maps (docs/exchange-files.md, "Two maps") and every result is a `Unit` carrying its map. Names are compared folded
(`geography.fold`: no diacritics, lower case), so `bang thanh` finds Xã Bằng Thành on both maps.

Example: `search("bang thanh", levels=("commune",))` gives the commune of 2025-01 and the one of
2025-07, each with its map and the name of the unit above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from linkage.geo.geography import fold
from linkage.geo.maps import (
    CODE_WIDTH,
    MAP_LEVELS,
    MAPS,
    NATIONAL_CODE,
    NATIONAL_NAME,
    NEW_MAP,
    OLD_MAP,
    Unit,
    crosswalk,
    map_data,
    national,
)


@cache
def _index(map_name: str) -> tuple[tuple[str, Unit], ...]:
    """(folded name, unit) of every province, district and commune of a map, in that order."""
    data = map_data(map_name)
    return tuple(
        (fold(place.name), place.unit)
        for level in ("province", "district", "commune")
        for place in data.level(level).values()
    )


def search(
    query: str,
    maps: Sequence[str] = MAPS,
    levels: Sequence[str] = ("province", "district", "commune"),
    limit: int = 20,
    formerly: bool = False,
) -> list[Unit]:
    """Units of `maps` at `levels` whose folded name contains the folded query, or whose code is the
    query (leading zeros may be left out): the country first when asked for, then by level (provinces
    first), the maps in the order given. An empty query finds nothing.

    With `formerly`, a commune of 2025-07 is also found by the name of an old commune it took in (the
    crosswalk's candidates of every old commune matching), after the communes found by their own name."""
    needle = fold(query)
    if not needle:
        return []
    found: list[Unit] = []
    if "national" in levels and (needle in fold(NATIONAL_NAME) or needle == NATIONAL_CODE.lower()):
        found.append(national(maps[0]))
    for level in ("province", "district", "commune"):
        if level not in levels:
            continue
        for map_name in maps:
            if level not in MAP_LEVELS[map_name]:
                continue
            code = needle.zfill(CODE_WIDTH[level]) if needle.isdigit() else None
            for name, unit in _index(map_name):
                if unit.level == level and (unit.code == code or needle in name):
                    found.append(unit)
                    if len(found) >= limit:
                        return found
    if formerly and "commune" in levels and NEW_MAP in maps:
        new = map_data(NEW_MAP).communes
        for name, unit in _index(OLD_MAP):
            if unit.level == "commune" and needle in name:
                for code in crosswalk().old_to_new.get(unit.code, ()):
                    if new[code].unit not in found:
                        found.append(new[code].unit)
                        if len(found) >= limit:
                            return found
    return found
