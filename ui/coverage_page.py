"""Page-side pieces of the coverage page: the note on the unit opened, the map, and the trend with its readings."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import streamlit as st

from linkage.accounts.users import Actor
from linkage.counting import charts, coverage, indicators, map_chart
from linkage.counting.coverage_map import description, map_indicators
from linkage.counting.coverage_view import UnitView, unit_trend
from linkage.geo.maps import MAPS, Unit, national
from linkage.i18n import LANGUAGES, t
from linkage.reports import content, document
from linkage.store.db import schema_is_current
from ui import carried, engine, lang, pick_reading, plain, tr


@dataclass(frozen=True)
class ChartWords:
    """The words the page's charts carry in one language. The page draws with them and the server's
    start compiles the charts with them, so a chart compiled at the start is the one the page draws."""

    labels: dict[str, str]  # each indicator's name
    value: str
    unit: str
    year_end: str


def chart_words(words: str | None = None) -> ChartWords:
    """The charts' words in `words` (default: the session's language)."""
    words = words or lang()
    return ChartWords(
        {i: t(f"indicator.{i}", words) for i in indicators.INDICATORS},
        *(t(f"app.coverage.{k}", words) for k in ("percent", "unit", "year_end")),
    )


def prepare_charts() -> None:
    """The charts this page draws first, compiled in each language at the server's start (ui/startup.py)."""
    for language in LANGUAGES:
        words = chart_words(language)
        charts.prepare(words.labels, words.value, words.unit, words.year_end)


def pick_indicator(title: str, available: Sequence[str], words: ChartWords, key: str) -> str:
    """One of the indicators, by its name (the ranking's choice, or the map's where there is no ranking)."""
    return str(st.radio(title, available, format_func=words.labels.__getitem__, horizontal=True, key=key))


def prepare_maps() -> None:
    """The country's map as this page first draws it (today, all records, the first indicator), compiled on
    either map in each language at the server's start: the national view is the first page of many."""
    if not schema_is_current(engine()):
        return
    for name in MAPS:
        found = coverage.unit_map(engine(), date.today(), national(name), indicators.INDICATORS[0])
        for words in LANGUAGES:
            map_chart.chart(found, words)


def show_notice(view: UnitView, asked: str) -> Unit | None:
    """Why the unit shown is not the one asked for, in words; for a unit of the other map, the units it
    became or came from as buttons. Returns the one clicked, if any."""
    unit = view.unit
    if view.notice == "unknown_unit":
        st.warning(tr("app.coverage.unknown_unit", unit=plain(asked)))
    elif view.notice == "ambiguous_unit":  # a short code naming several units: the user picks one
        return pick_reading(asked, view.related, "reading")
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


def show_trend(unit: Unit, verified: bool, words: ChartWords) -> str:
    """The unit's year ends in the reading the user picks (each on its own map, or all on today's),
    the reform of 1 July 2025 marked; a note where a date has no figures for the unit's area. Returns
    the reading shown."""
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
        return str(reading)
    if history["as_of"].nunique() < len(indicators.YEAR_ENDS):
        st.caption(tr("app.coverage.maps.partial_trend", unit=unit.name))
    chart = charts.trend(history, words.labels, unit.name, words.value, words.year_end, tr("app.polish.reform_mark"))
    st.vega_lite_chart(spec=chart, width="stretch")
    return str(reading)


def show_map(unit: Unit, as_of: date, verified: bool, indicator: str | None, words: ChartWords) -> Unit | None:
    """Where the gaps are: the unit's places on its map for `indicator` (the ranking's choice; a radio of
    its own where the page has no ranking), the unplaced records and derived points said in words,
    pictures to download. Returns the place clicked, if any."""
    available = map_indicators(unit)
    if indicator not in available:
        indicator = pick_indicator(tr("coverage_map.indicator"), available, words, carried(f"map_by_{unit.map}"))
    found = coverage.unit_map(engine(), as_of, unit, str(indicator), verified)
    if found.places.empty:
        st.caption(tr("coverage_map.empty", unit=unit.name))
        return None
    chart = map_chart.chart(found, lang())
    # width "content": stretched to the column, the map would lose its true shape
    picked = st.vega_lite_chart(
        spec=dict(chart), width="content", on_select="rerun", key=f"map_{unit.map}_{unit.code}_{found.indicator}"
    )
    st.caption(description(found, lang()))
    if found.degenerate and len(found.places) > 1:
        st.info(tr("coverage_map.degenerate", unit=found.area.name))
    if found.unplaced:
        st.caption(tr("coverage_map.unplaced", count=found.unplaced, unit=found.area.name))
    if found.derived:
        st.caption(tr("coverage_map.derived_note", count=found.derived))
    name = f"map-{unit.map}-{unit.code}-{found.indicator}-{as_of.isoformat()}"
    with st.container(horizontal=True):
        for kind, mime in map_chart.FORMATS.items():
            st.download_button(
                tr(f"coverage_map.download_{kind}"),
                functools.partial(map_chart.picture, chart, kind),  # drawn only when asked for
                f"{name}.{kind}",
                mime,
                key=f"map_{kind}",
                on_click="ignore",
            )
    chosen = (picked.selection.get(map_chart.SELECTION) or []) if picked else []
    for place in chosen:
        code, level = str(place.get("unit_code", "")), str(place.get("level", ""))
        if code and level and (code, level) != (unit.code, unit.level):
            return Unit(unit.map, level, code)
    return None


def report_button(who: Actor, unit: Unit, as_of: date, verified: bool, reading: str) -> None:
    """The report of what the page shows (unit, date, map, verified switch, trend reading) as a Word
    document, written only when the button is clicked (in a thread of its own: plain values only); a
    date the report cannot cover disables it and says why."""
    words = lang()
    try:
        content.check_date(as_of, date.today())
        refusal = None
    except content.ReportRefused as refused:
        refusal = refused.message(words)
    base, connected = engine(), who

    def written() -> bytes:
        made = document.make(
            base,
            unit,
            as_of,
            lang=words,
            office=content.issuing_office(unit, words, connected),
            actor=connected,
            verified_only=verified,
            reading=reading,
            issuer=content.issuing_heading(unit, words, connected),
        )
        return made[1]

    st.download_button(
        tr("report.download"),
        written,
        f"bao-cao-{unit.map}-{unit.code}-{as_of.isoformat()}.docx",
        document.MIME,
        key="report_docx",
        help=refusal or tr("report.download_help"),
        disabled=refusal is not None,
        on_click="ignore",
    )
