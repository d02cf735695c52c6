"""Linkage graph: a unit's chains (a district of 2025-01, a commune of 2025-07, a province of either map),
or the same graph on the ground (every record at its commune's point), with what an officer should act on.

The map, unit, date, filters and the record picked live in the address (`/graph?map=2025-07&unit=01864&as_of=…`):
a graph is shared as a link and survives a reload. A click on a node of the drawing picks its record."""

import functools
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import networkx as nx
import pandas as pd
import streamlit as st

from linkage.counting import coverage
from linkage.errors import UserFacingError
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, map_data, national
from linkage.geo.unit_search import search
from linkage.graphs import graph
from linkage.graphs.drawing import graph_title
from linkage.graphs.graph_view import (
    EARLIEST,
    GRAPH_LEVELS,
    LATEST,
    LAYOUTS,
    PARAMS,
    from_key,
    has_graph,
    may_open,
    own_units,
    pick_in_view,
    read_address,
    unit_key,
    write_address,
)
from linkage.i18n import vietnam_time
from linkage.records import forms
from linkage.vocabulary import PARTY_TYPES, TECHNOLOGIES
from ui import (
    carried,
    engine,
    field_label,
    guard,
    labelled,
    lang,
    pick_reading,
    plain,
    show_error,
    shown_value,
    tr,
    unit_label,
)
from ui.graphs import html_file, province_overview_file, unit_graph, unit_unlinked

who = guard("graph")
st.title(tr("app.graph.title"))
name_column = "name_vi" if lang() == "vi" else "name_en"
names = {p.key: p.values[name_column] or p.key for p in forms.find(engine(), who, "products")}
FILTERS = {"products": carried("graph_products"), "tech": carried("graph_tech"), "types": carried("graph_types")}


def picked_name(pick: str) -> str:
    kind, _, code = pick.partition(":")
    return f"{tr('choice.' + kind)} {code}"


# An address the session has not seen (a shared link, a reload, back, a click in the drawing) sets the
# view; coming back from another page (no address, the widgets forgotten), the last graph comes back.
seen = {name: st.query_params[name] for name in PARAMS if st.query_params.get(name)}
remembered = st.session_state.get("graph_address")
if seen and seen != remembered:
    source = seen
elif not seen and remembered and "graph_unit" not in st.session_state:
    source = remembered
else:
    source = {}


def open_reading(reading: Unit) -> None:
    """A reading of a short code picked: its graph opens (the address follows at the end of the run)."""
    st.session_state["graph_unit"] = unit_key(reading)
    st.session_state["graph_search"] = ""


if source:
    address = read_address(source, names)
    for problem in address.problems:
        if problem.key == "unit_codes.ambiguous_unit":  # each reading named, those with a graph offered
            offered = [u for u in address.readings if has_graph(u) and may_open(who, u)]
            pick_reading(source["unit"], address.readings, "graph_reading", offered, open_reading)
        else:
            st.warning(tr(f"app.graph.{problem.key}", value=plain(problem.value)))
    if address.unit and not may_open(who, address.unit):
        st.warning(tr("app.graph.refused_unit", value=address.unit.name))
    elif address.unit:
        st.session_state["graph_unit"] = unit_key(address.unit)
    st.session_state["graph_search"] = ""
    st.session_state["graph_as_of"] = address.as_of or date.today()
    st.session_state[FILTERS["products"]] = list(address.products)
    st.session_state[FILTERS["tech"]] = list(address.technologies)
    st.session_state[FILTERS["types"]] = list(address.party_types)
    st.session_state["graph_chosen"] = address.pick
    st.session_state["graph_layout"] = address.layout

query = st.text_input(tr("app.graph.maps.search"), key="graph_search", placeholder="krong pac, bang thanh, 643 …")
if query:  # a unit by its name on either map, today's first: a commune's old name finds its old district too
    found = search(query, (NEW_MAP, OLD_MAP), ("province", "district", "commune"), limit=200, formerly=True)
    units = [u for u in found if u.level in GRAPH_LEVELS[u.map] and may_open(who, u)][:60]
else:  # the user's own units first: an officer's district or commune, a planner's province and below …
    everywhere = may_open(who, national(OLD_MAP))
    busiest = coverage.busiest_district(engine()) if everywhere else None
    units = own_units(who, map_data(OLD_MAP).districts[busiest].unit if busiest else None)
    current = from_key(st.session_state.get("graph_unit") or "")
    if current and current not in units and may_open(who, current):
        units.insert(0, current)
keys = [unit_key(u) for u in units]
if not keys:
    st.info(tr("app.graph.no_unit"))
    st.stop()
if st.session_state.get("graph_unit") not in keys:
    st.session_state["graph_unit"] = keys[0]
named = {unit_key(u): unit_label(u) for u in units}
chosen_key = st.selectbox(tr("app.graph.unit"), keys, key="graph_unit", format_func=named.__getitem__)
unit: Unit = from_key(chosen_key) or units[0]
left, mid, right, far = st.columns(4)
st.session_state.setdefault("graph_as_of", date.today())
as_of = left.date_input(tr("app.as_of"), format="DD/MM/YYYY", key="graph_as_of", min_value=EARLIEST, max_value=LATEST)
products = mid.multiselect(
    tr("app.graph.products"),
    list(names),
    format_func=lambda code: names[code],
    key=FILTERS["products"],
    placeholder=tr("app.choose"),
    select_all=False,  # Streamlit's "Select all" is English only; an empty filter means all anyway
)
technologies = right.multiselect(
    tr("app.graph.technologies"),
    TECHNOLOGIES,
    format_func=lambda v: tr(f"choice.{v}"),
    key=FILTERS["tech"],
    placeholder=tr("app.choose"),
    select_all=False,  # Streamlit's "Select all" is English only; an empty filter means all anyway
)
party_types = far.multiselect(
    tr("app.graph.party_types"),
    PARTY_TYPES,
    format_func=lambda v: tr(f"choice.{v}"),
    key=FILTERS["types"],
    placeholder=tr("app.choose"),
    select_all=False,  # Streamlit's "Select all" is English only; an empty filter means all anyway
)

