"""The linkage graph as one self-contained, offline HTML file; escaping happens here and only here.

vis-network's script and stylesheet ship inside the pyvis package and are inlined, so the file
loads nothing from any network (pyvis's own template links Bootstrap from a CDN). Node and edge
data are embedded as JSON with `<`, `>`, `&` and line separators escaped, tooltips are built as
DOM text (never innerHTML), and headings go through `html.escape`: a name such as
`<img src=x onerror=…>` shows as typed and runs nowhere. Physics settles in a bounded number of
iterations and then stops; a unit larger than `MAX_NODES` shows a message asking to filter.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
from sqlalchemy.engine import Engine

from linkage.db import read_session
from linkage.geography import read_geography

MAX_NODES = 1500
STABILIZE_ITERATIONS = 200
STYLE = {  # colour and shape per node kind; the legend shows the same
    "linkage": ("#f9a825", "diamond"),
    "cooperative": ("#2e7d32", "dot"),
    "producer": ("#81c784", "dot"),
    "raw_material_area": ("#8d6e63", "square"),
    "buyer": ("#1565c0", "triangle"),
}
LABELS = {
    "vi": {
        "linkage": "Liên kết",
        "cooperative": "Hợp tác xã",
        "producer": "Người sản xuất",
        "raw_material_area": "Vùng nguyên liệu",
        "buyer": "Bên mua",
        "digital": "Liên kết có công nghệ số (nét liền)",
        "paper": "Liên kết chưa có công nghệ số (nét đứt)",
        "lead": "Bên chủ trì (nét đậm)",
        "member": "Thành viên hợp tác xã",
        "too_many": "Đơn vị này có {count} nút, quá {limit} nút một sơ đồ hiển thị được. Hãy lọc theo sản phẩm, "
        "công nghệ hoặc loại bên tham gia, hoặc chọn một huyện.",
        "empty": "Không có liên kết hay hợp tác xã nào ở đơn vị này vào ngày đã chọn.",
        "as_of": "tính đến",
        "product": "Sản phẩm",
        "technologies": "Công nghệ số",
        "none": "chưa có",
        "commune": "Xã",
        "since": "Từ",
        "until": "Đến",
    },
    "en": {
        "linkage": "Linkage",
        "cooperative": "Cooperative",
        "producer": "Producer",
        "raw_material_area": "Raw material area",
        "buyer": "Buyer",
        "digital": "Linkage with digital technology (solid)",
        "paper": "Linkage without digital technology (dashed)",
        "lead": "Lead party (thick)",
        "member": "Cooperative member",
        "too_many": "This unit has {count} nodes, more than the {limit} one graph can show. Filter by product, "
        "technology or party type, or choose a district.",
        "empty": "No linkage or cooperative in this unit on the chosen date.",
        "as_of": "as of",
        "product": "Product",
        "technologies": "Digital technologies",
        "none": "none",
        "commune": "Commune",
        "since": "From",
        "until": "Until",
    },
}


@cache
def _asset(name: str) -> str:
    import pyvis

    return (Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / name).read_text(encoding="utf-8")


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


def _tooltip(attrs: dict[str, Any], words: dict[str, str]) -> str:
    """Plain text (lines), shown by the template as DOM text."""
    lines = [f"{words[attrs['kind']]}: {attrs.get('name') or ''} ({attrs.get('code')})"]
    if attrs["kind"] == "linkage":
        lines.append(f"{words['product']}: {attrs.get('product_name') or attrs.get('product_code')}")
        lines.append(
            f"{words['since']}: {attrs.get('started_on')}"
            + (f" · {words['until']}: {attrs['ended_on']}" if attrs.get("ended_on") else "")
        )
        lines.append(f"{words['technologies']}: {', '.join(attrs.get('technologies') or []) or words['none']}")
    elif attrs.get("commune_name"):
        lines.append(
            f"{words['commune']}: {attrs['commune_name']}"
            + (f", {attrs['district_name']}" if attrs.get("district_name") else "")
        )
    return "\n".join(lines)


def vis_data(graph: nx.MultiDiGraph, lang: str = "vi") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Node and edge lists for vis-network, built directly (pyvis's add_node is quadratic)."""
    words = LABELS.get(lang, LABELS["vi"])
    nodes = []
    for node, attrs in graph.nodes(data=True):
        color, shape = STYLE[attrs["kind"]]
        nodes.append(
            {
                "id": node,
                "label": str(attrs.get("name") or attrs.get("code")),
                "title": _tooltip(attrs, words),
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


def options() -> dict[str, Any]:
    """Physics that settles a district quickly, then switches itself off (see the template)."""
    from pyvis.network import Network

    net = Network()
    net.force_atlas_2based(gravity=-60, central_gravity=0.01, spring_length=90, spring_strength=0.08, damping=0.6)
    opts = json.loads(net.options.to_json())
    opts["physics"]["stabilization"] = {"enabled": True, "iterations": STABILIZE_ITERATIONS, "fit": True}
    opts["physics"]["minVelocity"] = 1.5
    opts["edges"] = {"smooth": False, "arrows": {"to": {"enabled": False}}}
    opts["interaction"] = {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": True}
    return opts


TEMPLATE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{vis_css}</style>
<style>
body {{ font-family: system-ui, "Segoe UI", Roboto, sans-serif; margin: 0; color: #212121; }}
header {{ padding: 8px 12px; border-bottom: 1px solid #e0e0e0; }}
h1 {{ font-size: 18px; margin: 0 0 6px 0; }}
.legend {{ display: flex; flex-wrap: wrap; gap: 12px; font-size: 13px; }}
.legend span {{ display: inline-flex; align-items: center; gap: 4px; }}
.swatch {{ width: 12px; height: 12px; display: inline-block; border-radius: 2px; }}
.line {{ width: 24px; height: 0; display: inline-block; border-top: 2px solid #2e7d32; }}
.message {{ padding: 24px; font-size: 15px; background: #fff8e1; }}
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
<div id="graph"></div>
<script>{vis_js}</script>
<script>
(function () {{
  var data = {data};
  var options = {options};
  if (!data.nodes.length) {{ return; }}
  data.nodes.forEach(function (node) {{
    var tip = document.createElement("div");
    tip.textContent = node.title;
    node.title = tip;
  }});
  var network = new vis.Network(
    document.getElementById("graph"),
    {{ nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges) }},
    options
  );
  network.once("stabilizationIterationsDone", function () {{
    network.setOptions({{ physics: false }});
    document.body.setAttribute("data-stabilized", "true");
  }});
  window.linkageNetwork = network;
}})();
</script>
</body>
</html>
"""


def graph_html(graph: nx.MultiDiGraph, title: str, lang: str = "vi", max_nodes: int = MAX_NODES) -> str:
    """The whole page: inlined vis-network, legend, escaped title, data, and a message if capped or empty."""
    words = LABELS.get(lang, LABELS["vi"])
    legend = "".join(
        f'<span><i class="swatch" style="background:{color}"></i>{html.escape(words[kind])}</span>'
        for kind, (color, _) in STYLE.items()
    )
    legend += (
        f'<span><i class="line"></i>{html.escape(words["digital"])}</span>'
        f'<span><i class="line" style="border-top:2px dashed #9e9e9e"></i>{html.escape(words["paper"])}</span>'
        f'<span><i class="line" style="border-top-width:4px"></i>{html.escape(words["lead"])}</span>'
    )
    message = ""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    count = graph.number_of_nodes()
    if count > max_nodes:
        too_many = words["too_many"].format(count=count, limit=max_nodes)
        message = f'<p class="message" role="alert">{html.escape(too_many)}</p>'
    elif count == 0:
        message = f'<p class="message" role="status">{html.escape(words["empty"])}</p>'
    else:
        nodes, edges = vis_data(graph, lang)
    return TEMPLATE.format(
        lang=html.escape(lang),
        title=html.escape(title),
        legend=legend,
        message=message,
        vis_css=_asset("vis-network.css"),
        vis_js=_asset("vis-network.min.js"),
        data=_script_json({"nodes": nodes, "edges": edges}),
        options=_script_json(options()),
    )


@dataclass(frozen=True)
class GraphFileSummary:
    path: Path
    title: str
    nodes: int
    edges: int
    capped: bool

    def describe(self) -> str:
        note = f" (more than {MAX_NODES} nodes: the file asks to filter)" if self.capped else ""
        return f"Wrote the linkage graph of {self.title}: {self.nodes} nodes, {self.edges} edges, to {self.path}{note}."


def graph_title(engine: Engine, unit_code: str, as_of: date, lang: str = "vi") -> str:
    with read_session(engine) as session:
        name = read_geography(session).name_of(unit_code)
    return f"{name} — {LABELS.get(lang, LABELS['vi'])['as_of']} {as_of.strftime('%d/%m/%Y')}"


def write_graph_file(engine: Engine, unit_code: str, as_of: date, out: Path, lang: str = "vi") -> GraphFileSummary:
    """`linkage graph`: the unit's graph on `as_of` as one offline HTML file."""
    from linkage.graph import build_graph

    with read_session(engine) as session:
        graph = build_graph(session, unit_code, as_of, include_unlinked=len(unit_code) == 3)
    title = graph_title(engine, unit_code, as_of, lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(graph_html(graph, title, lang), encoding="utf-8")
    return GraphFileSummary(
        out, title, graph.number_of_nodes(), graph.number_of_edges(), graph.number_of_nodes() > MAX_NODES
    )
