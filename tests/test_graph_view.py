"""The graph page's address (read, checked, written back) and its unit list, as plain values."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pandas as pd
from sqlalchemy.engine import Engine

from linkage.accounts import Actor
from linkage.db import read_session
from linkage.geography import read_geography
from linkage.graph_view import GraphAddress, Problem, may_open, own_units, pick_in_view, read_address, write_address

PRODUCTS = {"RICE", "TEA", "GẠO,NẾP"}  # a code may hold a comma


def test_an_address_is_read_back_as_it_was_written() -> None:
    params = write_address("061", date(2023, 6, 29), ["TEA", "GẠO,NẾP"], ["e_commerce"], ["buyer"], "buyer:B2")
    assert params == {
        "unit": "061",
        "as_of": "2023-06-29",
        "product": "TEA,GẠO,NẾP",
        "technology": "e_commerce",
        "party_type": "buyer",
        "pick": "buyer:B2",
    }
    assert read_address(params, PRODUCTS) == GraphAddress(
        "061", date(2023, 6, 29), ("TEA", "GẠO,NẾP"), ("e_commerce",), ("buyer",), "buyer:B2"
    )
    assert write_address("06", date(2024, 1, 1)) == {"unit": "06", "as_of": "2024-01-01"}


def test_codes_are_read_as_users_type_them_and_what_cannot_be_used_is_named() -> None:
    address = read_address(
        {"unit": "61", "as_of": "2019-13-01", "product": "TEA,COFFEE", "technology": "fax", "pick": "x:1"}, PRODUCTS
    )
    assert (address.unit, address.as_of, address.products, address.technologies, address.pick) == (
        "061",
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
    for unit in ("VN", "01849", "999", "<b>"):  # the country and communes have no graph page
        assert read_address({"unit": unit}, PRODUCTS).problems == (Problem("unknown_unit", unit),)
    assert read_address({"as_of": "1900-01-01"}, PRODUCTS).problems == (Problem("bad_date", "1900-01-01"),)


def test_each_user_sees_its_own_units_first(engine: Engine) -> None:
    with read_session(engine) as session:
        g = read_geography(session)
    assert own_units(Actor("lan", "officer", "058"), g) == ["058"]
    planner = own_units(Actor("hoa", "planner", "06"), g)
    assert planner[0] == "06" and sorted(planner[1:]) == planner[1:] and len(planner) == 9
    assert all(may_open(Actor("hoa", "planner", "06"), code, g) for code in planner)
    national = own_units(Actor("minh", "planner", "VN"), g, busiest="058")
    assert national[:2] == ["058", "01"] and len(national) == 64
    assert own_units(Actor("admin", "admin"), g, busiest=None)[:1] == ["01"]
    assert own_units(Actor("htx", "cooperative", cooperative_code="C1"), g) == []


def test_a_pick_is_in_view_when_drawn_or_listed_as_in_no_linkage() -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("buyer:B1", kind="buyer")
    left_out = pd.DataFrame({"kind": ["cooperative"], "code": ["C2"], "name": ["HTX"], "commune_name": ["X"]})
    assert pick_in_view("buyer:B1", graph, left_out)
    assert pick_in_view("cooperative:C2", graph, left_out)
    assert not pick_in_view("buyer:C2", graph, left_out)
    assert not pick_in_view("linkage:NM000005", graph, left_out.iloc[0:0])
