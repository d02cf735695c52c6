"""Demonstration data on the real GSO geography: deterministic for a seed, plausible for Vietnam.

Products follow the regions (coffee and pepper in the Central Highlands, rice, fruit, shrimp and
pangasius in the Mekong delta, tea and spices in the northern uplands …), deltas have more
cooperatives per commune, and each district gets its own maturity and digital uptake so that every
indicator state appears: units above and below each target, and units with no data at all.
Everything is drawn from `random.Random(seed)` in sorted code order and dated from fixed dates, so
two runs with one seed write the same records. Rows are written with bulk inserts.

Both maps (docs/exchange-files.md, "Two maps" and "Locations"): a cooperative established after the reform (after
2025-07-01) is given, with its members and areas, by its commune on map `2025-07` only; one in a commune the crosswalk
split is given on `2025-01` only (placed above the commune on `2025-07`, the officer's list of `linkage unplaced`), and
every split commune of the scale holds some; about one in five of the others is given on both maps (agreeing with the
crosswalk); the rest on `2025-01` only, as records entered before the reform are. Buyers likewise.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.errors import UserFacingError
from linkage.geo.geography import old_map_geography
from linkage.geo.maps import crosswalk
from linkage.store.db import insert_rows, read_session, write_session
from linkage.store.models import (
    Buyer,
    ChangeLog,
    Cooperative,
    DigitalAdoption,
    Linkage,
    LinkageParty,
    Producer,
    ProvinceKeyProduct,
    RawMaterialArea,
)
from linkage.vocabulary import BUYER_KINDS, LINKAGE_FORMS, PRODUCER_KINDS, TECHNOLOGIES

DEMO_PROVINCE = "66"  # Đắk Lắk: the app's default data
STAMP = datetime(2025, 12, 31, tzinfo=UTC)  # fixed, so runs are identical
REFORM = date(2025, 7, 1)  # records that start after it are given on map 2025-07 only
OLD_ONLY, NEW_ONLY, BOTH = "2025-01", "2025-07", "both"  # how a record gives its location
SPLIT_MIN_COOPERATIVES = 2  # every split commune of the scale holds at least this many

REGIONS: dict[str, tuple[str, ...]] = {
    "uplands": ("02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "22", "24", "25"),
    "red_river": ("01", "26", "27", "30", "31", "33", "34", "35", "36", "37"),
    "central_coast": ("38", "40", "42", "44", "45", "46", "48", "49", "51", "52", "54", "56", "58", "60"),
    "highlands": ("62", "64", "66", "67", "68"),
    "south_east": ("70", "72", "74", "75", "77", "79"),
    "mekong": ("80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"),
}
PRODUCTS: dict[str, tuple[tuple[str, int], ...]] = {
    "uplands": (
        ("TEA", 5),
        ("STARANISE", 2),
        ("CINNAMON", 2),
        ("PORK", 3),
        ("MAIZE", 2),
        ("RICE", 2),
        ("MEDICINAL", 1),
        ("LYCHEE", 1),
        ("CITRUS", 1),
    ),
    "red_river": (
        ("RICE", 5),
        ("VEGETABLE", 4),
        ("POULTRY", 3),
        ("PORK", 3),
        ("LONGAN", 1),
        ("FLOWER", 1),
        ("MUSHROOM", 1),
    ),
    "central_coast": (
        ("RICE", 4),
        ("CASSAVA", 2),
        ("PEANUT", 1),
        ("SHRIMP", 2),
        ("CASHEW", 1),
        ("WOOD", 2),
        ("SUGARCANE", 1),
        ("DRAGONFRUIT", 1),
    ),
    "highlands": (
        ("COFFEE", 6),
        ("PEPPER", 3),
        ("DURIAN", 2),
        ("MACADAMIA", 1),
        ("CASHEW", 1),
        ("RUBBER", 1),
        ("VEGETABLE", 1),
    ),
    "south_east": (
        ("RUBBER", 3),
        ("CASHEW", 3),
        ("PEPPER", 1),
        ("DURIAN", 1),
        ("FRUIT", 2),
        ("PORK", 2),
        ("POULTRY", 1),
    ),
    "mekong": (
        ("RICE", 6),
        ("SHRIMP", 3),
        ("PANGASIUS", 2),
        ("MANGO", 2),
        ("POMELO", 1),
        ("COCONUT", 2),
        ("DRAGONFRUIT", 1),
        ("CLAM", 1),
    ),
}
PROVINCE_KEYS = (
    ("15", "CINNAMON"),
    ("08", "CINNAMON"),
    ("20", "STARANISE"),
    ("04", "STARANISE"),
    ("68", "MACADAMIA"),
    ("11", "MACADAMIA"),
    ("66", "MACADAMIA"),
    ("10", "MEDICINAL"),
    ("83", "COCONUT"),
)
DENSITY = {"red_river": 1.6, "mekong": 1.6, "central_coast": 1.0, "south_east": 1.1, "highlands": 1.0, "uplands": 0.7}
FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Y",
    "H'",
    "Lò",
    "Vi",
)
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Hữu")
GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hoa",
    "Hùng",
    "Hương",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quang",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Việt",
    "Xuân",
    "Yến",
)
PRODUCT_VI = {
    "TEA": "chè",
    "STARANISE": "hồi",
    "CINNAMON": "quế",
    "PORK": "lợn",
    "MAIZE": "ngô",
    "RICE": "lúa",
    "MEDICINAL": "dược liệu",
    "LYCHEE": "vải",
    "CITRUS": "cam",
    "VEGETABLE": "rau",
    "POULTRY": "gia cầm",
    "LONGAN": "nhãn",
    "FLOWER": "hoa",
    "MUSHROOM": "nấm",
    "CASSAVA": "sắn",
    "PEANUT": "lạc",
    "SHRIMP": "tôm",
    "CASHEW": "điều",
    "WOOD": "gỗ rừng trồng",
    "SUGARCANE": "mía",
    "DRAGONFRUIT": "thanh long",
    "COFFEE": "cà phê",
    "PEPPER": "hồ tiêu",
    "DURIAN": "sầu riêng",
    "MACADAMIA": "mắc ca",
    "RUBBER": "cao su",
    "FRUIT": "cây ăn quả",
    "MANGO": "xoài",
    "POMELO": "bưởi",
    "COCONUT": "dừa",
    "CLAM": "nghêu",
    "PANGASIUS": "cá tra",
}
COMPANY = ("Công ty TNHH", "Công ty CP", "Công ty CP Nông sản", "Công ty TNHH Xuất nhập khẩu")
COMPANY_NAME = (
    "Phú Gia",
    "Hưng Thịnh",
    "Tân Phát",
    "Minh Long",
    "Sao Việt",
    "An Phú",
    "Đại Dương",
    "Thành Công",
    "Hoàng Nguyên",
    "Xanh",
    "Mekong",
    "Tây Nguyên",
    "Việt Hương",
    "Thuận Phát",
)


def _weights(kinds: tuple[str, ...], **weights: int) -> list[int]:
    """How often each of the model's kinds is drawn, in the model's order; a kind not named, once."""
    unknown = set(weights) - set(kinds)
    if unknown:
        raise ValueError(f"not kinds of the model: {sorted(unknown)}")
    return [weights.get(kind, 1) for kind in kinds]


class DemoRefused(UserFacingError):
    """The demo only fills an empty database."""


@dataclass
class DemoSummary:
    scale: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        parts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in self.counts.items())
        return f"Demo data ({self.scale}, seed {self.seed}): {parts}."


def is_empty(engine: Engine) -> bool:
    """True when nobody has entered cooperatives or linkages yet (the demo may fill it)."""
    with read_session(engine) as session:
        for model in (Cooperative, Linkage):
            if session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one():
                return False
    return True


def _region(province: str) -> str:
    return next((r for r, codes in REGIONS.items() if province in codes), "central_coast")


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p for p, _ in weighted], weights=[w for _, w in weighted])[0]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _place(name: str) -> str:
    for prefix in ("Xã ", "Phường ", "Thị trấn "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _location(rng: random.Random, commune: str, given: str) -> dict[str, str | None]:
    """The two location columns of a record in old commune `commune`, given on one map or both: on
    `2025-07` it is one of the commune's crosswalk candidates (so both columns agree, docs/exchange-files.md
    "Locations")."""
    if given == OLD_ONLY:
        return {"commune_code": commune, "commune_code_2025_07": None}
    candidates = crosswalk().old_to_new[commune]
    new = candidates[0] if len(candidates) == 1 else rng.choice(candidates)
    return {"commune_code": commune if given == BOTH else None, "commune_code_2025_07": new}


def _is_split(commune: str) -> bool:
    return len(crosswalk().old_to_new[commune]) > 1


class _Builder:
    """Accumulates the rows of one demo, code by code, before one bulk write."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: dict[type, list[dict[str, Any]]] = defaultdict(list)
        self.serial: dict[str, int] = defaultdict(int)

    def code(self, prefix: str) -> str:
        self.serial[prefix] += 1
        return f"{prefix}{self.serial[prefix]:06d}"

    def add(self, model: type, **values: Any) -> dict[str, Any]:
        row = {"created_at": STAMP, "updated_at": STAMP, "version": 1, **values}
        self.rows[model].append(row)
        return row


