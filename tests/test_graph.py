"""The linkage graph of a unit on a date, and the analytics officers act on (Bắc Kạn fixture)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM, Actor
from linkage.errors import Refused
from linkage.graphs.graph import (
    build_graph,
    buyer_dependence,
    chains,
    flow_view,
    linkages_without_digital,
    parties_frame,
    single_buyer_linkages,
    unlinked,
)
from linkage.records.importing import import_path
from linkage.store.db import read_session


def graph(engine: Engine, unit: str, day: date, **filters):  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return build_graph(session, unit, day, **filters, actor=SYSTEM)


def left_out(engine: Engine, unit: str, day: date) -> list[tuple[str, str]]:
    with read_session(engine) as session:
        frame = unlinked(session, unit, day, actor=SYSTEM)
    return list(zip(frame["kind"], frame["code"], strict=True))


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
    assert left_out(bac_kan, "061", date(2023, 6, 29)) == [
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
    assert "cooperative:C2" not in g
    # Who is left out is listed for a province too, from the data, not from what the view draws.
    # On 2025-12-31: C2, C3 (township), C4, C7, C8 in no linkage; C5 dissolved; P4; A2 (L4 ended); A4 is in Hà Nội.
    assert left_out(bac_kan, "06", date(2025, 12, 31)) == [
        ("cooperative", "C2"),
        ("cooperative", "C3"),
        ("cooperative", "C4"),
        ("cooperative", "C7"),
        ("cooperative", "C8"),
        ("producer", "P4"),
        ("raw_material_area", "A2"),
    ]


DAY = date(2025, 6, 1)
CHAINS = {  # district 058: communes 01849 and 01852
    "cooperatives": "code,name,commune_code,established_on\nK1,HTX Một,01849,2020-01-01\n"
    "K2,HTX Hai,01852,2020-01-01\nK3,HTX Ba,01849,2020-01-01",
    "producers": "code,name,commune_code,cooperative_code\nH1,Hộ Một,01849,K1\nH2,Hộ Hai,01852,\nH3,Hộ Ba,01852,",
    "raw_material_areas": "code,name,commune_code,product_code,area_ha\nV1,Vùng Một,01849,RICE,10\n"
    "V2,Vùng Hai,01852,TEA,5",
    "buyers": "code,name,kind\nB1,Công ty Một,processor\nB2,Đại lý Hai,trader\nB3,Đại lý Ba,trader",
    "linkages": "code,name,product_code,started_on\nM1,Lúa một,RICE,2022-01-01\nM2,Lúa hai,RICE,2022-01-01\n"
    "M3,Chè ba,TEA,2024-01-01\nM4,Chè bốn,TEA,2024-01-01\nM5,Sau này,RICE,2026-01-01",
    "linkage_parties": "linkage_code,party_type,party_code,is_lead\nM1,cooperative,K1,true\n"
    "M1,raw_material_area,V1,\nM1,buyer,B1,\nM1,buyer,B2,\nM2,producer,H1,\nM2,buyer,B1,\n"
    "M3,cooperative,K2,\nM3,buyer,B3,\nM4,producer,H2,\nM4,buyer,B1,\nM5,cooperative,K3,",
    "digital_adoptions": "linkage_code,technology,adopted_on,discontinued_on\nM1,traceability,2022-01-01,\n"
    "M2,e_commerce,2022-01-01,2024-01-01\nM4,e_contract,2025-06-01,",
}


@pytest.fixture
def chained(engine: Engine, files) -> Engine:  # type: ignore[no-untyped-def]
    import_path(engine, files(CHAINS))
    return engine


def test_buyer_dependence_counts_each_buyers_linkages_and_flags_above_one_half(chained: Engine) -> None:
    rows = buyer_dependence(graph(chained, "058", DAY)).to_dict("records")
    # Four active linkages (M1–M4): B1 is in M1, M2 and M4.
    assert [(r["code"], r["linkages"], r["share"], r["flagged"]) for r in rows] == [
        ("B1", 3, 0.75, True),
        ("B2", 1, 0.25, False),
        ("B3", 1, 0.25, False),
    ]
    # In 2023 only M1 and M2 run: B2 behind exactly one half is not flagged.
    early = {
        r["code"]: (r["share"], r["flagged"])
        for r in buyer_dependence(graph(chained, "058", date(2023, 1, 1))).to_dict("records")
    }
    assert early == {"B1": (1.0, True), "B2": (0.5, False)}


def test_single_buyer_and_paper_based_linkages(chained: Engine) -> None:
    g = graph(chained, "058", DAY)
    single = single_buyer_linkages(g)
    assert list(zip(single["code"], single["buyer"], strict=True)) == [
        ("M2", "Công ty Một"),
        ("M3", "Đại lý Ba"),
        ("M4", "Công ty Một"),
    ]  # M1 has two buyers
    # M1 applies traceability; M2's e-commerce stopped in 2024; M4's e-contract starts on the day itself.
    assert list(linkages_without_digital(g)["code"]) == ["M2", "M3"]


def test_chains_join_linkages_through_shared_parties_and_membership(chained: Engine) -> None:
    found = chains(graph(chained, "058", DAY))
    # M1 and M2 meet in K1 (H1 is its member) and in B1, which also buys from M4; M3 stands alone.
    assert [(c.linkages, c.members) for c in found] == [(("M1", "M2", "M4"), 9), (("M3",), 3)]


def test_who_is_left_out_does_not_depend_on_the_view_filters(chained: Engine) -> None:
    expected = [("cooperative", "K3"), ("producer", "H3"), ("raw_material_area", "V2")]  # K3's linkage starts later
    assert left_out(chained, "058", DAY) == expected
    tea = graph(chained, "058", DAY, products=["TEA"])
    assert sorted(tea.nodes) == [
        "buyer:B1",
        "buyer:B3",
        "cooperative:K2",
        "linkage:M3",
        "linkage:M4",
        "producer:H2",
    ]  # a product filter draws the chains only


def test_a_linkages_parties_lead_first(chained: Engine) -> None:
    frame = parties_frame(graph(chained, "058", DAY), "linkage:M1")
    assert list(zip(frame["party_type"], frame["code"], frame["is_lead"], strict=True)) == [
        ("cooperative", "K1", True),
        ("buyer", "B1", False),
        ("buyer", "B2", False),
        ("raw_material_area", "V1", False),
    ]


@pytest.mark.parametrize(
    ("actor", "unit", "allowed"),
    [
        (Actor("lan", "officer", "058"), "058", True),
        (Actor("lan", "officer", "058"), "061", False),
        (Actor("lan", "officer", "058"), "06", False),
        (Actor("hoa", "planner", "06"), "06", True),
        (Actor("hoa", "planner", "06"), "058", True),
        (Actor("hoa", "planner", "06"), "01", False),
        (Actor("minh", "planner", "VN"), "001", True),
        (Actor("htx", "cooperative", cooperative_code="K1"), "058", False),
    ],
)
def test_a_units_graph_and_lists_open_only_within_the_actors_scope(
    chained: Engine, actor: Actor, unit: str, allowed: bool
) -> None:
    with read_session(chained) as session:
        if allowed:
            build_graph(session, unit, DAY, actor=actor)
            unlinked(session, unit, DAY, actor=actor)
        else:
            with pytest.raises(Refused):
                build_graph(session, unit, DAY, actor=actor)
            with pytest.raises(Refused):
                unlinked(session, unit, DAY, actor=actor)


def test_who_takes_part_in_nothing_is_looked_up_by_party_code_not_by_a_scan(bac_kan: Engine) -> None:
    # `unlinked` asks, for every record of the unit, whether a live party of its type names it. When
    # SQLite answered that from an index on the parties' type and linkage, each record scanned every
    # party of its type: Hà Nội's graph page took 53 s instead of 2 (the national browser bench).
    if bac_kan.dialect.name != "sqlite":
        pytest.skip("SQLite's query plan; PostgreSQL plans by its statistics")
    import sqlalchemy as sa

    statements: list[str] = []  # as SQLite ran them (the graph reads through the driver's cursor)

    def trace(dbapi_connection, record, proxy) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.set_trace_callback(statements.append)

    sa.event.listen(bac_kan, "checkout", trace)
    try:
        with read_session(bac_kan) as session:
            unlinked(session, "06", DAY, actor=SYSTEM)
            session.connection().connection.driver_connection.set_trace_callback(None)  # type: ignore[union-attr]
    finally:
        sa.event.remove(bac_kan, "checkout", trace)
    lookups = []
    with bac_kan.connect() as conn:
        for statement in statements:
            if "linkage_party" in statement and "EXISTS" in statement.upper():
                plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}").all()
                lookups += [row[-1] for row in plan if "linkage_party" in row[-1]]
    assert len(lookups) == 3  # cooperatives, producers, raw material areas
    assert all("party_code=?" in step for step in lookups), lookups


def test_rows_read_column_by_column_are_those_pandas_gives() -> None:
    """`graph.records`, the fast read of a frame's rows, gives what `DataFrame.to_dict("records")` gives,
    value for value and type for type, for every kind of column a graph reads (text held by Arrow with
    gaps, whole numbers, numbers with gaps, dates, flags, lists)."""
    import pandas as pd

    from linkage.graphs.graph import records

    frame = pd.DataFrame(
        {
            "code": pd.Series(["C1", None, "C3"], dtype="string[pyarrow]"),
            "name": pd.Series(["HTX Dương Quang", "<b>x</b>", None], dtype="str"),
            "members": [3, 0, 12],
            "area": [1.5, float("nan"), 2.0],
            "founded": [date(2020, 1, 1), None, date(2024, 2, 29)],
            "stamp": pd.to_datetime(["2024-01-01", None, "2025-07-01"]),
            "lead": [True, False, True],
            "flag": pd.Series([True, None, False], dtype="boolean"),
            "count": pd.Series([1, None, 3], dtype="Int64"),
            "technologies": [["e_commerce"], [], ["iot_sensing", "other"]],
        }
    )
    expected = frame.to_dict("records")
    got = list(records(frame))
    assert len(got) == len(expected) == 3
    for mine, theirs in zip(got, expected, strict=True):
        assert list(mine) == list(theirs)
        for key in theirs:
            a, b = mine[key], theirs[key]
            assert type(a) is type(b), (key, a, b)
            assert a == b or (a is b) or (pd.isna(a) and pd.isna(b)), (key, a, b)
    assert list(records(frame.iloc[:0])) == []
