"""What the coverage page opens for every unit of both maps and for a sample of communes, asked on the
page's map or on the other one, through `coverage_view.unit_view`, the one decision the page renders.

The expected units are read from the package `vietnam-provinces` itself (its January 2025 list, its
list of July 2025 and its raw conversion table), not through `linkage.geo.maps`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from linkage.counting import coverage, indicators
from linkage.counting.coverage_view import unit_view
from linkage.counting.facts import Facts
from linkage.geo.maps import NEW_MAP, OLD_MAP
from linkage.records.catalog import init
from linkage.records.importing import import_path
from linkage.store.db import get_engine, read_session

FIXTURE = Path(__file__).parent / "fixtures" / "bac_kan"
ON = date(2024, 6, 30)
SLIPS = {27691: 80, 30781: 91}  # the table's two wrong old provinces, corrected (docs/indicators.md, "On which map")


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Facts]:
    """The Bắc Kạn fixture's facts (it also holds a linkage in Hà Nội's Quận Ba Đình). The view is pure:
    it reads indicator rows, so one backend is enough here; test_coverage.py covers both."""
    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('view') / 'view.db'}")
    init(engine)
    import_path(engine, FIXTURE)
    with read_session(engine) as session:
        yield coverage.load_facts(session)
    engine.dispose()


@pytest.fixture(scope="module")
def old_rows(facts: Facts) -> pd.DataFrame:
    return indicators.compute(facts, ON, map_name=OLD_MAP)


@pytest.fixture(scope="module")
def new_rows(facts: Facts) -> pd.DataFrame:
    return indicators.compute(facts, ON, map_name=NEW_MAP)


class Package:
    """Both lists and the conversion table, straight from the package, codes zero-padded."""

    def __init__(self) -> None:
        from vietnam_provinces import Province, Ward, legacy
        from vietnam_provinces import _ward_conversion_2025 as table

        self.old_provinces = [f"{int(p.code):02d}" for p in legacy.Province.iter_all()]
        self.old_districts = {f"{int(d.code):03d}": f"{int(d.province_code):02d}" for d in legacy.District.iter_all()}
        self.old_communes = {
            f"{int(w.code):05d}": (w.name, f"{int(w.district_code):03d}") for w in legacy.Ward.iter_all()
        }
        self.new_provinces = [f"{int(p.code):02d}" for p in Province.iter_all()]
        self.new_communes = {
            f"{int(w.code):05d}": (str(w.division_type), f"{int(w.province_code):02d}") for w in Ward.iter_all()
        }
        self.old_to_new = {
            f"{k:05d}": sorted(f"{n.code:05d}" for n in e.new_wards) for k, e in table.OLD_TO_NEW.items()
        }
        self.table_province = {
            f"{k:05d}": f"{SLIPS.get(k, e.old_ward.province_code):02d}" for k, e in table.OLD_TO_NEW.items()
        }
        # The 28 January communes the table lacks go to every new commune of their old district (§1).
        by_district: dict[str, set[str]] = defaultdict(set)
        for k, e in table.OLD_TO_NEW.items():
            by_district[f"{e.old_ward.district_code:03d}"].update(self.old_to_new[f"{k:05d}"])
        for code, (_, district) in self.old_communes.items():
            self.old_to_new.setdefault(code, sorted(by_district[district]))
        self.new_to_old: dict[str, set[str]] = defaultdict(set)
        for old, news in self.old_to_new.items():
            for new in news:
                if old in self.old_communes:
                    self.new_to_old[new].add(old)

    def old_province_of_commune(self, code: str) -> str:
        return self.old_districts[self.old_communes[code][1]]

    def new_province_of_old(self, province: str) -> str:
        found = {
            self.new_communes[n][1]
            for old, news in self.old_to_new.items()
            if self.table_province.get(old) == province
            for n in news
        }
        assert len(found) == 1, province
        return found.pop()


PACKAGE = Package()


def rural_districts() -> set[str]:
    return {district for name, district in PACKAGE.old_communes.values() if name.startswith("Xã ")}


def test_every_unit_of_the_old_map_opens_with_a_row_of_cards_and_says_whose_figures_they_are(
    old_rows: pd.DataFrame,
) -> None:
    rural = rural_districts()
    district_of = {code: district for code, (_, district) in PACKAGE.old_communes.items()}
    # Every commune of a district without figures, and the first commune of every other district: a
    # commune opens its district, so the districts' own views cover the rest.
    first: dict[str, str] = {}
    for commune, district in district_of.items():
        first.setdefault(district, commune)
    sample = [c for c, d in district_of.items() if d not in rural or first[d] == c]
    without_figures = []
    for code in ["VN", *PACKAGE.old_provinces, *PACKAGE.old_districts, *sample]:
        view = unit_view(old_rows, OLD_MAP, code)
        expected = district_of.get(code, code)
        assert view.unit.code == expected and view.unit.map == OLD_MAP, code
        assert view.notice == ("commune_in_district" if code in district_of else None), code
        assert view.trail[0].code == "VN" and view.trail[-1] == view.unit, code
        assert len(view.cards) > 0 and set(view.cards["unit_code"]) == {view.figures_unit.code}, code
        if len(expected) == 3 and expected not in rural:
            without_figures.append(expected)
            assert not view.has_figures and view.figures_unit.code == PACKAGE.old_districts[expected], code
            assert len(view.cards) == 3 and view.children.empty, code
        else:
            assert view.has_figures, code
            assert len(view.cards) == (2 if len(expected) == 3 else 3), code  # no district-level district indicator
    urban = set(without_figures)
    assert len(urban) == 696 - 634
    assert {"001", "002"} <= urban


def test_every_province_of_the_new_map_opens_with_its_rural_communes_and_no_district(new_rows: pd.DataFrame) -> None:
    for province in PACKAGE.new_provinces:
        view = unit_view(new_rows, NEW_MAP, province)
        rural = {c for c, (kind, p) in PACKAGE.new_communes.items() if p == province and kind == "xã"}
        assert (view.unit.code, view.unit.level, view.notice) == (province, "province", None), province
        assert [u.code for u in view.trail] == ["VN", province]
        assert set(view.children["unit_code"]) == rural, province
        assert set(view.children["level"]) <= {"commune"}
        if rural:  # the communes indicator and the raw-material one; no district indicator on 2025-07
            assert view.has_figures and set(view.cards["indicator"]) == {indicators.COMMUNES, indicators.RAW_MATERIAL}
    country = unit_view(new_rows, NEW_MAP, "VN")
    assert set(country.children["unit_code"]) == {
        p for p in PACKAGE.new_provinces if any(k == "xã" and q == p for k, q in PACKAGE.new_communes.values())
    }


def test_a_commune_of_the_new_map_opens_itself_a_ward_shows_its_provinces_figures(new_rows: pd.DataFrame) -> None:
    for code, (kind, province) in list(PACKAGE.new_communes.items())[::37]:
        view = unit_view(new_rows, NEW_MAP, code)
        assert (view.unit.code, view.unit.level, view.notice) == (code, "commune", None), code
        assert [u.code for u in view.trail] == ["VN", province, code]
        assert view.children.empty
        if kind == "xã":  # a rural commune carries the raw-material indicator of 2025-07
            assert view.has_figures and list(view.cards["indicator"]) == [indicators.RAW_MATERIAL], code
        else:
            assert view.figures_unit.code == province and not view.has_figures, code


def test_an_old_province_asked_on_the_new_map_opens_the_province_that_took_it_in(new_rows: pd.DataFrame) -> None:
    for province in PACKAGE.old_provinces:
        view = unit_view(new_rows, NEW_MAP, province, OLD_MAP)
        became = PACKAGE.new_province_of_old(province)
        assert (view.unit.code, view.unit.map, view.notice) == (became, NEW_MAP, "became"), province
        assert view.asked is not None and (view.asked.code, view.asked.map) == (province, OLD_MAP)
        assert [u.code for u in view.related] == [became]
    bac_kan = unit_view(new_rows, NEW_MAP, "06", OLD_MAP)
    assert (bac_kan.asked.name if bac_kan.asked else "", bac_kan.unit.name) == ("Tỉnh Bắc Kạn", "Tỉnh Thái Nguyên")


def test_a_new_province_asked_on_the_old_map_names_the_provinces_it_was_made_of(old_rows: pd.DataFrame) -> None:
    for province in PACKAGE.new_provinces:
        view = unit_view(old_rows, OLD_MAP, province, NEW_MAP)
        made_of = sorted(p for p in PACKAGE.old_provinces if PACKAGE.new_province_of_old(p) == province)
        assert view.notice == "came_from" and sorted(u.code for u in view.related) == made_of, province
        if len(made_of) == 1:
            assert (view.unit.code, view.unit.map) == (made_of[0], OLD_MAP), province
            continue
        # Several old provinces: the area they cover together, each of them below it.
        assert (view.unit.code, view.unit.map, view.figures_unit) == (province, NEW_MAP, view.unit), province
        olds = old_rows[(old_rows["level"] == "province") & old_rows["unit_code"].isin(made_of)]
        assert sorted(view.children["unit_code"].unique()) == made_of and len(view.children) == len(olds)
        for indicator in indicators.INDICATORS:
            mine = olds[olds["indicator"] == indicator]
            card = view.cards[view.cards["indicator"] == indicator].iloc[0]
            numerator, denominator = int(mine["numerator"].sum()), int(mine["denominator"].sum())
            assert (card["numerator"], card["denominator"]) == (numerator, denominator), (province, indicator)
            target = {"raw_material_linkages_with_digital_tech": Fraction(1, 2)}.get(indicator, Fraction(7, 10))
            assert card["met"] == (None if denominator == 0 else Fraction(numerator, denominator) >= target)
        assert list(view.cards["map"].unique()) == [OLD_MAP]
        assert [u.level for u in view.trail] == ["national", "province"]
    merged = [p for p in PACKAGE.new_provinces if unit_view(old_rows, OLD_MAP, p, NEW_MAP).unit.map == NEW_MAP]
    assert len(PACKAGE.new_provinces) - len(merged) == 11


def test_communes_asked_on_the_other_map_open_what_they_became_or_came_from(
    old_rows: pd.DataFrame, new_rows: pd.DataFrame
) -> None:
    for code in list(PACKAGE.old_communes)[::53]:
        news = PACKAGE.old_to_new[code]
        view = unit_view(new_rows, NEW_MAP, code, OLD_MAP)
        assert view.notice == "became" and [u.code for u in view.related] == news, code
        provinces = {PACKAGE.new_communes[n][1] for n in news}
        expected = news[0] if len(news) == 1 else provinces.pop()
        assert view.unit.code == expected, code
    for code in list(PACKAGE.new_communes)[::41]:
        olds = PACKAGE.new_to_old.get(code)
        if not olds:  # an island zone
            continue
        view = unit_view(old_rows, OLD_MAP, code, NEW_MAP)
        assert view.notice == "came_from" and {u.code for u in view.related} == olds, code
        districts = {PACKAGE.old_communes[c][1] for c in olds}
        provinces = {PACKAGE.old_province_of_commune(c) for c in olds}
        if len(olds) == 1:
            assert view.unit.code == next(iter(olds)), code
        elif len(districts) == 1:
            assert view.unit.code == districts.pop(), code
        else:
            assert view.unit.code == (provinces.pop() if len(provinces) == 1 else "VN"), code


def test_an_old_district_opens_the_new_communes_its_communes_went_to(new_rows: pd.DataFrame) -> None:
    view = unit_view(new_rows, NEW_MAP, "058", OLD_MAP)  # Thành phố Bắc Kạn
    olds = [c for c, (_, d) in PACKAGE.old_communes.items() if d == "058"]
    assert {u.code for u in view.related} == {n for c in olds for n in PACKAGE.old_to_new[c]}
    assert (view.unit.code, view.unit.level, view.notice) == ("19", "province", "became")


def test_an_unknown_code_opens_the_country_and_says_so(old_rows: pd.DataFrame, new_rows: pd.DataFrame) -> None:
    for rows, on in ((old_rows, OLD_MAP), (new_rows, NEW_MAP)):
        for asked in ("99999", "abc", "<b>", "", "0"):
            view = unit_view(rows, on, asked)
            assert (view.unit.code, view.notice, view.has_figures) == ("VN", "unknown_unit", True), asked
    # 058 is a district on 2025-01 only: asked on 2025-07 it names no unit
    assert unit_view(new_rows, NEW_MAP, "058", NEW_MAP).notice == "unknown_unit"


def test_a_short_code_naming_several_units_opens_the_country_and_offers_each(new_rows: pd.DataFrame) -> None:
    view = unit_view(new_rows, NEW_MAP, "643")  # Phường Thanh Liệt (00643) now, Thành phố Buôn Ma Thuột (643) before
    assert (view.unit.code, view.notice) == ("VN", "ambiguous_unit")
    assert [(u.map, u.level, u.code) for u in view.related] == [
        (NEW_MAP, "commune", "00643"),
        (OLD_MAP, "district", "643"),
        (OLD_MAP, "commune", "00643"),
    ]
    assert unit_view(new_rows, NEW_MAP, "00643").unit.code == "00643"  # typed in full: the ward


def test_the_linkage_counts_of_a_unit_without_figures(facts: Facts) -> None:
    # L7 (a raw-material area in Phúc Xá, Quận Ba Đình; no technology) is the only linkage in Hà Nội.
    assert indicators.linkage_counts(facts, ON, "001") == indicators.LinkageCounts(1, 1, 0)
    assert indicators.linkage_counts(facts, ON, "01") == indicators.LinkageCounts(1, 1, 0)
    assert indicators.linkage_counts(facts, ON, "002") == indicators.LinkageCounts(0, 0, 0)
    # Before L7 started nothing is active there.
    assert indicators.linkage_counts(facts, date(2020, 12, 31), "001") == indicators.LinkageCounts(0, 0, 0)


def test_the_linkage_counts_agree_with_the_indicator_rows_of_every_unit_that_has_them(
    facts: Facts, old_rows: pd.DataFrame
) -> None:
    """An independent check: where the raw-material indicator is reported, its denominator and
    numerator are the counts of linkages with an area, and of those applying technology."""
    raw = old_rows[old_rows["indicator"] == indicators.RAW_MATERIAL]
    for record in raw.itertuples():
        counts = indicators.linkage_counts(facts, ON, str(record.unit_code))
        assert (counts.raw_material, counts.digital) == (record.denominator, record.numerator), record.unit_code
    assert isinstance(raw, pd.DataFrame) and len(raw) == 1 + 63 + 634
