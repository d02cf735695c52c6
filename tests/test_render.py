"""The graph file: one offline page, every user text inert, a legend, and a cap with a message."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import pyvis
from sqlalchemy.engine import Engine

from linkage.graphs.drawing import (
    MAX_NODES,
    MEMBER_LINE,
    OVERVIEW_ITERATIONS,
    graph_html,
    legend_html,
    options,
    vis_data,
)
from linkage.graphs.graph_file import write_graph_file
from linkage.records.importing import import_path

from .helpers import BREAKOUT, HOSTILE, hostile_folder

URL = r"""["'`]?\s*(?:https?:)?//"""
NETWORK_REF = re.compile(  # the same idea as the contract's acceptance check: anything that would load
    rf"""<(\w+)[^>]*?\s(?:src|href|srcset|data|action|poster|background)\s*=\s*{URL}"""
    rf"""|url\(\s*{URL}|@import\s+(?:url\()?{URL}"""
    rf"""|\bimport\s*(?:\(|[^;'"`]*?\bfrom)\s*{URL}|\b(?:fetch|importScripts|EventSource|WebSocket)\s*\(\s*{URL}""",
    re.I,
)


def test_the_file_loads_nothing_from_the_network(engine: Engine, tmp_path: Path) -> None:
    import_path(engine, hostile_folder(tmp_path))
    summary = write_graph_file(engine, "058", date(2025, 12, 31), tmp_path / "g.html")
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert summary.nodes == 4 and summary.edges == 2
    assert [m.group(0) for m in NETWORK_REF.finditer(page)] == []
    library = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    assert library.read_text(encoding="utf-8") in page  # the drawing library itself travels in the file


def test_user_text_cannot_break_out_of_the_data_or_the_page(engine: Engine, tmp_path: Path) -> None:
    import_path(engine, hostile_folder(tmp_path))
    write_graph_file(engine, "058", date(2025, 12, 31), tmp_path / "g.html")
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert HOSTILE not in page and BREAKOUT not in page
    assert page.count("</script>") == 2  # the vis-network script and the data script, nothing else
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page  # kept as typed, as inert JSON text
    # The data holds the names as typed; tests/browser/test_graph_file.py checks Chromium shows them as text.
    assert [n["title"].splitlines()[0] for n in drawn_nodes(page) if n["id"] == "cooperative:K1"] == [
        f"Hợp tác xã: {HOSTILE} (K1)"
    ]


def test_the_title_is_escaped_and_the_legend_names_every_kind() -> None:
    g = nx.MultiDiGraph()
    g.add_node("cooperative:K1", kind="cooperative", code="K1", name="HTX Một")
    page = graph_html(g, f"Huyện {HOSTILE}", lang="en")
    assert f"Huyện {HOSTILE}" not in page and "Huyện &lt;img src=x onerror=alert(1)&gt;" in page
    legend = header(page)
    for word in ("Linkage", "Cooperative", "Producer", "Raw material area", "Buyer", "digital technology"):
        assert word in legend
    assert "Hợp tác xã" in header(graph_html(g, "x", lang="vi")) and "Hợp tác xã" not in legend


def chain_graph(linked: int, unlinked: int) -> nx.MultiDiGraph:
    """One linkage with `linked` producer parties, and `unlinked` producers in no linkage."""
    g = nx.MultiDiGraph()
    g.add_node("linkage:M1", kind="linkage", code="M1", name="Chuỗi", digital=False, technologies=[])
    for i in range(linked):
        g.add_node(f"producer:P{i}", kind="producer", code=f"P{i}", name=f"Hộ {i}", producer_kind="household")
        g.add_edge(f"producer:P{i}", "linkage:M1", relation="party", lead=False)
    for i in range(unlinked):
        g.add_node(f"producer:Q{i}", kind="producer", code=f"Q{i}", name=f"Hộ lẻ {i}", producer_kind="farm")
    return g


def drawn_nodes(page: str) -> list[dict[str, Any]]:
    start = page.rindex("var data = ") + len("var data = ")
    data = json.loads(page[start : page.index(";\n", start)])
    return list(data["nodes"])


def _physics_in_page(page: str) -> Any:
    start = page.rindex("var options = ") + len("var options = ")
    return json.loads(page[start : page.index(";\n", start)])["physics"]


def header(page: str) -> str:
    """The page's heading and legend: what is written above the drawing."""
    return page[page.index("<header>") : page.index("</header>")]


def test_an_oversized_graph_asks_to_filter_instead_of_freezing_the_browser() -> None:
    page = graph_html(chain_graph(MAX_NODES + 5, 0), "Tỉnh", lang="en")
    assert f"has {MAX_NODES + 6} nodes, more than the {MAX_NODES} one graph can show" in page
    assert drawn_nodes(page) == []


def test_a_view_just_over_the_cap_is_drawn_without_who_is_in_no_linkage() -> None:
    page = graph_html(chain_graph(10, MAX_NODES), "Huyện", lang="en")
    nodes = drawn_nodes(page)
    assert len(nodes) == 11 and not any(str(n["id"]).startswith("producer:Q") for n in nodes)
    assert f"{MAX_NODES} cooperatives, producers and areas in no linkage are left out" in page


def test_each_kind_has_its_colour_and_shape_and_lines_say_digital_lead_or_member() -> None:
    g = nx.MultiDiGraph()
    g.add_node(
        "linkage:M1",
        kind="linkage",
        code="M1",
        name="Số",
        digital=True,
        technologies=["traceability"],
        product_name="Lúa gạo",
        started_on="2022-03-01",
        ended_on=None,
    )
    g.add_node(
        "linkage:M2",
        kind="linkage",
        code="M2",
        name="Giấy",
        digital=False,
        technologies=[],
        product_name="Chè",
        started_on="2022-01-01",
        ended_on="2024-12-31",
    )
    g.add_node(
        "cooperative:K1",
        kind="cooperative",
        code="K1",
        name="HTX",
        members=12,
        established_on="2020-05-04",
        commune_name="Xã Dương Quang",
        district_name="Thành Phố Bắc Kạn",
    )
    g.add_node("producer:H1", kind="producer", code="H1", name="Hộ", producer_kind="farm", cooperative_code="K1")
    g.add_node(
        "raw_material_area:V1",
        kind="raw_material_area",
        code="V1",
        name="Vùng",
        product_code="RICE",
        area_ha=12.5,
        planting_area_code="VN-BK-001",
    )
    g.add_node("buyer:B1", kind="buyer", code="B1", name="Công ty", buyer_kind="exporter")
    g.add_edge("cooperative:K1", "linkage:M1", relation="party", lead=True)
    g.add_edge("buyer:B1", "linkage:M2", relation="party", lead=False)
    g.add_edge("producer:H1", "cooperative:K1", relation="member")
    nodes, edges = vis_data(g, "en")
    style = {n["id"]: (n["color"], n["shape"]) for n in nodes}
    assert style == {
        "linkage:M1": ("#f9a825", "diamond"),
        "linkage:M2": ("#f9a825", "diamond"),
        "cooperative:K1": ("#2e7d32", "dot"),
        "producer:H1": ("#81c784", "dot"),
        "raw_material_area:V1": ("#8d6e63", "square"),
        "buyer:B1": ("#1565c0", "triangle"),
    }
    lines = {(e["from"], e["to"]): (e["dashes"], e["width"]) for e in edges}
    assert lines[("cooperative:K1", "linkage:M1")] == (False, 4)  # digital: solid; lead: thick
    assert lines[("buyer:B1", "linkage:M2")] == (True, 1.5)  # no digital technology: dashed
    assert lines[("producer:H1", "cooperative:K1")] == (False, 1)  # membership: faint, solid (cheap to draw)
    assert {e["color"] for e in edges if e["from"] == "producer:H1"} == {MEMBER_LINE}
    assert MEMBER_LINE in legend_html("en")
    tips = {n["id"]: n["title"] for n in nodes}
    assert tips["linkage:M1"].splitlines()[1:] == [
        "Product: Lúa gạo",
        "From: 01/03/2022",
        "Digital technologies: traceability",
    ]
    assert "Until: 31/12/2024" in tips["linkage:M2"] and "Digital technologies: none" in tips["linkage:M2"]
    assert tips["cooperative:K1"].splitlines()[1:] == [
        "Commune: Xã Dương Quang, Thành Phố Bắc Kạn",
        "Members: 12",
        "Established: 04/05/2020",
    ]
    assert "Kind: farm" in tips["producer:H1"] and "Member of cooperative: K1" in tips["producer:H1"]
    assert "Area: 12.5 ha" in tips["raw_material_area:V1"] and "VN-BK-001" in tips["raw_material_area:V1"]
    assert "Kind: exporter" in tips["buyer:B1"]
    legend = legend_html("en")
    for shape, word in (("◆", "Linkage"), ("●", "Cooperative"), ("■", "Raw material area"), ("▲", "Buyer")):
        assert f"{shape}</b>{word}" in legend
    assert "Cooperative member (thin, faint)" in legend and "(dashed)" in legend and "(thick)" in legend


def test_a_units_graph_is_drawn_where_its_nodes_stand_and_an_overview_settles_in_bounded_steps() -> None:
    assert _physics_in_page(graph_html(chain_graph(3, 0), "Huyện")) == {"enabled": False}
    overview = options(placed=False)["physics"]
    assert overview["stabilization"] == {"enabled": True, "iterations": OVERVIEW_ITERATIONS, "fit": True}
    assert overview["solver"] == "forceAtlas2Based"
    # That the drawing then says it has settled is seen in Chromium (tests/browser/test_graph_file.py).


def _page_data(page: str) -> Any:
    start = page.rindex("var data = ") + len("var data = ")
    return json.loads(page[start : page.index(";\n", start)])


def test_a_graph_comes_placed_and_an_overview_is_laid_out_by_vis_network() -> None:
    page = graph_html(chain_graph(3, 0), "Huyện")
    nodes = _page_data(page)["nodes"]
    assert nodes and all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in nodes)
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)
    assert '"improvedLayout": false' in page
    overview = options(placed=False)
    assert "layout" not in overview  # vis-network's own first layout, for a few large, densely linked nodes


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_vietnamese_names_are_written_as_typed(engine: Engine, tmp_path: Path, lang: str) -> None:
    import_path(engine, hostile_folder(tmp_path))
    write_graph_file(engine, "058", date(2025, 12, 31), tmp_path / "g.html", lang=lang)
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert "HTX Nông Thượng" in page and "Thành Phố Bắc Kạn" in page


