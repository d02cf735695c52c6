"""The report's trend chart as a PNG image, drawn offline: the coverage page's own chart
(`charts.trend`) turned into a picture by `vl-convert`, which runs Vega-Lite in an embedded engine with
no browser and, as called here, no request to any address (`allowed_base_urls=[]`).

The first picture of a process starts that engine (about half a second); later ones take a few
hundredths of a second."""

from __future__ import annotations

import threading

import pandas as pd

from linkage.counting import charts
from linkage.counting.indicators import INDICATORS
from linkage.i18n import t

WIDTH = 560  # pixels of the plot at scale 1: 16 cm of the page's 16.5 cm text width at 2× scale
HEIGHT = 260
SCALE = 2.0  # sharp when printed
_STARTED: list[threading.Thread] = []


def start_engine() -> None:
    """Start vl-convert's engine in a thread of its own, once per process, while the figures are being
    counted: it releases Python's lock while it works, so on a machine with two cores its start costs
    the report nothing. `trend_png` waits for it."""
    if _STARTED:
        return

    def start() -> None:
        import vl_convert  # lazy: its engine is for the report alone

        tiny = {
            "data": {"values": [{"x": 0}]},
            "mark": "point",
            "encoding": {"x": {"field": "x", "type": "quantitative"}},
        }
        vl_convert.vegalite_to_png(tiny, allowed_base_urls=[])

    thread = threading.Thread(target=start, name="vl-convert-start", daemon=True)
    _STARTED.append(thread)
    thread.start()


def trend_png(history: pd.DataFrame, title: str, lang: str) -> bytes:
    """The indicators of `history` (rows of `indicators.trend`, with `as_of`) at each date, their targets
    dashed and the reform of 1 July 2025 marked, as PNG bytes; labels in `lang`."""
    import vl_convert  # lazy: its engine is for the report alone

    for started in _STARTED:
        started.join()
    labels = {i: t(f"indicator.{i}", lang) for i in INDICATORS if (history["indicator"] == i).any()}
    spec = charts.trend(
        history,
        labels,
        title,
        t("app.coverage.percent", lang),
        t("report.chart.date", lang),
        t("app.coverage.maps.reform", lang),
    )
    spec |= {"width": WIDTH, "height": HEIGHT}
    return bytes(vl_convert.vegalite_to_png(charts.inline(spec), scale=SCALE, allowed_base_urls=[]))
