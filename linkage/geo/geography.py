"""The geography of map `2025-01`: code rules, the rows `linkage init` stores, as DataFrames.

The units come from `linkage.geo.maps` (the January 2025 GSO list, `vietnam_provinces.legacy`), the map
the programme is evaluated on; the map of July 2025 and the crosswalk live in `linkage.geo.maps` too.
Names are stored NFC so that search and display agree whatever the input's form.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from linkage.geo.maps import CODE_WIDTH, NATIONAL_CODE, NATIONAL_NAME, NEW_MAP, OLD_MAP, Unit, map_data, unit_columns

if TYPE_CHECKING:  # pandas is loaded when frames are made: commands that make none (an import) start faster
    import pandas as pd

__all__ = ["CODE_WIDTH", "NATIONAL_CODE", "NATIONAL_NAME", "Unit"]

LEVELS = ("national", "province", "district")


def fold(text: str) -> str:
    """Lower-case text without Vietnamese diacritics, so `bac kan` matches `Bắc Kạn`."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def normalize_code(value: str, width: int) -> str:
    """A GSO code as stored: digits zero-padded to `width` (`3184` → `03184`, `1858.0` → `01858`)."""
    value = value.strip()
    if value.endswith(".0") and value[:-2].isdigit():
        value = value[:-2]
    return value.zfill(width) if value.isdigit() else value


@cache
def gso_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Provinces, districts and communes of map `2025-01`, as table rows."""
    old = map_data(OLD_MAP)
    provinces = [{"code": p.code, "name": p.name, "search_name": fold(p.name)} for p in old.provinces.values()]
    districts = [
        {"code": d.code, "name": d.name, "search_name": fold(d.name), "province_code": d.province}
        for d in old.districts.values()
    ]
    communes = [
        {
            "code": c.code,
            "name": c.name,
            "search_name": fold(c.name),
            "district_code": c.district,
            "is_rural": old.is_rural(c.code),
        }
        for c in old.communes.values()
    ]
    return provinces, districts, communes


@cache
def new_map_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Provinces and communes of map `2025-07`, as table rows."""
    new = map_data(NEW_MAP)
    provinces = [{"code": p.code, "name": p.name, "search_name": fold(p.name)} for p in new.provinces.values()]
    communes = [
        {
            "code": c.code,
            "name": c.name,
            "search_name": fold(c.name),
            "province_code": c.province,
            "kind": c.kind,
            "is_rural": new.is_rural(c.code),
        }
        for c in new.communes.values()
    ]
    return provinces, communes


@dataclass(frozen=True)
class Geography:
    """The whole map as DataFrames, for set-based work (coverage, demo, graph filters)."""

    provinces: pd.DataFrame  # code, name
    districts: pd.DataFrame  # code, name, province_code, in_scope
    communes: pd.DataFrame  # code, name, district_code, province_code, is_rural

    def name_of(self, code: str) -> str:
        """The name of the unit of this map stored under `code` (zero-padded, or `VN`), else the code."""
        if code.strip().upper() == NATIONAL_CODE:
            return NATIONAL_NAME
        for table in (self.provinces, self.districts, self.communes):
            match = table.loc[table["code"] == code.strip(), "name"]
            if len(match):
                return str(match.iloc[0])
        return code


@cache
def old_map_geography() -> Geography:
    """Map 2025-01 as DataFrames, from the maps' snapshot (`maps.unit_columns`), once per process: the
    units `linkage init` stored come from the same lists, and are never edited. Shared: do not change
    the frames in place."""

    def frame(level: str, columns: list[str]) -> pd.DataFrame:
        listed = unit_columns(OLD_MAP, level)
        import pandas as pd  # lazy: see the module's imports

        return pd.DataFrame({c: listed[c] for c in columns}, dtype=object)

    provinces = frame("province", ["code", "name"])
    districts = frame("district", ["code", "name", "province_code", "in_scope"]).astype({"in_scope": bool})
    communes = frame("commune", ["code", "name", "district_code", "is_rural", "province_code"])
    return Geography(provinces=provinces, districts=districts, communes=communes.astype({"is_rural": bool}))
