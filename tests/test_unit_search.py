"""Finding a unit of either map by name or code (`unit_search.search`), against the package's lists."""

from __future__ import annotations

from linkage.geo.geography import fold
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit
from linkage.geo.unit_search import search


def test_a_name_typed_without_diacritics_finds_the_commune_on_both_maps() -> None:
    # old 01858 Xã Bằng Thành (Huyện Pác Nặm) went into new 01864 Xã Bằng Thành (Tỉnh Thái Nguyên)
    found = search("bang thanh", levels=("commune",))
    assert [(u.map, u.code, u.name, u.parent) for u in found] == [
        (OLD_MAP, "01858", "Xã Bằng Thành", "Huyện Pác Nặm"),
        (NEW_MAP, "01864", "Xã Bằng Thành", "Tỉnh Thái Nguyên"),
    ]
    assert [u.map for u in search("bang thanh", maps=(NEW_MAP, OLD_MAP), levels=("commune",))] == [NEW_MAP, OLD_MAP]


def test_every_unit_found_holds_the_query_in_its_folded_name_levels_in_order() -> None:
    from vietnam_provinces import Ward

    found = search("bac kan", limit=500)
    assert found[0] == Unit(OLD_MAP, "province", "06")  # provinces first; 2025-07 has no Bắc Kạn province
    assert all("bac kan" in fold(u.name) for u in found)
    assert not any(u.level == "district" and u.map == NEW_MAP for u in found)  # no districts on 2025-07
    new = {f"{int(w.code):05d}" for w in Ward.iter_all() if "bac kan" in fold(w.name)}
    assert {u.code for u in found if u.map == NEW_MAP} == new


def test_a_code_finds_the_unit_of_that_code_and_an_empty_query_nothing() -> None:
    assert search("6", levels=("province",)) == [Unit(OLD_MAP, "province", "06")]  # merged away on 2025-07
    assert search("19", levels=("province",)) == [Unit(OLD_MAP, "province", "19"), Unit(NEW_MAP, "province", "19")]
    assert Unit(OLD_MAP, "district", "061") in search("61", levels=("district",))
    assert search("   ") == [] and search("") == []


def test_an_old_name_finds_the_new_commune_that_took_it_in_when_asked() -> None:
    from vietnam_provinces import _ward_conversion_2025 as table
    from vietnam_provinces import legacy

    assert search("duong quang", maps=(NEW_MAP,), levels=("commune",)) == []
    olds = [int(w.code) for w in legacy.Ward.iter_all() if "duong quang" in fold(w.name)]
    expected = {f"{n.code:05d}" for code in olds for n in table.OLD_TO_NEW[code].new_wards}
    found = search("duong quang", maps=(NEW_MAP,), levels=("commune",), formerly=True)
    assert {u.code for u in found} == expected and Unit(NEW_MAP, "commune", "01849") in found
