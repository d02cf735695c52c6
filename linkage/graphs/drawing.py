"""A unit's linkage graph as one self-contained HTML page; every user text is escaped here.

Node and edge data are embedded as JSON with `<`, `>`, `&` and line separators escaped, tooltips are
built as DOM text (never innerHTML), and headings go through `html.escape`: a name such as
`<img src=x onerror=…>` shows as typed and runs nowhere. vis-network comes inlined or from the app's
served copy (`linkage.graphs.assets`). A unit's nodes come placed (`linkage.graphs.layout`, or on the
ground) and are drawn once where they stand, physics off; only a province's overview is laid out by
vis-network's physics, in a bounded number of iterations, which then stops. A unit larger than
`MAX_NODES` shows a message asking to filter. The same template draws a province's overview
(`linkage.graphs.overview_drawing`).
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from linkage.geo.maps import OLD_MAP, Unit, as_unit
from linkage.graphs.assets import vis_tag
from linkage.graphs.graph import without_unlinked
from linkage.graphs.layout import positions
from linkage.i18n import day_text, section, t

MAX_NODES = 1500
OVERVIEW_ITERATIONS = 200  # a province overview, laid out by vis-network itself: few, large, densely linked nodes
STYLE = {  # colour and shape per node kind; the legend shows the same
    "linkage": ("#f9a825", "diamond"),
    "cooperative": ("#2e7d32", "dot"),
    "producer": ("#81c784", "dot"),
    "raw_material_area": ("#8d6e63", "square"),
    "buyer": ("#1565c0", "triangle"),
}
MEMBER_LINE = "#d0d0d0"  # a member's tie to its cooperative: the faintest line, under the linkages'
SYMBOL = {"diamond": "◆", "dot": "●", "square": "■", "triangle": "▲"}  # the legend's picture of each shape


def words_of(lang: str) -> Mapping[str, str]:
    """The graph's texts: the `[graph]` section of the message catalog, in the chosen language."""
    return section("graph", lang)


def page(
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
    the nodes come with their x and y and are drawn there, physics off; else vis-network lays them out."""
    return TEMPLATE.format(
        lang=html.escape(lang),
        title=html.escape(title),
        legend=legend,
        message=message,
        settling=html.escape(words_of(lang)["settling"]),
        vis_css=vis_tag("vis-network.css", assets_url),
        vis_js=vis_tag("vis-network.min.js", assets_url),
        data=script_json({"nodes": nodes, "edges": edges}),
        options=script_json(options(placed)),
        bridge=bridge,
    )


def script_json(value: Any) -> str:
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


def _tooltip(attrs: dict[str, Any], words: Mapping[str, str], lang: str) -> str:
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
    words = words_of(lang)
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
        if attrs["relation"] == "member":  # faint and solid: a dashed line costs the browser several times
            # a solid one to draw (docs/benchmarks.md), and a cooperative may have a thousand members
            edges.append({"from": source, "to": target, "color": MEMBER_LINE, "dashes": False, "width": 1})
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


@functools.cache
def _force_atlas() -> str:
    """pyvis's options for its ForceAtlas2 physics, as JSON: pyvis (with jinja2 and more, about half a
    second to import) is asked once per process, for a province's overview only, by the server's start
    (ui/startup.py)."""
    from pyvis.network import Network  # lazy: only drawing needs it

    net = Network()
    net.force_atlas_2based(gravity=-60, central_gravity=0.01, spring_length=90, spring_strength=0.08, damping=0.6)
    return str(net.options.to_json())


def options(placed: bool = True) -> dict[str, Any]:
    """No physics for nodes that come `placed`: each is drawn where it stands. Five force steps from the
    rings of `linkage.graphs.layout` moved the nodes by a few pixels and cost Chromium 0.1-0.3 s on a
    district's graph (docs/benchmarks.md). Else (a province's overview) pyvis's ForceAtlas2 physics,
    which settles in a bounded number of iterations, then switches itself off (see the template)."""
    opts: dict[str, Any] = {"configure": {"enabled": False}}
    if placed:
        opts["physics"] = {"enabled": False}
        opts["layout"] = {"improvedLayout": False}  # the nodes come with their own points
    else:
        physics = json.loads(_force_atlas())["physics"]
        physics["stabilization"] = {"enabled": True, "iterations": OVERVIEW_ITERATIONS, "fit": True}
        opts["physics"] = physics | {"minVelocity": 1.5}
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
  function settled() {{
    network.setOptions({{ physics: false }});
    settling.remove();
    document.body.setAttribute("data-stabilized", "true");
  }}
  if (options.physics.enabled === false) {{  // placed: drawn once, where the nodes stand
    network.once("afterDrawing", settled);
    network.fit();
    network.redraw();
  }} else {{
    network.once("stabilizationIterationsDone", settled);
  }}
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


def legend_html(lang: str = "vi") -> str:
    """Every node kind with its colour and shape, and every kind of line, as the graph draws them."""
    words = words_of(lang)
    items = [
        f'<span><b class="shape" style="color:{color}">{SYMBOL[shape]}</b>{html.escape(words[kind])}</span>'
        for kind, (color, shape) in STYLE.items()
    ]
    items += [
        f'<span><i class="line"></i>{html.escape(words["digital"])}</span>',
        f'<span><i class="line" style="border-top:2px dashed #9e9e9e"></i>{html.escape(words["paper"])}</span>',
        f'<span><i class="line" style="border-top-width:4px"></i>{html.escape(words["lead"])}</span>',
        f'<span><i class="line" style="border-top:1px solid {MEMBER_LINE}"></i>{html.escape(words["member"])}</span>',
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
    words = words_of(lang)
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
        at = positions([n["id"] for n in nodes], [(e["from"], e["to"]) for e in edges])
        nodes = [{**n, "x": round(at[n["id"]][0]), "y": round(at[n["id"]][1])} for n in nodes]
    return page(lang, title, legend_html(lang), message, nodes, edges, assets_url, BRIDGE if selectable else "")


def graph_title(unit: Unit | str, as_of: date, lang: str = "vi", map_name: str = OLD_MAP) -> str:
    """`Name — as of DD/MM/YYYY` of a unit (a code: read on `map_name`), named as its map lists it."""
    found = as_unit(unit, map_name)
    name = found.name if found else str(unit)
    return f"{name} — {words_of(lang)['as_of']} {as_of.strftime('%d/%m/%Y')}"