st.session_state.setdefault("graph_layout", LAYOUTS[0])
layout = st.radio(  # the chains as rings, or every record at its commune's point (linkage.graphs.ground)
    tr("app.graph.maps.layout"),
    LAYOUTS,
    format_func=lambda v: tr(f"app.graph.maps.layout_{v}"),
    key="graph_layout",
    horizontal=True,
)


@functools.cache
def whole_graph() -> nx.MultiDiGraph:
    """The unit's graph with the page's filters, built when first needed: a province's overview reads
    its own (unfiltered by party type) and draws its clusters, and the lists below are read only when
    their tab is opened."""
    with st.spinner(tr("app.computing")):
        return unit_graph(who, unit, as_of, tuple(products), tuple(technologies), tuple(party_types))


@functools.cache
def left_out() -> pd.DataFrame:
    """Who in the unit takes part in no linkage, read when a list or a pick needs it: a province's took
    0.1-0.2 s of every first drawing (docs/benchmarks.md)."""
    return unit_unlinked(who, unit, as_of)


title = graph_title(unit.code, as_of, lang(), map_name=unit.map)
overview = unit.level == "province" and layout == "chains"  # thousands of nodes: drawn as its districts or communes
with st.spinner(tr("app.computing")):
    try:  # the graph's build asks the domain's scope rule first, which has the last word
        if overview:
            drawing = province_overview_file(who, unit, as_of, tuple(products), tuple(technologies), title, lang())
        else:
            filtered = bool(products or technologies or party_types)
            drawing = html_file(whole_graph(), title, lang(), filtered, layout)
    except UserFacingError as error:  # a scope the domain refuses
        show_error(error)
        st.stop()
if overview:
    st.caption(tr("app.graph.overview" if unit.map == OLD_MAP else "app.graph.maps.province_overview"))
else:
    st.caption(tr("app.graph.maps.ground" if layout == "map" else "app.graph.drawing"))
st.iframe(drawing, height=640)

chosen = st.session_state.get("graph_chosen")
if chosen and not pick_in_view(chosen, whole_graph(), left_out):  # a date or a filter took it out of the view
    st.info(tr("app.graph.pick_gone", value=plain(picked_name(chosen))))
    st.session_state["graph_chosen"] = chosen = None
wanted = write_address(unit, as_of, products, technologies, party_types, chosen, layout)
if wanted != seen:
    st.query_params.from_dict(wanted)
st.session_state["graph_address"] = wanted


def remember(table: str, kind: str, frame: pd.DataFrame) -> None:
    """The row just picked in any of the lists: the latest pick is the one shown."""
    rows = st.session_state[table].selection.rows
    if rows:
        row = frame.iloc[rows[0]]
        st.session_state["graph_chosen"] = f"{row['kind'] if kind == 'kind' else kind}:{row['code']}"


lists: dict[str, tuple[Callable[[], pd.DataFrame], str]] = {  # each list read when its tab is open
    "unlinked": (left_out, "kind"),
    "dependence": (lambda: graph.buyer_dependence(whole_graph()), "buyer"),
    "no_digital": (lambda: graph.linkages_without_digital(whole_graph()), "linkage"),
    "single_buyer": (lambda: graph.single_buyer_linkages(whole_graph()), "linkage"),
}
# Listed when opened: the drawing comes first (a district's list of records in no linkage, a data grid of
# a thousand rows, kept the page busy half a second after the graph was drawn: docs/benchmarks.md).
with st.expander(tr("app.graph.act_on"), key="graph_act_on", on_change="rerun") as acting:
    if acting.open:
        tabs = st.tabs([tr(f"app.graph.{name}") for name in lists], key="graph_tabs", on_change="rerun")
        for i, (tab, (listed, kind)) in enumerate(zip(tabs, lists.values(), strict=True)):
            with tab:
                if not tab.open:
                    continue
                frame = listed()
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

if chosen:
    g = whole_graph()
    node = g.nodes[chosen] if chosen in g else None
    kind, code = chosen.split(":", 1)
    st.subheader(f"{tr('choice.' + kind)}: {plain(node.get('name') if node else code)}")
    details: dict[str, Any] = {}
    if node is None:  # listed as in no linkage, so not drawn: its record is what there is to show
        entity = {"cooperative": "cooperatives", "producer": "producers", "raw_material_area": "raw_material_areas"}
        try:
            details = forms.read(engine(), who, entity[kind], code).values
        except UserFacingError as error:
            show_error(error)
    else:
        details = {k: v for k, v in node.items() if k not in ("kind", "product_name", "product_name_en")}
    st.dataframe(
        [{tr("app.verification.field"): field_label(k), "": str(shown_value(k, v))} for k, v in details.items()],
        hide_index=True,
    )
    if node and kind == "linkage":
        st.markdown(f"**{tr('entity.linkage_parties')}**")
        st.dataframe(labelled(graph.parties_frame(g, chosen)), hide_index=True)
        st.markdown(f"**{tr('app.history')}**")
        try:
            steps = forms.history(engine(), who, "linkages", code)
        except UserFacingError as error:
            show_error(error)
            steps = []
        if not steps:
            st.caption(tr("app.no_history"))
        for entry in steps:
            st.markdown(f"- {vietnam_time(entry.at)} · {plain(entry.actor)} · {tr('action.' + entry.action)}")
