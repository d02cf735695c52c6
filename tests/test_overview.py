"""A province's overview: districts as clusters, chains between them, shared buyers (Bắc Kạn fixture).

The figures are checked against a second formulation written straight from the fixture's exchange
files (plain loops over the CSV rows, dates read by hand), not from the graph the overview reads.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from datetime import date, datetime
from itertools import combinations

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM
from linkage.geo.geography import old_map_geography
from linkage.graphs.graph import build_graph
from linkage.graphs.overview import Overview, OverviewFrames, overview_frames, province_overview
from linkage.graphs.overview_drawing import OVERVIEW_BRIDGE, overview_data, overview_html
from linkage.store.db import read_session

from .helpers import FIXTURE

HOSTILE = "<img src=x onerror=alert(1)>"


def rows(name: str) -> list[dict[str, str]]:
    with (FIXTURE / f"{name}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def day(text: str) -> date | None:
    if not text:
        return None
    return datetime.strptime(text, "%d/%m/%Y" if "/" in text else "%Y-%m-%d").date()


def on(start: str, end: str, when: date) -> bool:
    begun, ended = day(start), day(end)
    return (begun is None or begun <= when) and (ended is None or ended > when)


def expected(province: str, when: date, district_of: dict[str, str], own: set[str]) -> dict[str, object]:
    """The overview's figures computed from the exchange files alone."""
    active = {r["code"] for r in rows("linkages") if on(r["started_on"], r["ended_on"], when)}
    digital = {r["linkage_code"] for r in rows("digital_adoptions") if on(r["adopted_on"], r["discontinued_on"], when)}
    home = {
        kind: {r["code"]: r["commune_code"].zfill(5) for r in rows(table)}
        for kind, table in (
            ("cooperative", "cooperatives"),
            ("producer", "producers"),
            ("raw_material_area", "raw_material_areas"),
        )
    }
    places: dict[str, set[str]] = defaultdict(set)
    buyers: dict[str, set[str]] = defaultdict(set)
    for r in rows("linkage_parties"):
        if r["linkage_code"] not in active:
            continue
        if r["party_type"] == "buyer":
            buyers[r["party_code"]].add(r["linkage_code"])
        else:
            district = district_of.get(home[r["party_type"]][r["party_code"]])
            if district in own:
                places[r["linkage_code"]].add(district)
    per_district = {d: sorted(lk for lk, ds in places.items() if d in ds) for d in sorted(own)}
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for ds in places.values():
        for a, b in combinations(sorted(ds), 2):
            pairs[(a, b)] += 1
    shared = {}
    for buyer, linkages in buyers.items():
        reach = {d: sum(1 for lk in linkages if d in places.get(lk, ())) for d in sorted(own)}
        reach = {d: n for d, n in reach.items() if n}
        if len(reach) >= 2:
            shared[buyer] = reach
    return {
        "linkages": {d: len(ls) for d, ls in per_district.items()},
        "digital": {d: sum(1 for lk in ls if lk in digital) for d, ls in per_district.items()},
        "pairs": dict(pairs),
        "shared": shared,
    }


def overview_of(engine: Engine, province: str, when: date) -> tuple[Overview, dict[str, object]]:
    with read_session(engine) as session:
        g = build_graph(session, province, when, actor=SYSTEM)
        geo = old_map_geography()
    district_of = dict(zip(geo.communes["code"], geo.communes["district_code"], strict=True))
    own = set(geo.districts.loc[geo.districts["province_code"] == province, "code"])
    return province_overview(province, geo.districts, overview_frames(g)), expected(province, when, district_of, own)


@pytest.mark.parametrize("when", [date(2023, 6, 29), date(2024, 6, 1), date(2026, 1, 1)])
def test_the_overview_counts_what_the_exchange_files_say(bac_kan: Engine, when: date) -> None:
    overview, want = overview_of(bac_kan, "06", when)
    table = overview.districts.set_index("code")
    assert dict(table["linkages"]) == want["linkages"]
    assert dict(table["digital"]) == want["digital"]
    assert {(r.district_a, r.district_b): r.linkages for r in overview.spans.itertuples()} == want["pairs"]
    shared: dict[str, dict[str, int]] = defaultdict(dict)
    for r in overview.buyers.itertuples():
        shared[str(r.buyer)][str(r.district)] = int(r.linkages)
    assert dict(shared) == want["shared"]
    assert sum(table["linkages"]) > 0  # the fixture has linkages in the province on every date tested


def test_the_fixture_shows_a_chain_across_two_districts_and_a_buyer_they_share(bac_kan: Engine) -> None:
    overview, _ = overview_of(bac_kan, "06", date(2024, 6, 1))
    # L5: a producer in Bành Trạch (Ba Bể, 061) and an area in Bằng Thành (Pác Nặm, 060)
    assert list(overview.spans.itertuples(index=False, name=None)) == [("060", "061", 1)]
    # B1 buys through L1 (Thành phố Bắc Kạn, 058) and L2 (Pác Nặm); its L7 lies in Hà Nội, not here
    assert sorted(overview.buyers["district"]) == ["058", "060"] and set(overview.buyers["buyer"]) == {"B1"}
    table = overview.districts.set_index("code")
    assert len(table) == 8 and table.loc["062", "linkages"] == 0 and pd.isna(table.loc["062", "share"])


