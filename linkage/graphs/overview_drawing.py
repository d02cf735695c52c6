"""A province at a glance as a page: its clusters (districts on `2025-01`, communes on `2025-07`) as
`linkage.graphs.overview` counts them, drawn with the graph's template and escaping (`drawing.page`)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from linkage.geo.maps import OLD_MAP
from linkage.graphs.drawing import STYLE, page, words_of
from linkage.graphs.overview import Overview

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


def _overview_words(lang: str, map_name: str = OLD_MAP) -> Mapping[str, str]:
    """The graph's texts for an overview on `map_name`: on 2025-07 its clusters are communes, so the
    words naming a district are those of the same key ending `_communes`."""
    words = words_of(lang)
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
    return page(lang, title, legend, message, nodes, edges, assets_url, bridge, placed=False)
