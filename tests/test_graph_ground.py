"""The linkage graph on the ground: every record at its commune's point, linkages
between their placing parties, what has no commune on the map named instead of drawn; on both maps.

The data, written here (communes checked in the crosswalk of `vietnam-provinces`): old communes 01858
and 01861 (district 060 of 2025-01) both went into new 01864; old 01879 (district 060) stayed 01879;
old 00004 (Hà Nội) stayed 00004; old 05932 (Thái Nguyên) was split, so a record given there only has
no commune on 2025-07. Every expected commune below is read off the files by hand; every expected
position is projected here from `data/geo/points.csv`, not through the code under test.
"""

from __future__ import annotations

import csv
import json
import math
import re
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from sqlalchemy.engine import Engine

from linkage.actor import SYSTEM
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit
from linkage.graphs import ground
from linkage.graphs.graph import build_graph
from linkage.graphs.ground import ground_html, ground_layout
from linkage.records.importing import import_path
from linkage.store.db import read_session

from .helpers import linkage, url

DAY = date(2025, 12, 31)
HOSTILE = "<script>alert(1)</script>"
TABLES = {
    "cooperatives": "code,name,commune_code,commune_code_2025_07,established_on,dissolved_on,members\n"
    "K1,HTX Bằng Thành,01858,01864,2020-01-01,,10\n"
    "K2,HTX Cổ Linh,01879,01879,2020-01-01,,11\n",
    "producers": "code,name,commune_code,commune_code_2025_07,kind,cooperative_code\n"
    "P1,Hộ Nông Văn Một,01858,01864,household,K1\n",
    "buyers": f"code,name,kind,commune_code,commune_code_2025_07\n"
    "B1,Công ty Trúc Bạch,processor,00004,00004\n"
    f"B2,{HOSTILE},trader,,\n",
    "raw_material_areas": "code,name,commune_code,commune_code_2025_07,product_code,area_ha,planting_area_code\n"
    "A1,Vùng quế Nhạn Môn,01861,01864,CINNAMON,20,\n"
    "A3,Vùng quế mới,,01864,CINNAMON,5,\n"
    "A4,Vùng ngô Thượng Đình,05932,,MAIZE,7,\n",
    "linkages": "code,name,product_code,started_on,ended_on,form\n"
    "L1,Chuỗi một,CINNAMON,2020-01-01,,full_chain\n"
    "L2,Chuỗi hai,CINNAMON,2020-01-01,,full_chain\n"
    "L3,Chuỗi ba,CINNAMON,2020-01-01,,full_chain\n"
    "L4,Chuỗi bốn,CINNAMON,2020-01-01,,full_chain\n"
    "L5,Chuỗi năm,MAIZE,2020-01-01,,full_chain\n",
    "linkage_parties": "linkage_code,party_type,party_code,is_lead\n"
    "L1,cooperative,K1,true\nL1,raw_material_area,A1,\nL1,buyer,B1,\n"
    "L2,cooperative,K2,true\nL2,raw_material_area,A1,\nL2,buyer,B2,\n"
    "L3,cooperative,K1,true\nL3,raw_material_area,A3,\n"
    "L4,raw_material_area,A3,true\nL4,buyer,B1,\n"
    "L5,cooperative,K1,true\nL5,raw_material_area,A4,\n",
}
# Where each record stands, read off TABLES by hand (None: no commune on that map).
COMMUNES = {
    OLD_MAP: {"K1": "01858", "K2": "01879", "P1": "01858", "B1": "00004", "B2": None, "A1": "01861", "A3": None}
    | {"A4": "05932"},
    NEW_MAP: {"K1": "01864", "K2": "01879", "P1": "01864", "B1": "00004", "B2": None, "A1": "01864", "A3": "01864"}
    | {"A4": None},
}
# Each linkage's placing parties (not its buyers).
PLACING = {"L1": ("K1", "A1"), "L2": ("K2", "A1"), "L3": ("K1", "A3"), "L4": ("A3",), "L5": ("K1", "A4")}
UNITS = {OLD_MAP: Unit(OLD_MAP, "district", "060"), NEW_MAP: Unit(NEW_MAP, "commune", "01864")}
KIND = {"K": "cooperative", "P": "producer", "B": "buyer", "A": "raw_material_area", "L": "linkage"}


