"""The coverage page on two maps: the map beside the date, the levels of each map, units of
the other map in a link or a search, the end-of-period scorecard, the trend's two readings."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from streamlit.testing.v1 import AppTest

from .apptest import texts
from .helpers import PLANNER_VN

App = Callable[..., AppTest]


def chart_rows(at: AppTest, index: int) -> list[dict[str, object]]:
    """The rows an Altair chart of the page draws (its inline datasets)."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    chart = at.get("vega_lite_chart")[index].proto
    frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.datasets]
    return [row for frame in frames for row in frame.to_dict("records")]


def shown_map(at: AppTest) -> str:
    return str(at.selectbox(key="coverage_map:vi").value)


def test_the_map_follows_the_date_until_the_user_picks_one(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py")
    assert shown_map(at) == "2025-07"  # today is after 30/06/2025
    at.date_input(key="coverage_as_of").set_value(date(2024, 12, 31)).run()
    assert shown_map(at) == "2025-01" and "(bản đồ 2025-01)" in at.subheader[0].value
    at.date_input(key="coverage_as_of").set_value(date(2025, 7, 1)).run()
    assert shown_map(at) == "2025-07"
    at.selectbox(key="coverage_map:vi").select("2025-01").run()  # picked: the date no longer moves it
    at.date_input(key="coverage_as_of").set_value(date(2026, 3, 1)).run()
    assert shown_map(at) == "2025-01" and at.query_params["map"] in ("2025-01", ["2025-01"])


def test_a_province_of_the_new_map_lists_its_communes_and_no_district_indicator(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py", map="2025-07", unit="19")
    assert at.subheader[0].value.startswith("Tỉnh Thái Nguyên") and "bản đồ 2025-07" in at.subheader[0].value
    assert [m.label for m in at.metric] == ["Xã có hợp tác xã", "Liên kết vùng nguyên liệu ứng dụng công nghệ số"]
    # Rank by: the communes indicator is not reported per commune; the raw-material one is.
    assert at.radio(key="rank_by_2025-07:vi").options == ["Liên kết vùng nguyên liệu ứng dụng công nghệ số"]
    from vietnam_provinces import Ward

    rural = {f"{int(w.code):05d}" for w in Ward.iter_all() if int(w.province_code) == 19 and w.division_type == "xã"}
    ranked = {row["unit_code"] for row in chart_rows(at, 0)}
    assert ranked == rural  # every rural commune of the province, with data or not


def test_the_map_picked_stays_after_a_visit_to_another_page(app: App) -> None:
    """Streamlit drops a widget's state on a page that does not show it: the map picked (here by a link) must
    not come back as the list's first map, 2025-01, with the page still saying it was picked."""
    from .apptest import PAGES

    at = app(PLANNER_VN, "coverage.py", map="2025-07", unit="19")
    assert shown_map(at) == "2025-07"
    at.switch_page(str(PAGES / "graph.py")).run()
    at.query_params.clear()  # the menu's link to coverage names no map
    at.switch_page(str(PAGES / "coverage.py")).run()
    assert shown_map(at) == "2025-07" and "(bản đồ 2025-07)" in at.subheader[0].value


def test_the_end_of_period_scorecard_is_one_click_away(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py")
    at.button(key="end_of_period").click().run()
    assert at.date_input(key="coverage_as_of").value == date(2025, 12, 31)
    assert shown_map(at) == "2025-01"
    assert at.subheader[0].value == "Việt Nam tính đến 31/12/2025 (bản đồ 2025-01)"
    assert len(at.metric) == 3  # the three targets of Decision 924, on the map they were set on
    assert dict(at.query_params) in ({"map": "2025-01", "unit": "VN"}, {"map": ["2025-01"], "unit": ["VN"]})


def test_a_link_to_a_unit_of_the_old_map_opens_what_it_became_and_says_so(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py", unit="058")  # a link written before the page had a map
    assert shown_map(at) == "2025-07"
    said = texts(at)
    assert "Thành Phố Bắc Kạn là đơn vị của bản đồ 2025-01" in said
    assert "Phường Đức Xuân, Phường Bắc Kạn, Xã Phong Quang" in said
    assert at.subheader[0].value.startswith("Tỉnh Thái Nguyên")
    assert at.query_params["unit"] in ("19", ["19"]) and at.query_params["map"] in ("2025-07", ["2025-07"])
    at.button(key="related_01849").click().run()  # one of the communes it became
    assert at.subheader[0].value.startswith("Xã Phong Quang")
    assert [m.label for m in at.metric] == ["Liên kết vùng nguyên liệu ứng dụng công nghệ số"]


def test_a_new_commune_found_by_search_on_the_old_map_opens_where_it_came_from(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py", map="2025-01", unit="VN")
    at.text_input(key="coverage_search").set_value("bang thanh").run()
    assert "Xã Bằng Thành — Tỉnh Thái Nguyên (01864, 2025-07)" in [b.label for b in at.button]
    at.button(key="goto_2025-07_commune_01864").click().run()
    # new 01864 took in four communes of district 060 (Huyện Pác Nặm): the district opens
    assert at.subheader[0].value.startswith("Huyện Pác Nặm")
    assert "Xã Bằng Thành là đơn vị của bản đồ 2025-07" in texts(at)
    assert "Xã Nhạn Môn" in texts(at)


def test_the_trend_offers_both_readings_and_marks_the_reform(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py", map="2025-07", unit="VN")
    reading = at.radio(key="reading:vi")
    assert reading.options == [
        "Theo bản đồ có hiệu lực khi đó (như đã báo cáo)",
        "Theo bản đồ hiện nay (như thể đã áp dụng từ trước)",
    ]
    drawn = chart_rows(at, -1)
    assert {"as_of": "2025-07-01", "label": "Chính quyền hai cấp"} in drawn  # the reform's rule (its date on the axis)
    # each year end on its own map: 2021–2024 on 2025-01, 2025 on 2025-07
    maps = {row["as_of"]: row["map"] for row in drawn if "map" in row}
    assert maps == {f"{y}-12-31": "2025-01" for y in range(2021, 2025)} | {"2025-12-31": "2025-07"}
    reading.set_value("today").run()
    assert {row["map"] for row in chart_rows(at, -1) if "map" in row} == {"2025-07"}


def test_each_map_keeps_its_own_ranking(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py", map="2025-07", unit="19")  # only the raw-material indicator ranks communes
    at.selectbox(key="coverage_map:vi").select("2025-01").run()
    assert at.radio(key="rank_by_2025-01:vi").value == "communes_with_cooperative"  # the first, not the other map's


# --- The gaps and the linkage counts on 2025-07 --------------------------------------
# Worked by hand from tests/fixtures/bac_kan on today's map (each commune of 2025-01 placed by the
# package's table): the active cooperatives stand in Phong Quang (C1), Bắc Kạn (C2), Chợ Rã (C3),
# Phúc Lộc (C4 from Bành Trạch, C8 from Hà Hiệu) and Bằng Thành (C6, C7); P4 of Cao Thượng lies in
# Xã Ba Bể, which has none. The only active raw-material linkage with no technology is L7 (Phúc Xá's
# vegetables), in Phường Hồng Hà of Hà Nội.


def candidate_sections(at: AppTest) -> dict[str, int]:
    """The candidate sections the page shows once its "what would close the gaps" part is opened (it
    reads them only when open), as their title and the count it gives."""
    assert candidate_titles(at) == {}, "the lists are read only when opened"
    at.session_state["candidates"] = True  # the user opens the part
    at.run()
    return candidate_titles(at)


def candidate_titles(at: AppTest) -> dict[str, int]:
    found = {}
    for line in texts(at).splitlines():
        if line.startswith("**") and line.endswith(")") and "** (" in line:
            title, count = line[2:-1].split("** (")
            found[title] = int(count)
    return found


def test_a_province_of_the_new_map_shows_its_gap_candidates(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py", map="2025-07", unit="19")
    assert candidate_sections(at) == {  # no district section: 2025-07 has no districts
        "Xã có người sản xuất hoặc liên kết nhưng chưa có hợp tác xã": 1,
        "Liên kết vùng nguyên liệu chưa ứng dụng công nghệ số": 0,
    }
    communes = at.dataframe[-2].value  # the sections' tables come last, in their order
    assert [tuple(row)[:2] for row in communes.itertuples(index=False)] == [("01906", "Xã Ba Bể")]


def test_an_urban_commune_of_the_new_map_shows_its_linkage_counts_and_gaps(app: App) -> None:
    at = app(PLANNER_VN, "coverage.py", map="2025-07", unit="00097")
    assert at.subheader[0].value.startswith("Phường Hồng Hà")
    said = texts(at)
    assert "Phường Hồng Hà không có xã nông thôn nào" in said
    assert "1 liên kết đang hoạt động" in said and "1 có vùng nguyên liệu" in said and "0 ứng dụng công nghệ số" in said
    assert candidate_sections(at) == {
        "Xã có người sản xuất hoặc liên kết nhưng chưa có hợp tác xã": 0,
        "Liên kết vùng nguyên liệu chưa ứng dụng công nghệ số": 1,
    }
    linkages = at.dataframe[-1].value
    assert list(linkages.iloc[:, 0]) == ["L7"]


def test_the_charts_a_started_server_compiled_are_those_the_page_draws(app: App) -> None:
    """The server's start compiles the coverage page's ranking and trend in each language, and the country's
    map on either map (`ui.coverage_page.prepare_charts`, `prepare_maps`): the national page then draws them
    without compiling any again, in either language, on either map."""
    from linkage.counting import charts, map_chart
    from ui.coverage_page import prepare_charts, prepare_maps

    shapes = (charts._ranking, charts._trend, map_chart._shape)
    for shape in shapes:
        shape.cache_clear()
    prepare_charts()
    prepare_maps()
    compiled = [shape.cache_info().misses for shape in shapes]
    at = app(PLANNER_VN, "coverage.py", map="2025-07", unit="VN")  # a trend with every year end
    assert len(at.get("vega_lite_chart")) >= 3  # the ranking, the map and the trend were drawn
    at.selectbox(key="coverage_map:vi").select("2025-01").run()
    assert len(at.get("vega_lite_chart")) >= 3 and not at.exception
    at.sidebar.radio(key="lang").set_value("en").run()
    assert len(at.get("vega_lite_chart")) >= 3 and not at.exception
    at = app(PLANNER_VN, "coverage.py", map="2025-07", unit="VN")
    at.sidebar.radio(key="lang").set_value("en").run()
    assert len(at.get("vega_lite_chart")) >= 3 and not at.exception
    assert [shape.cache_info().misses for shape in shapes] == compiled
    assert all(shape.cache_info().hits for shape in shapes)


def test_another_ranking_redraws_the_ranking_and_the_map_and_keeps_the_rest(app: App) -> None:
    """A new ranking (a part of the page of its own, `st.fragment`: in the browser only it reruns) redraws
    the ranking and the map for the indicator picked; the figures and the trend stay on the page."""
    at = app(PLANNER_VN, "coverage.py", unit="06", map="2025-01")
    before = chart_rows(at, 0)
    at.radio(key="rank_by_2025-01:vi").set_value("raw_material_linkages_with_digital_tech").run()
    after = chart_rows(at, 0)
    assert (
        {r["indicator"] for r in after}
        == {"raw_material_linkages_with_digital_tech"}
        != {r["indicator"] for r in before}
    )
    drawn = json.loads(at.get("vega_lite_chart")[1].proto.spec)  # the map, of the indicator picked
    assert "Liên kết vùng nguyên liệu ứng dụng công nghệ số" in json.dumps(drawn["title"], ensure_ascii=False)
    assert len(at.metric) == 3 and len(at.get("vega_lite_chart")) == 3 and not at.exception
