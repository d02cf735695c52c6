"""Altair charts of the indicators: a ranked bar chart with the target line, and the yearly trend.

Labels come in already translated; every value is data, so Vega draws user text as text.

Altair builds and checks a chart against the Vega-Lite schema in about a tenth of a second, most of a
page's run on a two-core machine (docs/benchmarks.md): each chart is built once per shape (its words
and ticks) with its data named, not held, and kept as a Vega-Lite specification; a page's run copies
it, puts in what belongs to the unit (its name, a height, a frame) and its rows beside it
(`datasets`), as Streamlit sends an Altair chart's data anyway.

The compiled shapes are also kept as files in the cache directory, beside the maps' snapshot, named
after what they are built from and the version of Altair and of this module: a command that draws one
chart (`linkage report`) reads its shape there and does not import Altair, about a quarter of a second.
"""

from __future__ import annotations

import functools
import hashlib
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from linkage.counting.indicators import YEAR_ENDS
from linkage.geo.snapshot import cache_dir, installed_version, keep, read_kept
from linkage.i18n import day_text

Spec = dict[str, Any]  # a Vega-Lite specification, its data frames under `datasets`
ROWS = "rows"  # the name of a chart's rows in its specification
SHAPES_KEPT = 256  # compiled charts kept per process: a few per unit, language and indicator


def with_rows(compiled: str, **datasets: pd.DataFrame) -> Spec:
    """A compiled chart (JSON) with its data frames: what `st.vega_lite_chart` draws."""
    spec: Spec = json.loads(compiled)
    spec["datasets"] = dict(datasets)
    return spec


def prepare(labels: dict[str, str], value_label: str, unit_label: str, date_label: str) -> None:
    """The shapes a coverage page draws ready before anyone asks (the server's start): each indicator's
    ranking and the trend of every year end, in the words given, read from the cache or compiled."""
    for label in labels.values():
        _ranking(label, value_label, unit_label)
    ticks = tuple(sorted({*(day.isoformat() for day in YEAR_ENDS), REFORM}))
    _trend(tuple(labels.values()), ticks, value_label, date_label)


def inline(spec: Spec) -> Spec:
    """The specification with its data written in (plain JSON values): for vl-convert and for reading."""
    done = dict(spec)
    frames = spec.get("datasets", {})
    done["datasets"] = {
        name: json.loads(frame.to_json(orient="records", date_format="iso"))
        if isinstance(frame, pd.DataFrame)
        else frame
        for name, frame in frames.items()
    }
    return done


def altair() -> ModuleType:
    """Altair, imported when a shape is compiled, not when one is read from the cache."""
    import altair as alt  # lazy: see the module's docstring
    from altair.utils import schemapi  # lazy, with Altair

    # Altair checks every part of a chart as it is built, then the whole chart when it is compiled: the
    # second check is kept, the first would only repeat it.
    schemapi.disable_debug_mode()
    return alt


@functools.cache
def _built_by() -> str:
    """What every compiled shape depends on besides its arguments: Altair's version and this module's text."""
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"altair-{installed_version('altair', 'altair')}-{digest}"


def kept(kind: str, compile_shape: Callable[[], str], *arguments: object) -> str:
    """The shape `compile_shape` makes (a chart's Vega-Lite as JSON), read from the cache directory when
    it was compiled before from the same `arguments` by the same code (the file names them: a file of
    other arguments, damaged or not a shape is not read); else compiled and kept there."""
    key = json.dumps([kind, _built_by(), arguments], ensure_ascii=False)
    path = cache_dir() / f"chart-{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"
    found = read_kept(path, key, {"shape"})
    if found is not None and isinstance(found["shape"], dict):
        return json.dumps(found["shape"], ensure_ascii=False)
    compiled = compile_shape()
    keep(path, json.dumps({"key": key, "shape": json.loads(compiled)}, ensure_ascii=False))
    return compiled


SELECTION = "unit"
# The chart, axes and legend inside the width it is given (a phone's 358 px too), not grown past it.
FIT = {"type": "fit", "contains": "padding"}
TITLE_LINE = 34  # characters: a title line that fits a phone's width


def lines(title: str) -> dict[str, Any]:
    """A chart title broken into lines that fit a narrow screen (Vega draws a list as lines)."""
    return {"text": textwrap.wrap(title, TITLE_LINE) or [""], "anchor": "start"}


COLOURS = ["#2e7d32", "#1565c0", "#f9a825"]  # communes, districts, raw-material linkages


def ranking(rows: pd.DataFrame, title: str, value_label: str, unit_label: str) -> Spec:
    """Units ranked by ratio for one indicator, the target as a rule; a click selects a unit code."""
    data = rows.assign(percent=rows["ratio"].fillna(0) * 100, target_percent=rows["target"] * 100)
    spec = with_rows(_ranking(title, value_label, unit_label), **{ROWS: data})
    spec["height"] = max(200, 22 * len(data))  # a bar a line, whatever the unit
    return spec


