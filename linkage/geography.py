"""The stored geography of map `2025-01` (CONTRACT §1): loading, code rules and name search.

The units come from `linkage.maps` (the January 2025 GSO list, `vietnam_provinces.legacy`), the map
the programme is evaluated on; the map of July 2025 and the crosswalk live in `linkage.maps` too.
Names are stored NFC so that search and display agree whatever the input's form.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col

from linkage.db import read_frame, read_session
from linkage.maps import CODE_WIDTH, NATIONAL_CODE, NATIONAL_NAME, NEW_MAP, OLD_MAP, Unit, map_data
from linkage.models import Commune, Commune202507, District, Province, Province202507

__all__ = ["CODE_WIDTH", "NATIONAL_CODE", "NATIONAL_NAME", "Unit"]

LEVELS = ("national", "province", "district")


def fold(text: str) -> str:
    """Lower-case text without Vietnamese diacritics, so `bac kan` matches `Bắc Kạn`."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


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


def load_geography(session: Session) -> int:
    """Insert the units of both maps that are not stored yet; returns how many were added."""
    added = 0
    tables = zip(
        (Province, District, Commune, Province202507, Commune202507), (*gso_rows(), *new_map_rows()), strict=True
    )
    for model, rows in tables:
        have = set(session.execute(sa.select(model.code)).scalars())  # type: ignore[attr-defined]
        new = [r for r in rows if r["code"] not in have]
        if new:
            session.execute(sa.insert(model), new)
            added += len(new)
    return added


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


def read_geography(session: Session) -> Geography:
    """The stored map as DataFrames (read from the driver's cursor: ~11,000 rows on every cold start)."""
    provinces = read_frame(session, sa.select(col(Province.code), col(Province.name)).order_by(col(Province.code)))
    districts = read_frame(
        session,
        sa.select(col(District.code), col(District.name), col(District.province_code)).order_by(col(District.code)),
    )
    communes = read_frame(
        session,
        sa.select(col(Commune.code), col(Commune.name), col(Commune.district_code), col(Commune.is_rural)).order_by(
            col(Commune.code)
        ),
    )
    communes["is_rural"] = communes["is_rural"].astype(bool)
    communes = communes.merge(districts[["code", "province_code"]].rename(columns={"code": "district_code"}))
    rural_districts = set(communes.loc[communes["is_rural"], "district_code"])
    districts["in_scope"] = districts["code"].isin(rural_districts)
    return Geography(provinces=provinces, districts=districts, communes=communes)


def search_units(session: Session, query: str, levels: tuple[str, ...] = LEVELS, limit: int = 20) -> list[Unit]:
    """Units whose name or code contains `query`, ignoring diacritics and case; provinces first."""
    needle = fold(query)
    found: list[Unit] = []
    if "national" in levels and (not needle or needle in fold(NATIONAL_NAME) or needle == "vn"):
        found.append(Unit(OLD_MAP, "national", NATIONAL_CODE, NATIONAL_NAME))
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{escaped}%"  # `%` and `_` typed by a user are letters, not wildcards
    if "province" in levels:
        rows = session.execute(
            sa.select(col(Province.code), col(Province.name))
            .where(sa.or_(col(Province.search_name).like(like, escape="\\"), col(Province.code) == needle))
            .order_by(col(Province.code))
            .limit(limit)
        )
        found += [Unit(OLD_MAP, "province", c, n, NATIONAL_NAME) for c, n in rows]
    if "district" in levels:
        rows = session.execute(
            sa.select(col(District.code), col(District.name), col(Province.name))
            .join(Province, col(Province.code) == col(District.province_code))
            .where(sa.or_(col(District.search_name).like(like, escape="\\"), col(District.code) == needle))
            .order_by(col(District.code))
            .limit(limit)
        )
        found += [Unit(OLD_MAP, "district", c, n, p) for c, n, p in rows]
    if "commune" in levels:
        rows = session.execute(
            sa.select(col(Commune.code), col(Commune.name), col(District.name))
            .join(District, col(District.code) == col(Commune.district_code))
            .where(sa.or_(col(Commune.search_name).like(like, escape="\\"), col(Commune.code) == needle))
            .order_by(col(Commune.code))
            .limit(limit)
        )
        found += [Unit(OLD_MAP, "commune", c, n, d) for c, n, d in rows]
    return found[:limit]


def find_units(engine: Any, query: str, levels: tuple[str, ...] = LEVELS, limit: int = 20) -> list[Unit]:
    """`search_units` in its own read session, for callers without one (the app's pages)."""
    with read_session(engine) as session:
        return search_units(session, query, levels, limit)


@dataclass(frozen=True)
class Place:
    """A commune as people name it, with its district and province, for forms that choose one by
    name: `Xã Dương Quang — Thành Phố Bắc Kạn — Tỉnh Bắc Kạn (01849)`."""

    code: str
    commune: str
    district: str
    province: str
    province_code: str

    @property
    def label(self) -> str:
        return f"{self.commune} — {self.district} — {self.province} ({self.code})"


def _places(session: Session, where: Any) -> list[Place]:
    rows = session.execute(
        sa.select(col(Commune.code), col(Commune.name), col(District.name), col(Province.name), col(Province.code))
        .join(District, col(District.code) == col(Commune.district_code))
        .join(Province, col(Province.code) == col(District.province_code))
        .where(where)
    )
    places = [Place(*row) for row in rows]
    return sorted(places, key=lambda p: (fold(p.district), fold(p.commune), p.code))


def communes_in(session: Session, province_code: str | None = None) -> list[Place]:
    """The communes of one province (of the whole country when None), in the order of the alphabet
    read without diacritics, district then commune. Example: `communes_in(s, "06")` is Bắc Kạn's 122."""
    return _places(session, col(Province.code) == province_code if province_code else sa.true())


def places_of(session: Session, codes: list[str]) -> dict[str, Place]:
    """The named communes among `codes` (codes the map does not hold are left out)."""
    wanted = [normalize_code(c, CODE_WIDTH["commune"]) for c in codes if c]
    return {p.code: p for p in _places(session, col(Commune.code).in_(wanted))} if wanted else {}


def find_communes(engine: Any, province_code: str | None = None, codes: list[str] | None = None) -> list[Place]:
    """`communes_in` (or `places_of` when `codes` are given) in its own read session, for the pages."""
    with read_session(engine) as session:
        if codes is not None:
            return list(places_of(session, codes).values())
        return communes_in(session, province_code)