def test_a_linkage_across_three_districts_joins_each_pair_and_other_provinces_are_left_out() -> None:
    districts = pd.DataFrame(
        {"code": ["001", "002", "003", "270"], "name": ["A", "B", "C", "X"], "province_code": ["01", "01", "01", "25"]}
    )
    frames = OverviewFrames(
        pd.DataFrame({"code": ["L1", "L2"], "digital": [True, False]}),
        pd.DataFrame({"linkage": ["L1", "L1", "L1", "L1", "L2"], "district": ["001", "002", "003", "270", "001"]}),
        pd.DataFrame({"linkage": ["L2"], "buyer": ["B9"], "name": ["one district only"]}),
    )
    overview = province_overview("01", districts, frames)
    assert list(overview.spans.itertuples(index=False, name=None)) == [
        ("001", "002", 1),
        ("001", "003", 1),
        ("002", "003", 1),
    ]
    assert list(overview.districts["code"]) == ["001", "002", "003"]
    assert list(overview.districts["linkages"]) == [2, 1, 1] and list(overview.districts["share"]) == [0.5, 1, 1]
    assert overview.buyers.empty  # a buyer of one district is drawn in that district's graph, not here


def hand_overview() -> Overview:
    return Overview(
        "06",
        pd.DataFrame(
            {
                "code": ["058", "060", "061"],
                "name": ["Thành Phố Bắc Kạn", "Huyện Pác Nặm", "Huyện Ba Bể"],
                "linkages": [4, 1, 0],
                "digital": [1, 1, 0],
                "share": [0.25, 1.0, float("nan")],
            }
        ),
        pd.DataFrame({"district_a": ["058"], "district_b": ["060"], "linkages": [1]}),
        pd.DataFrame({"buyer": ["B1", "B1"], "name": [HOSTILE] * 2, "district": ["058", "060"], "linkages": [3, 1]}),
    )


def test_the_overview_page_draws_districts_by_size_and_share_and_keeps_names_inert() -> None:
    page = overview_html(hand_overview(), f"Tỉnh {HOSTILE}", lang="en", selectable=True, assets_url="app/static")
    assert HOSTILE not in page and "Tỉnh &lt;img" in page
    data = json.loads(re.search(r"^  var data = (.*);$", page, re.M).group(1))  # type: ignore[union-attr]
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["district:058"]["size"] > nodes["district:060"]["size"] > nodes["district:061"]["size"]
    assert [nodes[f"district:{c}"]["color"] for c in ("058", "060", "061")] == ["#f9a825", "#2e7d32", "#bdbdbd"]
    assert nodes["buyer:B1"]["label"] == HOSTILE  # drawn on the canvas as text; escaped inside the script
    assert "Applying digital technology: 1 (25%)" in nodes["district:058"]["title"]
    assert sorted((e["from"], e["to"]) for e in data["edges"]) == [
        ("buyer:B1", "district:058"),
        ("buyer:B1", "district:060"),
        ("district:058", "district:060"),
    ]
    assert "50 % or more of linkages digital" in page and OVERVIEW_BRIDGE in page
    assert OVERVIEW_BRIDGE not in overview_html(hand_overview(), "t")  # outside the app a click opens nothing


def test_every_district_is_labelled_with_its_linkages_in_vietnamese() -> None:
    nodes, _ = overview_data(hand_overview(), "vi")
    assert [n["label"] for n in nodes if n["id"].startswith("district:")] == [
        "Thành Phố Bắc Kạn\n4",
        "Huyện Pác Nặm\n1",
        "Huyện Ba Bể\n0",
    ]


def test_only_the_most_shared_buyers_are_drawn_and_the_page_says_how_many_are_not() -> None:
    from linkage.graphs.overview_drawing import MAX_SHARED_BUYERS

    base = hand_overview()
    many = pd.DataFrame(
        [
            {"buyer": f"B{i:02d}", "name": f"Bên mua {i}", "district": district, "linkages": 1}
            for i in range(MAX_SHARED_BUYERS + 3)
            for district in (["058", "060", "061"] if i in (4, 9) else ["058", "060"])
        ]
    )
    overview = Overview(base.province, base.districts, base.spans, many)
    page = overview_html(overview, "t", lang="en", assets_url="app/static")
    data = json.loads(re.search(r"^  var data = (.*);$", page, re.M).group(1))  # type: ignore[union-attr]
    drawn = sorted(n["id"].removeprefix("buyer:") for n in data["nodes"] if n["id"].startswith("buyer:"))
    # the two reaching three districts, then the first by code among those reaching two
    assert drawn == sorted(["B04", "B09", *[f"B{i:02d}" for i in (0, 1, 2, 3, 5, 6, 7, 8, 10, 11)]])
    assert "Only the 12 buyers shared by the most districts are drawn; 3 more are in" in page


def test_an_overview_of_the_new_map_speaks_of_communes_in_both_languages() -> None:
    from dataclasses import replace

    communes = replace(hand_overview(), map_name="2025-07")  # the same figures, its clusters communes
    for lang, words, districts in (
        ("en", ["Click to open this commune's graph.", "Buyer shared by communes", "Commune: 50 %"], "districts"),
        ("vi", ["Bấm để mở sơ đồ của xã này.", "Bên mua chung của nhiều xã", "Xã: từ 50 %"], "nhiều huyện"),
    ):
        page = overview_html(communes, "t", lang=lang, assets_url="app/static")
        assert all(w in page for w in words) and districts not in page
        old = overview_html(hand_overview(), "t", lang=lang, assets_url="app/static")
        assert districts in old and not any(w in old for w in words)
