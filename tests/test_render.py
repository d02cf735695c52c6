"""The graph file: one offline page, every user text inert, a legend, and a cap with a message."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from sqlalchemy.engine import Engine

from linkage.exchange import import_path
from linkage.render import MAX_NODES, graph_html, write_graph_file

HOSTILE = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(2)</script>"
URL = r"""["'`]?\s*(?:https?:)?//"""
NETWORK_REF = re.compile(  # the same idea as the contract's acceptance check: anything that would load
    rf"""<(\w+)[^>]*?\s(?:src|href|srcset|data|action|poster|background)\s*=\s*{URL}"""
    rf"""|url\(\s*{URL}|@import\s+(?:url\()?{URL}"""
    rf"""|\bimport\s*(?:\(|[^;'"`]*?\bfrom)\s*{URL}|\b(?:fetch|importScripts|EventSource|WebSocket)\s*\(\s*{URL}""",
    re.I,
)


def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    files = {
        "cooperatives": f'code,name,commune_code\nK1,"{HOSTILE}",01849\nK2,HTX Nông Thượng,01852',
        "buyers": f"code,name,kind\nB1,{BREAKOUT},trader",
        "linkages": 'code,name,product_code,started_on\nL1,=HYPERLINK("http://x"),RICE,2022-01-01',
        "linkage_parties": "linkage_code,party_type,party_code,is_lead\nL1,cooperative,K1,yes\nL1,buyer,B1,",
    }
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text + "\n", encoding="utf-8")
    return folder


def test_the_file_loads_nothing_from_the_network(engine: Engine, tmp_path: Path) -> None:
    import_path(engine, hostile_folder(tmp_path))
    summary = write_graph_file(engine, "058", date(2025, 12, 31), tmp_path / "g.html")
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert summary.nodes == 4 and summary.edges == 2
    assert [m.group(0) for m in NETWORK_REF.finditer(page)] == []
    assert "vis.Network" in page and "cdnjs" not in page and "jsdelivr" not in page


def test_user_text_cannot_break_out_of_the_data_or_the_page(engine: Engine, tmp_path: Path) -> None:
    import_path(engine, hostile_folder(tmp_path))
    write_graph_file(engine, "058", date(2025, 12, 31), tmp_path / "g.html")
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert HOSTILE not in page and BREAKOUT not in page
    assert page.count("</script>") == 2  # the vis-network script and the data script, nothing else
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page  # kept as typed, as inert JSON text
    assert "tip.textContent = node.title" in page  # tooltips are text, never HTML


def test_the_title_is_escaped_and_the_legend_names_every_kind() -> None:
    g = nx.MultiDiGraph()
    g.add_node("cooperative:K1", kind="cooperative", code="K1", name="HTX Một")
    page = graph_html(g, f"Huyện {HOSTILE}", lang="en")
    assert f"Huyện {HOSTILE}" not in page and "Huyện &lt;img src=x onerror=alert(1)&gt;" in page
    for word in ("Linkage", "Cooperative", "Producer", "Raw material area", "Buyer", "digital technology"):
        assert word in page
    assert "Hợp tác xã" in graph_html(g, "x", lang="vi")


def test_an_oversized_graph_asks_to_filter_instead_of_freezing_the_browser() -> None:
    g = nx.MultiDiGraph()
    for i in range(MAX_NODES + 1):
        g.add_node(f"producer:P{i}", kind="producer", code=f"P{i}", name=f"Hộ {i}")
    page = graph_html(g, "Tỉnh", lang="en")
    assert f"more than the {MAX_NODES} one graph can show" in page
    assert '"nodes": []' in page


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_vietnamese_names_are_written_as_typed(engine: Engine, tmp_path: Path, lang: str) -> None:
    import_path(engine, hostile_folder(tmp_path))
    write_graph_file(engine, "058", date(2025, 12, 31), tmp_path / "g.html", lang=lang)
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert "HTX Nông Thượng" in page and "Thành Phố Bắc Kạn" in page
