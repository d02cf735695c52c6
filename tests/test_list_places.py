"""Finding a row's commune from names (docs/office-lists.md), one spelling habit at a time. Each code
was read by name from the statistics office's lists (`vietnam_provinces`), not from the code under test."""

from __future__ import annotations

import pytest

from linkage.lists.places import AMBIGUOUS, RESOLVED, UNRESOLVED, Places

PLACES = Places()


@pytest.mark.parametrize(
    ("address", "map_name", "code"),
    [
        ("Thôn 3, xã Ea Tir, huyện Ea H'leo, tỉnh Đắk Lắk", "2025-01", "24207"),
        ("X. Ea Tir, H. Ea H'leo", "2025-01", "24207"),
        ("xa ea tir, huyen ea h'leo", "2025-01", "24207"),
        ("Ea Tir, Ea H'leo", "2025-01", "24207"),
        ("XÃ EA TIR - HUYỆN EA H'LEO - TỈNH ĐẮK LẮK", "2025-01", "24207"),
        ("Xã Bàu Lâm - Huyện Xuyên Mộc - Tỉnh Bà Rịa - Vũng Tàu", "2025-01", "26638"),  # a dash inside a name
        ("Phường Vũ Ninh - Thành phố Bắc Ninh - Tỉnh Bắc Ninh", "2025-01", "09163"),  # the city, then the province
        ("Phường Trần Phú, TP Hà Tĩnh, Hà Tĩnh", "2025-01", "18094"),  # TP: the provincial city, a district
        ("Số 5 phố Kim Mã, P. Ba Đình, TP Hà Nội", "2025-07", "00004"),  # TP: the centrally run city
        ("Xã Sơn Hạ, Tỉnh Quảng Ngãi", "2025-07", "21292"),  # written with its marks: not Sơn Hà
        ("Xã Tuy An Bắc, Phú Yên", "2025-07", "22114"),  # an old province names today's commune
    ],
)
def test_every_spelling_habit_finds_the_commune(address: str, map_name: str, code: str) -> None:
    found = PLACES.resolve(address=address)
    assert (found.status, found.map, found.code) == (RESOLVED, map_name, code)


@pytest.mark.parametrize(
    ("address", "candidates"),
    [
        ("son ha, quang ngai", {"21289", "21292"}),  # without marks, Sơn Hà and Sơn Hạ fold alike
        ("Phường Hạp Lĩnh, Thành phố Bắc Ninh", set()),  # the old city or today's province: say which map
    ],
)
def test_nothing_is_guessed_when_two_fit(address: str, candidates: set[str]) -> None:
    found = PLACES.resolve(address=address)
    assert found.status == AMBIGUOUS and found.code is None
    assert {p.code for p in found.candidates} == candidates


def test_a_commune_outside_the_province_named_is_unresolved() -> None:
    found = PLACES.resolve(commune="Xã Ea Tir", province="Thanh Hóa", map_name="2025-01")
    assert found.status == UNRESOLVED and found.column == "province"


def _dashed() -> list[tuple[str, str, str]]:
    from linkage.geo.maps import map_data

    found = []
    for on in ("2025-01", "2025-07"):
        data = map_data(on)
        found += [(on, code, p.unit.name) for code, p in data.communes.items() if "-" in p.unit.name]
    return found


@pytest.mark.parametrize(("on", "code", "name"), _dashed(), ids=lambda x: str(x))
def test_a_commune_whose_own_name_has_a_dash_is_one_name(on: str, code: str, name: str) -> None:
    """`Phường Lang Biang - Đà Lạt` is a name of today's map, not a commune in the district of Đà Lạt: each
    such commune of the statistics office's lists, written as offices write it, with its province."""
    from linkage.geo.maps import map_data

    data = map_data(on)
    place = data.communes[code]
    upper = data.districts[place.district].unit.name if on == "2025-01" else ""
    province = data.provinces[place.province].unit.name
    address = ", ".join(p for p in (f"Tổ 2, {name}", upper, province) if p)
    found = PLACES.resolve(address=address, map_name=on)
    assert (found.status, found.code) == (RESOLVED, code), address
