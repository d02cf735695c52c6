"""Where a located record is, as its form asks it: today's commune first,
then, for a record that began before the reform, its commune before it.

A cooperative, producer, buyer or raw material area is located by `commune_code_2025_07` (map
2025-07) and/or `commune_code` (map 2025-01), agreeing with the crosswalk when both are given
(docs/exchange-files.md, "Locations"). A form offers the commune of today's map first, chosen by name among one
province's communes; the commune before the reform is asked only of a record that began before 1 July 2025, and is
filled in from the crosswalk when the new commune took in exactly one old commune — the one answer the crosswalk gives,
so the two columns always agree.

Example: `old_commune_of("01957")` is `"01957"` (new Xã Thượng Quan took in old Xã Thượng Quan alone);
`old_commune_of("01849")` is None (new Xã Phong Quang took in old 01849 and 01984: the form asks).
"""

from __future__ import annotations

from datetime import date
from functools import cache

from linkage.geo.geography import fold
from linkage.geo.maps import LAST_DAY_OF_OLD_MAP, NEW_MAP, OLD_MAP, crosswalk, map_data, province_crosswalk

NEW_COLUMN, OLD_COLUMN = "commune_code_2025_07", "commune_code"
# The date a record of these entities began; the others carry none (a form asks their old commune when
# they already have one, or when they are not new).
START = {"cooperatives": "established_on", "linkages": "started_on"}


def old_commune_of(new_commune: str) -> str | None:
    """The commune of 2025-01 a commune of 2025-07 took in, when it took in exactly one; else None."""
    olds = crosswalk().new_to_old.get(new_commune, ())
    return olds[0] if len(olds) == 1 else None


def began_before_reform(entity: str, values: dict[str, str], is_new: bool) -> bool:
    """Whether a record began before 1 July 2025, as far as its values say: its start date when its
    entity has one (an empty start is an old record's, a new one's is not known yet: asked); else a
    stored record is taken to be older than the reform only when it has an old commune, and a new one
    is asked."""
    column = START.get(entity)
    if column:
        start = values.get(column) or ""
        if not start:
            return True
        try:
            return date.fromisoformat(start) <= LAST_DAY_OF_OLD_MAP
        except ValueError:  # a date as typed (DD/MM/YYYY) is read by the save; ask rather than guess
            return True
    return is_new or bool(values.get(OLD_COLUMN))


def completed(entity: str, values: dict[str, str], is_new: bool) -> dict[str, str]:
    """`values` with the commune before the reform filled in from the crosswalk where the form left it
    empty, the record began before the reform and its new commune took in exactly one old commune."""
    new, old = values.get(NEW_COLUMN) or "", values.get(OLD_COLUMN) or ""
    if old or not new or not began_before_reform(entity, values, is_new):
        return values
    found = old_commune_of(new)
    return {**values, OLD_COLUMN: found} if found else values


def provinces_near(old_commune: str | None, new_commune: str | None) -> tuple[str | None, str | None]:
    """The province of each map whose communes a form offers for a record: that of its commune on each
    map; a map it has no commune on gets the province of the other one's (None if neither is known)."""
    old_data, new_data = map_data(OLD_MAP), map_data(NEW_MAP)
    old_place = old_data.communes.get(old_commune or "")
    new_place = new_data.communes.get(new_commune or "")
    old_province = old_place.province if old_place else None
    new_province = new_place.province if new_place else None
    if new_province is None and old_province is not None:
        went = province_crosswalk().get(old_province, ())
        new_province = went[0] if len(went) == 1 else None
    if old_province is None and new_commune and (old := old_commune_of(new_commune)):
        old_province = old_data.communes[old].province
    return old_province, new_province


@cache
def communes_2025_07(province: str | None) -> dict[str, str]:
    """Code → `commune — province (code)` of the communes of 2025-07 in `province` (all when None), in the
    order of the alphabet read without diacritics."""
    data = map_data(NEW_MAP)
    places = [p for p in data.communes.values() if province is None or p.province == province]
    places.sort(key=lambda p: (fold(p.name), p.code))
    return {p.code: f"{p.name} — {data.provinces[p.province].name} ({p.code})" for p in places}


def commune_2025_07_label(code: str) -> str:
    """One commune of 2025-07 named as the form lists it (the code itself when it is none)."""
    place = map_data(NEW_MAP).communes.get(code)
    if place is None:
        return code
    return f"{place.name} — {map_data(NEW_MAP).provinces[place.province].name} ({code})"
