"""Coverage on a date and a map (docs/indicators.md: placement, the levels of each map and `unplaced`).

The fixture `fixtures/two_maps` (old provinces Bắc Kạn 06 and Thái Nguyên 19, both now in the new
Thái Nguyên 19) holds records given on one map, on both, in a commune that was split, and linkages
whose product is a key product of Bắc Kạn, a province merged away. The figures below were worked
out by hand from the CSV files and the crosswalk facts written beside them; a second, literal
formulation (record by record, unit by unit, through `maps.placed_in`) checks every row.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from linkage.counting.coverage import load_facts
from linkage.counting.indicators import COMMUNES, DISTRICTS, RAW_MATERIAL, compute, json_rows
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, map_data, national, placed_in, unit_holds
from linkage.records.catalog import products as catalog_products
from linkage.records.importing import import_path
from linkage.store.db import read_session

FIXTURE = Path(__file__).parent / "fixtures" / "two_maps"
DEPTH = {"national": 0, "province": 1, "district": 2, "commune": 3}
NATIONAL = "VN"
END = date(2025, 12, 31)

# Crosswalk facts the fixture relies on (from the conversion table, see test_maps for the table itself):
# new 01864 Xã Bằng Thành took in old 01858, 01861, 01864, 01870, all of old district 060 → placed in 060;
# new 01849 Xã Phong Quang took in old 01849 (district 058) and 01984 (district 063) → placed in old province 06;
# old 01957 Xã Thượng Quan went whole to new 01957; old 05932 Xã Thượng Đình (district 173, old province 19)
# was split between new 05908 and 05941 → placed in new province 19.


def _rural_new(province: str) -> int:
    from vietnam_provinces import Ward

    return sum(1 for w in Ward.iter_all() if int(w.province_code) == int(province) and str(w.division_type) == "xã")


def _in_scope_old_districts(province: str) -> int:
    from vietnam_provinces import legacy

    district_province = {int(d.code): int(d.province_code) for d in legacy.District.iter_all()}
    return len(
        {
            int(w.district_code)
            for w in legacy.Ward.iter_all()
            if w.name.startswith("Xã ") and district_province[int(w.district_code)] == int(province)
        }
    )


@pytest.fixture
def two_maps(engine: Engine) -> Engine:
    import_path(engine, FIXTURE)
    return engine


def rows_of(engine: Engine, day: date, map_name: str | None) -> dict[tuple[str, str, str], tuple[int, int, int]]:
    with read_session(engine) as session:
        rows = json_rows(compute(load_facts(session), day, map_name=map_name))
    return {
        (r["indicator"], r["level"], r["unit_code"]): (r["numerator"], r["denominator"], r["unplaced"]) for r in rows
    }


def test_on_the_old_map_records_given_only_on_the_new_map_count_where_they_are_placed(two_maps: Engine) -> None:
    got = rows_of(two_maps, END, OLD_MAP)
    # K1 in 01957 (district 062) and K4 in 01861 (district 060, given on both maps) cover two rural communes
    # of Bắc Kạn; K5 in 05932 (district 173) one of old Thái Nguyên. K2 (new 01864) is placed in district 060
    # and K3 (new 01849) in province 06: in no commune, so they are unplaced there and above.
    assert got[(COMMUNES, "district", "060")] == (1, 10, 1)
    assert got[(COMMUNES, "district", "062")][0::2] == (1, 0)
    assert got[(COMMUNES, "district", "173")][0::2] == (1, 0)
    assert got[(COMMUNES, "province", "06")][0::2] == (2, 2)
    assert got[(COMMUNES, "province", "19")][0::2] == (1, 0)
    assert got[(COMMUNES, "national", "VN")] == (3, 7717, 2)
    # L2 (cinnamon, key for Bắc Kạn, via K2 placed in district 060) covers district 060; L3 (cinnamon via K3,
    # placed only in province 06) has a key product of Bắc Kạn but lies in none of its districts.
    assert got[(DISTRICTS, "province", "06")] == (1, 8, 1)
    assert got[(DISTRICTS, "province", "19")] == (0, _in_scope_old_districts("19"), 0)
    assert got[(DISTRICTS, "national", "VN")] == (1, 634, 1)
    # L1 (digital; A1 and K3 both placed in province 06), L4 (K1 in 062, A2 in 173), L5 (A3 in 173).
    assert got[(RAW_MATERIAL, "district", "062")] == (0, 1, 0)
    assert got[(RAW_MATERIAL, "district", "173")] == (0, 2, 0)
    assert got[(RAW_MATERIAL, "district", "058")] == (0, 0, 0)  # a placement in the province is not below it
    assert got[(RAW_MATERIAL, "province", "06")] == (1, 2, 1)
    assert got[(RAW_MATERIAL, "province", "19")] == (0, 2, 0)
    assert got[(RAW_MATERIAL, "national", "VN")] == (1, 3, 1)


def test_on_the_new_map_every_record_counts_with_its_placement_and_districts_are_not_reported(
    two_maps: Engine,
) -> None:
    got = rows_of(two_maps, END, NEW_MAP)
    # K1 → 01957, K2 and K4 → 01864 (one commune counted once), K3 → 01849; K5 (split 05932) → province 19.
    assert got[(COMMUNES, "province", "19")] == (3, _rural_new("19"), 1)
    assert got[(COMMUNES, "national", "VN")] == (3, 2621, 1)
    # L1 in 01849 (digital); L4 in 01957 through K1 (its area A2 only in the province); L5 only in province 19.
    assert got[(RAW_MATERIAL, "commune", "01849")] == (1, 1, 0)
    assert got[(RAW_MATERIAL, "commune", "01957")] == (0, 1, 0)
    assert got[(RAW_MATERIAL, "commune", "05908")] == (0, 0, 0)  # the split commune's parts: not below
    assert got[(RAW_MATERIAL, "province", "19")] == (1, 3, 1)
    assert got[(RAW_MATERIAL, "national", "VN")] == (1, 3, 1)
    assert not [k for k in got if k[0] == DISTRICTS or k[1] == "district"]
    assert ("communes_with_cooperative", "commune", "01957") not in got  # commune level: third indicator only
    assert sum(1 for k in got if k[1] == "commune") == 2621  # every rural commune, also with no data


def test_the_map_defaults_to_the_map_of_the_date_and_every_row_names_its_map(two_maps: Engine) -> None:
    with read_session(two_maps) as session:
        facts = load_facts(session)
    for day, expected in ((date(2025, 6, 30), OLD_MAP), (date(2025, 7, 1), NEW_MAP), (END, NEW_MAP)):
        rows = compute(facts, day)
        assert set(rows["map"]) == {expected}, day
        assert rows.equals(compute(facts, day, map_name=expected))


def test_an_unknown_map_is_refused_naming_the_maps(two_maps: Engine) -> None:
    with read_session(two_maps) as session:
        facts = load_facts(session)
    with pytest.raises(ValueError, match="2025-01 and 2025-07"):
        compute(facts, END, map_name="2024-01")


# --- An independent formulation: docs/indicators.md read literally, record by record and unit by unit. ---


def _rows(name: str) -> list[dict[str, str]]:
    with (FIXTURE / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _place(row: dict[str, str], on: str) -> Unit:
    return placed_in(row["commune_code"] or None, row.get("commune_code_2025_07") or None, on)


def literal(day: date, on: str) -> dict[tuple[str, str, str], tuple[int, int, int]]:
    """Every row on map `on`: units listed from the map, each record placed by `placed_in`, each count
    asked of every unit with `unit_holds`."""
    data = map_data(on)

    def active(start: str, end: str) -> bool:
        return date.fromisoformat(start) <= day and (not end or date.fromisoformat(end) > day)

    rural = [p.unit for p in data.communes.values() if data.is_rural(p.code)]
    in_scope_districts = [
        data.districts[d].unit for d in sorted({data.communes[u.code].district for u in rural if on == OLD_MAP})
    ]
    provinces = [data.provinces[p].unit for p in sorted({data.communes[u.code].province for u in rural})]
    units = {"national": [national(on)], "province": provinces, "district": in_scope_districts, "commune": rural}
    levels = {
        OLD_MAP: {
            COMMUNES: ("national", "province", "district"),
            DISTRICTS: ("national", "province"),
            RAW_MATERIAL: ("national", "province", "district"),
        },
        NEW_MAP: {COMMUNES: ("national", "province"), DISTRICTS: (), RAW_MATERIAL: ("national", "province", "commune")},
    }[on]
    lowest = {COMMUNES: "commune", DISTRICTS: "district", RAW_MATERIAL: "district" if on == OLD_MAP else "commune"}

    coops = {r["code"]: _place(r, on) for r in _rows("cooperatives") if active(r["established_on"], r["dissolved_on"])}
    homes = {("cooperative", r["code"]): _place(r, on) for r in _rows("cooperatives")} | {
        ("raw_material_area", r["code"]): _place(r, on) for r in _rows("raw_material_areas")
    }
    parties: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for p in _rows("linkage_parties"):
        parties[p["linkage_code"]].append((p["party_type"], p["party_code"]))
    national_key = {str(p["code"]) for p in catalog_products() if p["national_key"]}
    province_key = {(r["province_code"], r["product_code"]) for r in _rows("province_key_products")}
    digital = {a["linkage_code"] for a in _rows("digital_adoptions") if active(a["adopted_on"], a["discontinued_on"])}
    linkages = [r for r in _rows("linkages") if active(r["started_on"], r["ended_on"])]
    located = {r["code"]: [homes[p] for p in parties[r["code"]] if p in homes] for r in linkages}

    def key_places(link: dict[str, str]) -> list[Unit]:
        """The placements of a buyer linkage's parties at which its product is a key product."""
        if not any(t == "buyer" for t, _ in parties[link["code"]]):
            return []
        out = []
        for u in located[link["code"]]:
            province = data.province_of(u) if u.level != "national" else None
            if link["product_code"] in national_key or (province, link["product_code"]) in province_key:
                out.append(u)
        return out

    def settled(p: Unit, indicator: str) -> bool:
        """Whether a placement lies in a unit of the indicator's lowest level (or is one)."""
        return DEPTH[p.level] >= DEPTH[lowest[indicator]]

    rural_in: Counter[str] = Counter()
    for c in rural:
        place = data.communes[c.code]
        rural_in.update([NATIONAL, place.province, *([place.district] if on == OLD_MAP else []), c.code])
    districts_in = Counter([data.districts[d.code].province for d in units["district"]])
    districts_in[NATIONAL] = len(units["district"])

    out: dict[tuple[str, str, str], tuple[int, int, int]] = {}
    for indicator, wanted in levels.items():
        for level in wanted:
            for unit in units[level]:
                if indicator == COMMUNES:
                    in_unit = [p for p in coops.values() if unit_holds(unit, p)]
                    numerator = len({p for p in in_unit if p.level == "commune" and data.is_rural(p.code)})
                    unplaced = sum(1 for p in in_unit if not settled(p, indicator))
                    out[(indicator, level, unit.code)] = (numerator, rural_in[unit.code], unplaced)
                elif indicator == DISTRICTS:
                    mine = [d for d in units["district"] if unit_holds(unit, d)]
                    covered = [d for d in mine if any(unit_holds(d, p) for r in linkages for p in key_places(r))]
                    here = [[p for p in key_places(r) if unit_holds(unit, p)] for r in linkages]
                    loose = [ps for ps in here if ps and not any(settled(p, indicator) for p in ps)]
                    out[(indicator, level, unit.code)] = (len(covered), districts_in[unit.code], len(loose))
                else:
                    raw = [r for r in linkages if any(t == "raw_material_area" for t, _ in parties[r["code"]])]
                    inside = {r["code"]: [p for p in located[r["code"]] if unit_holds(unit, p)] for r in raw}
                    here = [code for code, ps in inside.items() if ps]
                    loose = [code for code in here if not any(settled(p, indicator) for p in inside[code])]
                    out[(indicator, level, unit.code)] = (
                        sum(1 for code in here if code in digital),
                        len(here),
                        len(loose),
                    )
    return out


@pytest.mark.parametrize(
    ("day", "on"),
    [(END, OLD_MAP), (END, NEW_MAP), (date(2023, 6, 30), NEW_MAP), (date(2019, 12, 31), OLD_MAP)],
)
def test_every_row_equals_the_literal_formulation(two_maps: Engine, day: date, on: str) -> None:
    assert rows_of(two_maps, day, on) == literal(day, on)
