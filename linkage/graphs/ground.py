"""A unit's linkage graph on the ground (`linkage graph --layout map`, the graph page's "On the map"):
every record at its commune's point, so an officer sees raw material areas, cooperatives and buyers
where they are.

- A cooperative, producer, raw material area or buyer stands at the point (`linkage.geo.points`) of
  its commune on the graph's map: the commune given for that map, else the one the crosswalk places
  it in (`maps.placed_in`). Buyers outside the unit stand at their own commune too.
- A record placed above the commune (a split commune not settled yet) or given no commune has no
  point: it is named in a caption, never drawn at a wrong place; its lines go with it.
- A linkage stands at the mean point of its placing parties (cooperatives, producers, areas: those
  that locate a linkage, not its buyers); with none of them drawn it is named as unplaced too.
- Points project onto the screen as an equirectangular view centred on the unit's own point:
  `x = SCALE · (lon − lon₀) · cos(lat₀)`, `y = −SCALE · (lat − lat₀)` (north up), in vis-network's units.
- Several nodes at one point (the records of one commune, a linkage whose parties are all there) are
  spread on a fixed sunflower spiral around it (`spiral`): the first exactly on the point, the k-th
  `SPACING · √k` away at `k` golden angles, in the order records then linkages, each by id. No
  randomness: a graph drawn twice looks the same.

Drawn with physics off, through the graph's one offline template and escaping (`drawing.page`).
"""

from __future__ import annotations

import html
import math
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, map_data, placed_in
from linkage.geo.points import point
from linkage.graphs.drawing import BRIDGE, MAX_NODES, drawable, graph_html, legend_html, page, vis_data, words_of

SCALE = 4000.0  # vis-network units per degree of latitude (about 36 per km)
SPACING = 28.0  # the spiral's step: nodes of one commune stand about this far apart
GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
PLACING = ("cooperative", "producer", "raw_material_area")  # the parties that locate a linkage
RECORDS = (*PLACING, "buyer")
ORDER = {kind: i for i, kind in enumerate((*RECORDS, "linkage"))}  # who takes a point's first places
MAX_NAMED = 12  # unplaced records named one by one in the caption; the rest counted
LAYOUTS = ("chains", "map")  # how a unit's graph is drawn: its chains as rings, or on the ground


@dataclass(frozen=True)
class Spot:
    """Where a node is drawn: `x`, `y` on the screen, and `anchor`, the projected point it is spread
    around (its commune's; a linkage's: the mean of its placing parties')."""

    x: float
    y: float
    anchor: tuple[float, float]
    commune: str | None  # the commune of the graph's map whose point it is; None for a linkage


@dataclass(frozen=True)
class Ground:
    """A graph's nodes on the ground: those drawn (`spots`) and those that have no point (`unplaced`)."""

    unit: Unit
    origin: tuple[float, float] | None  # (lat, lon) the projection is centred on; None: nothing placed
    unit_has_point: bool  # False: the unit has no point of its own, the drawing is centred on its records
    spots: dict[str, Spot]
    unplaced: tuple[str, ...]  # node ids, sorted by kind then id
    derived: int  # records standing at a point worked out from their district or the crosswalk


def record_commune(attrs: dict[str, Any], on: str) -> str | None:
    """The commune of map `on` a record stands in: its own there, else where the crosswalk places it;
    None when that is above the commune, or the record gives no commune (or one no map lists)."""
    old, new = attrs.get("commune_code") or None, attrs.get("commune_code_2025_07") or None
    try:
        placed = placed_in(old, new, on)
    except (KeyError, ValueError):
        return None
    return placed.code if placed.level == "commune" else None


def project(lat: float, lon: float, origin: tuple[float, float]) -> tuple[float, float]:
    """A point on the screen: equirectangular around `origin` (lat₀, lon₀), north up."""
    lat0, lon0 = origin
    return SCALE * (lon - lon0) * math.cos(math.radians(lat0)), -SCALE * (lat - lat0)


