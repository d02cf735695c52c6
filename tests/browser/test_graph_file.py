"""`linkage graph` output in real headless Chromium: drawn offline, hostile names inert."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from linkage.graphs.graph_file import write_graph_file
from linkage.records.catalog import init
from linkage.records.importing import import_path
from linkage.store.db import get_engine

from ..helpers import BREAKOUT, hostile_folder
from .conftest import Watched

pytestmark = pytest.mark.browser


def test_the_graph_file_draws_its_canvas_with_no_request_leaving_the_machine(tmp_path: Path, watched: Watched) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'g.db'}")
    init(engine)
    import_path(engine, hostile_folder(tmp_path))
    write_graph_file(engine, "058", date(2025, 12, 31), tmp_path / "g.html")
    page = watched.page
    page.goto((tmp_path / "g.html").as_uri())
    page.wait_for_selector("body[data-stabilized=true]", timeout=30_000)
    canvas = page.locator("#graph canvas")
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300
    drawn = page.evaluate(
        """() => { const c = document.querySelector('#graph canvas');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }"""
    )
    assert drawn > 500  # coloured pixels of nodes and edges, not a blank canvas
    given = page.evaluate("() => window.linkageNetwork.body.data.nodes.get().map(n => [n.id, n.x, n.y])")
    shown = page.evaluate(
        "() => Object.fromEntries(Object.entries(window.linkageNetwork.body.nodes).map(([k, n]) => [k, [n.x, n.y]]))"
    )
    assert given and all(shown[node] == pytest.approx([x, y], abs=0.01) for node, x, y in given)  # drawn as placed
    assert watched.outside == []
    assert watched.dialogs == [] and watched.errors == []
    assert page.locator("img").count() == 0  # the hostile <img onerror> was never created
    assert page.evaluate(
        "() => window.linkageNetwork.body.data.nodes.get('cooperative:K1').title.textContent"
    ).startswith("Hợp tác xã: <img src=x onerror=alert(1)>")


def test_the_graph_on_the_ground_opens_offline_with_every_placed_node_where_its_commune_is(
    tmp_path: Path, watched: Watched
) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'g.db'}")
    init(engine)
    import_path(engine, hostile_folder(tmp_path))  # K1, K2 in two communes of district 058; B1 in none
    summary = write_graph_file(engine, "058", date(2025, 12, 31), tmp_path / "g.html", lang="en", layout="map")
    assert summary.on_the_map and summary.unplaced == 1
    page = watched.page
    page.goto((tmp_path / "g.html").as_uri())
    page.wait_for_selector("body[data-stabilized=true]", timeout=30_000)
    drawn = page.evaluate(
        """() => { const c = document.querySelector('#graph canvas');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }"""
    )
    assert drawn > 300  # coloured pixels of nodes and lines, not a blank canvas
    assert watched.outside == [] and watched.requests == [(tmp_path / "g.html").as_uri()]
    assert watched.dialogs == [] and watched.errors == []
    given = page.evaluate("() => window.linkageNetwork.body.data.nodes.get().map(n => [n.id, n.x, n.y])")
    shown = page.evaluate(  # where the network holds each node, after drawing
        "() => Object.fromEntries(Object.entries(window.linkageNetwork.body.nodes)"
        ".map(([k, n]) => [k, {x: n.x, y: n.y}]))"
    )
    assert {i for i, _, _ in given} == {"cooperative:K1", "cooperative:K2", "linkage:L1"}  # B1 has no commune
    for node, x, y in given:  # physics off: each node stays exactly where the file places it
        assert (shown[node]["x"], shown[node]["y"]) == pytest.approx((x, y), abs=0.01)
    assert len({(x, y) for _, x, y in given}) == 3
    caption = page.locator("p.message").inner_text()
    assert "1 record(s) have no commune on map 2025-01" in caption and BREAKOUT in caption  # named, as typed
    assert page.locator("img").count() == 0
