"""The linkage graph as one self-contained, offline HTML file; escaping happens here and only here.

vis-network's script and stylesheet ship inside the pyvis package and are inlined, so the file
loads nothing from any network (pyvis's own template links Bootstrap from a CDN). In the app the
page instead names the app's own copy of them (`publish_assets`, served by Streamlit under
`app/static/`), so each graph view sends kilobytes, not the 690 KB of the library. Node and edge
data are embedded as JSON with `<`, `>`, `&` and line separators escaped, tooltips are built as
DOM text (never innerHTML), and headings go through `html.escape`: a name such as
`<img src=x onerror=…>` shows as typed and runs nowhere. Physics settles in a bounded number of
iterations and then stops; a unit larger than `MAX_NODES` shows a message asking to filter.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import tempfile
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
from sqlalchemy.engine import Engine

from linkage.actor import SYSTEM
from linkage.geo.maps import OLD_MAP, Unit, as_unit
from linkage.graphs.graph import build_graph, without_unlinked
from linkage.graphs.layout import starting_positions
from linkage.graphs.overview import Overview
from linkage.i18n import day_text, section, t
from linkage.store.db import read_session

MAX_NODES = 1500
STABILIZE_ITERATIONS = 5  # a graph whose nodes come placed (`linkage.graphs.layout`): physics only eases overlaps
OVERVIEW_ITERATIONS = 200  # a province overview, laid out by vis-network itself: few, large, densely linked nodes
STYLE = {  # colour and shape per node kind; the legend shows the same
    "linkage": ("#f9a825", "diamond"),
    "cooperative": ("#2e7d32", "dot"),
    "producer": ("#81c784", "dot"),
    "raw_material_area": ("#8d6e63", "square"),
    "buyer": ("#1565c0", "triangle"),
}
SYMBOL = {"diamond": "◆", "dot": "●", "square": "■", "triangle": "▲"}  # the legend's picture of each shape


def _words(lang: str) -> dict[str, str]:
    """The graph's texts: the `[graph]` section of the message catalog, in the chosen language."""
    return section("graph", lang)


VIS_VERSION = "9.1.2"  # the vis-network release shipped inside pyvis 0.3.2
ASSETS = {  # the file in pyvis's copy → the name the app serves it under (versioned, so never stale)
    "vis-network.min.js": f"vis-network-{VIS_VERSION}.min.js",
    "vis-network.css": f"vis-network-{VIS_VERSION}.css",
}


def _asset_path(name: str) -> Path:
    """The file in the installed pyvis package, found without importing pyvis (0.08 s of its own
    imports, for two files it only carries)."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("pyvis is not installed: it carries the vis-network library graphs are drawn with")
    return Path(spec.origin).parent / "templates" / "lib" / f"vis-{VIS_VERSION}" / name


@cache
def _asset(name: str) -> str:
    return _asset_path(name).read_text(encoding="utf-8")


def publish_assets(folder: Path) -> bool:
    """Copy vis-network's script and stylesheet from the installed pyvis into `folder` (the app's
    `static/` folder), so the app serves them once instead of inlining them into every graph view.

    Written to a temporary file and renamed, so app processes starting together never serve half a
    file. False (and nothing served) if the folder cannot be written, e.g. a read-only install:
    the caller then inlines the library as the graph file does.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for source_name, served_name in ASSETS.items():
            source, target = _asset_path(source_name), folder / served_name
            if target.is_file() and target.stat().st_size == source.stat().st_size:
                continue
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".part")
            with os.fdopen(handle, "wb") as out:
                out.write(source.read_bytes())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
    except OSError:
        return False
    return True


def _page(
    lang: str,
    title: str,
    legend: str,
    message: str,
    nodes: Any,
    edges: Any,
    assets_url: str | None,
    bridge: str,
    placed: bool = True,
) -> str:
    """The one offline template filled in: every text escaped here, the data as inert JSON. `placed`:
    each node gets its starting point (`linkage.graphs.layout`), so the browser only eases the drawing."""
    if placed:
        start = starting_positions([n["id"] for n in nodes], [(e["from"], e["to"]) for e in edges])
        nodes = [{**n, "x": round(start[n["id"]][0]), "y": round(start[n["id"]][1])} for n in nodes]
    return TEMPLATE.format(
        lang=html.escape(lang),
        title=html.escape(title),
        legend=legend,
        message=message,
        settling=html.escape(_words(lang)["settling"]),
        vis_css=_vis_tag("vis-network.css", assets_url),
        vis_js=_vis_tag("vis-network.min.js", assets_url),
        data=_script_json({"nodes": nodes, "edges": edges}),
        options=_script_json(options(placed)),
        bridge=bridge,
    )


