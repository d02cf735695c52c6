"""`linkage graph`: a unit's graph read from the database and written as one offline HTML file, drawn
as its chains or on the ground (`--layout map`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from linkage.actor import SYSTEM
from linkage.geo.maps import OLD_MAP, Unit
from linkage.graphs.drawing import MAX_NODES, drawable, graph_title
from linkage.graphs.graph import build_graph
from linkage.graphs.ground import graph_unit, ground_layout, layout_html
from linkage.store.db import read_session


@dataclass(frozen=True)
class GraphFileSummary:
    path: Path
    title: str
    nodes: int
    edges: int
    capped: bool
    thinned: int = 0
    unplaced: int = 0  # on the map: nodes with no point, named in the file instead of drawn
    on_the_map: bool = False

    def describe(self) -> str:
        if self.capped:
            note = (
                f" (more than {MAX_NODES} nodes even without the {self.thinned} entities in no linkage: the file"
                " asks to filter; try --product, --technology or --party-type)"
            )
        elif self.thinned:
            note = f" ({self.thinned} entities in no linkage left out to stay under {MAX_NODES} nodes)"
        else:
            note = ""
        if self.unplaced:
            note += f" ({self.unplaced} records with no commune on the map are named in the file, not drawn)"
        where = " on the map" if self.on_the_map else ""
        return (
            f"Wrote the linkage graph of {self.title}{where}: {self.nodes} nodes, {self.edges} edges,"
            f" to {self.path}{note}."
        )


def write_graph_file(
    engine: Engine,
    unit: Unit | str,
    as_of: date,
    out: Path,
    lang: str = "vi",
    products: Collection[str] | None = None,
    technologies: Collection[str] | None = None,
    party_types: Collection[str] | None = None,
    map_name: str = OLD_MAP,
    layout: str = "chains",
) -> GraphFileSummary:
    """`linkage graph`: the unit's graph on `as_of` as one offline HTML file (the command line sees all);
    a code is read on `map_name`. `layout`: `chains` (each chain drawn as rings) or `map` (every record
    at its commune's point, `linkage.graphs.ground`)."""
    with read_session(engine) as session:
        graph = build_graph(
            session,
            unit,
            as_of,
            products,
            technologies,
            party_types,
            actor=SYSTEM,
            map_name=map_name,
        )
    title = graph_title(unit, as_of, lang, map_name)
    out.parent.mkdir(parents=True, exist_ok=True)
    drawn = drawable(graph)
    if layout == "map" and not drawn.capped:
        out.write_text(layout_html(layout, graph, title, lang), encoding="utf-8")
        ground = ground_layout(drawn.graph, graph_unit(graph))
        placed = sum(1 for u, v in drawn.graph.edges() if u in ground.spots and v in ground.spots)
        return GraphFileSummary(
            out, title, len(ground.spots), placed, drawn.capped, drawn.thinned, len(ground.unplaced), True
        )
    out.write_text(layout_html(layout, graph, title, lang), encoding="utf-8")
    return GraphFileSummary(
        out, title, drawn.graph.number_of_nodes(), drawn.graph.number_of_edges(), drawn.capped, drawn.thinned
    )