def spiral(k: int) -> tuple[float, float]:
    """The offset of the k-th node at one point (k from 0): a sunflower spiral, 0 for the first."""
    radius = SPACING * math.sqrt(k)
    return radius * math.cos(k * GOLDEN_ANGLE), radius * math.sin(k * GOLDEN_ANGLE)


def graph_unit(graph: nx.MultiDiGraph) -> Unit:
    """The unit a graph was built for (`graph.assemble` writes its map, level and code), named."""
    on, level, code = graph.graph.get("map", OLD_MAP), graph.graph.get("level", ""), graph.graph.get("unit", "")
    found = map_data(on).unit(level, code) if on in (OLD_MAP, NEW_MAP) and level != "national" else None
    return found or Unit(on, level, code, code)


def ground_layout(graph: nx.MultiDiGraph, unit: Unit | None = None) -> Ground:
    """Where every node of `graph` stands on the ground (see the module's docstring)."""
    unit = unit or graph_unit(graph)
    on = unit.map
    communes: dict[str, str] = {}
    degrees: dict[str, tuple[float, float]] = {}
    derived = 0
    for node, attrs in graph.nodes(data=True):
        if attrs["kind"] not in RECORDS:
            continue
        commune = record_commune(attrs, on)
        found = point(Unit(on, "commune", commune)) if commune else None
        if commune and found:
            communes[node] = commune
            degrees[node] = (found.lat, found.lon)
            derived += found.derived
    own = point(unit) if unit.level != "national" else None
    if own is not None:
        origin: tuple[float, float] | None = (own.lat, own.lon)
    elif degrees:
        origin = (statistics.fmean(p[0] for p in degrees.values()), statistics.fmean(p[1] for p in degrees.values()))
    else:
        origin = None
    anchors: dict[str, tuple[float, float]] = {}
    if origin is not None:
        anchors = {node: project(lat, lon, origin) for node, (lat, lon) in degrees.items()}
    for node, kind in graph.nodes(data="kind"):
        if kind != "linkage":
            continue
        parties = sorted(
            {
                u
                for u, _, d in graph.in_edges(node, data=True)
                if d.get("relation") == "party" and u in anchors and graph.nodes[u]["kind"] in PLACING
            }
        )
        if parties:
            anchors[node] = (
                statistics.fmean(anchors[p][0] for p in parties),
                statistics.fmean(anchors[p][1] for p in parties),
            )
    at: dict[tuple[float, float], list[str]] = defaultdict(list)
    for node, anchor in anchors.items():
        at[(round(anchor[0], 1), round(anchor[1], 1))].append(node)
    spots: dict[str, Spot] = {}
    for together in at.values():
        for k, node in enumerate(sorted(together, key=lambda n: (ORDER[graph.nodes[n]["kind"]], n))):
            dx, dy = spiral(k)
            ax, ay = anchors[node]
            spots[node] = Spot(ax + dx, ay + dy, (ax, ay), communes.get(node))
    unplaced = tuple(
        sorted((n for n in graph.nodes if n not in spots), key=lambda n: (ORDER[graph.nodes[n]["kind"]], n))
    )
    return Ground(unit, origin, own is not None, spots, unplaced, derived)


def _named(graph: nx.MultiDiGraph, nodes: tuple[str, ...], words: Mapping[str, str]) -> str:
    """`Cooperative X (K5), Buyer Y (B1)` … at most MAX_NAMED, then how many more (plain text)."""
    names = [
        f"{words[graph.nodes[n]['kind']]} {graph.nodes[n].get('name') or ''} ({graph.nodes[n].get('code')})"
        for n in nodes[:MAX_NAMED]
    ]
    if len(nodes) > MAX_NAMED:
        names.append(words["ground_more"].format(count=len(nodes) - MAX_NAMED))
    return "; ".join(names)


