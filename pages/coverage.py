"""Coverage: the three targets for a unit on a date and a map, drill-down, trend, gaps.

The address holds the map and the unit (`/coverage?map=2025-07&unit=19`); an address without a map
is one written before the page offered a map, so its unit is read on 2025-01."""

import functools
from dataclasses import asdict
from datetime import date
from pathlib import Path

import streamlit as st

from linkage.counting import charts, coverage, indicators
from linkage.counting.coverage_view import UnitView, unit_view
from linkage.counting.report import file_name, report_rows, to_csv, to_xlsx
from linkage.geo.maps import MAP_LEVELS, MAPS, OLD_MAP, Unit, map_of
from linkage.geo.unit_search import search
from linkage.records.permissions import may_open
from ui import (
    carried,
    coverage_rows,
    engine,
    guard,
    labelled,
    lang,
    map_label,
    plain,
    target_cards,
    tr,
    unit_label,
)
from ui.coverage_page import chart_words, pick_indicator, report_button, show_map, show_notice, show_trend

who = guard("coverage")
SETTLING = Path(__file__).parent / "settling.py"
END_OF_PERIOD = date(2025, 12, 31)  # the programme's end-of-period evaluation, on the map it was set on
map_key = carried("coverage_map")  # its options are words of the session's language


def open_unit(unit: Unit) -> None:
    """Show `unit` (of either map): the address and the session follow."""
    st.session_state["coverage_asked"] = (unit.code, unit.map)
    st.rerun()


def pick_map() -> None:
    """Remember the map picked (by the user, a link or the scorecard) outside the widget: Streamlit drops a
    widget's state on a page that does not show it, and the selectbox would come back on its first map."""
    st.session_state["coverage_map_picked"] = st.session_state[map_key]


def end_of_period() -> None:
    """The programme's scorecard: 31/12/2025 on the map the targets were set on."""
    st.session_state["coverage_as_of"] = END_OF_PERIOD
    st.session_state[map_key] = OLD_MAP
    pick_map()


# An address the session did not write (a shared link, a reload, back) says what to open.
# `unit_map` names the unit's own map when it is not the page's: a province of today read on 2025-01.
address = {name: st.query_params[name] for name in ("map", "unit", "unit_map") if st.query_params.get(name)}
if address and address != st.session_state.get("coverage_address"):
    given = address.get("map")
    if given in MAPS:
        st.session_state[map_key] = given
        pick_map()
    own = address.get("unit_map") if address.get("unit_map") in MAPS else given if given in MAPS else OLD_MAP
    st.session_state["coverage_asked"] = (address.get("unit") or "VN", own)
if "coverage_asked" not in st.session_state:  # the first visit of the session
    st.session_state["coverage_asked"] = coverage.opening_unit(engine(), who)
    if "coverage_map_picked" not in st.session_state and (own_map := coverage.opening_map(who)):
        st.session_state["coverage_map_picked"] = own_map  # an account of 2025-01 keeps working on its map
st.session_state.setdefault("coverage_as_of", date.today())

st.title(tr("app.coverage.title"))
left, middle, right = st.columns(3)
as_of = left.date_input(tr("app.as_of"), format="DD/MM/YYYY", key="coverage_as_of")
# The map follows the date until one is picked; the one picked stays when the user comes back from another page.
st.session_state[map_key] = st.session_state.get("coverage_map_picked") or map_of(as_of)
on = middle.selectbox(tr("app.coverage.maps.map"), MAPS, format_func=map_label, key=map_key, on_change=pick_map)
verified = right.toggle(
    tr("app.coverage.verified_only"), key="coverage_verified", help=tr("app.coverage.verified_help")
)
st.button(tr("app.coverage.maps.end_of_period"), key="end_of_period", on_click=end_of_period, type="tertiary")

with st.spinner(tr("app.computing")):
    rows = coverage_rows(as_of, verified, on)
asked, asked_map = st.session_state["coverage_asked"]
view = unit_view(rows, on, asked, asked_map)
unit = view.unit
clicked = show_notice(view, asked)
if clicked:
    open_unit(clicked)
wanted = {"map": on, "unit": unit.code, **({"unit_map": unit.map} if unit.map != on else {})}
if address != wanted:
    st.query_params.from_dict(wanted)
st.session_state["coverage_address"] = wanted

query = st.text_input(tr("app.coverage.search"), key="coverage_search", placeholder="bac kan, ba be, 058 …")
if query:
    matches = search(query, (on, *(m for m in MAPS if m != on)), limit=12)
    if not matches:
        st.caption(tr("app.coverage.no_match"))
    with st.container(horizontal=True):
        for match in matches:
            if st.button(unit_label(match), key=f"goto_{match.map}_{match.level}_{match.code}", help=match.parent):
                open_unit(match)

