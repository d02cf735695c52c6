"""The exchange files (docs/exchange-files.md): columns, value kinds, keys and references.

One table drives reading, validation, writing and export, so a column is described once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import SQLModel

from linkage import vocabulary
from linkage.store import models as m


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # code | text | date | bool | int | area | enum | province | commune | commune_2025_07 | ref
    required: bool = False
    choices: tuple[str, ...] = ()
    default: object = None
    ref: str | None = None  # entity whose code this column names


@dataclass(frozen=True)
class Entity:
    name: str  # file name without extension
    model: type[SQLModel]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    checks: tuple[tuple[str, str], ...] = field(default=())  # (start, end) date pairs
    located: bool = False  # `commune_code` or `commune_code_2025_07` is required (docs/exchange-files.md, "Locations")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _code(name: str = "code") -> Column:
    return Column(name, "code", required=True)


def _name(name: str = "name") -> Column:
    return Column(name, "text", required=True)


# A location: a commune on map 2025-01, on map 2025-07, or both (agreeing with the crosswalk).
LOCATION = (Column("commune_code", "commune"), Column("commune_code_2025_07", "commune_2025_07"))


ENTITIES: tuple[Entity, ...] = (
    Entity(
        "products",
        m.Product,
        (
            _code(),
            _name("name_vi"),
            Column("name_en", "text", default=""),
            Column("national_key", "bool", default=False),
        ),
        key=("code",),
    ),
    Entity(
        "province_key_products",
        m.ProvinceKeyProduct,
        (Column("province_code", "province", required=True), Column("product_code", "ref", True, ref="products")),
        key=("province_code", "product_code"),
    ),
    Entity(
        "cooperatives",
        m.Cooperative,
        (
            _code(),
            _name(),
            *LOCATION,
            Column("established_on", "date"),
            Column("dissolved_on", "date"),
            Column("members", "int"),
        ),
        key=("code",),
        checks=(("established_on", "dissolved_on"),),
        located=True,
    ),
    Entity(
        "producers",
        m.Producer,
        (
            _code(),
            _name(),
            *LOCATION,
            Column("kind", "enum", choices=vocabulary.PRODUCER_KINDS, default="household"),
            Column("cooperative_code", "ref", ref="cooperatives"),
        ),
        key=("code",),
        located=True,
    ),
    Entity(
        "buyers",
        m.Buyer,
        (
            _code(),
            _name(),
            Column("kind", "enum", choices=vocabulary.BUYER_KINDS, default="enterprise"),
            *LOCATION,
        ),
        key=("code",),
    ),
    Entity(
        "raw_material_areas",
        m.RawMaterialArea,
        (
            _code(),
            _name(),
            *LOCATION,
            Column("product_code", "ref", required=True, ref="products"),
            Column("area_ha", "area", required=True),
            Column("planting_area_code", "text"),
        ),
        key=("code",),
        located=True,
    ),
    Entity(
        "linkages",
        m.Linkage,
        (
            _code(),
            _name(),
            Column("product_code", "ref", required=True, ref="products"),
            Column("started_on", "date", required=True),
            Column("ended_on", "date"),
            Column("form", "enum", choices=vocabulary.LINKAGE_FORMS, default="production_consumption"),
        ),
        key=("code",),
        checks=(("started_on", "ended_on"),),
    ),
    Entity(
        "linkage_parties",
        m.LinkageParty,
        (
            Column("linkage_code", "ref", required=True, ref="linkages"),
            Column("party_type", "enum", required=True, choices=vocabulary.PARTY_TYPES),
            Column("party_code", "party", required=True),
            Column("is_lead", "bool", default=False),
        ),
        key=("linkage_code", "party_type", "party_code"),
    ),
    Entity(
        "digital_adoptions",
        m.DigitalAdoption,
        (
            Column("linkage_code", "ref", required=True, ref="linkages"),
            Column("technology", "enum", required=True, choices=vocabulary.TECHNOLOGIES),
            Column("adopted_on", "date", required=True),
            Column("discontinued_on", "date"),
        ),
        key=("linkage_code", "technology", "adopted_on"),
        checks=(("adopted_on", "discontinued_on"),),
    ),
)

BY_NAME: dict[str, Entity] = {e.name: e for e in ENTITIES}
PARTY_ENTITY = {
    "cooperative": "cooperatives",
    "producer": "producers",
    "buyer": "buyers",
    "raw_material_area": "raw_material_areas",
}
PARTY_COLUMN = {
    "cooperative": "cooperative_code",
    "producer": "producer_code",
    "buyer": "buyer_code",
    "raw_material_area": "raw_material_area_code",
}
