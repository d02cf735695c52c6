"""Graphs, candidates and the province overview on either map: a record given on one map
only is read on the other where the crosswalk places it (docs/indicators.md, "On which map"), never by its
raw commune code.

The data: `fixtures/two_maps` plus, written here, producer P1 given on 2025-01 only in old 01960 (which
went whole into new 01960, no cooperative there) and linkage LN (maize, no digital technology) of
cooperative K2 and area AN, both given on 2025-07 only in new 01864. Crosswalk facts used (checked in
test_maps / test_coverage_maps): new 01864 took in all of old district 060 (so K2 and AN are placed in
district 060 on 2025-01); new 01849 took in old communes of districts 058 and 063 (K3 and A1 are placed
in old province 06, in no district); old 01957 (district 062) went whole to new 01957; old 05932 (old
province 19) was split between new 05908 and 05941 (K5, A2, A3 are placed in new province 19, in no
commune). Old province 06 and old 19 both lie in new province 19. Every expected value below is worked
out by hand from those facts.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from linkage.actor import SYSTEM
from linkage.counting.coverage import load_facts
from linkage.counting.indicators import candidates
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit
from linkage.graphs.graph import build_graph, unlinked
from linkage.graphs.overview import overview_of
from linkage.records.importing import import_path
from linkage.store.db import read_session

FIXTURE = Path(__file__).parent / "fixtures" / "two_maps"
DAY = date(2025, 12, 31)

EXTRA = {
    "producers.csv": "code,name,commune_code,commune_code_2025_07,kind\nP1,Hộ Hoàng Văn Quế,01960,,household\n",
    "raw_material_areas.csv": "\nAN,Vùng ngô Bằng Thành,,01864,MAIZE,12,\n",
    "linkages.csv": "LN,Chuỗi ngô Bằng Thành,MAIZE,2021-01-01,,full_chain\n",
    "linkage_parties.csv": "LN,cooperative,K2,true\nLN,raw_material_area,AN,\n",
}


@pytest.fixture
def data(engine: Engine, tmp_path: Path) -> Engine:
    folder = tmp_path / "two_maps_plus"
    shutil.copytree(FIXTURE, folder)
    for name, text in EXTRA.items():
        path = folder / name
        if path.exists():
            path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + text.lstrip("\n"), encoding="utf-8")
        else:
            path.write_text(text, encoding="utf-8")
    import_path(engine, folder)
    return engine


def old(level: str, code: str) -> Unit:
    return Unit(OLD_MAP, level, code)


def new(level: str, code: str) -> Unit:
    return Unit(NEW_MAP, level, code)


def nodes(engine: Engine, unit: Unit, kind: str) -> set[str]:
    with read_session(engine) as session:
        graph = build_graph(session, unit, DAY, actor=SYSTEM)
    return {str(a["code"]) for _, a in graph.nodes(data=True) if a["kind"] == kind}


@pytest.mark.parametrize(
    ("unit", "cooperatives", "linkages"),
    [
        (old("district", "060"), {"K2", "K4"}, {"L2", "LN"}),  # K2 given on 2025-07 only, placed in 060
        (old("district", "058"), set(), set()),  # K3 is placed in province 06, not in one of its districts
        (old("province", "06"), {"K1", "K2", "K3", "K4"}, {"L1", "L2", "L3", "L4", "LN"}),
        (new("commune", "01957"), {"K1"}, {"L4"}),  # K1 given on 2025-01 only
        (new("commune", "01864"), {"K2", "K4"}, {"L2", "LN"}),
        (new("commune", "05908"), set(), set()),  # A2, A3, K5: placed above the split commune
        (new("province", "19"), {"K1", "K2", "K3", "K4", "K5"}, {"L1", "L2", "L3", "L4", "L5", "LN"}),
    ],
)
def test_a_graph_holds_the_records_placed_in_its_unit_whichever_map_they_were_given_on(
    data: Engine, unit: Unit, cooperatives: set[str], linkages: set[str]
) -> None:
    assert nodes(data, unit, "linkage") == linkages
    if unit.level in ("district", "commune"):  # the lowest level: who is in no linkage is drawn too
        assert nodes(data, unit, "cooperative") == cooperatives
    else:
        assert nodes(data, unit, "cooperative") <= cooperatives


def test_who_is_in_no_linkage_is_listed_where_it_is_placed(data: Engine) -> None:
    with read_session(data) as session:
        on_new = unlinked(session, new("commune", "01960"), DAY, actor=SYSTEM)
        on_old = unlinked(session, old("district", "060"), DAY, actor=SYSTEM)
    assert set(on_new["code"]) == {"P1"}  # given on 2025-01 only, placed in new 01960
    assert set(on_new["commune_name"]) == {"Xã Hiệp Lực"}
    assert set(on_old["code"]) == {"K4"}  # K2 is in linkages; K4 is in none


@pytest.mark.parametrize(
    ("unit", "communes", "districts", "linkages"),
    [
        (new("province", "19"), {"01960"}, set(), {"L4", "L5", "LN"}),
        (new("commune", "01957"), set(), set(), {"L4"}),
        (new("commune", "05908"), set(), set(), set()),
        (old("province", "06"), {"01960"}, {"062"}, {"L4", "LN"}),
        (old("district", "060"), set(), set(), {"LN"}),
        (old("district", "058"), set(), set(), set()),
    ],
)
def test_candidates_are_read_on_the_map_of_the_unit(
    data: Engine, unit: Unit, communes: set[str], districts: set[str], linkages: set[str]
) -> None:
    with read_session(data) as session:
        found = candidates(load_facts(session), DAY, unit)
    assert set(found.communes_without_cooperative["code"]) == communes
    assert set(found.districts_without_key_linkage["district_code"]) == districts
    assert set(found.linkages_without_digital["code"]) == linkages


def test_the_overview_of_a_new_province_clusters_its_communes_and_of_an_old_one_its_districts(data: Engine) -> None:
    with read_session(data) as session:
        new_graph = build_graph(session, new("province", "19"), DAY, actor=SYSTEM)
        old_graph = build_graph(session, old("province", "06"), DAY, actor=SYSTEM)
    on_new = overview_of(new_graph, new("province", "19")).districts.set_index("code")["linkages"]
    on_old = overview_of(old_graph, old("province", "06")).districts.set_index("code")["linkages"]
    assert {c: n for c, n in on_new.items() if n} == {"01849": 2, "01864": 2, "01957": 1}  # L5: above
    assert {c: n for c, n in on_old.items() if n} == {"060": 2, "062": 1}  # L1, L3: in no district