def test_only_the_apps_drawing_picks_a_record_on_click_and_a_typed_code_stays_data() -> None:
    import networkx as nx

    from linkage.graphs.drawing import BRIDGE, graph_html

    g = nx.MultiDiGraph()
    g.add_node('buyer:"</script><img src=x onerror=alert(1)>', kind="buyer", code="x", name="x", buyer_kind="trader")
    in_app = graph_html(g, "t", selectable=True)
    assert BRIDGE in in_app and BRIDGE not in graph_html(g, "t")
    assert "</script><img" not in in_app and "\\u003c/script\\u003e\\u003cimg" in in_app


def test_in_the_app_the_page_links_the_served_copy_of_vis_network_instead_of_inlining_it() -> None:
    from linkage.graphs.assets import ASSETS

    inlined = graph_html(chain_graph(3, 0), "Huyện")
    linked = graph_html(chain_graph(3, 0), "Huyện", assets_url="app/static/")
    assert f'<script src="app/static/{ASSETS["vis-network.min.js"]}"></script>' in linked
    assert f'<link rel="stylesheet" href="app/static/{ASSETS["vis-network.css"]}">' in linked
    assert len(inlined) > 600_000 and len(linked) < 20_000  # the library is ~690 KB
    assert "vis.Network(" in linked and [m.group(0) for m in NETWORK_REF.finditer(linked)] == []


def test_the_served_copy_is_pyvis_own_file_byte_for_byte(tmp_path: Path) -> None:
    import pyvis

    from linkage.graphs.assets import ASSETS, publish_assets

    folder = tmp_path / "static"
    assert publish_assets(folder) and publish_assets(folder)  # a second start finds them in place
    library = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    for source, served in ASSETS.items():
        assert (folder / served).read_bytes() == (library / source).read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == sorted(ASSETS.values())  # no temporary file left


def test_a_folder_that_cannot_be_written_means_the_library_stays_inlined(tmp_path: Path) -> None:
    from linkage.graphs.assets import publish_assets

    blocker = tmp_path / "static"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    assert publish_assets(blocker) is False
