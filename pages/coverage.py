"""Coverage: the three targets for a unit, drill-down country → province → district, trend, gaps."""

from datetime import date

import streamlit as st

from linkage import charts, coverage
from linkage.geography import NATIONAL_CODE, find_units, normalize_unit_code
from ui import coverage_rows, engine, require_actor, target_cards, tr

who = require_actor()
g = coverage.geography(engine())
unit = normalize_unit_code(st.query_params.get("unit", NATIONAL_CODE))
if unit != NATIONAL_CODE and g.name_of(unit) == unit:
    st.warning(tr("app.coverage.unknown_unit", unit=unit))
    unit = NATIONAL_CODE

st.title(tr("app.coverage.title"))
left, right = st.columns(2)
as_of = left.date_input(tr("app.as_of"), value=date.today(), format="DD/MM/YYYY", key="coverage_as_of")
verified = right.toggle(
    tr("app.coverage.verified_only"), key="coverage_verified", help=tr("app.coverage.verified_help")
)
with st.spinner(tr("app.computing")):
    rows = coverage_rows(as_of, verified)

query = st.text_input(tr("app.coverage.search"), key="coverage_search", placeholder="bac kan, ba be, 058 …")
if query:
    matches = find_units(engine(), query, limit=8)
    if not matches:
        st.caption(tr("app.coverage.no_match"))
    for column, match in zip(st.columns(4), matches[:4], strict=False):
        if column.button(f"{match.name}", key=f"goto_{match.code}", help=match.parent):
            st.query_params["unit"] = match.code
            st.rerun()

trail = coverage.breadcrumb(g, unit)
for column, (code, name) in zip(st.columns(len(trail) + 2), trail, strict=False):
    if column.button(name, key=f"crumb_{code}", disabled=code == unit):
        st.query_params["unit"] = code
        st.rerun()
st.subheader(tr("app.coverage.unit_title", unit=g.name_of(unit), date=as_of.strftime("%d/%m/%Y")))
target_cards(coverage.unit_rows(rows, unit))

children = coverage.child_rows(rows, g, unit)
if len(children):
    labels = {i: tr(f"indicator.{i}") for i in coverage.INDICATORS}
    available = [i for i in coverage.INDICATORS if (children["indicator"] == i).any()]
    indicator = st.radio(tr("app.coverage.rank_by"), available, format_func=labels.__getitem__, horizontal=True)
    ranked = children[children["indicator"] == indicator]
    chart = charts.ranking(ranked, labels[indicator], tr("app.coverage.percent"), tr("app.coverage.unit"))
    picked = st.altair_chart(chart, on_select="rerun", key=f"rank_{unit}_{indicator}")
    chosen = [p.get("unit_code") for p in (picked.selection.get(charts.SELECTION) or [])] if picked else []
    if chosen and chosen[0]:
        st.query_params["unit"] = chosen[0]
        st.rerun()
    st.markdown(f"**{tr('app.coverage.below_target')}**")
    behind = coverage.with_gap(ranked[ranked["met"] == False])  # noqa: E712  (met is True/False/None)
    behind = behind.sort_values("needed", ascending=False)[
        ["unit_code", "unit_name", "numerator", "denominator", "needed"]
    ]
    table = st.dataframe(
        behind.rename(columns=lambda c: tr(f"app.coverage.col.{c}")),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=f"behind_{unit}_{indicator}",
    )
    if table and table.selection.rows:
        st.query_params["unit"] = str(behind.iloc[table.selection.rows[0]]["unit_code"])
        st.rerun()

st.subheader(tr("app.coverage.trend"))
history = coverage.unit_trend(engine(), unit, verified)
labels = {i: tr(f"indicator.{i}") for i in coverage.INDICATORS}
st.altair_chart(charts.trend(history, labels, g.name_of(unit), tr("app.coverage.percent"), tr("app.coverage.year_end")))

with st.expander(tr("app.coverage.candidates")):
    found = coverage.unit_candidates(engine(), who, as_of, unit, verified)
    st.markdown(f"**{tr('app.coverage.communes_without')}** ({len(found.communes_without_cooperative)})")
    st.dataframe(found.communes_without_cooperative, hide_index=True)
    st.markdown(f"**{tr('app.coverage.districts_without')}** ({len(found.districts_without_key_linkage)})")
    st.dataframe(found.districts_without_key_linkage, hide_index=True)
    st.markdown(f"**{tr('app.coverage.linkages_without')}** ({len(found.linkages_without_digital)})")
    st.dataframe(found.linkages_without_digital, hide_index=True)

scope = coverage.with_gap(children if len(children) else coverage.unit_rows(rows, unit))
name = f"coverage-{unit}-{as_of.isoformat()}"
one, two = st.columns(2)
one.download_button(tr("app.download_csv"), coverage.to_csv(scope), f"{name}.csv", "text/csv")
two.download_button(
    tr("app.download_xlsx"),
    coverage.to_xlsx(scope),
    f"{name}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
