"""Altair charts of the indicators: a ranked bar chart with the target line, and the yearly trend.

Labels come in already translated; every value is data, so Vega draws user text as text.
"""

from __future__ import annotations

from typing import cast

import altair as alt
import pandas as pd

from linkage.i18n import day_text

SELECTION = "unit"
COLOURS = ["#2e7d32", "#1565c0", "#f9a825"]  # communes, districts, raw-material linkages


def ranking(rows: pd.DataFrame, title: str, value_label: str, unit_label: str) -> alt.LayerChart:
    """Units ranked by ratio for one indicator, the target as a rule; a click selects a unit code."""
    data = rows.assign(percent=rows["ratio"].fillna(0) * 100, target_percent=rows["target"] * 100)
    pick = alt.selection_point(name=SELECTION, fields=["unit_code"], on="click")
    bars = (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("unit_name:N", sort="-x", title=unit_label, axis=alt.Axis(labelOverlap=False, labelLimit=280)),
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
    target = alt.Chart(data).mark_rule(color="black", strokeDash=[4, 4]).encode(x="mean(target_percent):Q")
    return cast(alt.LayerChart, alt.layer(bars, target).properties(height=max(200, 22 * len(data))))


REFORM = "2025-07-01"  # the two-tier map in force: marked on every trend


def trend(
    rows: pd.DataFrame,
    labels: dict[str, str],
    title: str,
    value_label: str,
    date_label: str,
    reform_label: str = "",
) -> alt.LayerChart:
    """Each indicator's ratio at each date, with its target as a dashed line of the same colour and the
    reform of 1 July 2025 as a grey rule labelled `reform_label` (a date axis, so the rule sits between
    the year ends it came between). The tooltip names the map each point was read on."""
    data = rows.assign(
        percent=rows["ratio"] * 100,
        target_percent=rows["target"] * 100,
        name=rows["indicator"].map(labels),
        when=rows["as_of"].map(day_text),
    )
    # One colour per indicator whatever the language: the scale follows the indicators' order.
    names = [labels[i] for i in labels]
    color = alt.Color(
        "name:N",
        title=None,
        legend=alt.Legend(orient="bottom", labelLimit=400),
        scale=alt.Scale(domain=names, range=COLOURS[: len(names)]),
    )
    ticks = sorted({*rows["as_of"], REFORM})
    x = alt.X(
        "as_of:T",
        title=date_label,
        axis=alt.Axis(values=ticks, format="%d/%m/%Y", labelAngle=0),
        scale=alt.Scale(padding=24),
    )
    lines = (
        alt.Chart(data, title=title)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("percent:Q", title=value_label, scale=alt.Scale(domain=[0, 100])),
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
    targets = alt.Chart(data).mark_rule(strokeDash=[4, 4]).encode(y="mean(target_percent):Q", color=color)
    reform = pd.DataFrame({"as_of": [REFORM], "label": [reform_label]})
    rule = alt.Chart(reform).mark_rule(color="#616161", strokeWidth=2).encode(x="as_of:T")
    text = (
        alt.Chart(reform)
        .mark_text(align="left", dx=4, dy=-6, color="#616161")
        .encode(x="as_of:T", y=alt.value(8), text="label:N")
    )
    return cast(alt.LayerChart, alt.layer(lines, targets, rule, text))