def generate(engine: Engine, scale: str = "province", seed: int = 1) -> DemoSummary:
    """Fill an empty database with demonstration data: one province (Đắk Lắk) or the whole country."""
    if scale not in ("province", "national"):
        raise DemoRefused("demo_scale", scale=scale)
    if not is_empty(engine):
        raise DemoRefused("demo_not_empty")
    with read_session(engine) as session:
        geo = old_map_geography()
    rng = random.Random(seed)
    b = _Builder(rng)
    communes = geo.communes
    if scale == "province":
        communes = communes[communes["province_code"] == DEMO_PROVINCE]
    districts = sorted(set(communes["district_code"]))
    per_coop = 2.0 if scale == "province" else 4.4  # cooperatives per covered commune, before regional density

    for province, code in PROVINCE_KEYS:
        if scale == "national" or province == DEMO_PROVINCE:
            b.add(ProvinceKeyProduct, province_code=province, product_code=code)

    buyers_by_province: dict[str, list[str]] = defaultdict(list)
    provinces = sorted(set(communes["province_code"]))
    for province in provinces:
        places = communes[communes["province_code"] == province].sort_values("code")
        count = 40 if scale == "province" else 127
        for _ in range(count):
            kind = rng.choices(BUYER_KINDS, _weights(BUYER_KINDS, trader=4, processor=3, enterprise=3, exporter=2))[0]
            if kind == "trader":
                name = f"Thương lái {_person(rng)}"
            elif kind == "retailer":
                name = f"Siêu thị {rng.choice(COMPANY_NAME)} {rng.randint(1, 20)}"
            else:
                name = f"{rng.choice(COMPANY)} {rng.choice(COMPANY_NAME)} {rng.randint(1, 99)}"
            row = places.iloc[rng.randrange(len(places))]
            roll = rng.random()
            commune = str(row["code"])
            if roll < 0.15:
                where: dict[str, str | None] = {"commune_code": None, "commune_code_2025_07": None}
            elif roll < 0.25 and not _is_split(commune):
                where = _location(rng, commune, NEW_ONLY)  # entered after the reform
            elif roll < 0.4 and not _is_split(commune):
                where = _location(rng, commune, BOTH)
            else:
                where = _location(rng, commune, OLD_ONLY)
            code = b.code("NM")
            b.add(Buyer, code=code, name=name, kind=kind, **where)
            buyers_by_province[province].append(code)

    for district in districts:
        mine = communes[communes["district_code"] == district].sort_values("code")
        province = str(mine.iloc[0]["province_code"])
        region = _region(province)
        maturity = 0.0 if rng.random() < 0.06 else rng.betavariate(2.2, 1.4)  # a few districts with no data at all
        digital = rng.betavariate(1.6, 1.6)
        start_year = 2021 + int(rng.random() * 4)  # when this district's digital push began
        splits = {code for code in mine["code"] if _is_split(code)}
        if maturity == 0.0 and not splits:
            continue
        for commune in mine.itertuples():
            split = commune.code in splits
            if not split and (maturity == 0.0 or (not commune.is_rural and rng.random() > 0.2)):
                continue
            if not split and rng.random() > maturity * 1.05:
                continue
            least = SPLIT_MIN_COOPERATIVES if split else 1
            n_coops = max(least, round(rng.expovariate(1 / (per_coop * DENSITY[region]))))
            for _ in range(n_coops):
                _cooperative(b, commune, province, region, buyers_by_province[province], digital, start_year)

    summary = DemoSummary(scale, seed)
    with write_session(engine) as session:
        order = (
            ProvinceKeyProduct,
            Buyer,
            Cooperative,
            Producer,
            RawMaterialArea,
            Linkage,
            LinkageParty,
            DigitalAdoption,
        )
        for model in order:
            rows = b.rows.get(model, [])
            insert_rows(session, model, rows)
            summary.counts[str(model.__tablename__)] = len(rows)
        session.execute(
            sa.insert(ChangeLog),
            [
                {
                    "at": STAMP,
                    "actor": "demo",
                    "action": "create",
                    "entity": "all",
                    "record_key": f"seed {seed}",
                    "changes": {},
                    "comment": f"demonstration data, {scale} scale",
                }
            ],
        )
    return summary


