"""Reading a unit code as a user types it, on a named map: the one rule every command and page uses.

Codes may be typed without their leading zeros (a spreadsheet drops them), but only one level pads a
code to a given width: `643` is district 643 of 2025-01 (Thành phố Buôn Ma Thuột) as typed, and commune
00643 (Phường Thanh Liệt, Hà Nội, on 2025-07) once padded. So a code typed shorter than the level it is
read at is refused when it also names a unit of another level, or another unit of the other map, and
the refusal names every reading (`AmbiguousCode`): the user then types the code in full or picks the
unit by name. A code typed at its level's full width, or `VN`, means that level on the named map.

Example: `read_code("643", "2025-07", ("commune", "province"))` is refused naming Phường Thanh Liệt
(00643, 2025-07) and Thành phố Buôn Ma Thuột (643, 2025-01); `read_code("00643", "2025-07", …)` is
Phường Thanh Liệt; `read_code("66", "2025-07", ("province",))` is Tỉnh Đắk Lắk.
"""

from __future__ import annotations

from collections.abc import Iterable

from linkage.errors import UserFacingError
from linkage.geo.maps import CODE_WIDTH, MAP_LEVELS, MAPS, NATIONAL_CODE, Unit, check_map, map_data, national
from linkage.i18n import t

LEVEL_ORDER = ("national", "province", "district", "commune")


class UnknownUnit(UserFacingError, ValueError):
    """A typed code that names no unit of the levels asked for on the map."""

    def __init__(self, code: str, on: str, levels: Iterable[str]):
        named = tuple(level for level in levels if level in MAP_LEVELS[on] and level != "national")
        super().__init__("codes.unknown", code=code, map=on)
        self.levels = named

    def message(self, lang: str = "en") -> str:
        words = [t(f"errors.codes.level_{level}", lang) for level in self.levels] or [
            t("errors.codes.level_unit", lang)
        ]
        wanted = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {t('errors.codes.or', lang)} {words[-1]}"
        return t("errors.codes.unknown", lang, code=self.params["code"], map=self.params["map"], levels=wanted)


class AmbiguousCode(UnknownUnit):
    """A code typed without its leading zeros that names more than one unit: every reading is named."""

    def __init__(self, code: str, on: str, levels: Iterable[str], readings: list[Unit]):
        super().__init__(code, on, levels)
        self.key = "codes.ambiguous"
        self.readings = readings

    def message(self, lang: str = "en") -> str:
        shown = "; ".join(described(unit) for unit in self.readings)
        return t("errors.codes.ambiguous", lang, code=self.params["code"], readings=shown)


def typed(text: str) -> str:
    """A typed code cleaned as people type it: spaces around it dropped, a spreadsheet's `643.0` read as `643`."""
    cleaned = str(text).strip()
    if cleaned.endswith(".0") and cleaned[:-2].isdigit():
        cleaned = cleaned[:-2]
    return cleaned


def readings(text: str) -> list[Unit]:
    """Every unit of either map that a typed code names at some level, its leading zeros restored
    (provinces first, then districts, then communes; the maps in order)."""
    code = typed(text)
    if not code.isdigit():
        return []
    found = []
    for level in LEVEL_ORDER[1:]:
        for on in MAPS:
            if level in MAP_LEVELS[on] and len(code) <= CODE_WIDTH[level]:
                unit = map_data(on).unit(level, code.zfill(CODE_WIDTH[level]))
                if unit is not None:
                    found.append(unit)
    return found


def read_code(text: str, on: str, levels: Iterable[str]) -> Unit:
    """The unit of map `on`, at one of `levels`, that a typed code names (see the module's docstring):
    `UnknownUnit` when it names none there, `AmbiguousCode` when it was typed short and also names a
    unit of another level or another unit of the other map."""
    check_map(on)
    wanted = tuple(levels)
    code = typed(text)
    if code.upper() == NATIONAL_CODE and "national" in wanted:
        return national(on)
    every = readings(code)
    meant = [u for u in every if u.map == on and u.level in wanted]
    if not meant:
        raise UnknownUnit(code or str(text), on, wanted)
    full = [u for u in meant if len(u.code) == len(code)]
    if len(full) == 1:
        return full[0]
    others = [u for u in every if u not in meant and not _same_place(u, meant)]
    if len(meant) > 1 or others:
        raise AmbiguousCode(code, on, wanted, [*meant, *others])
    return meant[0]


def _same_place(unit: Unit, meant: list[Unit]) -> bool:
    """A unit of the other map at the same level, code and name as one meant: the commune kept its
    code and name through the reform, so reading it on either map names the same place."""
    return any(m.level == unit.level and m.code == unit.code and m.name == unit.name for m in meant)


def find_unit(text: str, on: str, levels: Iterable[str]) -> Unit | None:
    """`read_code`, None where it refuses (a stored scope, read again on every request)."""
    try:
        return read_code(text, on, levels)
    except UnknownUnit:
        return None


def province_name(unit: Unit) -> str:
    """The name of the province a unit lies in ("" for a province or the country)."""
    if unit.level in ("national", "province") or unit.map not in MAPS:
        return ""
    data = map_data(unit.map)
    place = data.level(unit.level).get(unit.code)
    return data.provinces[place.province].name if place is not None else ""


def described(unit: Unit) -> str:
    """A unit as every confirmation and list names it: name, (district on 2025-01,) province, code and
    map — `Phường Thanh Liệt, Thành phố Hà Nội (00643, 2025-07)`, `Tỉnh Đắk Lắk (66, 2025-01)`."""
    name = unit.name
    if not name and unit.map in MAPS:
        found = national(unit.map) if unit.level == "national" else map_data(unit.map).unit(unit.level, unit.code)
        name = found.name if found is not None else ""
    district = ""
    if unit.level == "commune" and unit.map in MAPS:
        place = map_data(unit.map).communes.get(unit.code)
        district = map_data(unit.map).districts[place.district].name if place is not None and place.district else ""
    where = ", ".join(part for part in (name, district, province_name(unit)) if part)
    return f"{where} ({unit.code}, {unit.map})" if where else f"{unit.code} ({unit.map})"


def described_code(code: str | None, on: str) -> str:
    """A stored unit code of map `on` (zero-padded, or `VN`) as `described` names it; the code with its
    map when the map does not list it."""
    if not code:
        return ""
    if on in MAPS:
        if code.upper() == NATIONAL_CODE:
            return described(national(on))
        data = map_data(on)
        for level in MAP_LEVELS[on][1:]:
            unit = data.unit(level, code)
            if unit is not None:
                return described(unit)
    return f"{code} ({on})"