def _script_json(value: Any) -> str:
    """JSON that is safe inside <script>: no `</script>`, `<!--`, or line separators can break out."""
    text = json.dumps(value, ensure_ascii=False)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def _tooltip(attrs: dict[str, Any], words: dict[str, str], lang: str) -> str:
    """Plain text (lines), shown by the template as DOM text: what an officer needs to recognise a node."""
    kind = attrs["kind"]
    lines = [f"{words[kind]}: {attrs.get('name') or ''} ({attrs.get('code')})"]
    if kind == "linkage":
        product = attrs.get("product_name_en") if lang == "en" else attrs.get("product_name")
        lines.append(f"{words['product']}: {product or attrs.get('product_name') or attrs.get('product_code')}")
        lines.append(
            f"{words['since']}: {day_text(attrs.get('started_on'))}"
            + (f" · {words['until']}: {day_text(attrs['ended_on'])}" if attrs.get("ended_on") else "")
        )
        techs = [t(f"choice.{code}", lang) for code in attrs.get("technologies") or []]
        lines.append(f"{words['technologies']}: {', '.join(techs) or words['none']}")
        return "\n".join(lines)
    if attrs.get("commune_name"):
        lines.append(
            f"{words['commune']}: {attrs['commune_name']}"
            + (f", {attrs['district_name']}" if attrs.get("district_name") else "")
        )
    if kind == "cooperative":
        if attrs.get("members") is not None:
            lines.append(f"{words['members']}: {attrs['members']}")
        if attrs.get("established_on"):
            lines.append(f"{words['established']}: {day_text(attrs['established_on'])}")
    elif kind == "producer":
        lines.append(f"{words['kind']}: {t('choice.' + str(attrs.get('producer_kind')), lang)}")
        if attrs.get("cooperative_code"):
            lines.append(f"{words['cooperative_of']}: {attrs['cooperative_code']}")
    elif kind == "raw_material_area":
        lines.append(f"{words['product']}: {attrs.get('product_code')} · {words['area']}: {attrs.get('area_ha')} ha")
        if attrs.get("planting_area_code"):
            lines.append(f"{words['planting_area_code']}: {attrs['planting_area_code']}")
    elif kind == "buyer":
        lines.append(f"{words['kind']}: {t('choice.' + str(attrs.get('buyer_kind')), lang)}")
    return "\n".join(lines)