with st.container(horizontal=True):
    for step in view.trail:
        if st.button(step.name, key=f"crumb_{step.code}", disabled=step == unit, type="tertiary"):
            open_unit(step)
st.subheader(tr("app.coverage.maps.unit_title", unit=unit.name, date=as_of.strftime("%d/%m/%Y"), map=on))
if not view.has_figures:  # a unit with no rural commune: no indicator counts it
    st.info(tr("app.coverage.no_figures", unit=unit.name, parent=view.figures_unit.name))
    counts = coverage.unit_linkage_counts(engine(), as_of, unit, verified)
    st.markdown(plain(tr("app.coverage.linkage_counts", **asdict(counts))))
    st.markdown(f"**{tr('app.coverage.figures_of', unit=view.figures_unit.name)}**")
target_cards(view.cards)
if view.unplaced:
    st.warning(tr("app.coverage.maps.unplaced", count=view.unplaced, unit=view.figures_unit.name))
    if may_open(who, "settling") and st.button(tr("app.coverage.maps.settle"), key="settle"):
        st.switch_page(SETTLING, query_params={"map": on, "unit": view.figures_unit.code})

words = chart_words()


@st.fragment
def ranked_and_placed(view: UnitView, on: str, as_of: date, verified: bool) -> None:
    """The units below the one shown, ranked by the indicator picked, on the map and behind the target:
    another ranking reruns this part only, not the figures above it or the trend below."""
    unit, children = view.unit, view.children
    indicator = None
    if len(children):
        available = [i for i in indicators.INDICATORS if (children["indicator"] == i).any()]
        indicator = pick_indicator(tr("app.coverage.rank_by"), available, words, carried(f"rank_by_{on}"))
        ranked = children[children["indicator"] == indicator]
        chart = charts.ranking(ranked, words.labels[indicator], words.value, words.unit)
        picked = st.vega_lite_chart(
            spec=chart, width="stretch", on_select="rerun", key=f"rank_{on}_{unit.code}_{indicator}"
        )
        chosen = [p.get("unit_code") for p in (picked.selection.get(charts.SELECTION) or [])] if picked else []
        by_code = {u: level for u, level in zip(ranked["unit_code"], ranked["level"], strict=True)}
        if chosen and chosen[0] in by_code:
            open_unit(Unit(on, by_code[chosen[0]], str(chosen[0])))
    if placed := show_map(unit, as_of, verified, indicator, words):
        open_unit(placed)
    if len(children):
        behind = indicators.with_gap(ranked[ranked["met"] == False])  # noqa: E712  (met is True/False/None)
        # A table drawn only when opened: the chart and the map above already show who is behind and where,
        # and a data grid redrawn on every click held the page a third of a second (docs/benchmarks.md).
        title = tr("app.coverage.below_target", count=len(behind))
        with st.expander(title, key="behind_open", on_change="rerun") as part:
            if part.open:
                shown = ["unit_code", "unit_name", "numerator", "denominator", "needed"]
                behind = behind.sort_values("needed", ascending=False)[
                    shown + (["unplaced"] if behind["unplaced"].any() else [])
                ]
                table = st.dataframe(  # units by name: codes are of no help to a reader, and widen it past a phone
                    labelled(behind.drop(columns=["unit_code"])),
                    hide_index=True,
                    on_select="rerun",
                    selection_mode="single-row",
                    key=f"behind_{on}_{unit.code}",
                )
                if table and table.selection.rows:
                    code = str(behind.iloc[table.selection.rows[0]]["unit_code"])
                    open_unit(Unit(on, by_code[code], code))


ranked_and_placed(view, on, as_of, verified)
reading = show_trend(view.figures_unit, verified, words)

# Listed only while open: the lists are read when the user opens them, not on every click.
with st.expander(tr("app.coverage.candidates"), key="candidates", on_change="rerun") as gaps:
    if gaps.open:
        found = coverage.unit_candidates(engine(), who, as_of, unit, verified)
        sections = [("communes_without", found.communes_without_cooperative)]
        if "district" in MAP_LEVELS[on]:  # 2025-07 has no districts
            sections.append(("districts_without", found.districts_without_key_linkage))
        sections.append(("linkages_without", found.linkages_without_digital))
        for title, frame in sections:
            st.markdown(f"**{tr('app.coverage.' + title)}** ({len(frame)})")
            st.dataframe(labelled(frame), hide_index=True)

report = report_rows(view, as_of)
name = file_name(view, as_of, on)
files = {
    "csv": (to_csv, "text/csv"),
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
with st.container(horizontal=True):
    for kind, (write, mime) in files.items():  # each file written when asked for, not on every run
        written = functools.partial(write, report, lang())
        st.download_button(tr(f"app.download_{kind}"), written, f"{name}.{kind}", mime, key=kind, on_click="ignore")
    report_button(who, unit, as_of, verified, reading)
