"""Linkage graph: a district's or province's chains, with what an officer should act on."""

from datetime import date

import streamlit as st

from linkage import coverage, graph, records
from linkage.errors import UserFacingError
from linkage.geography import find_units
from linkage.models import PARTY_TYPES, TECHNOLOGIES
from linkage.permissions import may_view_unit
from linkage.render import graph_title
from ui import engine, field_label, lang, require_actor, show_error, tr
from ui.graphs import html_file, unit_graph

who = require_actor()
geo = coverage.geography(engine())
province_of = dict(zip(geo.districts["code"], geo.districts["province_code"], strict=True))
st.title(tr("app.graph.title"))

query = st.text_input(tr("app.graph.search"), key="graph_search", placeholder="krong pac, 643 …")
found = find_units(engine(), query, levels=("province", "district"), limit=60)
codes = [u.code for u in found if may_view_unit(who, u.code, province_of)]
default = who.unit_code if who.unit_code not in (None, "VN") else None
if default and default not in codes and not query:
    codes.insert(0, default)
if not codes:
    st.info(tr("app.graph.no_unit"))
    st.stop()
unit = st.selectbox(
    tr("app.graph.unit"),
    codes,
    key="graph_unit",
    format_func=lambda c: f"{geo.name_of(c)} ({c})",
    index=codes.index(default) if default in codes else 0,
)
left, mid, right, far = st.columns(4)
as_of = left.date_input(tr("app.as_of"), value=date.today(), format="DD/MM/YYYY", key="graph_as_of")
product_codes = [p.key for p in records.find(engine(), who, "products")]
products = mid.multiselect(tr("app.graph.products"), product_codes, key="graph_products")
technologies = right.multiselect(
    tr("app.graph.technologies"), TECHNOLOGIES, format_func=lambda v: tr(f"choice.{v}"), key="graph_tech"
)
party_types = far.multiselect(
    tr("app.graph.party_types"), PARTY_TYPES, format_func=lambda v: tr(f"choice.{v}"), key="graph_types"
)

with st.spinner(tr("app.computing")):
    g = unit_graph(unit, as_of, tuple(products), tuple(technologies), tuple(party_types))
st.iframe(html_file(g, graph_title(engine(), unit, as_of, lang()), lang()), height=640)

st.subheader(tr("app.graph.act_on"))
tabs = st.tabs(
    [tr("app.graph.unlinked"), tr("app.graph.dependence"), tr("app.graph.no_digital"), tr("app.graph.single_buyer")]
)
chosen: str | None = None
for i, (tab, frame, kind) in enumerate(
    zip(
        tabs,
        (
            graph.unlinked(g),
            graph.buyer_dependence(g),
            graph.linkages_without_digital(g),
            graph.single_buyer_linkages(g),
        ),
        ("kind", "buyer", "linkage", "linkage"),
        strict=True,
    )
):
    with tab:
        picked = tab.dataframe(frame, hide_index=True, on_select="rerun", selection_mode="single-row", key=f"pick_{i}")
        if picked and picked.selection.rows:
            row = frame.iloc[picked.selection.rows[0]]
            chosen = f"{row['kind'] if kind == 'kind' else kind}:{row['code']}"

if chosen and chosen in g:
    node = g.nodes[chosen]
    st.subheader(f"{tr('choice.' + node['kind'])}: {node.get('name')}")
    st.dataframe([{field_label(k): v for k, v in node.items() if k not in ("kind",)}], hide_index=True)
    if node["kind"] == "linkage":
        st.markdown(f"**{tr('entity.linkage_parties')}**")
        st.dataframe(
            [
                {
                    tr("app.graph.party"): g.nodes[u].get("name"),
                    field_label("party_type"): tr("choice." + g.nodes[u]["kind"]),
                    field_label("is_lead"): "✓" if d.get("lead") else "",
                }
                for u, _, d in g.in_edges(chosen, data=True)
                if d["relation"] == "party"
            ],
            hide_index=True,
        )
        try:
            for entry in records.history(engine(), who, "linkages", node["code"]):
                st.markdown(f"- {entry.at:%d/%m/%Y} · {entry.actor} · {tr('action.' + entry.action)}")
        except UserFacingError as error:
            show_error(error)
