"""Linkage graph: a district's or province's chains, with what an officer should act on."""

from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from linkage import coverage, graph, records
from linkage.errors import UserFacingError
from linkage.geography import find_units
from linkage.models import PARTY_TYPES, TECHNOLOGIES
from linkage.permissions import may_view_unit
from linkage.render import graph_title
from ui import carried, engine, field_label, guard, labelled, lang, plain, show_error, shown_value, tr
from ui.graphs import html_file, unit_graph, unit_unlinked

who = guard("graph")
geo = coverage.geography(engine())
province_of = dict(zip(geo.districts["code"], geo.districts["province_code"], strict=True))
st.title(tr("app.graph.title"))

query = st.text_input(tr("app.graph.search"), key="graph_search", placeholder="krong pac, 643 …")
found = find_units(engine(), query, levels=("province", "district"), limit=60)
codes = [u.code for u in found if may_view_unit(who, u.code, province_of)]
default = who.unit_code if who.unit_code not in (None, "VN") else coverage.busiest_district(engine())
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
name_column = "name_vi" if lang() == "vi" else "name_en"
names = {p.key: p.values[name_column] or p.key for p in records.find(engine(), who, "products")}
products = mid.multiselect(
    tr("app.graph.products"),
    list(names),
    format_func=lambda code: names[code],
    key=carried("graph_products"),
    placeholder=tr("app.choose"),
)
technologies = right.multiselect(
    tr("app.graph.technologies"),
    TECHNOLOGIES,
    format_func=lambda v: tr(f"choice.{v}"),
    key=carried("graph_tech"),
    placeholder=tr("app.choose"),
)
party_types = far.multiselect(
    tr("app.graph.party_types"),
    PARTY_TYPES,
    format_func=lambda v: tr(f"choice.{v}"),
    key=carried("graph_types"),
    placeholder=tr("app.choose"),
)

with st.spinner(tr("app.computing")):
    g = unit_graph(who, unit, as_of, tuple(products), tuple(technologies), tuple(party_types))
    left_out = unit_unlinked(who, unit, as_of)
st.caption(tr("app.graph.drawing"))
filtered = bool(products or technologies or party_types)
st.iframe(html_file(g, graph_title(engine(), unit, as_of, lang()), lang(), filtered), height=640)


def remember(table: str, kind: str, frame: pd.DataFrame) -> None:
    """The row just picked in any of the lists: the latest pick is the one shown."""
    rows = st.session_state[table].selection.rows
    if rows:
        row = frame.iloc[rows[0]]
        st.session_state["graph_chosen"] = f"{row['kind'] if kind == 'kind' else kind}:{row['code']}"


st.subheader(tr("app.graph.act_on"))
tabs = st.tabs(
    [tr("app.graph.unlinked"), tr("app.graph.dependence"), tr("app.graph.no_digital"), tr("app.graph.single_buyer")],
    key="graph_tabs",
)
frames = (left_out, graph.buyer_dependence(g), graph.linkages_without_digital(g), graph.single_buyer_linkages(g))
for i, (tab, frame, kind) in enumerate(zip(tabs, frames, ("kind", "buyer", "linkage", "linkage"), strict=True)):
    with tab:
        if frame.empty:
            st.caption(tr("app.graph.none_here"))
            continue
        st.dataframe(
            labelled(frame),
            hide_index=True,
            on_select=partial(remember, f"pick_{i}", kind, frame),
            selection_mode="single-row",
            key=f"pick_{i}",
        )

chosen = st.session_state.get("graph_chosen")
if chosen:
    node = g.nodes[chosen] if chosen in g else None
    kind, code = chosen.split(":", 1)
    st.subheader(f"{tr('choice.' + kind)}: {plain(node.get('name') if node else code)}")
    if node is None:  # in no linkage, so not in the graph: its record is what there is to show
        entity = {"cooperative": "cooperatives", "producer": "producers", "raw_material_area": "raw_material_areas"}
        details = records.read(engine(), who, entity.get(kind, "linkages"), code).values
    else:
        details = {k: v for k, v in node.items() if k not in ("kind", "product_name", "product_name_en")}
    st.dataframe(
        [{tr("app.verification.field"): field_label(k), "": shown_value(k, v)} for k, v in details.items()],
        hide_index=True,
    )
    if node and kind == "linkage":
        st.markdown(f"**{tr('entity.linkage_parties')}**")
        st.dataframe(labelled(graph.parties_frame(g, chosen)), hide_index=True)
        st.markdown(f"**{tr('app.history')}**")
        try:
            steps = records.history(engine(), who, "linkages", code)
        except UserFacingError as error:
            show_error(error)
            steps = []
        if not steps:
            st.caption(tr("app.no_history"))
        for entry in steps:
            st.markdown(f"- {entry.at:%d/%m/%Y} · {plain(entry.actor)} · {tr('action.' + entry.action)}")
