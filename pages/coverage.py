"""Coverage: the three targets for a unit, drill-down country → province → district, trend, gaps."""

from dataclasses import asdict
from datetime import date

import streamlit as st

from linkage import charts, coverage
from linkage.coverage_view import unit_view
from linkage.geography import find_units
from ui import carried, coverage_rows, engine, guard, labelled, plain, report_frame, target_cards, tr

who = guard("coverage")
g = coverage.geography(engine())


def open_unit(code: str) -> None:
    """Show `code`, keep it in the address (to share) and in the session (to come back to)."""
    st.query_params["unit"] = code
    st.session_state["coverage_unit"] = code
    st.rerun()


asked = st.query_params.get("unit") or st.session_state.get("coverage_unit") or coverage.home_unit(engine(), who)

st.title(tr("app.coverage.title"))
left, right = st.columns(2)
as_of = left.date_input(tr("app.as_of"), value=date.today(), format="DD/MM/YYYY", key="coverage_as_of")
verified = right.toggle(
    tr("app.coverage.verified_only"), key="coverage_verified", help=tr("app.coverage.verified_help")
)
with st.spinner(tr("app.computing")):
    rows = coverage_rows(as_of, verified)
view = unit_view(rows, g, str(asked))
unit = view.unit
if view.notice == "unknown_unit":
    st.warning(tr("app.coverage.unknown_unit", unit=plain(asked)))
elif view.notice == "commune_in_district":
    st.info(tr("app.coverage.commune_in_district", commune=g.name_of(str(view.commune)), district=g.name_of(unit)))
st.session_state["coverage_unit"] = unit
if st.query_params.get("unit") != unit:
    st.query_params["unit"] = unit

query = st.text_input(tr("app.coverage.search"), key="coverage_search", placeholder="bac kan, ba be, 058 …")
if query:
    matches = find_units(engine(), query, limit=8)
    if not matches:
        st.caption(tr("app.coverage.no_match"))
    with st.container(horizontal=True):
        for match in matches:
            if st.button(match.name, key=f"goto_{match.code}", help=match.parent):
                open_unit(match.code)

with st.container(horizontal=True):
    for code, name in view.trail:
        if st.button(name, key=f"crumb_{code}", disabled=code == unit, type="tertiary"):
            open_unit(code)
st.subheader(tr("app.coverage.unit_title", unit=g.name_of(unit), date=as_of.strftime("%d/%m/%Y")))
if not view.has_figures:  # a district with no rural commune: no indicator counts it
    st.info(tr("app.coverage.no_figures", unit=g.name_of(unit), parent=g.name_of(view.figures_unit)))
    counts = coverage.unit_linkage_counts(engine(), as_of, unit, verified)
    st.markdown(plain(tr("app.coverage.linkage_counts", **asdict(counts))))
    st.markdown(f"**{tr('app.coverage.figures_of', unit=g.name_of(view.figures_unit))}**")
target_cards(view.cards)

children = view.children
if len(children):
    labels = {i: tr(f"indicator.{i}") for i in coverage.INDICATORS}
    available = [i for i in coverage.INDICATORS if (children["indicator"] == i).any()]
    indicator = st.radio(
        tr("app.coverage.rank_by"), available, format_func=labels.__getitem__, horizontal=True, key=carried("rank_by")
    )
    ranked = children[children["indicator"] == indicator]
    chart = charts.ranking(ranked, labels[indicator], tr("app.coverage.percent"), tr("app.coverage.unit"))
    picked = st.altair_chart(chart, on_select="rerun", key=f"rank_{unit}_{indicator}")
    chosen = [p.get("unit_code") for p in (picked.selection.get(charts.SELECTION) or [])] if picked else []
    if chosen and chosen[0]:
        open_unit(str(chosen[0]))
    st.markdown(f"**{tr('app.coverage.below_target')}**")
    behind = coverage.with_gap(ranked[ranked["met"] == False])  # noqa: E712  (met is True/False/None)
    behind = behind.sort_values("needed", ascending=False)[
        ["unit_code", "unit_name", "numerator", "denominator", "needed"]
    ]
    table = st.dataframe(
        labelled(behind), hide_index=True, on_select="rerun", selection_mode="single-row", key=f"behind_{unit}"
    )
    if table and table.selection.rows:
        open_unit(str(behind.iloc[table.selection.rows[0]]["unit_code"]))

st.subheader(tr("app.coverage.trend"))
history = coverage.unit_trend(engine(), view.figures_unit, verified)
labels = {i: tr(f"indicator.{i}") for i in coverage.INDICATORS}
figures_name = g.name_of(view.figures_unit)
st.altair_chart(charts.trend(history, labels, figures_name, tr("app.coverage.percent"), tr("app.coverage.year_end")))

with st.expander(tr("app.coverage.candidates"), key="candidates"):
    found = coverage.unit_candidates(engine(), who, as_of, unit, verified)
    for title, frame in (
        ("communes_without", found.communes_without_cooperative),
        ("districts_without", found.districts_without_key_linkage),
        ("linkages_without", found.linkages_without_digital),
    ):
        st.markdown(f"**{tr('app.coverage.' + title)}** ({len(frame)})")
        st.dataframe(labelled(frame), hide_index=True)

report = report_frame(coverage.with_gap(children if len(children) else view.cards))
name = f"coverage-{view.figures_unit if children.empty else unit}-{as_of.isoformat()}"
with st.container(horizontal=True):
    st.download_button(tr("app.download_csv"), coverage.to_csv(report), f"{name}.csv", "text/csv", key="csv")
    st.download_button(
        tr("app.download_xlsx"),
        coverage.to_xlsx(report),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="xlsx",
    )
