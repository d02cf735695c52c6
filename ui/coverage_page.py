"""Page-side pieces of the coverage page: the note on the unit opened, and the trend with its readings."""

from __future__ import annotations

import streamlit as st

from linkage.counting import charts, coverage, indicators
from linkage.counting.coverage_view import UnitView, unit_trend
from linkage.geo.maps import Unit
from linkage.geo.typed_codes import described
from ui import carried, engine, plain, tr


def show_notice(view: UnitView, asked: str) -> Unit | None:
    """Why the unit shown is not the one asked for, in words; for a unit of the other map, the units it
    became or came from as buttons. Returns the one clicked, if any."""
    unit = view.unit
    if view.notice == "unknown_unit":
        st.warning(tr("app.coverage.unknown_unit", unit=plain(asked)))
    elif view.notice == "ambiguous_unit":  # a short code naming several units: the user picks one
        st.warning(plain(tr("app.unit_codes.ambiguous", code=asked)))
        with st.container(horizontal=True):
            for reading in view.related:
                if st.button(described(reading), key=f"reading_{reading.map}_{reading.level}_{reading.code}"):
                    return reading
    elif view.notice == "commune_in_district" and view.asked:
        st.info(tr("app.coverage.commune_in_district", commune=view.asked.name, district=unit.name))
    elif view.notice and view.asked:
        names = ", ".join(u.name for u in view.related) or "—"
        words = {"unit": view.asked.name, "map": view.asked.map, "units": names, "shown": unit.name}
        st.info(plain(tr(f"app.coverage.maps.{view.notice}", **words)))
        with st.container(horizontal=True):
            for other in view.related[:40]:
                if other != unit and st.button(other.name, key=f"related_{other.code}", help=other.parent):
                    return other
    return None


def show_trend(unit: Unit, verified: bool, labels: dict[str, str]) -> None:
    """The unit's year ends in the reading the user picks (each on its own map, or all on today's),
    the reform of 1 July 2025 marked; a note where a date has no figures for the unit's area."""
    st.subheader(tr("app.coverage.trend"))
    readings = {"own": tr("app.coverage.maps.reading_own"), "today": tr("app.coverage.maps.reading_today")}
    reading = st.radio(
        tr("app.coverage.maps.reading"),
        list(readings),
        format_func=readings.__getitem__,
        horizontal=True,
        key=carried("reading"),
    )
    history = unit_trend(coverage.FACTS.get(engine(), verified), unit, reading)
    if history.empty:
        st.caption(tr("app.coverage.maps.no_trend", unit=unit.name))
        return
    if history["as_of"].nunique() < len(indicators.YEAR_ENDS):
        st.caption(tr("app.coverage.maps.partial_trend", unit=unit.name))
    value, when, reform = (tr(f"app.coverage.{k}") for k in ("percent", "year_end", "maps.reform"))
    st.altair_chart(charts.trend(history, labels, unit.name, value, when, reform))
