"""Facts brought up to date record by record (`coverage.patched`) equal the facts read whole.

Two uses, each checked against `load_facts` on the same data: coverage on verified data made from
the live facts with the waiting changes read as last verified, and live facts caught up with a few
saves. Figures are compared at dates either side of every change, on both maps, and the frames the
figures come from are compared as sets of rows.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.counting.coverage import FactsCache, changes_since, load_facts, patched, pending_reviews
from linkage.counting.facts import Facts
from linkage.counting.indicators import compute
from linkage.geo.maps import OLD_MAP
from linkage.records import forms
from linkage.records.importing import import_path
from linkage.store.db import read_session, write_session
from linkage.store.models import LinkageParty

from .facts_compare import DAYS, assert_same
from .helpers import ADMIN, COOP_C1


def report_changes(engine: Engine, files) -> None:  # type: ignore[no-untyped-def]
    """Changes a cooperative reports, of every kind the facts hold, left waiting for the officer."""
    original = forms.read(engine, COOP_C1, "cooperatives", "C1")
    moved = {**original.values, "dissolved_on": "01/06/2025", "commune_code": "01852", "commune_code_2025_07": ""}
    forms.save(engine, COOP_C1, "cooperatives", moved, original)  # L1's lead moves: L1 is elsewhere
    import_path(
        engine,
        files(
            {
                "producers": "code,name,commune_code,cooperative_code\nP58,Hộ Mới,01852,C1",
                "linkages": "code,name,product_code,started_on\nL58,Chuỗi mới,RICE,2022-01-01",
                "linkage_parties": "linkage_code,party_type,party_code\nL58,cooperative,C1,\nL58,producer,P58,\n"
                "L58,buyer,B1,",
                "digital_adoptions": "linkage_code,technology,adopted_on\nL1,e_commerce,2023-01-01\n"
                "L58,traceability,2024-01-01",
            }
        ),
        actor=COOP_C1,
    )


def test_verified_facts_made_from_the_live_ones_equal_a_whole_read(bac_kan: Engine, files) -> None:  # type: ignore[no-untyped-def]
    report_changes(bac_kan, files)
    with read_session(bac_kan) as session:
        reviews = pending_reviews(session)
        assert {"cooperatives", "producers", "linkages", "linkage_parties", "digital_adoptions"} <= set(reviews)
        live = load_facts(session)
        made = patched(live, session, reviews, reviews)
        whole = load_facts(session, verified_only=True)
    assert made is not None
    assert_same(made, whole)
    # and the waiting changes do change the live figures, so the comparison above is not idle
    assert not compute(live, DAYS[-1], map_name=OLD_MAP).equals(compute(whole, DAYS[-1], map_name=OLD_MAP))


def test_the_cache_makes_verified_facts_from_warm_live_ones(bac_kan: Engine, files) -> None:  # type: ignore[no-untyped-def]
    report_changes(bac_kan, files)
    cache = FactsCache()
    cache.get(bac_kan)  # the live facts, as the page reads them first
    with read_session(bac_kan) as session:
        whole = load_facts(session, verified_only=True)
    assert_same(cache.get(bac_kan, verified_only=True), whole)


def test_live_facts_caught_up_with_saves_equal_a_whole_read(bac_kan: Engine, files) -> None:  # type: ignore[no-untyped-def]
    with read_session(bac_kan) as session:
        before = load_facts(session)
    report_changes(bac_kan, files)  # new records, live at once
    original = forms.read(bac_kan, ADMIN, "raw_material_areas", "A1")  # L1's area moves to district 060
    area = {**original.values, "commune_code": "01858", "commune_code_2025_07": ""}
    forms.save(bac_kan, ADMIN, "raw_material_areas", area, original)
    with write_session(bac_kan) as session:  # a party leaves a linkage
        party = LinkageParty
        buyer = sa.update(party).where(party.linkage_code == "L2", party.party_type == "buyer")
        session.execute(buyer.values(archived_at=sa.func.now()))
    touched = {
        "cooperatives": {"C1"},
        "producers": {"P58"},
        "raw_material_areas": {"A1"},
        "linkages": {"L58"},
        "linkage_parties": {"L58|cooperative|C1", "L58|producer|P58", "L58|buyer|B1", "L2|buyer|B1"},
        "digital_adoptions": {"L1|e_commerce|2023-01-01", "L58|traceability|2024-01-01"},
    }
    with read_session(bac_kan) as session:
        caught_up = patched(before, session, touched, None)
        whole = load_facts(session)
    assert caught_up is not None
    assert_same(caught_up, whole)


def test_products_or_too_many_records_make_a_whole_read(bac_kan: Engine) -> None:
    with read_session(bac_kan) as session:
        facts = load_facts(session)
        assert patched(facts, session, {"products": {"RICE"}}, None) is None
        assert patched(facts, session, {"producers": {f"P{i}" for i in range(6000)}}, None) is None


def test_another_process_cache_catches_up_record_by_record(bac_kan: Engine, files, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import linkage.counting.coverage as coverage_module

    reader = FactsCache()  # another app process's cache: it learns of writes only from the database
    reader.get(bac_kan)
    reader.get(bac_kan, verified_only=True)
    report_changes(bac_kan, files)
    original = forms.read(bac_kan, ADMIN, "raw_material_areas", "A4")  # L7's only located party moves
    moved = {**original.values, "commune_code": "01858", "commune_code_2025_07": ""}
    forms.save(bac_kan, ADMIN, "raw_material_areas", moved, original)

    def whole_read(*args: object, **kwargs: object) -> Facts:
        raise AssertionError("the cache read every fact again")

    with read_session(bac_kan) as session:
        live, verified = load_facts(session), load_facts(session, verified_only=True)
    monkeypatch.setattr(coverage_module, "load_facts", whole_read)
    assert_same(reader.get(bac_kan), live)
    assert_same(reader.get(bac_kan, verified_only=True), verified)


def test_a_write_that_names_no_records_or_an_old_cache_makes_a_whole_read(bac_kan: Engine, files) -> None:  # type: ignore[no-untyped-def]
    from linkage.records.catalog import init
    from linkage.store.db import data_version
    from linkage.store.models import DataChange

    with read_session(bac_kan) as session:
        now = data_version(bac_kan)
        assert changes_since(session, now, now) == {}
    init(bac_kan)  # the catalogs: a write that does not name its records
    with read_session(bac_kan) as session:
        assert changes_since(session, now, data_version(bac_kan)) is None
    report_changes(bac_kan, files)
    later = data_version(bac_kan)
    with read_session(bac_kan) as session:
        assert changes_since(session, later - 1, later) == {  # the cooperative's import, record by record
            "producers": {"P58"},
            "linkages": {"L58"},
            "linkage_parties": {"L58|cooperative|C1", "L58|producer|P58", "L58|buyer|B1"},
            "digital_adoptions": {"L1|e_commerce|2023-01-01", "L58|traceability|2024-01-01"},
        }
    with write_session(bac_kan) as session:  # versions no longer kept
        session.execute(sa.delete(DataChange).where(DataChange.version == later - 1))
    with read_session(bac_kan) as session:
        assert changes_since(session, later - 2, later) is None
        assert changes_since(session, later - 1, later) is not None


def test_a_save_no_figure_reads_keeps_the_facts_and_their_figures(bac_kan: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import linkage.counting.indicators as indicators_module

    reader = FactsCache()
    first = reader.get(bac_kan)
    rows = compute(first, DAYS[-1], map_name=OLD_MAP)
    original = forms.read(bac_kan, ADMIN, "cooperatives", "C1")
    forms.save(bac_kan, ADMIN, "cooperatives", {**original.values, "members": "21", "name": "HTX Mới"}, original)

    def recount(*args: object, **kwargs: object) -> pd.DataFrame:
        raise AssertionError("the figures were computed again")

    assert reader.get(bac_kan) is first  # the same facts, so the same figures, nothing read but C1
    monkeypatch.setattr(indicators_module, "_compute", recount)
    pd.testing.assert_frame_equal(compute(first, DAYS[-1], map_name=OLD_MAP), rows)
    monkeypatch.undo()
    # a save that moves the cooperative is another matter
    original = forms.read(bac_kan, ADMIN, "cooperatives", "C1")
    forms.save(bac_kan, ADMIN, "cooperatives", {**original.values, "dissolved_on": "01/06/2024"}, original)
    second = reader.get(bac_kan)
    assert second is not first
    with read_session(bac_kan) as session:
        assert_same(second, load_facts(session))


def test_a_change_of_fields_no_figure_reads_is_passed_over(bac_kan: Engine) -> None:
    from linkage.store.db import data_version

    def saved(entity: str, key: str, **values: str) -> dict[str, set[str]] | None:
        before = data_version(bac_kan)
        original = forms.read(bac_kan, ADMIN, entity, key)
        forms.save(bac_kan, ADMIN, entity, {**original.values, **values}, original)
        with read_session(bac_kan) as session:
            return changes_since(session, before, data_version(bac_kan))

    assert saved("cooperatives", "C1", members="25", name="HTX Dương Quang mới") == {}
    assert saved("buyers", "B1", name="Công ty mới") == {}
    assert saved("raw_material_areas", "A1", area_ha="41") == {}
    assert saved("cooperatives", "C1", dissolved_on="01/01/2026") == {"cooperatives": {"C1"}}
    assert saved("linkages", "L2", ended_on="01/01/2026", name="Chuỗi quế") == {"linkages": {"L2"}}
    assert saved("raw_material_areas", "A1", commune_code="01849") == {"raw_material_areas": {"A1"}}