def node(code: str) -> str:
    return f"{KIND[code[0]]}:{code}"


@pytest.fixture
def data(engine: Engine, files) -> Engine:  # type: ignore[no-untyped-def]
    import_path(engine, files(TABLES))
    return engine


def _rows() -> list[dict[str, str]]:
    with (Path(__file__).parents[1] / "data" / "geo" / "points.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


POINTS = {(r["map"], r["level"], r["code"]): (float(r["lat"]), float(r["lon"])) for r in _rows()}
SOURCES = {(r["map"], r["level"], r["code"]): r["source"] for r in _rows()}


def projected(on: str, level: str, code: str, unit: Unit) -> tuple[float, float]:
    """The point of a unit on the screen: equirectangular around the unit's point, north up, as the
    module's docstring promises, computed here from the points file."""
    lat, lon = POINTS[(on, level, code)]
    lat0, lon0 = POINTS[(unit.map, unit.level, unit.code)]
    return ground.SCALE * (lon - lon0) * math.cos(math.radians(lat0)), -ground.SCALE * (lat - lat0)


def the_graph(engine: Engine, on: str, **filters: object) -> nx.MultiDiGraph:
    with read_session(engine) as session:
        return build_graph(session, UNITS[on], DAY, actor=SYSTEM, **filters)  # type: ignore[arg-type]


def expected(on: str) -> dict[str, tuple[float, float]]:
    """Every node that has a place on map `on`, at its commune's point or its parties' mean point."""
    unit = UNITS[on]
    found = {node(c): projected(on, "commune", commune, unit) for c, commune in COMMUNES[on].items() if commune}
    for code, parties in PLACING.items():
        placed = [found[node(p)] for p in parties if node(p) in found]
        if placed:
            found[node(code)] = (sum(p[0] for p in placed) / len(placed), sum(p[1] for p in placed) / len(placed))
    return found


@pytest.mark.parametrize("on", [OLD_MAP, NEW_MAP])
def test_every_node_stands_at_its_communes_point_or_among_the_others_there(data: Engine, on: str) -> None:
    graph = the_graph(data, on)
    laid = ground_layout(graph)
    want = expected(on)
    assert set(laid.spots) == set(want) and set(graph.nodes) == set(want) | set(laid.unplaced)
    sharing: dict[tuple[float, float], list[str]] = {}
    for name, (x, y) in want.items():
        sharing.setdefault((round(x, 3), round(y, 3)), []).append(name)
    for together in sharing.values():
        spread = ground.SPACING * math.sqrt(len(together) - 1)
        for name in together:
            spot, (x, y) = laid.spots[name], want[name]
            assert spot.anchor == pytest.approx((x, y), abs=1e-6), name
            if len(together) == 1:  # alone at its point: exactly on it
                assert (spot.x, spot.y) == pytest.approx((x, y), abs=1e-6), name
            else:  # spread around it, never further than the spiral reaches
                assert math.dist((spot.x, spot.y), (x, y)) <= spread + 1e-6, name
        positions = {(round(laid.spots[n].x, 3), round(laid.spots[n].y, 3)) for n in together}
        assert len(positions) == len(together)  # none hides another


def test_two_records_of_one_commune_are_drawn_apart_one_of_them_on_the_point(data: Engine) -> None:
    laid = ground_layout(the_graph(data, OLD_MAP))
    k1, p1 = laid.spots["cooperative:K1"], laid.spots["producer:P1"]
    point = projected(OLD_MAP, "commune", "01858", UNITS[OLD_MAP])
    assert k1.anchor == p1.anchor == pytest.approx(point)
    assert (k1.x, k1.y) == pytest.approx(point)  # records come first, by kind: the cooperative on the point
    assert math.dist((k1.x, k1.y), (p1.x, p1.y)) == pytest.approx(ground.SPACING)
    assert ground_layout(the_graph(data, OLD_MAP)).spots == laid.spots  # drawn twice, the same


@pytest.mark.parametrize("on", [OLD_MAP, NEW_MAP])
def test_a_linkage_stands_at_the_mean_point_of_its_placing_parties_not_its_buyers(data: Engine, on: str) -> None:
    laid = ground_layout(the_graph(data, on))
    k1 = projected(on, "commune", COMMUNES[on]["K1"], UNITS[on])
    a1 = projected(on, "commune", COMMUNES[on]["A1"], UNITS[on])
    mean = ((k1[0] + a1[0]) / 2, (k1[1] + a1[1]) / 2)
    assert laid.spots["linkage:L1"].anchor == pytest.approx(mean)  # B1, far off in Hà Nội, does not pull it
    if on == OLD_MAP:  # two different communes: L1 alone at the mean
        assert (laid.spots["linkage:L1"].x, laid.spots["linkage:L1"].y) == pytest.approx(mean)


def test_buyers_outside_the_unit_stand_at_their_own_commune(data: Engine) -> None:
    for on in (OLD_MAP, NEW_MAP):
        spot = ground_layout(the_graph(data, on)).spots["buyer:B1"]
        assert (spot.x, spot.y) == pytest.approx(projected(on, "commune", "00004", UNITS[on]))
        assert spot.y > 4000  # Hà Nội is over a degree south of Bắc Kạn: below it (screen y grows down)


@pytest.mark.parametrize(
    ("on", "records", "linkages"),
    [
        (OLD_MAP, {"buyer:B2", "raw_material_area:A3"}, {"linkage:L4"}),  # A3 given on 2025-07 only
        (NEW_MAP, {"buyer:B2", "raw_material_area:A4"}, set()),  # A4 in a split commune; L5 stays with K1
    ],
)
def test_what_has_no_commune_on_the_map_is_named_in_words_not_drawn(
    data: Engine, on: str, records: set[str], linkages: set[str]
) -> None:
    graph = the_graph(data, on)
    laid = ground_layout(graph)
    assert set(laid.unplaced) == records | linkages
    page = ground_html(graph, "Đơn vị", "en")
    drawn = json.loads(re.search(r"var data = (\{.*?\});\n", page).group(1))  # type: ignore[union-attr]
    ids = {n["id"] for n in drawn["nodes"]}
    assert ids == set(laid.spots) and not ids & (records | linkages)
    assert all(e["from"] in ids and e["to"] in ids for e in drawn["edges"])  # no line to nowhere
    for n in drawn["nodes"]:
        assert (n["x"], n["y"]) == pytest.approx((laid.spots[n["id"]].x, laid.spots[n["id"]].y), abs=0.5)
    said = re.findall(r'<p class="message" role="status">([^<]*)</p>', page)
    unplaced = next(s for s in said if "have no commune on map" in s)
    assert f"{len(records)} record(s) have no commune on map {on}" in unplaced
    assert "(B2)" in unplaced and "&lt;script&gt;alert(1)&lt;/script&gt;" in unplaced  # named, escaped
    assert HOSTILE not in page
    assert ("Linkage Chuỗi bốn (L4)" in page) == bool(linkages)


def test_a_unit_where_nothing_has_a_commune_on_the_map_says_so(engine: Engine, files) -> None:  # type: ignore[no-untyped-def]
    only = {
        "raw_material_areas": TABLES["raw_material_areas"].split("\n")[0] + "\nA3,Vùng quế mới,,01864,CINNAMON,5,\n",
        "buyers": "code,name,kind,commune_code,commune_code_2025_07\nB2,Không rõ,trader,,\n",
        "linkages": "code,name,product_code,started_on,ended_on,form\nL4,Chuỗi bốn,CINNAMON,2020-01-01,,full_chain\n",
        "linkage_parties": "linkage_code,party_type,party_code,is_lead\nL4,raw_material_area,A3,true\nL4,buyer,B2,\n",
    }
    import_path(engine, files(only))
    graph = the_graph(engine, OLD_MAP)
    assert graph.number_of_nodes() == 3 and not ground_layout(graph).spots
    page = ground_html(graph, "x", "en")
    assert re.search(r"Nothing in [^<]* can be drawn on map 2025-01: no record here has a commune", page)
    assert '"nodes": []' in page
    page_vi = ground_html(graph, "x", "vi")
    assert "Không vẽ được gì của" in page_vi


def test_a_unit_with_no_point_of_its_own_is_centred_on_its_records_and_says_so(
    data: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = the_graph(data, OLD_MAP)
    real = ground.point
    monkeypatch.setattr(ground, "point", lambda unit: None if unit.level == "district" else real(unit))
    laid = ground_layout(graph)
    placed = [POINTS[(OLD_MAP, "commune", c)] for c in COMMUNES[OLD_MAP].values() if c]
    origin = (sum(p[0] for p in placed) / len(placed), sum(p[1] for p in placed) / len(placed))
    assert laid.origin == pytest.approx(origin) and not laid.unit_has_point
    assert laid.spots["cooperative:K2"].anchor == pytest.approx(
        (
            ground.SCALE * (POINTS[(OLD_MAP, "commune", "01879")][1] - origin[1]) * math.cos(math.radians(origin[0])),
            -ground.SCALE * (POINTS[(OLD_MAP, "commune", "01879")][0] - origin[0]),
        )
    )
    assert "has no point of its own on map 2025-01: the drawing is centred on its records" in ground_html(
        graph, "x", "en"
    )


def test_the_ground_file_is_drawn_with_physics_off_and_nothing_fetched(data: Engine, tmp_path: Path) -> None:
    out = tmp_path / "ground.html"
    done = linkage(
        "graph", "01864", "--map", "2025-07", "--as-of", "2025-12-31", "--layout", "map", "--out", str(out),
        "--db", url(data),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "on the map: 11 nodes" in done.stdout and "2 records with no commune on the map" in done.stdout
    page = out.read_text(encoding="utf-8")
    options = json.loads(re.search(r"var options = (\{.*?\});\n", page).group(1))  # type: ignore[union-attr]
    assert options["physics"] == {"enabled": False}
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # vis-network inlined, nothing linked
    chains = linkage(
        "graph", "01864", "--map", "2025-07", "--as-of", "2025-12-31", "--out", str(tmp_path / "c.html"),
        "--db", url(data),
    )  # fmt: skip
    assert chains.returncode == 0 and "on the map" not in chains.stdout

    def points(text: str) -> dict[str, tuple[int, int]]:
        return {
            m[0]: (int(m[1]), int(m[2])) for m in re.findall(r'"id": "([^"]+)"[^{}]*?"x": (-?\d+), "y": (-?\d+)', text)
        }

    on_ground, as_chains = points(page), points((tmp_path / "c.html").read_text(encoding="utf-8"))
    assert on_ground and all(as_chains[n] != at for n, at in on_ground.items())  # the chains' own points


def test_past_the_names_a_caption_holds_the_rest_are_counted(data: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = the_graph(data, OLD_MAP)
    monkeypatch.setattr(ground, "MAX_NAMED", 1)
    said = ground.ground_messages(graph, ground_layout(graph), "en")
    # A3 and B2 have no commune on 2025-01; records are named by kind (cooperatives, producers, areas,
    # buyers), so A3 is named and B2 counted.
    assert "2 record(s) have no commune on map 2025-01" in said[0]
    assert said[0].endswith("Raw material area Vùng quế mới (A3); and 1 more.")


def test_a_record_at_a_derived_point_is_drawn_there_and_counted_in_words() -> None:
    derived = min(  # a commune of 2025-01 whose point the crosswalk gave, read from the points file
        code
        for (on, level, code), source in SOURCES.items()
        if (on, level, source) == (OLD_MAP, "commune", "crosswalk")
    )
    graph = nx.MultiDiGraph(unit="060", map=OLD_MAP, level="district")
    graph.add_node("buyer:B9", kind="buyer", code="B9", name="Thu mua", commune_code=derived, buyer_kind="trader")
    laid = ground_layout(graph)
    assert laid.derived == 1 and (laid.spots["buyer:B9"].x, laid.spots["buyer:B9"].y) == pytest.approx(
        projected(OLD_MAP, "commune", derived, UNITS[OLD_MAP])
    )
    said = ground.ground_messages(graph, laid, "en")
    assert said == [
        "1 record(s) stand at a point worked out from their district or the crosswalk, not their commune's own."
    ]
