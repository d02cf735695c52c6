"""Settling placements (`linkage.records.settling`): the list an actor may read, and one choice saved through
the normal write path, on both backends. Fixture `fixtures/two_maps` (see test_coverage_maps)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM, Actor
from linkage.counting.coverage import load_facts
from linkage.counting.indicators import COMMUNES, compute
from linkage.errors import UserFacingError
from linkage.geo.maps import NEW_MAP, OLD_MAP
from linkage.records import forms
from linkage.records.importing import import_path
from linkage.records.settling import settle, to_settle
from linkage.store.db import read_session

FIXTURE = Path(__file__).parent / "fixtures" / "two_maps"
ADMIN = Actor("quantri", "admin")


@pytest.fixture
def two_maps(engine: Engine) -> Engine:
    import_path(engine, FIXTURE)
    return engine


def listed(engine: Engine, actor: Actor, on: str) -> list[tuple[str, str]]:
    return [(r.file, r.code) for r in to_settle(engine, actor, on)]


def test_the_list_holds_the_records_placed_above_the_commune_on_each_map(two_maps: Engine) -> None:
    # 2025-07: K5, A2 and A3 were given in old 05932, split between new 05908 and 05941.
    assert listed(two_maps, ADMIN, NEW_MAP) == [
        ("cooperatives", "K5"),
        ("raw_material_areas", "A2"),
        ("raw_material_areas", "A3"),
    ]
    # 2025-01: K2 (new 01864, four old communes) and K3, A1 (new 01849, two old communes) were given on 2025-07 only.
    assert listed(two_maps, ADMIN, OLD_MAP) == [
        ("cooperatives", "K2"),
        ("cooperatives", "K3"),
        ("raw_material_areas", "A1"),
    ]


def test_an_officer_lists_only_what_its_scope_reads(two_maps: Engine) -> None:
    assert listed(two_maps, Actor("lan", "officer", "173"), NEW_MAP) == listed(two_maps, ADMIN, NEW_MAP)
    assert listed(two_maps, Actor("lan", "officer", "058"), NEW_MAP) == []


def test_one_choice_places_the_record_and_the_unplaced_count_drops(two_maps: Engine) -> None:
    def communes_row() -> tuple[int, int]:
        with read_session(two_maps) as session:
            rows = compute(load_facts(session), records_day, map_name=NEW_MAP)
        row = rows[(rows["indicator"] == COMMUNES) & (rows["unit_code"] == "19")].iloc[0]
        return int(row["numerator"]), int(row["unplaced"])

    records_day = date(2025, 12, 31)
    before = communes_row()
    assert before[1] == 1  # K5
    (k5,) = [r for r in to_settle(two_maps, ADMIN, NEW_MAP) if r.code == "K5"]
    assert {c.code for c in k5.candidates} == {"05908", "05941"}
    settle(two_maps, ADMIN, k5, NEW_MAP, "05941")
    assert ("cooperatives", "K5") not in listed(two_maps, ADMIN, NEW_MAP)
    assert communes_row() == (before[0] + 1, 0)  # a commune more with a cooperative, none above the commune
    saved = forms.read(two_maps, SYSTEM, "cooperatives", "K5")
    assert (saved.values["commune_code"], saved.values["commune_code_2025_07"]) == ("05932", "05941")


def test_a_commune_the_crosswalk_does_not_give_is_refused_and_nothing_is_written(two_maps: Engine) -> None:
    (k5,) = [r for r in to_settle(two_maps, ADMIN, NEW_MAP) if r.code == "K5"]
    with pytest.raises(UserFacingError):
        settle(two_maps, ADMIN, k5, NEW_MAP, "01864")
    assert forms.read(two_maps, SYSTEM, "cooperatives", "K5").values["commune_code_2025_07"] == ""
