"""How a form asks where a located record is (`linkage.geo.locations`): today's commune first, the one
before the reform only for older records, filled from the crosswalk when it gives one answer."""

from __future__ import annotations

from collections import defaultdict

from linkage.geo.locations import began_before_reform, completed, old_commune_of, provinces_near


def test_the_old_commune_of_a_new_one_is_given_only_when_it_took_in_exactly_one() -> None:
    from vietnam_provinces import _ward_conversion_2025 as table
    from vietnam_provinces import legacy

    january = {int(w.code): int(w.district_code) for w in legacy.Ward.iter_all()}
    took_in: dict[int, set[int]] = defaultdict(set)
    by_district: dict[int, set[int]] = defaultdict(set)
    for old, entry in table.OLD_TO_NEW.items():
        by_district[entry.old_ward.district_code].update(n.code for n in entry.new_wards)
        for new in entry.new_wards:
            if old in january:
                took_in[new.code].add(old)
    for old, district in january.items():  # the 28 the table lacks went to their old district's new communes
        if old not in table.OLD_TO_NEW:
            for new in by_district[district]:
                took_in[new].add(old)
    for new, olds in took_in.items():
        expected = f"{next(iter(olds)):05d}" if len(olds) == 1 else None
        assert old_commune_of(f"{new:05d}") == expected, new
    assert old_commune_of("01957") == "01957" and old_commune_of("01864") is None


def test_a_record_began_before_the_reform_by_its_start_date_or_else_by_what_it_holds() -> None:
    assert began_before_reform("cooperatives", {"established_on": "2025-06-30"}, False)
    assert not began_before_reform("cooperatives", {"established_on": "2025-07-01"}, False)
    assert began_before_reform("cooperatives", {"established_on": ""}, False)  # no date: an old record
    assert began_before_reform("producers", {}, True)  # a new record without a date: asked
    assert not began_before_reform("producers", {"commune_code_2025_07": "01957"}, False)
    assert began_before_reform("producers", {"commune_code": "01957"}, False)


def test_completed_fills_the_old_commune_only_with_the_crosswalks_one_answer() -> None:
    values = {"code": "C1", "commune_code": "", "commune_code_2025_07": "01957", "established_on": "2020-01-01"}
    assert completed("cooperatives", values, False)["commune_code"] == "01957"
    assert completed("cooperatives", {**values, "established_on": "2025-09-01"}, False)["commune_code"] == ""
    assert completed("cooperatives", {**values, "commune_code_2025_07": "01864"}, False)["commune_code"] == ""
    assert completed("cooperatives", {**values, "commune_code": "01955"}, False)["commune_code"] == "01955"  # kept


def test_the_provinces_offered_follow_the_commune_on_either_map() -> None:
    assert provinces_near("01849", None) == ("06", "19")  # Bắc Kạn went whole into Thái Nguyên
    assert provinces_near(None, "01957") == ("06", "19")
    assert provinces_near(None, "01864") == (None, "19")  # four old communes: no one old province read off it
    assert provinces_near(None, None) == (None, None)
