"""The three indicators against hand-computed figures and against an independent formulation.

The fixture `fixtures/bac_kan` (Bắc Kạn, province 06, plus one ward of Hà Nội) puts one record on
each edge of docs/indicators.md; the expected figures below were worked out by hand from the CSV files.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.counting.coverage import coverage, load_facts
from linkage.counting.indicators import (
    COMMUNES,
    DISTRICTS,
    RAW_MATERIAL,
    candidates,
    compute,
    json_rows,
    needed,
    trend,
    with_gap,
)
from linkage.geo.geography import gso_rows
from linkage.geo.maps import OLD_MAP
from linkage.records.catalog import products as catalog_products
from linkage.records.importing import import_path
from linkage.store.db import read_session, write_session
from linkage.store.models import Cooperative, LinkageParty, Producer, RawMaterialArea

FIXTURE = Path(__file__).parent / "fixtures" / "bac_kan"
# Rural communes (`Xã …`) of the three districts used, counted by hand from the GSO list.
RURAL = {"058": 2, "060": 10, "061": 14}


def figures(engine: Engine, day: date) -> dict[tuple[str, str], tuple[int, int, bool | None]]:
    with read_session(engine) as session:
        rows = compute(load_facts(session), day, map_name=OLD_MAP)
    return {(r["indicator"], r["unit_code"]): (r["numerator"], r["denominator"], r["met"]) for r in json_rows(rows)}


def test_wards_and_townships_are_not_rural_communes(bac_kan: Engine) -> None:
    got = figures(bac_kan, date(2021, 12, 31))
    # C2 sits in a ward and C3 in a township of district 058/061: neither counts.
    assert got[(COMMUNES, "058")] == (1, RURAL["058"], False)
    assert got[(COMMUNES, "061")] == (1, RURAL["061"], False)


def test_two_cooperatives_in_one_commune_count_it_once(bac_kan: Engine) -> None:
    assert figures(bac_kan, date(2021, 12, 31))[(COMMUNES, "060")] == (1, RURAL["060"], False)


def test_cooperative_dissolved_on_the_date_is_inactive_and_one_established_on_it_is_active(bac_kan: Engine) -> None:
    with read_session(bac_kan) as session:
        facts = load_facts(session)
    before = candidates(facts, date(2023, 6, 29), "061").communes_without_cooperative
    on = candidates(facts, date(2023, 6, 30), "061").communes_without_cooperative
    # 01891 has producer P3; C4 is established there on 2023-06-30, C5 dissolved in 01894 the same day.
    assert "01891" in set(before["code"])
    assert "01891" not in set(on["code"])
    assert figures(bac_kan, date(2023, 6, 30))[(COMMUNES, "061")] == (1, 14, False)


def test_cooperatives_add_up_to_province_and_nation(bac_kan: Engine) -> None:
    got = figures(bac_kan, date(2025, 12, 31))
    _, districts, communes = gso_rows()
    bac_kan_districts = {d["code"] for d in districts if d["province_code"] == "06"}
    rural_06 = sum(1 for c in communes if c["is_rural"] and c["district_code"] in bac_kan_districts)
    # 01849 (C1), 01858 (C6, C7), 01891 (C4), 01897 (C8, established 2025-01-01).
    assert got[(COMMUNES, "06")] == (4, rural_06, False)
    assert got[(COMMUNES, "VN")] == (4, 7717, False)
    assert got[(COMMUNES, "061")] == (2, 14, False)


def test_key_product_districts_need_a_buyer_and_a_key_product_of_the_province(bac_kan: Engine) -> None:
    # 2021-12-31: L1 (rice, buyer) in 058 and L4 (tea, buyer) in 061. L3's star anise is key in 08,
    # not in 06; L6 has no buyer; L7 lies in a Hà Nội ward whose district has no rural commune.
    assert figures(bac_kan, date(2021, 12, 31))[(DISTRICTS, "06")] == (2, 8, False)
    # 2023-06-29: L2 (cinnamon, key for 06 only) has started in 060.
    assert figures(bac_kan, date(2023, 6, 29))[(DISTRICTS, "06")] == (3, 8, False)
    # 2023-06-30: L4 ended that day, so it no longer counts.
    assert figures(bac_kan, date(2023, 6, 30))[(DISTRICTS, "06")] == (2, 8, False)
    got = figures(bac_kan, date(2025, 12, 31))
    assert got[(DISTRICTS, "VN")] == (2, 634, False)
    assert got[(DISTRICTS, "01")][0] == 0


def test_a_linkage_before_its_start_does_not_count(bac_kan: Engine) -> None:
    # L2 starts 2022-01-01: not yet on 2021-12-31, counted from the day itself.
    assert figures(bac_kan, date(2021, 12, 31))[(DISTRICTS, "06")][0] == 2
    assert figures(bac_kan, date(2022, 1, 1))[(DISTRICTS, "06")][0] == 3


def test_raw_material_linkages_with_digital_technology(bac_kan: Engine) -> None:
    got = figures(bac_kan, date(2021, 12, 31))
    # L1 adopts traceability only on 2022-01-01; L4's e-commerce runs 2021-06-01..2023-01-01.
    assert got[(RAW_MATERIAL, "058")] == (0, 1, False)
    assert got[(RAW_MATERIAL, "061")] == (1, 1, True)
    assert got[(RAW_MATERIAL, "060")] == (0, 0, None)
    assert got[(RAW_MATERIAL, "06")] == (1, 2, True)
    assert got[(RAW_MATERIAL, "01")] == (0, 1, False)  # L7 in a ward: province and nation, no district row
    assert got[(RAW_MATERIAL, "VN")] == (1, 3, False)
    assert (RAW_MATERIAL, "001") not in got


def test_a_technology_adopted_on_the_date_counts_and_a_discontinued_one_does_not(bac_kan: Engine) -> None:
    assert figures(bac_kan, date(2022, 1, 1))[(RAW_MATERIAL, "058")] == (1, 1, True)
    assert figures(bac_kan, date(2021, 12, 31))[(RAW_MATERIAL, "058")] == (0, 1, False)
    assert figures(bac_kan, date(2023, 6, 29))[(RAW_MATERIAL, "061")] == (0, 1, False)


def test_a_linkage_in_two_districts_counts_once_per_unit_and_once_nationally(bac_kan: Engine) -> None:
    got = figures(bac_kan, date(2025, 12, 31))
    # L5 has a raw material area in 060 and a producer in 061.
    assert got[(RAW_MATERIAL, "060")] == (1, 1, True)
    assert got[(RAW_MATERIAL, "061")] == (1, 1, True)
    assert got[(RAW_MATERIAL, "06")] == (2, 2, True)
    assert got[(RAW_MATERIAL, "VN")] == (2, 3, True)


def test_every_in_scope_unit_is_reported_even_without_data(bac_kan: Engine) -> None:
    with read_session(bac_kan) as session:
        rows = compute(load_facts(session), date(2025, 12, 31), map_name=OLD_MAP)
    counts = rows.groupby(["indicator", "level"]).size().to_dict()
    assert counts[(COMMUNES, "district")] == 634
    assert counts[(COMMUNES, "province")] == 63
    assert counts[(DISTRICTS, "province")] == 63
    assert counts[(RAW_MATERIAL, "district")] == 634
    assert (DISTRICTS, "district") not in counts


def test_an_archived_cooperative_no_longer_counts(bac_kan: Engine) -> None:
    with write_session(bac_kan) as session:
        session.execute(sa.update(Cooperative).where(Cooperative.code == "C1").values(archived_at=sa.func.now()))
    assert figures(bac_kan, date(2025, 12, 31))[(COMMUNES, "058")] == (0, 2, False)


def _places(facts: object) -> set[tuple[str, str | None]]:
    frame = facts.party_places  # type: ignore[attr-defined]
    return set(zip(frame["linkage_code"], frame["commune_code"], strict=True))


def test_live_facts_read_in_sql_agree_with_the_records_read_one_by_one(bac_kan: Engine) -> None:
    # The live read joins parties to their homes in the database; the as-verified read (here with
    # nothing waiting for an officer) merges the records in pandas. Archived rows on each side:
    archived = sa.func.now()
    with write_session(bac_kan) as session:
        party = LinkageParty
        session.execute(
            sa.update(party).where(party.linkage_code == "L1", party.party_type == "buyer").values(archived_at=archived)
        )
        session.execute(sa.update(Producer).where(Producer.code == "P1").values(archived_at=archived))
        session.execute(sa.update(RawMaterialArea).where(RawMaterialArea.code == "A3").values(archived_at=archived))
    with read_session(bac_kan) as session:
        live = load_facts(session)
        verified = load_facts(session, verified_only=True)
    # By hand from the fixture: L2's only located party is P1 (archived); L5 keeps P3 in 01891 only.
    expected = {
        ("L1", "01849"), ("L1", "01852"), ("L3", "01888"), ("L4", "01894"), ("L4", "01897"),
        ("L5", "01891"), ("L6", "01858"), ("L7", "00001"),
    }  # fmt: skip
    assert _places(live) == _places(verified) == expected
    flags = ["code", "has_buyer", "has_raw_material"]
    by_code = live.linkages[flags].set_index("code")
    assert by_code.to_dict() == verified.linkages[flags].set_index("code").to_dict()
    assert not by_code.loc["L1", "has_buyer"] and by_code.loc["L2", "has_buyer"]
    assert by_code.loc["L5", "has_raw_material"]  # its party row stands; the area itself is archived


def test_met_is_exact_at_the_target() -> None:
    # 7 of 10 is exactly 70 %: met, and nothing more is needed; 6 of 10 needs one more.
    assert needed(COMMUNES, 7, 10) == 0
    assert needed(COMMUNES, 6, 10) == 1
    assert needed(COMMUNES, 0, 14) == 10  # ceil(9.8)
    assert needed(RAW_MATERIAL, 1, 3) == 1  # ceil(1.5) - 1
    assert needed(RAW_MATERIAL, 0, 0) == 0


def test_gap_and_candidates_name_what_to_act_on(bac_kan: Engine) -> None:
    with read_session(bac_kan) as session:
        facts = load_facts(session)
    rows = with_gap(compute(facts, date(2025, 12, 31), map_name=OLD_MAP))
    row = rows[(rows["indicator"] == COMMUNES) & (rows["unit_code"] == "061")].iloc[0]
    assert row["needed"] == 8  # ceil(0.7 × 14) = 10, 2 have one
    found = candidates(facts, date(2025, 12, 31), "06")
    # Rural communes with producers or linkages but no cooperative: 01861 (P1), 01900 (P4), 01852 (A1 of L1).
    assert set(found.communes_without_cooperative["code"]) == {"01861", "01900", "01852"}
    # 061 has active linkages (L3 star anise with a buyer, L5 without) but none with a key product and buyer.
    assert set(found.districts_without_key_linkage["district_code"]) == {"061"}
    assert set(found.linkages_without_digital["code"]) == set()
    assert set(candidates(facts, date(2025, 12, 31), "VN").linkages_without_digital["code"]) == {"L7"}


def test_trend_gives_each_year_end_from_one_read(bac_kan: Engine) -> None:
    with read_session(bac_kan) as session:
        facts = load_facts(session)
    rows = trend(facts)
    national = rows[(rows["indicator"] == RAW_MATERIAL) & (rows["unit_code"] == "VN")]
    assert list(national["as_of"]) == ["2021-12-31", "2022-12-31", "2023-12-31", "2024-12-31", "2025-12-31"]
    assert list(zip(national["numerator"], national["denominator"], strict=True)) == [
        (1, 3),
        (2, 3),
        (1, 2),
        (2, 3),
        (2, 3),
    ]


# --- An independent formulation: docs/indicators.md read literally, unit by unit, from the CSV files. ---


def _rows(name: str) -> list[dict[str, str]]:
    path = FIXTURE / f"{name}.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _day(text: str) -> date | None:
    if not text:
        return None
    if "/" in text:
        d, m, y = text.split("/")
        return date(int(y), int(m), int(d))
    return date.fromisoformat(text)


def literal_coverage(day: date) -> dict[tuple[str, str], tuple[int, int]]:
    _, districts, communes = gso_rows()
    commune_district = {c["code"]: c["district_code"] for c in communes}
    district_province = {d["code"]: d["province_code"] for d in districts}
    rural = {c["code"] for c in communes if str(c["name"]).startswith("Xã ")}
    in_scope = {commune_district[c] for c in rural}

    def active(start: date | None, end: date | None) -> bool:
        return (start is None or start <= day) and (end is None or end > day)

    coops = [c for c in _rows("cooperatives") if active(_day(c["established_on"]), _day(c["dissolved_on"]))]
    covered = {c["commune_code"].zfill(5) for c in coops} & rural
    homes = (
        {("cooperative", r["code"]): r["commune_code"].zfill(5) for r in _rows("cooperatives")}
        | {("producer", r["code"]): r["commune_code"].zfill(5) for r in _rows("producers")}
        | {("raw_material_area", r["code"]): r["commune_code"].zfill(5) for r in _rows("raw_material_areas")}
    )
    national_key = {str(p["code"]) for p in catalog_products() if p["national_key"]}
    province_key = {(r["province_code"].zfill(2), r["product_code"]) for r in _rows("province_key_products")}
    parties = defaultdict(list)
    for p in _rows("linkage_parties"):
        parties[p["linkage_code"]].append((p["party_type"], p["party_code"]))
    digital = {
        a["linkage_code"]
        for a in _rows("digital_adoptions")
        if active(_day(a["adopted_on"]), _day(a["discontinued_on"]))
    }
    out: dict[tuple[str, str], tuple[int, int]] = {}
    key_districts, rml_by_unit, rml_digital = set(), defaultdict(set), defaultdict(set)
    for link in _rows("linkages"):
        if not active(_day(link["started_on"]), _day(link["ended_on"])):
            continue
        places = {homes[p] for p in parties[link["code"]] if p in homes}
        ds = {commune_district[c] for c in places}
        has_buyer = any(t == "buyer" for t, _ in parties[link["code"]])
        for d in ds:
            prov = district_province[d]
            if (
                has_buyer
                and d in in_scope
                and (link["product_code"] in national_key or (prov, link["product_code"]) in province_key)
            ):
                key_districts.add(d)
        if any(t == "raw_material_area" for t, _ in parties[link["code"]]):
            for unit in ds | {district_province[d] for d in ds} | {"VN"}:
                rml_by_unit[unit].add(link["code"])
                if link["code"] in digital:
                    rml_digital[unit].add(link["code"])
    covered_in = Counter(commune_district[c] for c in covered)
    rural_in = Counter(commune_district[c] for c in rural)
    for d in in_scope:
        out[(COMMUNES, d)] = (covered_in[d], rural_in[d])
        out[(RAW_MATERIAL, d)] = (len(rml_digital[d]), len(rml_by_unit[d]))
    for p in {district_province[d] for d in in_scope}:
        mine = {d for d in in_scope if district_province[d] == p}
        out[(COMMUNES, p)] = (sum(out[(COMMUNES, d)][0] for d in mine), sum(out[(COMMUNES, d)][1] for d in mine))
        out[(DISTRICTS, p)] = (len(mine & key_districts), len(mine))
        out[(RAW_MATERIAL, p)] = (len(rml_digital[p]), len(rml_by_unit[p]))
    out[(COMMUNES, "VN")] = (len(covered), len(rural))
    out[(DISTRICTS, "VN")] = (len(key_districts), len(in_scope))
    out[(RAW_MATERIAL, "VN")] = (len(rml_digital["VN"]), len(rml_by_unit["VN"]))
    return out


BOUNDARIES = sorted(
    {
        d + timedelta(days=k)
        for name, cols in (
            ("cooperatives", ("established_on", "dissolved_on")),
            ("linkages", ("started_on", "ended_on")),
            ("digital_adoptions", ("adopted_on", "discontinued_on")),
        )
        for row in _rows(name)
        for col in cols
        if (d := _day(row[col])) is not None
        for k in (-1, 0)
    }
)


def test_every_row_equals_the_literal_formulation_at_every_boundary_date(bac_kan: Engine) -> None:
    with read_session(bac_kan) as session:
        facts = load_facts(session)
    for day in BOUNDARIES:
        got = {
            (r["indicator"], r["unit_code"]): (r["numerator"], r["denominator"])
            for r in json_rows(compute(facts, day, map_name=OLD_MAP))
        }
        assert got == literal_coverage(day), day


def test_buyers_do_not_locate_a_linkage(bac_kan: Engine, files) -> None:  # type: ignore[no-untyped-def]
    before = figures(bac_kan, date(2025, 12, 31))
    # A rice linkage with its raw material area in 060 and its only buyer registered in 058.
    import_path(
        bac_kan,
        files(
            {
                "buyers": "code,name,kind,commune_code\nB58,Công ty Dương Quang,processor,01849",
                "linkages": "code,name,product_code,started_on\nL58,Chuỗi mới,RICE,2025-01-01",
                "linkage_parties": "linkage_code,party_type,party_code\nL58,raw_material_area,A3,\nL58,buyer,B58,",
            }
        ),
    )
    after = figures(bac_kan, date(2025, 12, 31))
    assert after[(RAW_MATERIAL, "058")][:2] == before[(RAW_MATERIAL, "058")][:2]  # the buyer's district: unchanged
    n, d, _ = before[(RAW_MATERIAL, "060")]
    assert after[(RAW_MATERIAL, "060")][:2] == (n, d + 1)  # the area's district: one more linkage, not digital


def test_a_trend_at_any_dates_equals_the_literal_formulation_at_each(bac_kan: Engine) -> None:
    days = [date(2021, 6, 30), date(2023, 6, 30), date(2024, 1, 1), date(2025, 12, 31)]
    with read_session(bac_kan) as session:
        facts = load_facts(session)
    rows = trend(facts, days, map_name=OLD_MAP)  # the literal formulation reads the programme's map
    assert sorted(set(rows["as_of"])) == [d.isoformat() for d in days]
    for day in days:
        expected = literal_coverage(day)
        at = rows[rows["as_of"] == day.isoformat()]
        got = {(r["indicator"], r["unit_code"]): (r["numerator"], r["denominator"]) for r in json_rows(at)}
        assert {k: v for k, v in got.items() if k in expected} == expected, day


def test_a_technology_discontinued_on_the_date_no_longer_counts(bac_kan: Engine) -> None:
    # L4's e-commerce runs from 2021-06-01 and is discontinued on 2023-01-01 (061, raw-material linkage).
    assert figures(bac_kan, date(2022, 12, 31))[(RAW_MATERIAL, "061")] == (1, 1, True)
    assert figures(bac_kan, date(2023, 1, 1))[(RAW_MATERIAL, "061")] == (0, 1, False)


def test_a_key_product_linkage_in_two_districts_counts_for_both(bac_kan: Engine, files) -> None:  # type: ignore[no-untyped-def]
    # On 2025-12-31 Bắc Kạn has key-product linkages with a buyer in 058 (L1, rice) and 060 (L2,
    # cinnamon, a key product of province 06); L3's star anise is key only in province 08.
    assert figures(bac_kan, date(2025, 12, 31))[(DISTRICTS, "06")][:2] == (2, 8)
    import_path(
        bac_kan,
        files(
            {
                "linkages": "code,name,product_code,started_on\nL62,Chuỗi gạo hai huyện,RICE,2025-01-01",
                "linkage_parties": "linkage_code,party_type,party_code\nL62,producer,P1\nL62,producer,P4\nL62,buyer,B2",
            }
        ),
    )
    # P1 lies in 060 (already counted) and P4 in 061, which now counts too.
    assert figures(bac_kan, date(2025, 12, 31))[(DISTRICTS, "06")][:2] == (3, 8)


def test_rows_kept_on_the_facts_are_handed_out_as_copies_and_a_write_makes_new_ones(bac_kan: Engine) -> None:
    day = date(2025, 12, 31)
    first = coverage(bac_kan, day, map_name=OLD_MAP)
    assert first.set_index(["indicator", "unit_code"]).loc[(COMMUNES, "058"), "numerator"] == 1  # C1 in 058
    first["numerator"] = -1  # a page changing its table must not change what the next reader gets
    again = coverage(bac_kan, day, map_name=OLD_MAP)
    assert (again["numerator"] >= 0).all()
    assert again.set_index(["indicator", "unit_code"]).loc[(COMMUNES, "058"), "numerator"] == 1
    with write_session(bac_kan) as session:  # any write: the next read counts anew
        session.execute(sa.update(Cooperative).where(Cooperative.code == "C1").values(archived_at=sa.func.now()))
    after = coverage(bac_kan, day, map_name=OLD_MAP)
    assert after.set_index(["indicator", "unit_code"]).loc[(COMMUNES, "058"), "numerator"] == 0