def ground_messages(graph: nx.MultiDiGraph, ground: Ground, lang: str = "vi") -> list[str]:
    """What the drawing says in words (plain text): what is not drawn and why, and what stands at a
    derived point. Empty when every node stands at its own commune's point."""
    words = words_of(lang)
    unit_name = ground.unit.name or ground.unit.code
    said: list[str] = []
    if graph.number_of_nodes() and not ground.spots:
        said.append(words["ground_nothing"].format(unit=unit_name, map=ground.unit.map))
    elif not ground.unit_has_point and ground.spots:
        said.append(words["ground_unit_no_point"].format(unit=unit_name, map=ground.unit.map))
    records = tuple(n for n in ground.unplaced if graph.nodes[n]["kind"] != "linkage")
    linkages = tuple(n for n in ground.unplaced if graph.nodes[n]["kind"] == "linkage")
    if records:
        said.append(
            words["ground_unplaced"].format(
                count=len(records), map=ground.unit.map, names=_named(graph, records, words)
            )
        )
    if linkages:
        said.append(words["ground_unplaced_linkages"].format(count=len(linkages), names=_named(graph, linkages, words)))
    if ground.derived:
        said.append(words["ground_derived"].format(count=ground.derived))
    return said


def ground_data(
    graph: nx.MultiDiGraph, ground: Ground, lang: str = "vi"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """vis-network's nodes (each with its x, y, in whole units as vis-network keeps them) and edges,
    only those whose ends are drawn."""
    nodes, edges = vis_data(graph, lang)
    placed = [
        {**n, "x": round(ground.spots[n["id"]].x), "y": round(ground.spots[n["id"]].y)}
        for n in nodes
        if n["id"] in ground.spots
    ]
    lines = [e for e in edges if e["from"] in ground.spots and e["to"] in ground.spots]
    return placed, lines


def ground_html(
    graph: nx.MultiDiGraph,
    title: str,
    lang: str = "vi",
    max_nodes: int = MAX_NODES,
    filtered: bool = False,
    selectable: bool = False,
    assets_url: str | None = None,
) -> str:
    """The whole page, as `drawing.graph_html` makes it, with every node at its place on the ground and
    physics off; what has no place is named in words above the drawing."""
    words = words_of(lang)
    drawn = drawable(graph, max_nodes)
    said: list[tuple[str, str]] = []  # (role, text)
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    if drawn.capped:
        said.append(("alert", words["too_many"].format(count=drawn.graph.number_of_nodes(), limit=max_nodes)))
    elif graph.number_of_nodes() == 0:
        said.append(("status", words["no_match" if filtered else "empty"]))
    else:
        if drawn.thinned:
            said.append(("status", words["thinned"].format(count=drawn.thinned, limit=max_nodes)))
        ground = ground_layout(drawn.graph, graph_unit(graph))
        said += [("status", text) for text in ground_messages(drawn.graph, ground, lang)]
        nodes, edges = ground_data(drawn.graph, ground, lang)
    message = "".join(f'<p class="message" role="{role}">{html.escape(text)}</p>' for role, text in said)
    legend = legend_html(lang) + f"<span>{html.escape(words['ground_legend'])}</span>"
    return page(lang, title, legend, message, nodes, edges, assets_url, BRIDGE if selectable else "")


def layout_html(
    layout: str,
    graph: nx.MultiDiGraph,
    title: str,
    lang: str = "vi",
    filtered: bool = False,
    selectable: bool = False,
    assets_url: str | None = None,
) -> str:
    """The page of a unit's graph drawn as `layout` says (`LAYOUTS`): `chains` by `drawing.graph_html`,
    `map` on the ground; what `linkage graph --layout` and the graph page's choice both call."""
    if layout not in LAYOUTS:
        raise ValueError(f"{layout!r} is no layout: {', '.join(LAYOUTS)}")
    draw = ground_html if layout == "map" else graph_html
    return draw(graph, title, lang, filtered=filtered, selectable=selectable, assets_url=assets_url)