def _cooperative(
    b: _Builder, commune: Any, province: str, region: str, buyers: list[str], digital: float, start_year: int
) -> None:
    """One cooperative with its members, raw material areas, linkages, parties and adoptions."""
    rng = b.rng
    product = _pick(rng, PRODUCTS[region])
    code = b.code("HTX")
    roll = rng.random()
    if roll < 0.06:
        established: date | None = _day(rng, REFORM + timedelta(days=1), date(2025, 11, 30))
    else:
        established = _day(rng, date(1997, 1, 1), date(2025, 9, 30)) if roll > 0.13 else None
    dissolved = None
    if established and rng.random() < 0.05:
        dissolved = _day(rng, max(established, date(2019, 1, 1)), date(2025, 12, 1))
    if _is_split(commune.code):
        given = OLD_ONLY  # an officer has yet to settle which of the new communes it lies in
    elif established and established > REFORM:
        given = NEW_ONLY  # registered after the reform: only today's commune is known
    else:
        given = BOTH if rng.random() < 0.2 else OLD_ONLY
    where = _location(rng, commune.code, given)
    kind_name = rng.choice(
        ("Nông nghiệp", "Dịch vụ nông nghiệp", f"{PRODUCT_VI[product].capitalize()}", "Nông nghiệp và Dịch vụ")
    )
    b.add(
        Cooperative,
        code=code,
        name=f"HTX {kind_name} {_place(commune.name)}",
        **where,
        established_on=established,
        dissolved_on=dissolved,
        members=rng.randint(7, 160),
    )
    members = []
    for _ in range(max(1, round(rng.gauss(8, 3)))):
        p = b.code("SX")
        kind = rng.choices(PRODUCER_KINDS, _weights(PRODUCER_KINDS, household=12, farm=3, cooperative_group=2))[0]
        name = {
            "household": f"Hộ {_person(rng)}",
            "farm": f"Trang trại {_person(rng)}",
            "cooperative_group": f"Tổ hợp tác {PRODUCT_VI[product]} {_place(commune.name)}",
            "enterprise": f"{rng.choice(COMPANY)} {rng.choice(COMPANY_NAME)}",
        }[kind]
        b.add(Producer, code=p, name=name, kind=kind, cooperative_code=code, **where)
        members.append(p)
    areas = []
    if rng.random() < 0.6:
        a = b.code("VNL")
        label = "Cánh đồng lớn" if product == "RICE" else f"Vùng trồng {PRODUCT_VI[product]}"
        b.add(
            RawMaterialArea,
            code=a,
            name=f"{label} {_place(commune.name)}",
            **where,
            product_code=product,
            area_ha=Decimal(rng.randint(50, 30000)) / 10,
            planting_area_code=f"VN-{province}-{rng.randint(1, 9999):04d}" if rng.random() < 0.6 else None,
        )
        areas.append(a)
    for _ in range(rng.choices([0, 1, 2], [3, 6, 1])[0]):
        _linkage(b, code, product, members, areas, buyers, digital, start_year, established)


