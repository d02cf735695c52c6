"""The two maps, the crosswalk and placement, as docs/indicators.md, "On which map" states them.

Counts are the contract's; the placement examples were checked by hand against the unit names
(a new commune usually keeps the name of one of the old communes it took in).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from linkage.geo.maps import (
    NEW_MAP,
    OLD_MAP,
    Unit,
    UnknownMap,
    check_map,
    crosswalk,
    map_data,
    map_of,
    national,
    place,
    province_crosswalk,
    unit_holds,
)


def old(level: str, code: str) -> Unit:
    return Unit(OLD_MAP, level, code)


def new(level: str, code: str) -> Unit:
    return Unit(NEW_MAP, level, code)


# --- the maps -----------------------------------------------------------------------------


def test_map_2025_01_has_the_january_list_counts() -> None:
    m = map_data(OLD_MAP)
    assert (len(m.provinces), len(m.districts), len(m.communes)) == (63, 696, 10051)
    rural = [c for c in m.communes if m.is_rural(c)]
    assert len(rural) == 7717
    assert all(m.communes[c].name.startswith("Xã ") for c in rural)
    in_scope = {m.communes[c].district for c in rural}
    assert len(in_scope) == 634


def test_map_2025_07_has_the_official_list_counts() -> None:
    m = map_data(NEW_MAP)
    assert (len(m.provinces), len(m.districts), len(m.communes)) == (34, 0, 3321)
    kinds = Counter(p.kind for p in m.communes.values())
    assert kinds == {"xã": 2621, "phường": 687, "đặc khu": 13}
    assert sum(m.is_rural(c) for c in m.communes) == 2621


def test_a_code_names_different_places_on_the_two_maps() -> None:
    assert map_data(OLD_MAP).communes["00025"].name == "Phường Ngọc Khánh"
    assert map_data(NEW_MAP).communes["00025"].name == "Phường Giảng Võ"
    assert old("commune", "00025") != new("commune", "00025")


def test_a_unit_is_its_map_level_and_code_whatever_name_it_carries() -> None:
    assert Unit(OLD_MAP, "province", "06", "Tỉnh Bắc Kạn") == old("province", "06")
    assert old("province", "06") != old("district", "06")
    assert map_data(OLD_MAP).unit("province", "06") == old("province", "06")
    assert map_data(NEW_MAP).unit("district", "058") is None  # no districts on 2025-07
    assert map_data(NEW_MAP).unit("province", "06") is None  # Bắc Kạn joined Thái Nguyên


def test_the_district_kept_with_its_0_6_0_spelling() -> None:
    # The acceptance figures name it as release 0.6.0 did; the legacy module writes "Phan Rang - Tháp Chàm".
    assert map_data(OLD_MAP).districts["582"].name == "Thành phố Phan Rang-Tháp Chàm"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2021, 1, 1), OLD_MAP),
        (date(2025, 6, 30), OLD_MAP),
        (date(2025, 7, 1), NEW_MAP),
        (date(2026, 11, 29), NEW_MAP),
    ],
)
def test_the_map_of_a_date_changes_on_1_july_2025(day: date, expected: str) -> None:
    assert map_of(day) == expected


def test_an_unknown_map_is_refused_naming_the_maps() -> None:
    assert check_map("2025-07") == NEW_MAP
    with pytest.raises(UnknownMap, match="2025-01 and 2025-07") as refused:
        check_map("2025-04")
    assert "2025-04" in str(refused.value)


# --- the crosswalk ------------------------------------------------------------------------


def test_every_old_commune_has_candidates_on_the_new_map() -> None:
    cw = crosswalk()
    communes = map_data(NEW_MAP).communes
    assert set(cw.old_to_new) == set(map_data(OLD_MAP).communes)
    assert len(cw.old_to_new) == 10051
    assert all(cw.old_to_new[c] for c in cw.old_to_new)
    assert all(n in communes for news in cw.old_to_new.values() for n in news)


def test_441_old_communes_of_the_table_were_split_among_two_to_five() -> None:
    splits = crosswalk().table_splits
    assert len(splits) == 441
    assert set(Counter(len(news) for news in splits.values())) == {2, 3, 4, 5}
    # One of them, 27076, was itself made between January and June 2025 (not on the January list).
    assert set(splits) - set(map_data(OLD_MAP).communes) == {"27076"}
    assert all(crosswalk().old_to_new[c] == news for c, news in splits.items() if c != "27076")


def test_the_28_communes_the_table_lacks_get_every_new_commune_of_their_old_district() -> None:
    cw = crosswalk()
    assert len(cw.absent) == 28
    # 27067 Phường 15 of Quận Phú Nhuận (768) was merged in spring 2025; the district became three wards.
    assert "27067" in cw.absent
    assert cw.old_to_new["27067"] == ("27043", "27058", "27073")
    names = [map_data(NEW_MAP).communes[c].name for c in cw.old_to_new["27067"]]
    assert names == ["Phường Đức Nhuận", "Phường Cầu Kiệu", "Phường Phú Nhuận"]
    # Every other old commune of that district went to one of these three.
    district = [c for c, p in map_data(OLD_MAP).communes.items() if p.district == "768"]
    assert {n for c in district for n in cw.old_to_new[c]} == {"27043", "27058", "27073"}


def test_each_new_commune_took_in_one_to_fourteen_old_ones_except_five_island_zones() -> None:
    cw = crosswalk()
    sizes = Counter(len(olds) for olds in cw.new_to_old.values())
    assert min(sizes) == 1 and max(sizes) == 14
    without = set(map_data(NEW_MAP).communes) - set(cw.new_to_old)
    assert len(without) == 5
    assert {map_data(NEW_MAP).communes[c].kind for c in without} == {"đặc khu"}
    assert dict(cw.island_districts) == {
        "11948": "318",  # Bạch Long Vĩ
        "19742": "471",  # Cồn Cỏ
        "20333": "498",  # Hoàng Sa
        "21548": "536",  # Lý Sơn
        "26732": "755",  # Côn Đảo
    }


def test_new_to_old_is_old_to_new_read_backwards() -> None:
    cw = crosswalk()
    forwards = {(o, n) for o, news in cw.old_to_new.items() for n in news}
    backwards = {(o, n) for n, olds in cw.new_to_old.items() for o in olds}
    assert forwards == backwards


def test_the_table_slips_are_corrected() -> None:
    cw = crosswalk()
    assert cw.table_provinces["27691"] == "80"  # Phường 4 of Tân An, Long An (the table says 82)
    assert cw.table_provinces["30781"] == "91"  # Xã Tiên Hải of Hà Tiên, Kiên Giang (the table says 89)
    january = map_data(OLD_MAP).communes
    assert all(cw.table_provinces[c] == p.province for c, p in january.items() if c in cw.table_provinces)


def test_the_province_table_no_longer_splits_tien_giang() -> None:
    provinces = province_crosswalk()
    assert map_data(OLD_MAP).provinces["82"].name == "Tỉnh Tiền Giang"
    assert provinces["82"] == ("82",)
    assert map_data(NEW_MAP).provinces["82"].name == "Tỉnh Đồng Tháp"
    assert provinces["80"] == ("80",)  # Long An went to Tây Ninh (new 80) alone


def test_each_old_province_went_whole_into_one_new_province_of_one_to_three() -> None:
    provinces = province_crosswalk()
    assert len(provinces) == 63
    assert all(len(news) == 1 for news in provinces.values())
    took_in = Counter(news[0] for news in provinces.values())
    assert len(took_in) == 34 and set(took_in.values()) == {1, 2, 3}


def test_all_new_communes_of_one_old_commune_lie_in_one_new_province() -> None:
    communes = map_data(NEW_MAP).communes
    for news in crosswalk().old_to_new.values():
        assert len({communes[n].province for n in news}) == 1


# --- placement ----------------------------------------------------------------------------


def test_an_old_commune_with_one_candidate_is_placed_in_it() -> None:
    # Phường Trúc Bạch went whole into Phường Ba Đình.
    placed = place(old("commune", "00004"), NEW_MAP)
    assert placed == new("commune", "00004") and placed.name == "Phường Ba Đình"


def test_a_split_old_commune_is_placed_in_its_new_province() -> None:
    # Phường Điện Biên was split among Ba Đình, Hoàn Kiếm, Ô Chợ Dừa and Văn Miếu - Quốc Tử Giám.
    assert place(old("commune", "00019"), NEW_MAP) == new("province", "01")
    # Phường Ngọc Khánh (00025 on 2025-01) went to Ngọc Hà, Giảng Võ and Láng.
    assert place(old("commune", "00025"), NEW_MAP) == new("province", "01")


def test_a_new_commune_from_one_old_commune_is_placed_in_it() -> None:
    assert place(new("commune", "31249"), OLD_MAP) == old("commune", "31249")  # Xã Thạnh Phú, Cờ Đỏ


def test_a_new_commune_from_one_old_district_is_placed_in_that_district() -> None:
    # Xã Phú Tân took in Xã Phú Tân and Xã Tân Hải, both of Huyện Phú Tân (972).
    assert place(new("commune", "32218"), OLD_MAP) == old("district", "972")
    # Xã Mường Nhé took in Chung Chải, Mường Nhé and Nậm Vì of Huyện Mường Nhé (096).
    assert place(new("commune", "03160"), OLD_MAP) == old("district", "096")


def test_a_new_commune_from_several_old_districts_is_placed_in_the_old_province() -> None:
    # Xã Mường Pồn took in Xã Mường Mươn (Mường Chà, 097) and Xã Mường Pồn (Điện Biên, 100).
    assert place(new("commune", "03202"), OLD_MAP) == old("province", "11")
    # Phường Giảng Võ (00025 on 2025-07) took in wards of Ba Đình (001) and Đống Đa (006).
    assert place(new("commune", "00025"), OLD_MAP) == old("province", "01")


def test_no_new_commune_took_in_communes_of_two_old_provinces() -> None:
    # So on 2025-01 a new commune is placed in an old province at the widest, never in the country.
    communes = map_data(OLD_MAP).communes
    across = [n for n, olds in crosswalk().new_to_old.items() if len({communes[o].province for o in olds}) > 1]
    assert across == []
    # Xã Tân Hòa of Cần Thơ took in four communes of Châu Thành A (932) of old Hậu Giang (93).
    assert place(new("commune", "31342"), OLD_MAP) == old("district", "932")


def test_an_island_zone_is_placed_in_its_old_district() -> None:
    assert place(new("commune", "11948"), OLD_MAP) == old("district", "318")


def test_an_absent_old_commune_is_placed_where_its_district_went() -> None:
    assert place(old("commune", "27067"), NEW_MAP) == new("province", "79")


def test_a_commune_on_its_own_map_is_placed_in_itself() -> None:
    assert place(old("commune", "00019"), OLD_MAP) == old("commune", "00019")


def test_placement_never_goes_below_the_candidates() -> None:
    cw = crosswalk()
    for code in list(cw.old_to_new)[::97]:
        placed = place(old("commune", code), NEW_MAP)
        for candidate in cw.candidates(old("commune", code)):
            assert unit_holds(placed, candidate)
    for code in list(cw.new_to_old)[::31]:
        placed = place(new("commune", code), OLD_MAP)
        for candidate in cw.candidates(new("commune", code)):
            assert unit_holds(placed, candidate)


def test_a_unit_holds_what_lies_in_it_on_its_own_map() -> None:
    assert unit_holds(old("district", "061"), old("commune", "00004")) is False  # Ba Bể does not hold Trúc Bạch
    commune = map_data(OLD_MAP).communes["01912"]
    assert unit_holds(old("district", commune.district), old("commune", "01912"))
    assert unit_holds(old("province", commune.province), old("commune", "01912"))
    assert unit_holds(national(OLD_MAP), old("commune", "01912"))
    with pytest.raises(ValueError, match="different maps"):
        unit_holds(new("province", "01"), old("commune", "00004"))


def test_the_package_is_read_only_when_a_map_is_asked_for() -> None:
    probe = (
        "import sys, linkage.geo.maps, linkage.geo.geography; "
        "print(any(m.startswith('vietnam_provinces') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# --- a record given on one map or both (docs/exchange-files.md, "Locations") -----------------------------


def test_a_record_given_on_one_map_is_placed_on_the_other_by_the_crosswalk() -> None:
    from linkage.geo.maps import placed_in

    # Given on 2025-01 in Phường Bùi Hữu Nghĩa (split in two): its own commune there, Cần Thơ on 2025-07.
    assert placed_in("31178", None, OLD_MAP) == old("commune", "31178")
    assert placed_in("31178", None, NEW_MAP) == new("province", "92")
    # Given on 2025-07 in Xã Thạnh An (three old communes of Vĩnh Thạnh): Huyện Vĩnh Thạnh on 2025-01.
    assert placed_in(None, "31231", NEW_MAP) == new("commune", "31231")
    assert placed_in(None, "31231", OLD_MAP) == old("district", "924")


def test_a_record_given_on_both_maps_is_placed_exactly_on_each() -> None:
    from linkage.geo.maps import placed_in

    assert placed_in("31183", "31150", OLD_MAP) == old("commune", "31183")
    assert placed_in("31183", "31150", NEW_MAP) == new("commune", "31150")
    with pytest.raises(ValueError, match="neither map"):
        placed_in(None, None, NEW_MAP)


def test_two_communes_agree_when_the_crosswalk_links_them() -> None:
    from linkage.geo.maps import agrees

    assert agrees("31183", "31150")  # Phường Long Tuyền went partly into Phường An Bình
    assert agrees("00004", "00004")  # Trúc Bạch went whole into Ba Đình
    assert not agrees("00001", "00004")  # Phúc Xá went whole into Hồng Hà, not Ba Đình
    assert not agrees("31345", "31231")  # Tân Hoà (Châu Thành A) went to Tân Hòa, not Thạnh An


def test_a_partly_merged_old_commune_agrees_with_any_new_commune_of_its_new_province() -> None:
    from linkage.geo.maps import agrees

    # Xã Đặng Xá (Gia Lâm, Hà Nội) is marked partly merged, yet the table lists only Xã Phù Đổng.
    assert crosswalk().old_to_new["00556"] == ("00541",)
    assert "00556" in crosswalk().partly_merged
    assert agrees("00556", "00004")  # Phường Ba Đình, Hà Nội
    assert not agrees("00556", "00859")  # Xã Ngọc Long, Tuyên Quang
    assert not agrees("00001", "00025")  # Phúc Xá went whole to Hồng Hà (not partly merged): Giảng Võ is not it


def test_a_split_old_commune_agrees_only_with_the_new_communes_it_was_split_among() -> None:
    from linkage.geo.maps import agrees

    # Phường Bùi Hữu Nghĩa is marked partly merged and split between Cái Khế and Bình Thủy.
    assert crosswalk().old_to_new["31178"] == ("31120", "31168")
    assert agrees("31178", "31168")
    assert not agrees("31178", "31183")  # Phường Long Tuyền, also in Cần Thơ: refused by the acceptance kit


def test_placements_of_all_old_communes_on_the_new_map() -> None:
    from linkage.geo.maps import placements

    placed = placements(OLD_MAP, NEW_MAP)
    assert len(placed) == 10051
    levels = Counter(u.level for u in placed.values())
    # In a commune: every old commune but the 440 the table splits and the 28 it lacks (3–14 candidates each).
    assert levels == {"commune": 10051 - 440 - 28, "province": 440 + 28}
    assert placed["31178"] == new("province", "92") and placed["00004"] == new("commune", "00004")


def test_placements_of_all_new_communes_on_the_old_map() -> None:
    from linkage.geo.maps import placements

    placed = placements(NEW_MAP, OLD_MAP)
    assert len(placed) == 3321
    assert {u.level for u in placed.values()} == {"commune", "district", "province"}
    assert placed["31231"] == old("district", "924") and placed["11948"] == old("district", "318")
    assert all(u.map == OLD_MAP for u in placed.values())


# The snapshot of both maps kept in the user's cache directory (a cold start reads it instead
# of the package's lists).


def test_the_snapshot_read_back_holds_every_unit_name_candidate_and_placement_of_a_fresh_build() -> None:
    from linkage.geo.maps import _build_snapshot
    from linkage.geo.snapshot import from_json as _from_json
    from linkage.geo.snapshot import to_json as _to_json

    built = _build_snapshot()
    read = _from_json(json.loads(json.dumps(_to_json(built, "k"))), "k")
    for name in (OLD_MAP, NEW_MAP):
        for level in ("province", "district", "commune"):
            fresh, back = built.maps[name].level(level), read.maps[name].level(level)
            assert list(fresh) == list(back)
            assert all(
                (a.unit, a.name, a.unit.parent, a.kind, a.province, a.district)
                == (b.unit, b.name, b.unit.parent, b.kind, b.province, b.district)
                for a, b in zip(fresh.values(), back.values(), strict=True)
            )
    assert dict(read.crosswalk.old_to_new) == dict(built.crosswalk.old_to_new)
    assert dict(read.crosswalk.new_to_old) == dict(built.crosswalk.new_to_old)
    assert read.crosswalk.partly_merged == built.crosswalk.partly_merged
    assert read.crosswalk.absent == built.crosswalk.absent
    assert dict(read.crosswalk.island_districts) == dict(built.crosswalk.island_districts)
    assert dict(read.crosswalk.table_splits) == dict(built.crosswalk.table_splits)
    for pair, placed in built.placements.items():
        assert dict(read.placements[pair]) == dict(placed), pair
    with pytest.raises(ValueError):
        _from_json(_to_json(built, "k"), "another release")


PROBE = (
    "from linkage.geo.maps import map_data, placements, unit_columns; from linkage.geo.snapshot import snapshot_path; "
    "assert len(unit_columns('2025-07', 'commune')['code']) == 3321; "
    "print(len(map_data('2025-01').communes), placements('2025-01', '2025-07')['00019'].level, snapshot_path())"
)


def _probe(cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LINKAGE_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)


def test_a_new_process_writes_the_snapshot_reads_it_and_builds_it_again_when_it_is_damaged(tmp_path: Path) -> None:
    first = _probe(tmp_path / "cache")
    assert first.returncode == 0, first.stderr
    count, level, path = first.stdout.split()
    assert (count, level) == ("10051", "province") and Path(path).parent == tmp_path / "cache"
    assert Path(path).exists()
    Path(path).write_text("{not json", encoding="utf-8")
    (counting,) = (tmp_path / "cache").glob("counting-*.json")  # what counting reads, written beside it
    counting.write_text("[]", encoding="utf-8")
    again = _probe(tmp_path / "cache")
    assert again.returncode == 0 and again.stdout.split()[:2] == ["10051", "province"]
    assert json.loads(Path(path).read_text(encoding="utf-8"))["key"] in path  # rebuilt and written again
    assert json.loads(counting.read_text(encoding="utf-8"))["key"] in path
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("", encoding="utf-8")
    nowhere = _probe(blocked / "cache")  # cannot be written: built in memory, nothing breaks
    assert nowhere.returncode == 0 and nowhere.stdout.split()[:2] == ["10051", "province"]


def test_the_columns_counting_reads_say_what_the_units_and_placements_say() -> None:
    # `unit_columns` and `placement_columns` are written beside the snapshot for `linkage coverage`;
    # they must hold every unit and placement the objects hold, in the same words.
    from linkage.geo.maps import map_data, placement_columns, placements, unit_columns

    for name in (OLD_MAP, NEW_MAP):
        data = map_data(name)
        communes = unit_columns(name, "commune")
        assert communes["code"] == list(data.communes)
        assert communes["is_rural"] == [data.is_rural(c) for c in data.communes]
        assert communes["district_code"] == [p.district or None for p in data.communes.values()]
        assert unit_columns(name, "province")["name"] == [p.name for p in data.provinces.values()]
        districts = unit_columns(name, "district")
        rural = {p.district for p in data.communes.values() if data.is_rural(p.code)}
        assert [c for c, s in zip(districts["code"], districts["in_scope"], strict=True) if s] == sorted(
            d for d in data.districts if d in rural
        )
        for other in (OLD_MAP, NEW_MAP):
            columns = placement_columns(other, name)
            placed = placements(other, name)
            assert columns["code"] == list(placed)
            for code, commune, district, province in zip(
                columns["code"],
                columns["commune_code"],
                columns["district_code"],
                columns["province_code"],
                strict=True,
            ):
                unit = placed[code]
                expected_province = None if unit.level == "national" else data.province_of(unit)
                assert province == expected_province, code
                assert commune == (unit.code if unit.level == "commune" else None), code
                if unit.level == "district":
                    assert district == unit.code, code
                elif unit.level == "commune":
                    assert district == (data.communes[unit.code].district or None), code
                else:
                    assert district is None, code


def test_the_snapshot_knows_the_installed_version_of_its_source() -> None:
    from importlib.metadata import version

    from linkage.geo.snapshot import source_version

    assert source_version() == version("vietnam-provinces")


def test_counting_places_every_commune_where_one_record_is_placed() -> None:
    """`rules.place_all` (every record at once, from the snapshot's columns) against `placed_in` (one
    record): the unit each commune of either map, alone or with its own commune given too, lands in."""
    from linkage.counting.rules import LEVEL_INDEX, place_all
    from linkage.geo.maps import MAPS, placed_in

    def unit_of(where: tuple[str | None, ...], on: str) -> tuple[str, str, str]:
        for level, at in LEVEL_INDEX.items():
            if (code := where[at]) is not None:
                return (on, level, code)
        whole = national(on)  # placed in no province: the country
        return (whole.map, whole.level, whole.code)

    for on in MAPS:
        for given in MAPS:
            codes = list(map_data(given).communes)
            pairs = [(code, None) if given == OLD_MAP else (None, code) for code in codes]
            placed = place_all(pairs, on)
            for (old, new), where in zip(pairs, placed, strict=True):
                expected = placed_in(old, new, on)
                assert unit_of(where, on) == (expected.map, expected.level, expected.code), (old, new, on)
        own = next(iter(map_data(on).communes))  # given on both maps, the map's own commune wins
        other = next(iter(map_data(NEW_MAP if on == OLD_MAP else OLD_MAP).communes))
        pair = (own, other) if on == OLD_MAP else (other, own)
        assert unit_of(place_all([pair], on)[0], on) == (on, "commune", own)
