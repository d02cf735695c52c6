"""The demonstration data: deterministic for a seed, valid by every import rule, and rich enough to
show every indicator state."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.accounts.demo_accounts import create_demo_accounts, demo_accounts
from linkage.accounts.users import SYSTEM, Actor
from linkage.counting.coverage import load_facts
from linkage.counting.indicators import COMMUNES, RAW_MATERIAL, compute, json_rows
from linkage.demo import DEMO_PROVINCE, DemoRefused, generate
from linkage.exchange.spec import ENTITIES
from linkage.geo.geography import old_map_geography
from linkage.geo.maps import NEW_MAP, OLD_MAP, crosswalk, map_data
from linkage.records.catalog import init
from linkage.records.exporting import export_folder
from linkage.records.importing import import_path
from linkage.records.unplaced import unplaced
from linkage.store.db import get_engine, read_session
from linkage.store.models import Cooperative


def fresh(tmp_path: Path, name: str) -> Engine:
    engine = get_engine(f"sqlite:///{tmp_path / name}.db")
    init(engine)
    return engine


def exported(engine: Engine, folder: Path) -> dict[str, str]:
    with read_session(engine) as session:
        export_folder(session, folder, actor=SYSTEM)
    return {p.name: p.read_text(encoding="utf-8-sig") for p in sorted(folder.glob("*.csv"))}


def test_one_seed_gives_the_same_records_and_another_seed_others(tmp_path: Path) -> None:
    a, b, c = fresh(tmp_path, "a"), fresh(tmp_path, "b"), fresh(tmp_path, "c")
    generate(a, seed=7)
    generate(b, seed=7)
    generate(c, seed=8)
    first = exported(a, tmp_path / "ea")
    assert first == exported(b, tmp_path / "eb")
    assert first != exported(c, tmp_path / "ec")
    for entity in ENTITIES:
        if entity.name != "products":
            assert len(first[f"{entity.name}.csv"].splitlines()) > 1, entity.name


def test_the_demo_is_valid_by_every_import_rule(engine: Engine, tmp_path: Path) -> None:
    source = fresh(tmp_path, "source")
    generate(source, seed=3)
    exported(source, tmp_path / "export")
    report = import_path(engine, tmp_path / "export")  # leads, dates, references: all checked again
    assert report.counts["cooperatives"].inserted > 150


def test_the_province_demo_stays_in_dak_lak_with_vietnamese_names(tmp_path: Path) -> None:
    engine = fresh(tmp_path, "p")
    summary = generate(engine, seed=1)
    assert 150 <= summary.counts["cooperative"] <= 400 and summary.counts["linkage"] >= 100
    with read_session(engine) as session:
        geo = old_map_geography()
        communes = set(session.execute(sa.select(Cooperative.commune_code)).scalars())
        names = list(session.execute(sa.select(Cooperative.name)).scalars())
    provinces = set(geo.communes[geo.communes["code"].isin(communes)]["province_code"])
    assert provinces == {DEMO_PROVINCE}
    assert all(n.startswith("HTX ") for n in names)
    assert any("Đắk" in n or "Ea" in n or "Krông" in n or "Buôn" in n for n in names)


def test_every_indicator_state_is_present(tmp_path: Path) -> None:
    engine = fresh(tmp_path, "s")
    generate(engine, seed=1)
    with read_session(engine) as session:
        rows = json_rows(compute(load_facts(session), date(2025, 12, 31), map_name=OLD_MAP))
    mine = [r for r in rows if r["level"] == "district" and r["unit_code"].startswith("6")]
    for indicator in (COMMUNES, RAW_MATERIAL):
        states = {r["met"] for r in mine if r["indicator"] == indicator}
        assert {True, False} <= states, indicator
    assert any(r["denominator"] == 0 and r["ratio"] is None for r in mine if r["indicator"] == RAW_MATERIAL)
    assert any(r["numerator"] == 0 for r in mine if r["indicator"] == COMMUNES)


def test_the_demo_refuses_a_database_with_data(engine: Engine, tmp_path: Path) -> None:
    import_path(engine, Path(__file__).parent / "fixtures" / "bac_kan")
    with pytest.raises(DemoRefused, match="already holds"):
        generate(engine)


def test_demo_accounts_exist_for_every_role_and_show_while_their_password_is_unchanged(tmp_path: Path) -> None:
    engine = fresh(tmp_path, "acc")
    generate(engine, seed=1)
    made = create_demo_accounts(engine)
    assert [a.role for a in made] == ["admin", "planner", "officer", "cooperative", "officer", "planner"]
    assert [a.username for a in demo_accounts(engine)] == [
        "admin.demo",
        "planner.demo",
        "officer.demo",
        "htx.demo",
        "officer.xa.demo",
        "planner.tinh.demo",
    ]
    assert create_demo_accounts(engine) == made  # running it again adds nothing


def test_the_demo_accounts_of_todays_map_are_a_busy_commune_with_records_to_settle_and_the_new_province(
    tmp_path: Path,
) -> None:
    from collections import Counter

    from linkage.accounts.users import current_actor
    from linkage.geo.maps import crosswalk, map_data
    from linkage.store.db import read_session
    from linkage.store.models import Buyer, Cooperative, Producer, RawMaterialArea

    engine = fresh(tmp_path, "today")
    generate(engine, seed=1)
    made = {a.username: a for a in create_demo_accounts(engine)}
    # Independently: a record lies in a commune of 2025-07 when given there, or given on 2025-01 by a
    # commune the crosswalk sends to exactly one new commune.
    # The officer's commune is the busiest of those with a record to settle: a candidate of a record given
    # on 2025-01 only by a commune the crosswalk splits among several new communes.
    cw, counts, to_settle = crosswalk(), Counter[str](), set[str]()
    with read_session(engine) as session:
        for model in (Cooperative, Producer, RawMaterialArea, Buyer):  # buyers are settled, not counted
            live = sa.select(model.commune_code, model.commune_code_2025_07).where(model.archived_at.is_(None))
            for old, new in session.execute(live):
                went = (new,) if new else cw.old_to_new[old] if old else ()
                if len(went) == 1 and model is not Buyer:
                    counts[went[0]] += 1
                elif len(went) > 1:
                    to_settle |= set(went)
        coop = session.get(Cooperative, made["htx.demo"].scope)
    assert to_settle, "the demo holds records of split communes"
    most = max(counts[c] for c in to_settle)
    assert made["officer.xa.demo"].scope == min(c for c in to_settle if counts[c] == most)
    assert current_actor(engine, "officer.xa.demo") == Actor(
        "officer.xa.demo", "officer", made["officer.xa.demo"].scope, None, "2025-07"
    )
    assert coop is not None
    old_province = map_data("2025-01").communes[coop.commune_code].province if coop.commune_code else None
    new_province = (
        map_data("2025-07").communes[coop.commune_code_2025_07].province
        if coop.commune_code_2025_07
        else map_data("2025-07").communes[cw.old_to_new[str(coop.commune_code)][0]].province
    )
    assert made["planner.tinh.demo"].scope == new_province and made["planner.tinh.demo"].unit_map == "2025-07"
    assert old_province is None or made["planner.demo"].scope == old_province
    xa = map_data("2025-07").communes[made["officer.xa.demo"].scope]  # named with its province and map
    assert made["officer.xa.demo"].scope_shown == (
        f"{xa.name}, {map_data('2025-07').provinces[xa.province].name} ({xa.code}, 2025-07)"
    )


# Regions by GSO province code, written out here rather than taken from the generator.
HIGHLANDS = {"62", "64", "66", "67", "68"}
MEKONG = {"80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"}
RED_RIVER = {"01", "26", "27", "30", "31", "33", "34", "35", "36", "37"}
NORTHERN_UPLANDS = {"02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "22", "24", "25"}


@pytest.mark.slow
def test_the_national_demo_has_the_asked_sizes_and_fits_the_regions(tmp_path: Path) -> None:
    engine = fresh(tmp_path, "n")
    summary = generate(engine, scale="national", seed=1)
    c = summary.counts
    assert 22_000 <= c["cooperative"] <= 28_000
    assert 180_000 <= c["producer"] <= 220_000
    assert 13_000 <= c["raw_material_area"] <= 17_000
    assert 7_000 <= c["buyer"] <= 9_000
    assert 18_000 <= c["linkage"] <= 22_000
    assert 36_000 <= c["digital_adoption"] <= 44_000
    with read_session(engine) as session:
        geo = old_map_geography()
        province_of = dict(zip(geo.communes["code"], geo.communes["province_code"], strict=True))
        linkages = session.execute(
            sa.text(
                "SELECT DISTINCT l.product_code, c.commune_code FROM linkage l"
                " JOIN linkage_party p ON p.linkage_code = l.code AND p.party_type = 'cooperative'"
                " JOIN cooperative c ON c.code = p.party_code"
                " WHERE c.commune_code IS NOT NULL"  # those given on 2025-07 only are left out here
            )
        ).all()
        coops = session.execute(sa.select(Cooperative.commune_code)).scalars().all()

    def share(product: str, region: set[str]) -> float:
        inside = [p for p, commune in linkages if province_of[commune] in region]
        return sum(p == product for p in inside) / len(inside)

    everywhere = set(province_of.values())
    assert share("COFFEE", HIGHLANDS) > 5 * share("COFFEE", everywhere - HIGHLANDS)
    assert share("PEPPER", HIGHLANDS) > 3 * share("PEPPER", everywhere - HIGHLANDS)
    assert share("SHRIMP", MEKONG) > 3 * share("SHRIMP", everywhere - MEKONG)
    assert share("TEA", NORTHERN_UPLANDS) > 3 * share("TEA", everywhere - NORTHERN_UPLANDS)
    rural = geo.communes[geo.communes["is_rural"]]

    def per_commune(region: set[str]) -> float:
        communes = set(rural.loc[rural["province_code"].isin(region), "code"])
        return sum(code in communes for code in coops) / len(communes)

    assert min(per_commune(MEKONG), per_commune(RED_RIVER)) > 1.3 * per_commune(everywhere - MEKONG - RED_RIVER)


# Both maps: what the demo gives each record, read back from the database and checked
# against the crosswalk's own table, not against the demo's choices.


def _located(engine: Engine, table: str) -> list[tuple[str, str | None, str | None]]:
    with read_session(engine) as session:
        rows = session.execute(sa.text(f"SELECT code, commune_code, commune_code_2025_07 FROM {table}"))
        return [(str(c), old, new) for c, old, new in rows]


@pytest.fixture(scope="module")
def province_demo(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = fresh(tmp_path_factory.mktemp("maps"), "maps")
    generate(engine, seed=1)
    return engine


def test_the_demo_gives_records_on_the_old_map_the_new_map_and_both(province_demo: Engine) -> None:
    table = crosswalk().old_to_new
    for entity in ("cooperative", "producer", "raw_material_area", "buyer"):
        rows = _located(province_demo, entity)
        kinds = {(old is not None, new is not None) for _, old, new in rows}
        assert {(True, False), (False, True), (True, True)} <= kinds, entity
        both = [(old, new) for _, old, new in rows if old and new]
        assert all(new in table[old] for old, new in both), entity  # given twice: the crosswalk agrees


def test_cooperatives_given_only_on_the_new_map_were_established_after_the_reform(province_demo: Engine) -> None:
    with read_session(province_demo) as session:
        days = (
            session.execute(sa.text("SELECT established_on FROM cooperative WHERE commune_code IS NULL"))
            .scalars()
            .all()
        )
    assert days and all(d is not None and date.fromisoformat(str(d)) > date(2025, 7, 1) for d in days)


def test_every_split_commune_of_the_province_holds_records_given_on_the_old_map_only(province_demo: Engine) -> None:
    old = map_data(OLD_MAP).communes
    split = {c for c, news in crosswalk().old_to_new.items() if len(news) > 1 and old[c].province == DEMO_PROVINCE}
    assert split  # Đắk Lắk holds at least one commune the reform divided
    coops = _located(province_demo, "cooperative")
    assert split <= {old_code for _, old_code, _ in coops}
    assert all(new is None for _, old_code, new in coops if old_code in split)


def _expected_unplaced(engine: Engine, on: str) -> set[tuple[str, str]]:
    """Records given on the other map only, in a commune with more than one crosswalk candidate."""
    cw = crosswalk()
    expected = set()
    for file, table in (
        ("cooperatives", "cooperative"),
        ("producers", "producer"),
        ("buyers", "buyer"),
        ("raw_material_areas", "raw_material_area"),
    ):
        for code, old, new in _located(engine, table):
            if on == NEW_MAP and old and not new and len(cw.old_to_new[old]) > 1:
                expected.add((file, code))
            if on == OLD_MAP and new and not old and len(cw.new_to_old.get(new, ())) != 1:
                expected.add((file, code))
    return expected


@pytest.mark.parametrize("on", [OLD_MAP, NEW_MAP])
def test_the_unplaced_list_of_each_map_is_not_empty_and_names_the_records_the_crosswalk_cannot_place(
    province_demo: Engine, on: str
) -> None:
    expected = _expected_unplaced(province_demo, on)
    assert expected
    assert {(r.file, r.code) for r in unplaced(province_demo, on)} == expected


def test_coverage_on_the_new_map_counts_the_active_cooperatives_of_split_communes_as_unplaced(
    province_demo: Engine,
) -> None:
    day = date(2025, 12, 31)
    split = {c for c, news in crosswalk().old_to_new.items() if len(news) > 1}
    with read_session(province_demo) as session:
        coops = session.execute(
            sa.text("SELECT commune_code, commune_code_2025_07, established_on, dissolved_on FROM cooperative")
        ).all()
        rows = json_rows(compute(load_facts(session), day, ("national",), NEW_MAP))

    def active(start: object, end: object) -> bool:
        return (start is None or date.fromisoformat(str(start)) <= day) and (
            end is None or date.fromisoformat(str(end)) > day
        )

    loose = sum(1 for old, new, s, e in coops if new is None and old in split and active(s, e))
    assert loose > 0
    (row,) = [r for r in rows if r["indicator"] == COMMUNES]
    assert row["unplaced"] == loose
