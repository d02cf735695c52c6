"""The coverage map's places equal the coverage rows: the same units, the same status, for every unit
of the fixture's provinces on both maps (`fixtures/two_maps`: old Bắc Kạn 06 and Thái Nguyên 19, now
the new Thái Nguyên 19), on dates before any record, before and after the reform.

The expected places are formulated from the rows and the package `vietnam-provinces` alone: which
communes a unit holds and which are rural come from the package's lists, a status from a row's
`met` and ratio, a commune's yes or no adds up to its district's or province's row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from linkage.counting import charts, coverage, indicators, map_chart
from linkage.counting.coverage_map import coverage_map, description, map_indicators
from linkage.counting.facts import Facts
from linkage.counting.indicators import COMMUNES, DISTRICTS, RAW_MATERIAL
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, map_data, national
from linkage.records.catalog import init
from linkage.records.importing import import_path
from linkage.store.db import get_engine, read_session

FIXTURE = Path(__file__).parent / "fixtures" / "two_maps"
DAYS = (date(2019, 1, 1), date(2025, 3, 1), date(2025, 12, 31))


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Facts]:
    """The map reads facts and rows only: one backend is enough (test_coverage_maps covers both)."""
    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('map') / 'map.db'}")
    init(engine)
    import_path(engine, FIXTURE)
    with read_session(engine) as session:
        yield coverage.load_facts(session)
    engine.dispose()


class Package:
    """The lists of both maps straight from the package: communes by unit, rural or not."""

    def __init__(self) -> None:
        from vietnam_provinces import Ward, legacy

        self.old_district_of = {f"{int(w.code):05d}": f"{int(w.district_code):03d}" for w in legacy.Ward.iter_all()}
        district_province = {f"{int(d.code):03d}": f"{int(d.province_code):02d}" for d in legacy.District.iter_all()}
        self.old_province_of = {c: district_province[d] for c, d in self.old_district_of.items()}
        self.old_rural = {f"{int(w.code):05d}" for w in legacy.Ward.iter_all() if w.name.startswith("Xã ")}
        self.old_districts = {d: p for d, p in district_province.items()}
        self.new_province_of = {f"{int(w.code):05d}": f"{int(w.province_code):02d}" for w in Ward.iter_all()}
        self.new_rural = {f"{int(w.code):05d}" for w in Ward.iter_all() if str(w.division_type) == "xã"}

    def communes(self, unit: Unit) -> set[str]:
        if unit.map == OLD_MAP:
            parent = self.old_district_of if unit.level == "district" else self.old_province_of
            return {c for c, p in parent.items() if p == unit.code}
        return {c for c, p in self.new_province_of.items() if p == unit.code}

    def rural(self, map_name: str) -> set[str]:
        return self.old_rural if map_name == OLD_MAP else self.new_rural


PACKAGE = Package()


def expected_status(row: pd.Series) -> str:
    if row["met"] is None or pd.isna(row["met"]):
        return "no_data"
    if row["met"]:
        return "met"
    target = Fraction(indicators.TARGETS[row["indicator"]])
    return "far_below" if Fraction(int(row["numerator"]), int(row["denominator"])) < target / 2 else "below"


def units_of(on: str) -> list[Unit]:
    """The country, the fixture's provinces, and every district (2025-01) or commune (2025-07) of them."""
    data = map_data(on)
    provinces = ["06", "19"] if on == OLD_MAP else ["19"]
    found = [national(on), *(data.provinces[p].unit for p in provinces)]
    if on == OLD_MAP:
        found += [d.unit for d in data.districts.values() if d.province in provinces]
    else:
        found += [c.unit for c in data.communes.values() if c.province in provinces]
    return found