@functools.lru_cache(maxsize=SHAPES_KEPT)
def _ranking(title: str, value_label: str, unit_label: str) -> str:
    return kept(
        "ranking", functools.partial(_compile_ranking, title, value_label, unit_label), title, value_label, unit_label
    )


def _compile_ranking(title: str, value_label: str, unit_label: str) -> str:
    alt = altair()
    rows = alt.NamedData(name=ROWS)
    pick = alt.selection_point(name=SELECTION, fields=["unit_code"], on="click")
    bars = (
        alt.Chart(rows, title=lines(title))
        .mark_bar()
        .encode(
            y=alt.Y("unit_name:N", sort="-x", title=unit_label, axis=alt.Axis(labelOverlap=False, labelLimit=160)),
            x=alt.X("percent:Q", title=value_label, scale=alt.Scale(domain=[0, 100])),
            color=alt.condition("datum.met === true", alt.value("#2e7d32"), alt.value("#c62828")),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.6)),
            tooltip=[
                alt.Tooltip("unit_name:N", title=unit_label),
                alt.Tooltip("numerator:Q"),
                alt.Tooltip("denominator:Q"),
                alt.Tooltip("percent:Q", format=".1f", title=value_label),
            ],
        )
        .add_params(pick)
    )
    target = alt.Chart(rows).mark_rule(color="black", strokeDash=[4, 4]).encode(x="mean(target_percent):Q")
    return alt.layer(bars, target).properties(height=200, autosize=FIT).to_json()


REFORM = "2025-07-01"  # the two-tier map in force: marked on every trend
REFORM_ROWS = "reform"


def trend(
    rows: pd.DataFrame,
    labels: dict[str, str],
    title: str,
    value_label: str,
    date_label: str,
    reform_label: str = "",
) -> Spec:
    """Each indicator's ratio at each date, with its target as a dashed line of the same colour and the
    reform of 1 July 2025 as a grey rule labelled `reform_label` (a date axis, so the rule sits between
    the year ends it came between). The tooltip names the map each point was read on."""
    data = rows.assign(
        percent=rows["ratio"] * 100,
        target_percent=rows["target"] * 100,
        name=rows["indicator"].map(labels),
        when=rows["as_of"].map(day_text),
    )
    ticks = tuple(sorted({*rows["as_of"], REFORM}))
    shape = _trend(tuple(labels.values()), ticks, value_label, date_label)
    reform = pd.DataFrame({"as_of": [REFORM], "label": [reform_label]})
    spec = with_rows(shape, **{ROWS: data, REFORM_ROWS: reform})
    spec["layer"][0]["title"] = lines(title)  # the unit's name: one shape serves every unit
    return spec


@functools.lru_cache(maxsize=SHAPES_KEPT)
def _trend(names: tuple[str, ...], ticks: tuple[str, ...], value_label: str, date_label: str) -> str:
    arguments = (names, ticks, value_label, date_label)
    return kept("trend", functools.partial(_compile_trend, *arguments), *arguments)


def _compile_trend(names: tuple[str, ...], ticks: tuple[str, ...], value_label: str, date_label: str) -> str:
    alt = altair()
    rows = alt.NamedData(name=ROWS)
    # One colour per indicator whatever the language: the scale follows the indicators' order.
    color = alt.Color(
        "name:N",
        title=None,
        # one name a line under the chart: side by side the three names made the chart 762 px wide
        legend=alt.Legend(orient="bottom", direction="vertical", columns=1, labelLimit=300, labelFontSize=11),
        scale=alt.Scale(domain=list(names), range=COLOURS[: len(names)]),
    )
    x = alt.X(
        "as_of:T",
        title=date_label,
        axis=alt.Axis(values=list(ticks), format="%d/%m/%Y", labelAngle=0, labelOverlap="greedy"),
        scale=alt.Scale(padding=24),
    )
    drawn = (
        alt.Chart(rows, title=lines(""))  # the unit's name, put in by `trend`
        .mark_line(point=True)
        .encode(
            x=x,
            # no axis title (the labels say %): the legend beside the axis keeps room for the longest name
            y=alt.Y(
                "percent:Q", axis=alt.Axis(title=None, labelExpr="datum.label + '%'"), scale=alt.Scale(domain=[0, 100])
            ),
            color=color,
            tooltip=[
                "name:N",
                alt.Tooltip("when:N", title=date_label),
                "map:N",
                "numerator:Q",
                "denominator:Q",
                alt.Tooltip("percent:Q", format=".1f"),
            ],
        )
    )
    targets = alt.Chart(rows).mark_rule(strokeDash=[4, 4]).encode(y="mean(target_percent):Q", color=color)
    reform = alt.NamedData(name=REFORM_ROWS)
    rule = alt.Chart(reform).mark_rule(color="#616161", strokeWidth=2).encode(x="as_of:T")
    text = (
        alt.Chart(reform)
        .mark_text(align="right", dx=-4, dy=-6, color="#616161")  # left of the rule: room on a phone too
        .encode(x="as_of:T", y=alt.value(8), text="label:N")
    )
    return alt.layer(drawn, targets, rule, text).properties(autosize=FIT).to_json()
