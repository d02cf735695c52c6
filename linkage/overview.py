"""A province at a glance: its districts as clusters, the chains between them, the buyers they share.

A province's full graph has thousands of nodes (Hà Nội: 4,627 on the national demo), more than a
browser lays out readably. The overview draws one node per district of the province, sized by its
active linkages and coloured by the share of them applying digital technology; a line joins two
districts for every linkage with parties in both (thicker: more); a buyer appears when it buys
through linkages of two or more districts. A click on a district opens that district's full graph.

A linkage *is in* a district when one of its cooperatives, producers or raw material areas is
registered there (the rule `graph.build_graph` uses to place a linkage in a unit), so a linkage
spanning two districts counts in both. Districts of other provinces are left out.

Built over frames, so the rule is testable without a database:
`overview_frames(graph, communes)` reads them from the province's graph, and
`province_overview(...)` is a pure function over them; `overview_of` does both.

Example: linkage L5 with a producer in district 061 and an area in 063 gives `spans` one row
`061, 063, 1`, and each district one active linkage.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pandas as pd

from linkage.geography import Geography

HOMED = ("cooperative", "producer", "raw_material_area")  # the parties that place a linkage somewhere


@dataclass(frozen=True)
class OverviewFrames:
    """What the overview is computed from (one row per fact, codes as text)."""

    linkages: pd.DataFrame  # code, digital (bool): the active linkages drawn
    places: pd.DataFrame  # linkage, district: the districts each linkage is in (distinct pairs)
    buyers: pd.DataFrame  # linkage, buyer, name: the buyers of each linkage


@dataclass(frozen=True)
class Overview:
    """The province's overview: figures a planner reads, all counts of active linkages."""

    province: str
    districts: pd.DataFrame  # code, name, linkages, digital, share (0–1; NaN without linkage), by code
    spans: pd.DataFrame  # district_a < district_b, linkages: linkages with parties in both
    buyers: pd.DataFrame  # buyer, name, district, linkages: buyers in linkages of ≥ 2 districts


def overview_frames(graph: nx.MultiDiGraph, communes: pd.DataFrame) -> OverviewFrames:
    """The overview's frames from a unit's linkage graph (`graph.build_graph`) and the commune map
    (`Geography.communes`: code, district_code): where each homed party sits, through its commune."""
    district_of = dict(zip(communes["code"], communes["district_code"], strict=True))
    linkage_rows = []
    place_rows = []
    buyer_rows = []
    for node, attrs in graph.nodes(data=True):
        if attrs["kind"] != "linkage":
            continue
        code = str(attrs["code"])
        linkage_rows.append({"code": code, "digital": bool(attrs.get("digital"))})
        for party, _, edge in graph.in_edges(node, data=True):
            if edge.get("relation") != "party":
                continue
            party_attrs = graph.nodes[party]
            if party_attrs["kind"] in HOMED and party_attrs.get("commune_code") in district_of:
                place_rows.append({"linkage": code, "district": district_of[party_attrs["commune_code"]]})
            elif party_attrs["kind"] == "buyer":
                buyer_rows.append(
                    {"linkage": code, "buyer": str(party_attrs["code"]), "name": party_attrs.get("name") or ""}
                )
    return OverviewFrames(
        pd.DataFrame(linkage_rows, columns=["code", "digital"]),
        pd.DataFrame(place_rows, columns=["linkage", "district"]).drop_duplicates(),
        pd.DataFrame(buyer_rows, columns=["linkage", "buyer", "name"]).drop_duplicates(["linkage", "buyer"]),
    )


def province_overview(province: str, districts: pd.DataFrame, frames: OverviewFrames) -> Overview:
    """The overview of `province` over its `districts` (code, name, province_code: the map's
    districts; those of other provinces are ignored). Every district of the province is listed,
    also one with no linkage: a gap is what a planner looks for."""
    own = districts.loc[districts["province_code"] == province, ["code", "name"]].sort_values("code")
    places = frames.places[frames.places["district"].isin(set(own["code"]))]
    places = places.merge(frames.linkages.rename(columns={"code": "linkage"}), on="linkage")
    counts = places.groupby("district").agg(linkages=("linkage", "nunique"), digital=("digital", "sum"))
    table = own.merge(counts, left_on="code", right_index=True, how="left")
    table[["linkages", "digital"]] = table[["linkages", "digital"]].fillna(0).astype(int)
    table["share"] = (table["digital"] / table["linkages"]).where(table["linkages"] > 0)
    pairs = places[["linkage", "district"]].merge(places[["linkage", "district"]], on="linkage")
    pairs = pairs[pairs["district_x"] < pairs["district_y"]]
    spans = (
        pairs.groupby(["district_x", "district_y"])
        .size()
        .reset_index(name="linkages")
        .rename(columns={"district_x": "district_a", "district_y": "district_b"})
        .sort_values(["district_a", "district_b"])
    )
    bought = frames.buyers.merge(places[["linkage", "district"]], on="linkage")
    per = bought.groupby(["buyer", "district"]).agg(name=("name", "first"), linkages=("linkage", "nunique"))
    per = per.reset_index()
    reach = per.groupby("buyer")["district"].transform("nunique")
    shared = per[reach >= 2][["buyer", "name", "district", "linkages"]].sort_values(["buyer", "district"])
    return Overview(
        province,
        table.reset_index(drop=True),
        spans.reset_index(drop=True),
        shared.reset_index(drop=True),
    )


def overview_of(graph: nx.MultiDiGraph, province: str, geography: Geography) -> Overview:
    """The overview of `province` from its linkage graph (`graph.build_graph` of the province)."""
    return province_overview(province, geography.districts, overview_frames(graph, geography.communes))
