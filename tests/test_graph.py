"""The linkage graph of a unit on a date, and the analytics officers act on (Bắc Kạn fixture)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine

from linkage.db import read_session
from linkage.exchange import import_path
from linkage.graph import (
    build_graph,
    buyer_dependence,
    chains,
    flow_view,
    linkages_without_digital,
    single_buyer_linkages,
    unlinked,
)

from .test_coverage import FIXTURE


@pytest.fixture
def bac_kan(engine: Engine) -> Engine:
    import_path(engine, FIXTURE)
    return engine


def graph(engine: Engine, unit: str, day: date, **filters):  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return build_graph(session, unit, day, **filters)


def test_a_district_graph_holds_its_linkages_their_parties_and_everyone_registered_there(bac_kan: Engine) -> None:
    g = graph(bac_kan, "058", date(2025, 12, 31))
    assert sorted(g.nodes) == ["buyer:B1", "cooperative:C1", "cooperative:C2", "linkage:L1", "raw_material_area:A1"]
    edges = sorted((u, v, d["relation"], d.get("lead", False)) for u, v, d in g.edges(data=True))
    assert edges == [
        ("buyer:B1", "linkage:L1", "party", False),
        ("cooperative:C1", "linkage:L1", "party", True),
        ("raw_material_area:A1", "linkage:L1", "party", False),
    ]
    assert g.nodes["linkage:L1"]["technologies"] == ["traceability"] and g.nodes["linkage:L1"]["digital"]
    assert g.nodes["cooperative:C1"]["name"] == "HTX Dương Quang"


def test_the_date_keeps_out_ended_and_future_linkages_and_inactive_cooperatives(bac_kan: Engine) -> None:
    g = graph(bac_kan, "061", date(2023, 6, 29))
    linkages = sorted(n for n, k in g.nodes(data="kind") if k == "linkage")
    assert linkages == ["linkage:L3", "linkage:L4"]  # L4 ends on 2023-06-30, L5 starts in 2024
    coops = sorted(n for n, k in g.nodes(data="kind") if k == "cooperative")
    assert coops == ["cooperative:C3", "cooperative:C5"]  # C4 is established on 06-30, C8 in 2025
    later = graph(bac_kan, "061", date(2023, 6, 30))
    assert "linkage:L4" not in later and "cooperative:C4" in later and "cooperative:C5" not in later
    assert ("producer:P2", "cooperative:C3") in {(u, v) for u, v, d in g.edges(data=True) if d["relation"] == "member"}


def test_a_buyer_elsewhere_is_drawn_but_does_not_bring_its_linkages_in(bac_kan: Engine) -> None:
    # B1 sits in a township of 061 and buys from L1, L2 and L7; none of them is located in 061.
    g = graph(bac_kan, "061", date(2025, 12, 31))
    assert "buyer:B1" not in g
    assert "buyer:B1" in graph(bac_kan, "058", date(2025, 12, 31))


def test_analytics_name_the_unlinked_the_dependent_and_the_paper_based(bac_kan: Engine) -> None:
    g = graph(bac_kan, "061", date(2023, 6, 29))
    left_out = unlinked(g)
    assert list(zip(left_out["kind"], left_out["code"], strict=True)) == [
        ("cooperative", "C3"),
        ("producer", "P3"),
        ("producer", "P4"),
    ]
    dependence = buyer_dependence(g)
    assert dependence.to_dict("records") == [
        {"code": "B2", "name": "Thương lái Ba Bể", "linkages": 2, "share": 1.0, "flagged": True}
    ]
    assert list(single_buyer_linkages(g)["code"]) == ["L3", "L4"]
    assert list(linkages_without_digital(g)["code"]) == ["L3", "L4"]  # L4's e-commerce stopped on 2023-01-01
    (chain,) = chains(g)
    assert chain.linkages == ("L3", "L4") and chain.members == 7


def test_the_flow_view_runs_from_producers_cooperatives_and_areas_to_buyers(bac_kan: Engine) -> None:
    flow = flow_view(graph(bac_kan, "061", date(2023, 6, 29)))
    assert sorted((u, v, tuple(d["linkages"])) for u, v, d in flow.edges(data=True)) == [
        ("cooperative:C5", "buyer:B2", ("L4",)),
        ("producer:P2", "buyer:B2", ("L3",)),
        ("raw_material_area:A2", "buyer:B2", ("L4",)),
    ]


def test_filters_by_product_technology_and_party_type(bac_kan: Engine) -> None:
    tea = graph(bac_kan, "061", date(2023, 6, 29), products=["TEA"])
    assert sorted(n for n, k in tea.nodes(data="kind") if k == "linkage") == ["linkage:L4"]
    shop = graph(bac_kan, "061", date(2022, 6, 1), technologies=["e_commerce"])
    assert sorted(n for n, k in shop.nodes(data="kind") if k == "linkage") == ["linkage:L4"]
    coops_only = graph(bac_kan, "061", date(2023, 6, 29), party_types=["cooperative"])
    assert {k for _, k in coops_only.nodes(data="kind")} == {"linkage", "cooperative"}


def test_a_province_view_can_leave_out_who_takes_part_in_nothing(bac_kan: Engine) -> None:
    g = graph(bac_kan, "06", date(2025, 12, 31), include_unlinked=False)
    assert sorted(n for n, k in g.nodes(data="kind") if k == "linkage") == [
        "linkage:L1",
        "linkage:L2",
        "linkage:L3",
        "linkage:L5",
        "linkage:L6",
    ]
    assert "cooperative:C2" not in g and unlinked(g).empty
