"""The trend's two readings: each year end on the map in force then, or every year end
on today's map; and one unit's trend across the reform (`coverage_view.unit_trend`).

A small fixture written here holds four cooperatives whose lives cross the reform; the figures are
counted by hand from it and the crosswalk facts below (checked against the package's raw table
first), never read back from the code under test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from linkage.counting.coverage import load_facts
from linkage.counting.coverage_view import unit_trend
from linkage.counting.indicators import COMMUNES, READINGS, YEAR_ENDS, trend
from linkage.geo.maps import NEW_MAP, OLD_MAP, map_data, national
from linkage.records.importing import import_path
from linkage.store.db import read_session

COOPERATIVES = """code,name,commune_code,commune_code_2025_07,established_on,dissolved_on
K1,HTX Thượng Quan,01957,,2021-06-01,
K2,HTX Bằng Thành,,01864,2023-03-01,
K3,HTX Thượng Đình,05932,,2022-01-01,2024-06-01
K4,HTX Phong Quang,01849,,2025-09-01,
"""
# Crosswalk facts (the package's raw table, checked in the first test):
# old 01957 (district 062, old province 06) went whole to new 01957 (new province 19);
# new 01864 took in old 01858, 01861, 01864 and 01870, all of district 060 → on 2025-01 placed in 060;
# old 05932 (old province 19) was split between new 05908 and 05941 → on 2025-07 placed in province 19;
# old 01849 (district 058) went whole to new 01849.


def test_the_crosswalk_facts_the_fixture_relies_on() -> None:
    from vietnam_provinces import _ward_conversion_2025 as table

    def news(code: int) -> list[int]:
        return [n.code for n in table.OLD_TO_NEW[code].new_wards]

    assert news(1957) == [1957] and news(1849) == [1849] and sorted(news(5932)) == [5908, 5941]
    assert sorted(k for k, e in table.OLD_TO_NEW.items() if 1864 in [n.code for n in e.new_wards]) == [
        1858,
        1861,
        1864,
        1870,
    ]
    assert {table.OLD_TO_NEW[c].old_ward.district_code for c in (1858, 1861, 1864, 1870)} == {60}


@pytest.fixture
def facts(engine: Engine, tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "cooperatives.csv").write_text(COOPERATIVES, encoding="utf-8")
    import_path(engine, tmp_path)
    with read_session(engine) as session:
        return load_facts(session)


def national_communes(rows) -> dict[str, tuple[str, int, int, int]]:  # type: ignore[no-untyped-def]
    mine = rows[(rows["indicator"] == COMMUNES) & (rows["level"] == "national")]
    return {r.as_of: (r.map, r.numerator, r.denominator, r.unplaced) for r in mine.itertuples()}


def test_each_year_end_on_its_own_map(facts) -> None:  # type: ignore[no-untyped-def]
    got = national_communes(trend(facts, YEAR_ENDS, ("national",), reading="own"))
    assert got == {
        "2021-12-31": (OLD_MAP, 1, 7717, 0),  # K1
        "2022-12-31": (OLD_MAP, 2, 7717, 0),  # K1, K3 in Xã Thượng Đình
        "2023-12-31": (OLD_MAP, 2, 7717, 1),  # + K2, placed in district 060 only: unplaced
        "2024-12-31": (OLD_MAP, 1, 7717, 1),  # K3 dissolved on 1 June 2024
        "2025-12-31": (NEW_MAP, 3, 2621, 0),  # K1, K2 and K4 each in a commune of 2025-07
    }


def test_every_year_end_on_todays_map(facts) -> None:  # type: ignore[no-untyped-def]
    got = national_communes(trend(facts, YEAR_ENDS, ("national",), reading="today"))
    assert got == {
        "2021-12-31": (NEW_MAP, 1, 2621, 0),
        "2022-12-31": (NEW_MAP, 1, 2621, 1),  # K3's commune was split: placed in province 19 only
        "2023-12-31": (NEW_MAP, 2, 2621, 1),  # K1, K2 (01864); K3 unplaced
        "2024-12-31": (NEW_MAP, 2, 2621, 0),
        "2025-12-31": (NEW_MAP, 3, 2621, 0),
    }


def test_a_map_named_reads_every_date_on_it_and_a_reading_must_be_known(facts) -> None:  # type: ignore[no-untyped-def]
    got = national_communes(trend(facts, YEAR_ENDS, ("national",), map_name=OLD_MAP, reading="today"))
    assert {m for m, *_ in got.values()} == {OLD_MAP}
    assert got["2025-12-31"] == (OLD_MAP, 2, 7717, 1)  # K1, K4; K2 still placed in district 060 only
    with pytest.raises(ValueError, match="reading"):
        trend(facts, YEAR_ENDS, ("national",), reading="yesterday")


def rural_communes(map_name: str, provinces: set[str]) -> int:
    from vietnam_provinces import Ward, legacy

    if map_name == NEW_MAP:
        return sum(1 for w in Ward.iter_all() if f"{int(w.province_code):02d}" in provinces and w.division_type == "xã")
    district_province = {d.code: f"{int(d.province_code):02d}" for d in legacy.District.iter_all()}
    return sum(
        1
        for w in legacy.Ward.iter_all()
        if district_province[w.district_code] in provinces and w.name.startswith("Xã ")
    )


def test_a_new_provinces_trend_adds_up_the_old_provinces_it_took_in(facts) -> None:  # type: ignore[no-untyped-def]
    thai_nguyen = map_data(NEW_MAP).provinces["19"].unit  # took in old Bắc Kạn (06) and Thái Nguyên (19)
    rows = unit_trend(facts, thai_nguyen, "own")
    got = {r.as_of: (r.map, r.numerator, r.denominator) for r in rows[rows["indicator"] == COMMUNES].itertuples()}
    old, new = rural_communes(OLD_MAP, {"06", "19"}), rural_communes(NEW_MAP, {"19"})
    assert got == {
        "2021-12-31": (OLD_MAP, 1, old),
        "2022-12-31": (OLD_MAP, 2, old),
        "2023-12-31": (OLD_MAP, 2, old),
        "2024-12-31": (OLD_MAP, 1, old),
        "2025-12-31": (NEW_MAP, 3, new),
    }
    assert set(rows["unit_code"]) == {"19"}


def test_an_old_province_merged_with_others_has_no_trend_on_todays_map(facts) -> None:  # type: ignore[no-untyped-def]
    bac_kan = map_data(OLD_MAP).provinces["06"].unit
    assert unit_trend(facts, bac_kan, "today").empty
    own = unit_trend(facts, bac_kan, "own")
    assert sorted(set(own["as_of"])) == [d.isoformat() for d in YEAR_ENDS[:-1]]  # 2025 is on 2025-07
    country = unit_trend(facts, national(OLD_MAP), "today", [date(2023, 12, 31)])
    assert list(country.loc[country["indicator"] == COMMUNES, "numerator"]) == [2]


def test_a_started_server_has_counted_every_trend_and_todays_figures_before_anyone_asks(bac_kan: Engine) -> None:
    """`coverage.warm` (the server's start): afterwards a unit's trend in either reading, from all records
    or verified ones, and today's figures count nothing more; their figures are those of a cold count."""
    from linkage.counting import coverage

    coverage.warm(bac_kan)
    units = [national(OLD_MAP), map_data(OLD_MAP).provinces["06"].unit, map_data(OLD_MAP).districts["058"].unit]
    units += [map_data(NEW_MAP).provinces["19"].unit, map_data(NEW_MAP).communes["01849"].unit]
    for verified in (False, True):
        warm = coverage.FACTS.get(bac_kan, verified)
        counted = dict(warm.computed)
        shown = [unit_trend(warm, unit, reading) for unit in units for reading in READINGS]
        coverage.coverage(bac_kan, date.today(), verified_only=verified)
        assert warm.computed.keys() == counted.keys(), "a trend or today's figures were counted after the start"
        with read_session(bac_kan) as session:  # the same figures from a cold read of the records
            cold = load_facts(session, verified_only=verified)
        again = [unit_trend(cold, unit, reading) for unit in units for reading in READINGS]
        for one, other in zip(shown, again, strict=True):
            assert one.reset_index(drop=True).equals(other.reset_index(drop=True))
        assert any(len(rows) for rows in shown)
