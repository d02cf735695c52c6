"""Communes of map `2025-01` as people name them, with their district and province: what a form that
chooses an old commune by name lists (`ui/forms.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from linkage.geo.geography import fold, normalize_code
from linkage.geo.maps import CODE_WIDTH
from linkage.store.db import read_session
from linkage.store.models import Commune, District, Province


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