@pytest.mark.parametrize("on", [OLD_MAP, NEW_MAP])
@pytest.mark.parametrize("day", DAYS)
def test_the_map_of_every_unit_equals_the_coverage_rows(facts: Facts, on: str, day: date) -> None:
    rows = indicators.compute(facts, day, map_name=on)
    checked: dict[tuple[str, str], pd.DataFrame] = {}
    for unit in units_of(on):
        for indicator in map_indicators(unit):
            drawn = coverage_map(facts, rows, unit, day, indicator)
            if unit.level == "commune":  # a commune of 2025-07 shows its province's places, itself marked
                province = checked[(map_data(on).communes[unit.code].province, indicator)]
                assert drawn.places.drop(columns="focus").equals(province.drop(columns="focus"))
                assert list(drawn.places.loc[drawn.places["focus"], "unit_code"]) == [unit.code]
                continue
            checked[(unit.code, indicator)] = drawn.places
            mine = rows[rows["indicator"] == indicator]
            places = drawn.places.set_index("unit_code")
            assert not places[["lat", "lon"]].isna().any().any(), (unit, indicator)
            if unit.level == "national":
                provinces = mine[mine["level"] == "province"].set_index("unit_code")
                assert set(places.index) == set(provinces.index)
                for code, row in provinces.iterrows():
                    assert (places.at[code, "numerator"], places.at[code, "denominator"]) == (
                        row["numerator"],
                        row["denominator"],
                    )
                    assert places.at[code, "status"] == expected_status(row), (code, indicator)
                continue
            area = unit
            if indicator == DISTRICTS:
                districts = {d for d, p in PACKAGE.old_districts.items() if p == area.code}
                assert set(places.index) == districts
                row = mine[(mine["level"] == "province") & (mine["unit_code"] == area.code)].iloc[0]
                assert places["numerator"].sum() == row["numerator"]
                assert places["denominator"].sum() == row["denominator"]
                in_scope = {PACKAGE.old_district_of[c] for c in PACKAGE.old_rural} & districts
                assert set(places.index[places["status"] == "not_counted"]) == districts - in_scope
                continue
            communes = PACKAGE.communes(area)
            rural = communes & PACKAGE.rural(on)
            assert set(places.index) == communes, (unit, indicator)
            assert set(places.index[places["status"] == "not_counted"]) == communes - rural
            assert places.loc[sorted(communes - rural), "denominator"].sum() == 0 or indicator == RAW_MATERIAL
            if indicator == COMMUNES:
                assert set(places.loc[sorted(rural), "status"]) <= {"covered", "not_covered"}
                # each district (2025-01) and the province add up to their rows
                groups = {area.code: rural} if on == NEW_MAP or area.level == "district" else {}
                if on == OLD_MAP and area.level == "province":
                    groups[area.code] = rural
                    for d in {PACKAGE.old_district_of[c] for c in rural}:
                        groups[d] = {c for c in rural if PACKAGE.old_district_of[c] == d}
                for code, members in groups.items():
                    level = "province" if len(code) == 2 else "district"
                    row = mine[(mine["level"] == level) & (mine["unit_code"] == code)].iloc[0]
                    covered = (places.loc[sorted(members), "status"] == "covered").sum()
                    assert (covered, len(members)) == (row["numerator"], row["denominator"]), (code, day)
            elif on == NEW_MAP:  # the third indicator has commune rows on 2025-07: each place is its row
                commune_rows = mine[mine["level"] == "commune"].set_index("unit_code")
                for code in rural:
                    row = commune_rows.loc[code]
                    assert places.at[code, "status"] == expected_status(row), code
                    assert (places.at[code, "numerator"], places.at[code, "denominator"]) == (
                        row["numerator"],
                        row["denominator"],
                    )
            else:  # 2025-01 reports it by district: a district with nothing to count has no commune with any
                district_rows = mine[mine["level"] == "district"].set_index("unit_code")
                for code in rural:
                    district = PACKAGE.old_district_of[code]
                    if district in district_rows.index and district_rows.at[district, "denominator"] == 0:
                        assert places.at[code, "denominator"] == 0


def test_a_date_before_any_record_draws_every_rural_commune_without_a_cooperative(facts: Facts) -> None:
    rows = indicators.compute(facts, DAYS[0], map_name=NEW_MAP)
    drawn = coverage_map(facts, rows, map_data(NEW_MAP).provinces["19"].unit, DAYS[0], COMMUNES)
    assert set(drawn.places["status"]) == {"not_covered", "not_counted"}


def test_unplaced_records_are_counted_not_drawn(facts: Facts) -> None:
    """The fixture's record in split commune 01849 (old Bắc Kạn) sits in the province on 2025-01."""
    day = DAYS[2]
    rows = indicators.compute(facts, day, map_name=NEW_MAP)
    province = map_data(NEW_MAP).provinces["19"].unit
    drawn = coverage_map(facts, rows, province, day, COMMUNES)
    row = rows[(rows["indicator"] == COMMUNES) & (rows["level"] == "province") & (rows["unit_code"] == "19")].iloc[0]
    assert drawn.unplaced == row["unplaced"] > 0


