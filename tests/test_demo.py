"""The demonstration data: deterministic for a seed, valid by every import rule, and rich enough to
show every indicator state."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.catalog import init
from linkage.coverage import COMMUNES, RAW_MATERIAL, compute, load_facts, records
from linkage.db import get_engine, read_session
from linkage.demo import DEMO_PROVINCE, DemoRefused, generate
from linkage.demo_accounts import create_demo_accounts, demo_accounts
from linkage.exchange import export_folder, import_path
from linkage.exchange.spec import ENTITIES
from linkage.geography import read_geography
from linkage.models import Cooperative


def fresh(tmp_path: Path, name: str) -> Engine:
    engine = get_engine(f"sqlite:///{tmp_path / name}.db")
    init(engine)
    return engine


def exported(engine: Engine, folder: Path) -> dict[str, str]:
    with read_session(engine) as session:
        export_folder(session, folder)
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
        geo = read_geography(session)
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
        rows = records(compute(load_facts(session), date(2025, 12, 31)))
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
    assert [a.role for a in made] == ["admin", "planner", "officer", "cooperative"]
    assert [a.username for a in demo_accounts(engine)] == ["admin.demo", "planner.demo", "officer.demo", "htx.demo"]
    assert create_demo_accounts(engine) == made  # running it again adds nothing


@pytest.mark.slow
def test_the_national_demo_has_the_asked_sizes(tmp_path: Path) -> None:
    summary = generate(fresh(tmp_path, "n"), scale="national", seed=1)
    c = summary.counts
    assert 20_000 <= c["cooperative"] <= 30_000
    assert 150_000 <= c["producer"] <= 250_000
    assert 10_000 <= c["raw_material_area"] <= 20_000
    assert 6_000 <= c["buyer"] <= 10_000
    assert 15_000 <= c["linkage"] <= 25_000
    assert 30_000 <= c["digital_adoption"] <= 50_000
