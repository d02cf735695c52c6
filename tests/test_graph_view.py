"""The graph page's address (read, checked, written back) and its unit list, as plain values."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pandas as pd

from linkage.accounts.users import Actor
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, crosswalk, map_data
from linkage.graphs.graph_view import (
    GraphAddress,
    Problem,
    from_key,
    may_open,
    own_units,
    pick_in_view,
    read_address,
    unit_key,
    write_address,
)

PRODUCTS = {"RICE", "TEA", "GẠO,NẾP"}  # a code may hold a comma


def district(code: str) -> Unit:
    return Unit(OLD_MAP, "district", code)


def test_an_address_is_read_back_as_it_was_written_with_its_map() -> None:
    params = write_address(
        district("061"), date(2023, 6, 29), ["TEA", "GẠO,NẾP"], ["e_commerce"], ["buyer"], "buyer:B2"
    )
    assert params == {
        "map": "2025-01",
        "unit": "061",
        "as_of": "2023-06-29",
        "product": "TEA,GẠO,NẾP",
        "technology": "e_commerce",
        "party_type": "buyer",
        "pick": "buyer:B2",
    }
    assert read_address(params, PRODUCTS) == GraphAddress(
        district("061"), date(2023, 6, 29), ("TEA", "GẠO,NẾP"), ("e_commerce",), ("buyer",), "buyer:B2"
    )
    commune = Unit(NEW_MAP, "commune", "01864")
    assert write_address(commune, date(2026, 1, 1)) == {"map": "2025-07", "unit": "01864", "as_of": "2026-01-01"}
    assert read_address({"map": "2025-07", "unit": "01864"}, PRODUCTS).unit == commune
    short = read_address({"map": "2025-07", "unit": "1864"}, PRODUCTS)  # 01864 is Xã Bộc Bố on 2025-01
    assert short.unit is None and short.problems == (
        Problem(
            "unit_codes.ambiguous_unit",
            "Xã Bằng Thành, Tỉnh Thái Nguyên (01864, 2025-07); Xã Bộc Bố, Huyện Pác Nặm, Tỉnh Bắc Kạn (01864, 2025-01)",
        ),
    )


def test_codes_are_read_on_the_addresss_map_as_users_type_them_and_what_cannot_be_used_is_named() -> None:
    address = read_address(
        {"unit": "061", "as_of": "2019-13-01", "product": "TEA,COFFEE", "technology": "fax", "pick": "x:1"}, PRODUCTS
    )
    assert (address.unit, address.as_of, address.products, address.technologies, address.pick) == (
        district("061"),  # an address without a map was written on 2025-01
        None,
        ("TEA",),
        (),
        None,
    )
    assert address.problems == (
        Problem("bad_date", "2019-13-01"),
        Problem("unknown_product", "COFFEE"),
        Problem("unknown_technology", "fax"),
        Problem("pick_gone", "x:1"),
    )
    for unit in ("VN", "01849", "999", "<b>"):  # the country and communes of 2025-01 have no graph page
        assert read_address({"unit": unit}, PRODUCTS).problems == (Problem("unknown_unit", unit),)
    # 2025-07 has no districts; its communes have graphs
    assert read_address({"map": "2025-07", "unit": "061"}, PRODUCTS).problems == (Problem("unknown_unit", "061"),)
    assert read_address({"map": "2025-07", "unit": "19"}, PRODUCTS).unit == Unit(NEW_MAP, "province", "19")
    assert read_address({"map": "2030-01", "unit": "19"}, PRODUCTS).problems == (
        Problem("maps.unknown_map", "2030-01"),
    )
    assert read_address({"as_of": "1900-01-01"}, PRODUCTS).problems == (Problem("bad_date", "1900-01-01"),)


def test_a_unit_key_is_one_plain_value_read_back_with_its_name() -> None:
    for unit in (district("061"), Unit(NEW_MAP, "commune", "01864"), Unit(NEW_MAP, "province", "19")):
        back = from_key(unit_key(unit))
        assert back == unit and back is not None and back.name
    assert from_key("2025-07:district:061") is None and from_key("nonsense") is None


def test_each_user_sees_its_own_units_first() -> None:
    from vietnam_provinces import Ward, legacy

    assert own_units(Actor("lan", "officer", "058")) == [district("058")]
    planner = own_units(Actor("hoa", "planner", "06"))
    bac_kan = sorted(f"{int(d.code):03d}" for d in legacy.District.iter_all() if int(d.province_code) == 6)
    assert [u.code for u in planner] == ["06", *bac_kan]
    assert all(may_open(Actor("hoa", "planner", "06"), unit) for unit in planner)
    new_planner = Actor("thu", "planner", "19", unit_map=NEW_MAP)
    communes = sorted(f"{int(w.code):05d}" for w in Ward.iter_all() if int(w.province_code) == 19)
    assert [u.code for u in own_units(new_planner)] == ["19", *communes]
    assert {u.map for u in own_units(new_planner)} == {NEW_MAP}
    officer = Actor("an", "officer", "01864", unit_map=NEW_MAP)
    assert own_units(officer) == [Unit(NEW_MAP, "commune", "01864")]
    national = own_units(Actor("minh", "planner", "VN"), busiest=district("058"))
    assert national[0] == district("058") and len(national) == 1 + 34 + 63
    assert national[1].map == NEW_MAP  # today's map first
    assert own_units(Actor("htx", "cooperative", cooperative_code="C1")) == []


def _old_communes(district_code: str) -> list[str]:
    return [c for c, p in map_data(OLD_MAP).communes.items() if p.district == district_code]


def test_who_may_open_a_unit_of_either_map() -> None:
    officer = Actor("an", "officer", "01864", unit_map=NEW_MAP)
    assert may_open(officer, Unit(NEW_MAP, "commune", "01864"))
    assert not may_open(officer, Unit(NEW_MAP, "commune", "01849"))
    assert not may_open(officer, Unit(NEW_MAP, "province", "19"))
    assert not may_open(officer, district("058"))  # a code of the other map is not its unit
    planner = Actor("thu", "planner", "19", unit_map=NEW_MAP)
    assert may_open(planner, Unit(NEW_MAP, "commune", "01849")) and not may_open(
        planner, Unit(NEW_MAP, "province", "01")
    )
    # A unit of the other map opens when it lies wholly in the scope: old district 173 (old province 19)
    # went into new province 19 whole; Hà Nội's old district 001 did not.
    assert {
        map_data(NEW_MAP).communes[n].province for o in _old_communes("173") for n in crosswalk().old_to_new[o]
    } == {"19"}
    assert may_open(planner, district("173")) and not may_open(planner, district("001"))
    old_officer = Actor("lan", "officer", "058")
    assert may_open(old_officer, district("058")) and not may_open(old_officer, Unit(NEW_MAP, "commune", "01849"))
    assert may_open(Actor("root", "admin"), Unit(NEW_MAP, "commune", "01849"))


def test_a_pick_is_in_view_when_drawn_or_listed_as_in_no_linkage() -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("buyer:B1", kind="buyer")
    listed = pd.DataFrame({"kind": ["cooperative"], "code": ["C2"], "name": ["HTX"], "commune_name": ["X"]})
    asked: list[str] = []

    def left_out() -> pd.DataFrame:
        asked.append("read")
        return listed

    assert pick_in_view("buyer:B1", graph, left_out)
    assert asked == []  # a drawn record is in view without reading who is in no linkage
    assert pick_in_view("cooperative:C2", graph, left_out)
    assert not pick_in_view("buyer:C2", graph, left_out)
    assert asked == ["read", "read"]
    assert not pick_in_view("linkage:NM000005", graph, lambda: listed.iloc[0:0])
