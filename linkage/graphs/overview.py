"""A province at a glance: its districts as clusters, the chains between them, the buyers they share.

A province's full graph has thousands of nodes (Hà Nội: 4,627 on the national demo), more than a
browser lays out readably. The overview draws one node per district of the province, sized by its
active linkages and coloured by the share of them applying digital technology; a line joins two
districts for every linkage with parties in both (thicker: more); a buyer appears when it buys
through linkages of two or more districts. A click on a district opens that district's full graph.

On map `2025-07`, which has no districts, the clusters are the province's communes. A linkage *is
in* a cluster when one of its cooperatives, producers or raw material areas is placed there on the
province's map (docs/exchange-files.md, "Two maps"; the rule `graph.build_graph` uses to place a linkage in a unit: a
party given on the other map only counts where the crosswalk places it, and in no cluster when it is placed above them),
so a linkage spanning two clusters counts in both. Clusters of other provinces are left out. The frames and the overview
call a cluster `district` on either map.

Built over frames, so the rule is testable without a database:
`overview_frames(graph, map)` reads them from the province's graph, and
`province_overview(...)` is a pure function over them; `overview_of` does both.

Example: linkage L5 with a producer in district 061 and an area in 063 gives `spans` one row
`061, 063, 1`, and each district one active linkage.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pandas as pd

from linkage.frames import is_in
from linkage.geo.geography import Geography
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, as_unit, map_data, placements

HOMED = ("cooperative", "producer", "raw_material_area")  # the parties that place a linkage somewhere


@dataclass(frozen=True)
class OverviewFrames:
    """What the overview is computed from (one row per fact, codes as text)."""

    linkages: pd.DataFrame  # code, digital (bool): the active linkages drawn
    places: pd.DataFrame  # linkage, district: the clusters each linkage is in (distinct pairs)
    buyers: pd.DataFrame  # linkage, buyer, name: the buyers of each linkage


@dataclass(frozen=True)
class Overview:
    """The province's overview: figures a planner reads, all counts of active linkages."""

    province: str
    districts: pd.DataFrame  # code, name, linkages, digital, share (0–1; NaN without linkage), by code
    spans: pd.DataFrame  # district_a < district_b, linkages: linkages with parties in both
    buyers: pd.DataFrame  # buyer, name, district, linkages: buyers in linkages of ≥ 2 districts
    map_name: str = OLD_MAP  # the province's map: its clusters are districts (2025-01) or communes (2025-07)


def clusters(map_name: str) -> pd.DataFrame:
    """The units an overview of a province of `map_name` is drawn as (code, name, province_code):
    districts on 2025-01, communes on 2025-07."""
    data = map_data(map_name)
    units = data.districts if map_name == OLD_MAP else data.communes
    return pd.DataFrame(
        [(code, place.name, place.province) for code, place in units.items()], columns=["code", "name", "province_code"]
    )


def cluster_of(commune_2025_01: str | None, commune_2025_07: str | None, map_name: str) -> str | None:
    """The cluster of map `map_name` a party located by these communes is placed in (docs/exchange-files.md, "Two
    maps"), or None when it is placed above the clusters (in a province or the country) or located nowhere."""
    own, other, other_map = (
        (commune_2025_01, commune_2025_07, NEW_MAP)
        if map_name == OLD_MAP
        else (commune_2025_07, commune_2025_01, OLD_MAP)
    )
    data = map_data(map_name)
    if own:
        unit = data.communes[own].unit if own in data.communes else None
    else:
        unit = placements(other_map, map_name).get(other) if other else None
    if unit is None:
        return None
    if map_name == OLD_MAP:
        if unit.level == "commune":
            return data.communes[unit.code].district
        return unit.code if unit.level == "district" else None
    return unit.code if unit.level == "commune" else None


def overview_frames(graph: nx.MultiDiGraph, map_name: str = OLD_MAP) -> OverviewFrames:
    """The overview's frames from a unit's linkage graph (`graph.build_graph`) on `map_name`: the
    cluster each homed party is placed in, from its communes."""
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
            if party_attrs["kind"] in HOMED:
                where = cluster_of(party_attrs.get("commune_code"), party_attrs.get("commune_code_2025_07"), map_name)
                if where is not None:
                    place_rows.append({"linkage": code, "district": where})
            elif party_attrs["kind"] == "buyer":
                buyer_rows.append(
                    {"linkage": code, "buyer": str(party_attrs["code"]), "name": party_attrs.get("name") or ""}
                )
    return OverviewFrames(
        pd.DataFrame(linkage_rows, columns=["code", "digital"]),
        pd.DataFrame(place_rows, columns=["linkage", "district"]).drop_duplicates(),
        pd.DataFrame(buyer_rows, columns=["linkage", "buyer", "name"]).drop_duplicates(["linkage", "buyer"]),
    )


def province_overview(
    province: str, districts: pd.DataFrame, frames: OverviewFrames, map_name: str = OLD_MAP
) -> Overview:
    """The overview of `province` over its clusters `districts` (code, name, province_code: the map's
    districts, or its communes on 2025-07; those of other provinces are ignored). Every cluster of the
    province is listed, also one with no linkage: a gap is what a planner looks for."""
    own = districts.loc[districts["province_code"] == province, ["code", "name"]].sort_values("code")
    places = frames.places[is_in(frames.places["district"], set(own["code"]))]
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
        map_name,
    )


def overview_of(graph: nx.MultiDiGraph, province: Unit | str, geography: Geography | None = None) -> Overview:
    """The overview of `province` (a code: of 2025-01) from its linkage graph (`graph.build_graph` of
    the province), on the province's map. `geography` is no longer read (the app's pages still pass it)."""
    unit = as_unit(province, OLD_MAP)
    if unit is None or unit.level != "province":
        raise ValueError(f"{province!r} is not a province of map {OLD_MAP}")
    return province_overview(unit.code, clusters(unit.map), overview_frames(graph, unit.map), unit.map)
