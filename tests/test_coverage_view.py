"""What the coverage page opens for every unit of the map (the country, 63 provinces, 696 districts)
and for communes asked by code, through `coverage_view.unit_view`, the one decision the page renders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from linkage import coverage
from linkage.catalog import init
from linkage.coverage_view import unit_view
from linkage.db import get_engine, read_session
from linkage.geography import gso_rows
from linkage.importing import import_path

FIXTURE = Path(__file__).parent / "fixtures" / "bac_kan"
ON = date(2024, 6, 30)


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[coverage.Facts]:
    """The Bắc Kạn fixture's facts (it also holds a linkage in Hà Nội's Quận Ba Đình). The view is pure:
    it reads indicator rows, so one backend is enough here; test_coverage.py covers both."""
    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('view') / 'view.db'}")
    init(engine)
    import_path(engine, FIXTURE)
    with read_session(engine) as session:
        yield coverage.load_facts(session)
    engine.dispose()


def rural_districts() -> set[str]:
    """Districts with a commune named `Xã …` (CONTRACT §1), read from the GSO package itself."""
    _, _, communes = gso_rows()
    return {c["district_code"] for c in communes if c["name"].startswith("Xã ")}


def test_every_unit_of_the_map_opens_with_a_row_of_cards_and_says_whose_figures_they_are(
    facts: coverage.Facts,
) -> None:
    rows = coverage.compute(facts, ON)
    g = facts.geography
    provinces, districts, communes = gso_rows()
    province_of = {d["code"]: d["province_code"] for d in districts}
    district_of = {c["code"]: c["district_code"] for c in communes}
    rural = rural_districts()
    without_figures = []
    # Every commune of a district without figures, and the first commune of every other district: a
    # commune opens its district, so the districts' own views cover the rest (each view costs ~10 ms).
    first: dict[str, str] = {}
    for commune, district in district_of.items():
        first.setdefault(district, commune)
    sample = [c for c, d in district_of.items() if d not in rural or first[d] == c]
    asked = ["VN", *(p["code"] for p in provinces), *(d["code"] for d in districts), *sample]
    for code in asked:
        view = unit_view(rows, g, code)
        expected = district_of.get(code, code)
        assert view.unit == expected, code
        assert view.notice == ("commune_in_district" if code in district_of else None), code
        assert view.trail[0][0] == "VN" and view.trail[-1][0] == expected, code
        # The cards (one `st.columns` each) are never empty and all belong to one unit.
        assert len(view.cards) > 0, code
        assert set(view.cards["unit_code"]) == {view.figures_unit}, code
        if len(expected) == 3 and expected not in rural:
            without_figures.append(expected)
            assert not view.has_figures and view.figures_unit == province_of[expected], code
            assert len(view.cards) == 3, code  # a province's three indicators stand in
            assert view.children.empty, code
        else:
            assert view.has_figures and view.figures_unit == expected, code
            assert len(view.cards) == (2 if len(expected) == 3 else 3), code  # no district-level district indicator
    urban = set(without_figures)
    assert len(urban) == 696 - 634
    assert len(urban - set(district_of.values())) == 5  # island districts with no commune at all
    assert {"001", "002"} <= urban


def test_a_province_and_the_country_list_their_units_below(facts: coverage.Facts) -> None:
    rows = coverage.compute(facts, ON)
    g = facts.geography
    bac_kan = unit_view(rows, g, "6")
    assert bac_kan.unit == "06" and bac_kan.has_figures
    assert set(bac_kan.children["unit_code"]) == {"058", "060", "061", "062", "063", "064", "065", "066"}
    assert set(unit_view(rows, g, "VN").children["level"]) == {"province"}
    assert unit_view(rows, g, "058").children.empty


def test_an_unknown_code_opens_the_country_and_says_so(facts: coverage.Facts) -> None:
    rows = coverage.compute(facts, ON)
    for asked in ("99999", "abc", "<b>", "", "0"):
        view = unit_view(rows, facts.geography, asked)
        assert (view.unit, view.notice, view.has_figures) == ("VN", "unknown_unit", True), asked


def test_the_linkage_counts_of_a_unit_without_figures(facts: coverage.Facts) -> None:
    # L7 (a raw-material area in Phúc Xá, Quận Ba Đình; no technology) is the only linkage in Hà Nội.
    assert coverage.linkage_counts(facts, ON, "001") == coverage.LinkageCounts(1, 1, 0)
    assert coverage.linkage_counts(facts, ON, "01") == coverage.LinkageCounts(1, 1, 0)
    assert coverage.linkage_counts(facts, ON, "002") == coverage.LinkageCounts(0, 0, 0)
    # Before L7 started nothing is active there.
    assert coverage.linkage_counts(facts, date(2020, 12, 31), "001") == coverage.LinkageCounts(0, 0, 0)


def test_the_linkage_counts_agree_with_the_indicator_rows_of_every_unit_that_has_them(
    facts: coverage.Facts,
) -> None:
    """An independent check: where the raw-material indicator is reported, its denominator and
    numerator are the counts of linkages with an area, and of those applying technology."""
    rows = coverage.compute(facts, ON)
    raw = rows[rows["indicator"] == coverage.RAW_MATERIAL]
    for record in raw.itertuples():
        counts = coverage.linkage_counts(facts, ON, str(record.unit_code))
        assert (counts.raw_material, counts.digital) == (record.denominator, record.numerator), record.unit_code
    assert isinstance(raw, pd.DataFrame) and len(raw) == 1 + 63 + 634