def _linkage(
    b: _Builder,
    cooperative: str,
    product: str,
    members: list[str],
    areas: list[str],
    buyers: list[str],
    digital: float,
    start_year: int,
    founded: date | None = None,
) -> None:
    rng = b.rng
    code = b.code("LK")
    roll = rng.random()
    started = (
        _day(rng, date(2026, 1, 1), date(2026, 6, 30))
        if roll < 0.03
        else _day(rng, date(2015, 1, 1), date(2025, 10, 31))
    )
    if founded and founded > REFORM and started < founded:  # a cooperative of after the reform
        started = _day(rng, founded, date(2025, 12, 31))
    ended = _day(rng, started, date(2025, 12, 1)) if roll > 0.93 and started < date(2025, 6, 1) else None
    form = rng.choices(LINKAGE_FORMS, _weights(LINKAGE_FORMS, production_consumption=6, full_chain=2))[0]
    b.add(
        Linkage,
        code=code,
        name=f"Liên kết {PRODUCT_VI[product]} {code[-4:]}",
        product_code=product,
        started_on=started,
        ended_on=ended,
        form=form,
    )
    lead_is_buyer = rng.random() < 0.3
    has_lead = rng.random() > 0.05

    def party(kind: str, party_code: str, lead: bool = False) -> None:
        columns = dict.fromkeys(("cooperative_code", "producer_code", "buyer_code", "raw_material_area_code"))
        columns[f"{kind}_code"] = party_code
        b.add(LinkageParty, linkage_code=code, party_type=kind, party_code=party_code, is_lead=lead, **columns)

    party("cooperative", cooperative, lead=has_lead and not lead_is_buyer)
    for producer in rng.sample(members, k=min(len(members), rng.randint(0, 3))):
        party("producer", producer)
    if areas and rng.random() < 0.85:
        party("raw_material_area", areas[0])
    if buyers and rng.random() < 0.82:
        chosen = rng.sample(buyers, k=1 if rng.random() < 0.8 else min(2, len(buyers)))
        for i, buyer in enumerate(chosen):
            party("buyer", buyer, lead=has_lead and lead_is_buyer and i == 0)
    if rng.random() < digital * 1.4:
        for technology in rng.sample(TECHNOLOGIES, k=rng.choices([1, 2, 3, 4], [1, 2, 4, 4])[0]):
            adopted = max(started, _day(rng, date(start_year, 1, 1), date(2025, 12, 31)))
            if adopted > date(2025, 12, 31):
                adopted = started
            late = adopted >= date(2025, 12, 31)
            stopped = None if late or rng.random() >= 0.1 else _day(rng, adopted, date(2025, 12, 31))
            if stopped == adopted:
                stopped = None
            b.add(
                DigitalAdoption, linkage_code=code, technology=technology, adopted_on=adopted, discontinued_on=stopped
            )


__all__ = ["DEMO_PROVINCE", "DemoRefused", "DemoSummary", "generate", "is_empty"]