def test_a_commune_of_todays_map_is_drawn_among_its_province_and_marked(facts: Facts) -> None:
    day = DAYS[2]
    rows = indicators.compute(facts, day, map_name=NEW_MAP)
    drawn = coverage_map(facts, rows, map_data(NEW_MAP).communes["01864"].unit, day, COMMUNES)
    assert drawn.area.code == "19"
    assert list(drawn.places.loc[drawn.places["focus"], "unit_code"]) == ["01864"]


def test_an_indicator_a_unit_does_not_report_falls_back_to_the_first(facts: Facts) -> None:
    day = DAYS[2]
    rows = indicators.compute(facts, day, map_name=NEW_MAP)
    drawn = coverage_map(facts, rows, national(NEW_MAP), day, DISTRICTS)
    assert drawn.indicator == COMMUNES


def test_a_district_whose_communes_share_one_point_still_gets_a_frame(facts: Facts) -> None:
    """A one-commune view, or points all equal: the chart pads the extent instead of dividing by zero."""
    day = DAYS[2]
    rows = indicators.compute(facts, day, map_name=OLD_MAP)
    drawn = coverage_map(facts, rows, map_data(OLD_MAP).districts["058"].unit, day, COMMUNES)
    one = drawn.places.iloc[:1].assign(lat=22.0, lon=105.0)
    same = drawn.places.assign(lat=22.0, lon=105.0)
    for places in (one, same):
        squeezed = type(drawn)(drawn.unit, drawn.area, drawn.indicator, drawn.as_of, drawn.map, drawn.level, places, 0)
        assert squeezed.degenerate
        spec = charts.inline(map_chart.chart(squeezed, "en"))
        low, high = spec["encoding"]["x"]["scale"]["domain"]
        assert high - low > 0.05


def test_the_description_names_unit_date_and_map_in_both_languages(facts: Facts) -> None:
    day = DAYS[2]
    rows = indicators.compute(facts, day, map_name=OLD_MAP)
    drawn = coverage_map(facts, rows, map_data(OLD_MAP).provinces["06"].unit, day, COMMUNES)
    english, vietnamese = description(drawn, "en"), description(drawn, "vi")
    for words in (english, vietnamese):
        assert "Tỉnh Bắc Kạn" in words and "31/12/2025" in words and "2025-01" in words
    assert "Communes with a cooperative" in english
    assert "xã" in vietnamese and english != vietnamese
    spec = charts.inline(map_chart.chart(drawn, "vi"))
    assert spec["description"] == vietnamese
    assert spec["params"][0]["name"] == map_chart.SELECTION


def test_hostile_unit_names_stay_data() -> None:
    """A name is a datum of the chart, never markup: Vega draws it as text."""
    places = pd.DataFrame(
        {
            "unit_code": ["00001"],
            "unit_name": ["<img src=x onerror=alert(1)>"],
            "level": ["commune"],
            "lat": [21.0],
            "lon": [105.8],
            "source": ["given"],
            "derived": [False],
            "status": ["covered"],
            "numerator": [1],
            "denominator": [1],
            "ratio": [1.0],
            "focus": [False],
        }
    )
    from linkage.counting.coverage_map import CoverageMap

    unit = map_data(OLD_MAP).provinces["01"].unit
    spec = charts.inline(
        map_chart.chart(CoverageMap(unit, unit, COMMUNES, DAYS[2], OLD_MAP, "commune", places, 0), "en")
    )
    (name,) = [row["unit_name"] for row in spec["datasets"][next(iter(spec["datasets"]))]]
    assert name == "<img src=x onerror=alert(1)>"


def test_the_map_is_drawn_as_svg_and_png_offline(facts: Facts) -> None:
    day = DAYS[2]
    rows = indicators.compute(facts, day, map_name=NEW_MAP)
    drawn = coverage_map(facts, rows, map_data(NEW_MAP).provinces["19"].unit, day, COMMUNES)
    chart = map_chart.chart(drawn, "vi")
    svg = map_chart.picture(chart, "svg").decode("utf-8")
    assert svg.startswith("<svg") and description(drawn, "vi") in svg
    assert "Có hợp tác xã đang hoạt động" in svg  # the legend, in Vietnamese letters
    png = map_chart.picture(chart, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="svg or png"):
        map_chart.picture(chart, "pdf")
