"""The coverage map as an Altair chart (compiled once per shape, as `charts`): each place a mark at its
point, no tiles, no outlines.

Points are drawn on plain x/y scales (longitude × cos of the middle latitude, latitude): an
equirectangular view, true to shape at a province's scale, whose extent is padded by hand, so one
place or places that share a point still get a sensible frame. Colours are Okabe and Ito's
colour-blind-safe set, doubled by shapes, with a legend; every word comes in translated, and every
value is data, so Vega draws a unit's name as text. A click selects a place (`SELECTION`: its
`unit_code` and `level`), as the ranking chart does.
"""

from __future__ import annotations

import functools
import html
import math

import pandas as pd

from linkage.counting.charts import ROWS, SHAPES_KEPT, Spec, altair, inline, with_rows
from linkage.counting.coverage_map import STATUSES, CoverageMap, description, figures_text, status_label
from linkage.geo.points import SOURCES
from linkage.i18n import t

SELECTION = "place"
# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
COLOURS = {
    "met": "#0072B2",  # blue
    "below": "#E69F00",  # orange
    "far_below": "#D55E00",  # vermillion
    "covered": "#0072B2",
    "not_covered": "#D55E00",
    "no_data": "#999999",
    "not_counted": "#CCCCCC",
}
SHAPES = {
    "met": "circle",
    "below": "triangle-up",
    "far_below": "square",
    "covered": "circle",
    "not_covered": "square",
    "no_data": "diamond",
    "not_counted": "cross",
}
WIDTH = 560
PAD_DEGREES = 0.05  # around the places: at least about 5 km, so one place sits in a frame


def _frame(places: pd.DataFrame) -> tuple[list[float], list[float], int]:
    """The x and y domains (padded) and the height that keeps the shape true at WIDTH."""
    lats, xs = places["lat"], places["x"]
    pad_x = max(PAD_DEGREES, 0.05 * float(xs.max() - xs.min()))
    pad_y = max(PAD_DEGREES, 0.05 * float(lats.max() - lats.min()))
    x = [float(xs.min()) - pad_x, float(xs.max()) + pad_x]
    y = [float(lats.min()) - pad_y, float(lats.max()) + pad_y]
    height = round(WIDTH * (y[1] - y[0]) / (x[1] - x[0]))
    return x, y, min(max(height, 260), 760)


def chart(found: CoverageMap, lang: str, unit_name: str | None = None) -> Spec:
    """The map of `found` in `lang`; its description names the indicator, unit, date and map."""
    places = found.places.dropna(subset=["lat", "lon"])
    shown = tuple(s for s in STATUSES if s in set(places["status"])) or ("no_data",)
    labels = {s: status_label(s, found.indicator, lang) for s in STATUSES}
    middle = math.cos(math.radians(float(places["lat"].mean()))) if len(places) else 1.0
    data = places.assign(
        x=places["lon"] * middle,
        label=places["status"].map(labels),
        figures=figures_text(places, found.indicator, lang),
        point=places["source"].map({s: t(f"coverage_map.source.{s}", lang) for s in SOURCES}),
    )
    if len(data):
        x_domain, y_domain, height = _frame(data)
    else:
        x_domain, y_domain, height = [0.0, 1.0], [0.0, 1.0], 260
    sizes = "by_denominator" if found.level == "province" else 70 if len(data) > 400 else 110
    spec = with_rows(_shape(found.indicator, lang, shown, sizes), **{ROWS: data})
    # the unit's own frame and words: one shape serves every unit
    spec["encoding"]["x"]["scale"]["domain"] = list(x_domain)
    spec["encoding"]["y"]["scale"]["domain"] = list(y_domain)
    spec["height"] = height
    spec["description"] = description(found, lang, unit_name)
    return spec


@functools.lru_cache(maxsize=SHAPES_KEPT)
def _shape(indicator: str, lang: str, shown: tuple[str, ...], sizes: str | int) -> str:
    """The map's chart without its rows, frame or description (of a unit and a date): one per
    indicator, language, statuses shown and way of sizing the marks."""
    words = {
        "unit": t("coverage_map.unit", lang),
        "status": t("coverage_map.status_title", lang),
        "figures": t("coverage_map.figures_title", lang),
        "point": t("coverage_map.point_title", lang),
        "size": t("coverage_map.size", lang),
    }
    labels = {s: status_label(s, indicator, lang) for s in STATUSES}
    alt = altair()
    pick = alt.selection_point(name=SELECTION, fields=["unit_code", "level"], on="click")
    colour = alt.Color(
        "label:N",
        title=words["status"],
        scale=alt.Scale(domain=[labels[s] for s in shown], range=[COLOURS[s] for s in shown]),
        legend=alt.Legend(orient="bottom", labelLimit=320, columns=2),
    )
    shape = alt.Shape(
        "label:N",
        title=words["status"],
        scale=alt.Scale(domain=[labels[s] for s in shown], range=[SHAPES[s] for s in shown]),
    )
    encoding: dict[str, object] = {
        "x": alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, 1], nice=False, zero=False)),
        "y": alt.Y("lat:Q", axis=None, scale=alt.Scale(domain=[0, 1], nice=False, zero=False)),
        "color": colour,
        "shape": shape,
        "opacity": alt.condition(pick, alt.value(0.95), alt.value(0.45)),
        "stroke": alt.condition("datum.focus", alt.value("#000000"), alt.value(None)),
        "tooltip": [
            alt.Tooltip("unit_name:N", title=words["unit"]),
            alt.Tooltip("label:N", title=words["status"]),
            alt.Tooltip("figures:N", title=words["figures"]),
            alt.Tooltip("point:N", title=words["point"]),
        ],
        "size": (
            alt.Size(
                "denominator:Q",
                title=words["size"],
                scale=alt.Scale(range=[60, 900]),
                legend=alt.Legend(orient="bottom"),
            )
            if sizes == "by_denominator"
            else alt.value(sizes)
        ),
    }
    title = t("coverage_map.title", lang, indicator=t(f"indicator.{indicator}", lang))
    return (
        alt.Chart(alt.NamedData(name=ROWS), title=title, width=WIDTH, height=260)
        .mark_point(filled=True, strokeWidth=1.5)
        .encode(**encoding)  # type: ignore[arg-type]
        .add_params(pick)
        .configure_view(stroke="#DDDDDD")
        .to_json()
    )


FORMATS = {"svg": "image/svg+xml", "png": "image/png"}


def picture(found: Spec, kind: str) -> bytes:
    """The chart as an SVG or PNG file's bytes, drawn offline by vl-convert (Vega in an embedded
    engine: no browser, no network). PNG at twice the size, sharp on a slide."""
    import vl_convert  # lazy: 0.2 s and a large library, needed only when a picture is asked for

    spec = inline(found)
    if kind == "svg":  # the description as the picture's title, for screen readers (escaped: it holds names)
        svg = vl_convert.vegalite_to_svg(spec)
        opening = svg.index(">") + 1
        title = f"<title>{html.escape(str(spec.get('description', '')))}</title>"
        return (svg[:opening] + title + svg[opening:]).encode("utf-8")
    if kind == "png":
        return bytes(vl_convert.vegalite_to_png(spec, scale=2))
    raise ValueError(f"a map is drawn as svg or png, not {kind!r}")