def vis_data(graph: nx.MultiDiGraph, lang: str = "vi") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Node and edge lists for vis-network, built directly (pyvis's add_node is quadratic)."""
    words = _words(lang)
    nodes = []
    for node, attrs in graph.nodes(data=True):
        color, shape = STYLE[attrs["kind"]]
        nodes.append(
            {
                "id": node,
                "label": str(attrs.get("name") or attrs.get("code")),
                "title": _tooltip(attrs, words, lang),
                "color": color,
                "shape": shape,
                "size": 18 if attrs["kind"] in ("linkage", "cooperative") else 10,
            }
        )
    edges = []
    for source, target, attrs in graph.edges(data=True):
        if attrs["relation"] == "member":
            edges.append({"from": source, "to": target, "color": "#bdbdbd", "dashes": [2, 4], "width": 1})
            continue
        digital = bool(graph.nodes[target].get("digital"))
        edges.append(
            {
                "from": source,
                "to": target,
                "color": "#2e7d32" if digital else "#9e9e9e",
                "dashes": not digital,
                "width": 4 if attrs.get("lead") else 1.5,
            }
        )
    return nodes, edges


def options(placed: bool = True) -> dict[str, Any]:
    """Physics that settles quickly, then switches itself off (see the template): a few iterations
    from the starting points of `linkage.graphs.layout` (`placed`), else vis-network's own layout."""
    from pyvis.network import Network  # lazy: pyvis loads jinja2 and more, which start-up does not need

    net = Network()
    net.force_atlas_2based(gravity=-60, central_gravity=0.01, spring_length=90, spring_strength=0.08, damping=0.6)
    opts = json.loads(net.options.to_json())
    iterations = STABILIZE_ITERATIONS if placed else OVERVIEW_ITERATIONS
    opts["physics"]["stabilization"] = {"enabled": True, "iterations": iterations, "fit": True}
    opts["physics"]["minVelocity"] = 1.5
    if placed:
        opts["layout"] = {"improvedLayout": False}  # the nodes come with their starting points
    opts["edges"] = {"smooth": False, "arrows": {"to": {"enabled": False}}}
    opts["interaction"] = {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": True}
    return opts


TEMPLATE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{vis_css}
<style>
body {{ font-family: system-ui, "Segoe UI", Roboto, sans-serif; margin: 0; color: #212121; }}
header {{ padding: 8px 12px; border-bottom: 1px solid #e0e0e0; }}
h1 {{ font-size: 18px; margin: 0 0 6px 0; }}
.legend {{ display: flex; flex-wrap: wrap; gap: 12px; font-size: 13px; }}
.legend span {{ display: inline-flex; align-items: center; gap: 4px; }}
.shape {{ font-size: 15px; line-height: 1; }}
.line {{ width: 24px; height: 0; display: inline-block; border-top: 2px solid #2e7d32; }}
.message {{ padding: 24px; font-size: 15px; background: #fff8e1; }}
.settling {{ position: absolute; margin: 8px 12px; font-size: 13px; color: #616161; }}
#graph {{ width: 100%; height: calc(100vh - 90px); min-height: 420px; }}
div.vis-tooltip {{ white-space: pre-line; max-width: 360px; }}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
<div class="legend">{legend}</div>
</header>
{message}
<p id="settling" class="settling" role="status">{settling}</p>
<div id="graph"></div>
{vis_js}
<script>
(function () {{
  var data = {data};
  var options = {options};
  var settling = document.getElementById("settling");
  if (!data.nodes.length) {{ settling.remove(); return; }}
  data.nodes.concat(data.edges).forEach(function (item) {{
    if (item.title === undefined) {{ return; }}
    var tip = document.createElement("div");
    tip.textContent = item.title;
    item.title = tip;
  }});
  var network = new vis.Network(
    document.getElementById("graph"),
    {{ nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges) }},
    options
  );
  network.once("stabilizationIterationsDone", function () {{
    network.setOptions({{ physics: false }});
    settling.remove();
    document.body.setAttribute("data-stabilized", "true");
  }});
  window.linkageNetwork = network;
{bridge}
}})();
</script>
</body>
</html>
"""


# In the app, a click on a node picks that record: the script writes the node's id into the page's
# address (`?pick=kind:code`) and announces a history step, which Streamlit answers as it answers
# the browser's back button: a rerun of the page with the new address, in the same session. The id
# goes through URLSearchParams (encoded, never markup) and the page checks it against the view;
# nothing is fetched. Outside a frame (the `linkage graph` file) the click only selects the node.
BRIDGE = """  var pick = null;
  try { pick = new URL(window.parent.location.href).searchParams.get("pick"); } catch (e) {}
  if (pick && network.body.data.nodes.get(pick)) { network.selectNodes([pick]); }
  network.on("click", function (params) {
    if (!params.nodes.length || window.parent === window) { return; }
    try {
      var address = new URL(window.parent.location.href);
      if (address.searchParams.get("pick") === String(params.nodes[0])) { return; }
      address.searchParams.set("pick", String(params.nodes[0]));
      window.parent.history.pushState(null, "", address.toString());
      window.parent.dispatchEvent(new PopStateEvent("popstate"));
    } catch (e) {}
  });
  document.body.setAttribute("data-selectable", "true");"""


TABLE_CELL = (  # white-space kept: a cell shows the text as typed, spaces and line breaks included
    "border:1px solid rgba(128,128,128,0.35);padding:0.3rem 0.75rem;text-align:left;vertical-align:top;"
    "white-space:pre-wrap"
)


def text_table(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """A small table of text for a page (`st.html`), every cell escaped here, where the graphs' HTML is:
    lighter for the browser than a `st.dataframe` grid where a page shows many (the verification
    queue), and user text shows as typed: not as Markdown, which `st.table` and `st.markdown` render
    and whose autolinks make any typed address a link."""

    def line(cells: Sequence[object], tag: str) -> str:
        return "<tr>" + "".join(f'<{tag} style="{TABLE_CELL}">{html.escape(str(c))}</{tag}>' for c in cells) + "</tr>"

    body = "".join(line(row, "td") for row in rows)
    return f'<table style="border-collapse:collapse"><thead>{line(header, "th")}</thead><tbody>{body}</tbody></table>'


def legend_html(lang: str = "vi") -> str:
    """Every node kind with its colour and shape, and every kind of line, as the graph draws them."""
    words = _words(lang)
    items = [
        f'<span><b class="shape" style="color:{color}">{SYMBOL[shape]}</b>{html.escape(words[kind])}</span>'
        for kind, (color, shape) in STYLE.items()
    ]
    items += [
        f'<span><i class="line"></i>{html.escape(words["digital"])}</span>',
        f'<span><i class="line" style="border-top:2px dashed #9e9e9e"></i>{html.escape(words["paper"])}</span>',
        f'<span><i class="line" style="border-top-width:4px"></i>{html.escape(words["lead"])}</span>',
        f'<span><i class="line" style="border-top:1px dotted #9e9e9e"></i>{html.escape(words["member"])}</span>',
    ]
    return "".join(items)


@dataclass(frozen=True)
class Drawn:
    """What a graph page shows: the graph drawn (possibly thinned), or why nothing is drawn."""

    graph: nx.MultiDiGraph
    thinned: int  # entities in no linkage left out to stay under the cap
    capped: bool  # still too large: nothing drawn, a message asks to filter


def drawable(graph: nx.MultiDiGraph, max_nodes: int = MAX_NODES) -> Drawn:
    """The graph a browser can draw: whole if small enough, else without who is in no linkage
    (they are listed beside the graph), else nothing and a request to filter."""
    if graph.number_of_nodes() <= max_nodes:
        return Drawn(graph, 0, False)
    thinner = without_unlinked(graph)
    if thinner.number_of_nodes() <= max_nodes:
        return Drawn(thinner, graph.number_of_nodes() - thinner.number_of_nodes(), False)
    return Drawn(thinner, graph.number_of_nodes() - thinner.number_of_nodes(), True)


def graph_html(
    graph: nx.MultiDiGraph,
    title: str,
    lang: str = "vi",
    max_nodes: int = MAX_NODES,
    filtered: bool = False,
    selectable: bool = False,
    assets_url: str | None = None,
) -> str:
    """The whole page: vis-network, legend, escaped title, data, and a message if capped or empty
    (`filtered`: emptied by the view's filters, not by the date). `selectable`: shown in the app,
    where a click on a node picks its record (see `BRIDGE`). vis-network is inlined (one offline
    file) unless `assets_url` names where the app serves its copy (`publish_assets`), e.g.
    `app/static`: relative, so it resolves against the app's own address, behind any proxy path."""
    words = _words(lang)
    drawn = drawable(graph, max_nodes)
    message = ""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    if drawn.capped:
        too_many = words["too_many"].format(count=drawn.graph.number_of_nodes(), limit=max_nodes)
        message = f'<p class="message" role="alert">{html.escape(too_many)}</p>'
    elif graph.number_of_nodes() == 0:
        empty = words["no_match" if filtered else "empty"]
        message = f'<p class="message" role="status">{html.escape(empty)}</p>'
    else:
        if drawn.thinned:
            thinned = words["thinned"].format(count=drawn.thinned, limit=max_nodes)
            message = f'<p class="message" role="status">{html.escape(thinned)}</p>'
        nodes, edges = vis_data(drawn.graph, lang)
    return _page(lang, title, legend_html(lang), message, nodes, edges, assets_url, BRIDGE if selectable else "")


def _vis_tag(name: str, assets_url: str | None) -> str:
    """The stylesheet or script of vis-network: inlined, or linked to the app's served copy."""
    is_script = name.endswith(".js")
    if assets_url is None:
        return f"<script>{_asset(name)}</script>" if is_script else f"<style>{_asset(name)}</style>"
    url = html.escape(f"{assets_url.rstrip('/')}/{ASSETS[name]}")
    return f'<script src="{url}"></script>' if is_script else f'<link rel="stylesheet" href="{url}">'


# A province's overview (`linkage.graphs.overview`): districts coloured by their share of linkages applying
# digital technology, against the Decision 924 target of one half.
SHARE_COLOURS = (  # (lowest share, colour, legend key), highest band first
    (0.5, "#2e7d32", "share_met"),
    (0.25, "#f9a825", "share_half"),
    (0.0, "#e53935", "share_low"),
)
NO_LINKAGE_COLOUR = "#bdbdbd"
MAX_SHARED_BUYERS = 12
BUYER_COLOUR = STYLE["buyer"][0]


def _share_colour(share: float | None) -> str:
    if share is None or share != share:  # NaN: the district has no active linkage
        return NO_LINKAGE_COLOUR
    return next(colour for lowest, colour, _ in SHARE_COLOURS if share >= lowest)


def _overview_words(lang: str, map_name: str = OLD_MAP) -> dict[str, str]:
    """The graph's texts for an overview on `map_name`: on 2025-07 its clusters are communes, so the
    words naming a district are those of the same key ending `_communes`."""
    words = _words(lang)
    if map_name == OLD_MAP:
        return words
    return {key: words.get(f"{key}_communes", text) for key, text in words.items()}


def overview_data(overview: Overview, lang: str = "vi") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Node and edge lists of a province's overview: districts (communes on 2025-07) sized by their
    active linkages (area grows with the count), lines as thick as the linkages they stand for, buyers
    shared by clusters."""
    words = _overview_words(lang, overview.map_name)
    names = dict(zip(overview.districts["code"], overview.districts["name"], strict=True))
    most = max([1, *overview.districts["linkages"]])
    nodes: list[dict[str, Any]] = []
    for row in overview.districts.to_dict("records"):
        share = None if row["linkages"] == 0 else float(row["share"])
        lines = [
            f"{words['district']}: {row['name']} ({row['code']})",
            words["overview_linkages"].format(count=row["linkages"]),
        ]
        if share is not None:
            lines.append(words["overview_digital"].format(count=row["digital"], share=f"{share:.0%}"))
        lines.append(words["overview_open"])
        nodes.append(
            {
                "id": f"district:{row['code']}",
                "label": f"{row['name']}\n{row['linkages']}",
                "title": "\n".join(lines),
                "color": _share_colour(share),
                "shape": "dot",
                "size": 10 + 30 * (row["linkages"] / most) ** 0.5,
            }
        )
    edges: list[dict[str, Any]] = []
    widest = max([1, *overview.spans["linkages"], *overview.buyers["linkages"]])
    for row in overview.spans.to_dict("records"):
        edges.append(
            {
                "from": f"district:{row['district_a']}",
                "to": f"district:{row['district_b']}",
                "label": str(row["linkages"]),
                "title": words["overview_span"].format(
                    count=row["linkages"], a=names[row["district_a"]], b=names[row["district_b"]]
                ),
                "color": "#6d4c41",
                "width": 1 + 7 * row["linkages"] / widest,
            }
        )
    for buyer in drawn_buyers(overview):
        rows = overview.buyers[overview.buyers["buyer"] == buyer]
        first = rows.iloc[0]
        nodes.append(
            {
                "id": f"buyer:{buyer}",
                "label": str(first["name"] or buyer),
                "title": f"{words['buyer']}: {first['name']} ({buyer})\n"
                + words["overview_buyer"].format(count=len(rows)),
                "color": BUYER_COLOUR,
                "shape": "triangle",
                "size": 12,
            }
        )
        for row in rows.to_dict("records"):
            edges.append(
                {
                    "from": f"buyer:{buyer}",
                    "to": f"district:{row['district']}",
                    "title": words["overview_bought"].format(count=row["linkages"], district=names[row["district"]]),
                    "color": BUYER_COLOUR,
                    "dashes": [4, 4],
                    "width": 1 + 4 * row["linkages"] / widest,
                }
            )
    return nodes, edges


def drawn_buyers(overview: Overview, limit: int | None = None) -> list[str]:
    """The shared buyers the overview draws: those reaching the most districts (then the most
    linkages), at most `MAX_SHARED_BUYERS`; more turn the picture into a tangle (Hà Nội on the
    national demo has 127), and each district's graph and the buyer list below show them all."""
    reach = overview.buyers.groupby("buyer").agg(districts=("district", "nunique"), linkages=("linkages", "sum"))
    ranked = reach.reset_index().sort_values(["districts", "linkages", "buyer"], ascending=[False, False, True])
    return sorted(ranked["buyer"].head(MAX_SHARED_BUYERS if limit is None else limit))


def overview_legend_html(lang: str = "vi", map_name: str = OLD_MAP) -> str:
    """The overview's colours, shapes and lines, as it draws them."""
    words = _overview_words(lang, map_name)
    items = [
        f'<span><b class="shape" style="color:{colour}">●</b>{html.escape(words[key])}</span>'
        for _, colour, key in SHARE_COLOURS
    ]
    items += [
        f'<span><b class="shape" style="color:{NO_LINKAGE_COLOUR}">●</b>{html.escape(words["share_none"])}</span>',
        f'<span><b class="shape" style="color:{BUYER_COLOUR}">▲</b>{html.escape(words["buyer_shared"])}</span>',
        f'<span><i class="line" style="border-top:3px solid #6d4c41"></i>{html.escape(words["span_line"])}</span>',
    ]
    return "".join(items)


# In the app, a click on a district of the overview opens that district's full graph: the script
# writes its code into the page's address (`?unit=061`), as `BRIDGE` does with a pick.
OVERVIEW_BRIDGE = """  network.on("click", function (params) {
    if (!params.nodes.length || window.parent === window) { return; }
    var id = String(params.nodes[0]);
    if (id.indexOf("district:") !== 0) { return; }
    try {
      var address = new URL(window.parent.location.href);
      address.searchParams.set("unit", id.slice("district:".length));
      address.searchParams.delete("pick");
      window.parent.history.pushState(null, "", address.toString());
      window.parent.dispatchEvent(new PopStateEvent("popstate"));
    } catch (e) {}
  });
  document.body.setAttribute("data-selectable", "true");"""


def overview_html(
    overview: Overview,
    title: str,
    lang: str = "vi",
    selectable: bool = False,
    assets_url: str | None = None,
) -> str:
    """A province's overview as a page (the same offline template and escaping as `graph_html`);
    `selectable`: in the app, where a click on a district opens its graph (`OVERVIEW_BRIDGE`)."""
    words = _overview_words(lang, overview.map_name)
    nodes, edges = overview_data(overview, lang)
    message = ""
    hidden = overview.buyers["buyer"].nunique() - len(drawn_buyers(overview))
    if not overview.districts["linkages"].any():
        message = f'<p class="message" role="status">{html.escape(words["empty"])}</p>'
    elif hidden:
        note = words["overview_more_buyers"].format(count=hidden, limit=MAX_SHARED_BUYERS)
        message = f'<p class="message" role="status">{html.escape(note)}</p>'
    bridge = OVERVIEW_BRIDGE if selectable else ""
    legend = overview_legend_html(lang, overview.map_name)
    return _page(lang, title, legend, message, nodes, edges, assets_url, bridge, placed=False)


@dataclass(frozen=True)
class GraphFileSummary:
    path: Path
    title: str
    nodes: int
    edges: int
    capped: bool
    thinned: int = 0

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
        return f"Wrote the linkage graph of {self.title}: {self.nodes} nodes, {self.edges} edges, to {self.path}{note}."


def graph_title(engine: Engine, unit: Unit | str, as_of: date, lang: str = "vi", map_name: str = OLD_MAP) -> str:
    """`Name — as of DD/MM/YYYY` of a unit (a code: read on `map_name`), named as its map lists it."""
    found = as_unit(unit, map_name)
    name = found.name if found else str(unit)
    return f"{name} — {_words(lang)['as_of']} {as_of.strftime('%d/%m/%Y')}"


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
) -> GraphFileSummary:
    """`linkage graph`: the unit's graph on `as_of` as one offline HTML file (the command line sees all);
    a code is read on `map_name`."""
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
    title = graph_title(engine, unit, as_of, lang, map_name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(graph_html(graph, title, lang), encoding="utf-8")
    drawn = drawable(graph)
    return GraphFileSummary(
        out, title, drawn.graph.number_of_nodes(), drawn.graph.number_of_edges(), drawn.capped, drawn.thinned
    )
