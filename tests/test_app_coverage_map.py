"""The coverage map on the coverage page, through AppTest (the Bắc Kạn fixture): which chart is the map,
what it draws for a province of each map and a district, its words in both languages, its downloads."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from linkage.counting import map_chart
from linkage.geo.maps import OLD_MAP

from .apptest import texts
from .helpers import PLANNER_VN

App = Callable[..., AppTest]


def the_map(at: AppTest) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The page's map: the chart whose selection is a place; its spec and the rows it draws."""
    import json

    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if any(p.get("name") == map_chart.SELECTION for p in spec.get("params", [])):
            frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]
            return spec, [row for frame in frames for row in frame.to_dict("records")]
    raise AssertionError("the page shows no map")


def test_a_new_province_draws_every_commune_and_says_which_map(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py", map="2025-07", unit="19")
    from vietnam_provinces import Ward

    communes = {f"{int(w.code):05d}": str(w.division_type) for w in Ward.iter_all() if int(w.province_code) == 19}
    spec, rows = the_map(at)
    assert {r["unit_code"] for r in rows} == set(communes)
    # The page's map draws the ranking's indicator (raw-material linkages, the only one ranked per commune).
    assert {r["status"] for r in rows if communes[str(r["unit_code"])] != "xã"} == {"not_counted"}
    assert "Tỉnh Thái Nguyên" in spec["description"] and "2025-07" in spec["description"]
    assert spec["description"] in texts(at)  # said under the map too, in words
    assert {"Tải bản đồ (PNG)", "Tải bản đồ (SVG)"} <= {b.label for b in at.get("download_button")}


def test_the_map_speaks_english_when_the_user_does(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py", map="2025-07", unit="19")
    at.sidebar.radio(key="lang").set_value("en").run()
    spec, rows = the_map(at)
    assert spec["description"].startswith("Map of ") and "Tỉnh Thái Nguyên" in spec["description"]
    labels = {r["label"] for r in rows}
    assert "Not a rural commune (not counted)" in labels


def test_an_old_district_has_a_map_of_its_own_communes_with_its_own_choice(app: App) -> None:
    """A district of 2025-01 has no ranking below it: the map offers the indicators a district has."""
    at = app(PLANNER_VN, "coverage.py", map=OLD_MAP, unit="058")
    radio = at.radio(key="map_by_2025-01:vi")
    assert radio.options == ["Xã có hợp tác xã", "Liên kết vùng nguyên liệu ứng dụng công nghệ số"]
    from vietnam_provinces import legacy

    communes = {f"{int(w.code):05d}" for w in legacy.Ward.iter_all() if int(w.district_code) == 58}
    spec, rows = the_map(at)
    assert {r["unit_code"] for r in rows} == communes
    assert {r["status"] for r in rows} <= {"covered", "not_covered", "not_counted"}
    radio.set_value(radio.options[1]).run()
    spec, rows = the_map(at)
    assert "Liên kết vùng nguyên liệu" in spec["description"]


def test_the_national_view_draws_provinces_sized_by_what_they_count(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py", map="2025-07", unit="VN")
    spec, rows = the_map(at)
    assert len(rows) == 34
    assert spec["encoding"]["size"]["field"] == "denominator"
    assert not at.exception
