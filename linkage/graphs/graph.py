"""The linkage graph of one unit on one date (networkx), its flow view, and what officers act on.

Built with a handful of set-based queries: the active linkages located in the unit, all their
parties (buyers included wherever they sit), and every cooperative, producer and raw material area
registered in the unit — also those in no linkage, because officers look for who is left out.
Node ids are `kind:code` (`linkage:M01`, `cooperative:K01`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import networkx as nx
import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col

from linkage.actor import Actor
from linkage.counting.lifespan import ADOPTION, COOPERATIVE, LINKAGE
from linkage.frames import is_in
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, as_unit, map_data, placements, unit_holds
from linkage.records.permissions import require_unit_view
from linkage.store.db import chunked, read_frame
from linkage.store.models import (
    Buyer,
    Cooperative,
    DigitalAdoption,
    Linkage,
    LinkageParty,
    Producer,
    Product,
    RawMaterialArea,
)

KINDS = ("linkage", "cooperative", "producer", "raw_material_area", "buyer")
DEPENDENCE_FLAG = 0.5  # a buyer behind more than half of the unit's linkages


def node_id(kind: str, code: str) -> str:
    return f"{kind}:{code}"


LOWEST = {OLD_MAP: "district", NEW_MAP: "commune"}  # the unit whose graph shows who is in no linkage


class UnknownUnit(ValueError):
    """A unit code the map does not list."""


def _unit(unit: Unit | str, map_name: str) -> Unit:
    found = as_unit(unit, map_name)
    if found is None:
        raise UnknownUnit(f"{unit!r} is not a unit of map {map_name}")
    return found


def _placed_in_unit(model: Any, unit: Unit) -> Any:
    """A condition on `model` selecting the records placed (docs/exchange-files.md, "Two maps") in `unit` or below it:
    by their commune on the unit's map where given, else where their commune of the other map is placed
    (`maps.placements`), so a record given on one map only is in the graphs of both."""
    if unit.level == "national":
        return sa.true()
    own, other = (
        (model.commune_code, model.commune_code_2025_07)
        if unit.map == OLD_MAP
        else (model.commune_code_2025_07, model.commune_code)
    )
    mine, placed = _communes_placed_in(unit)
    return sa.or_(own.in_(mine), sa.and_(own.is_(None), other.in_(placed)))


@cache
def _communes_placed_in(unit: Unit) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The communes of the unit's map in it, and those of the other map placed in it (or below it)."""
    other_map = NEW_MAP if unit.map == OLD_MAP else OLD_MAP
    mine = tuple(c for c, p in map_data(unit.map).communes.items() if unit_holds(unit, p.unit))
    placed = tuple(c for c, where in placements(other_map, unit.map).items() if unit_holds(unit, where))
    return mine, placed


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (with both commune columns) plus `commune_name` and `district_name`: the commune of
    2025-01 and its district where given, else the commune of 2025-07 and its province."""
    old, new = map_data(OLD_MAP).communes, map_data(NEW_MAP).communes

    def names(row: tuple[Any, Any]) -> tuple[str | None, str | None]:
        first, second = row
        place = old.get(first) if first else new.get(second) if second else None
        return (place.name, place.unit.parent) if place else (None, None)

    pairs = [names(r) for r in zip(frame["commune_code"], frame["commune_code_2025_07"], strict=True)]
    frame = frame.copy()
    frame["commune_name"] = [a for a, _ in pairs]
    frame["district_name"] = [b for _, b in pairs]
    return frame


def _frame_of(
    session: Session, codes: Collection[str], query: Callable[[list[str]], Any], columns: list[str]
) -> pd.DataFrame:
    """The rows `query(chunk)` selects for the codes, one IN list of sorted codes per chunk, as one
    frame (with `columns`, empty, when there are no codes)."""
    frames = [read_frame(session, query(chunk)) for chunk in chunked(sorted(codes))]
    return pd.concat(frames) if frames else pd.DataFrame(columns=columns)


HOMED_COLUMNS: dict[str, tuple[Any, list[Any]]] = {
    "cooperative": (
        Cooperative,
        [
            col(Cooperative.code),
            col(Cooperative.name),
            col(Cooperative.commune_code),
            col(Cooperative.commune_code_2025_07),
            col(Cooperative.members),
            col(Cooperative.established_on),
            col(Cooperative.dissolved_on),
        ],
    ),
    "producer": (
        Producer,
        [
            col(Producer.code),
            col(Producer.name),
            col(Producer.commune_code),
            col(Producer.commune_code_2025_07),
            col(Producer.kind).label("producer_kind"),
            col(Producer.cooperative_code),
        ],
    ),
    "raw_material_area": (
        RawMaterialArea,
        [
            col(RawMaterialArea.code),
            col(RawMaterialArea.name),
            col(RawMaterialArea.commune_code),
            col(RawMaterialArea.commune_code_2025_07),
            col(RawMaterialArea.product_code),
            col(RawMaterialArea.area_ha),
            col(RawMaterialArea.planting_area_code),
        ],
    ),
}


def _homed(
    session: Session,
    kind: str,
    unit: Unit,
    named: set[str],
    include_unlinked: bool,
    as_of: date,
) -> pd.DataFrame:
    """Live cooperatives, producers or raw material areas (`kind`) placed in the unit (cooperatives:
    active on the date), when `include_unlinked`, plus those the linkages name wherever they are."""
    model, columns = HOMED_COLUMNS[kind]
    base = sa.select(*columns).where(model.archived_at.is_(None))
    here = base.where(_placed_in_unit(model, unit))
    if kind == "cooperative":
        here = here.where(COOPERATIVE.condition(Cooperative, as_of))
    names = [c.key for c in columns]
    frames = [read_frame(session, here)] if include_unlinked else []
    if named:
        frames.append(_frame_of(session, named, lambda chunk: base.where(model.code.in_(chunk)), names))
    found = pd.concat(frames).drop_duplicates("code") if frames else pd.DataFrame(columns=names)
    return _named(found)


def _located_linkages(session: Session, unit: Unit, as_of: date) -> pd.DataFrame:
    """Live linkages active on the date with a cooperative, producer or raw material area placed in the unit.

    A party is found by its type and code (the code of its type's column, a check constraint says so):
    one seek in the live parties' index per record placed in the unit, instead of a pass over every
    party of the country."""
    party = LinkageParty
    located = sa.union(
        *(
            sa.select(col(party.linkage_code))
            .join(model, model.code == col(party.party_code))
            .where(
                _placed_in_unit(model, unit),
                col(party.party_type) == kind,
                col(party.archived_at).is_(None),
                model.archived_at.is_(None),
            )
            for kind, (model, _) in HOMED_COLUMNS.items()
        )
    ).subquery()
    return read_frame(
        session,
        sa.select(
            col(Linkage.code),
            col(Linkage.name),
            col(Linkage.product_code),
            col(Product.name_vi).label("product_name"),
            col(Product.name_en).label("product_name_en"),
            col(Linkage.started_on),
            col(Linkage.ended_on),
            col(Linkage.form),
        )
        .join(Product, col(Product.code) == col(Linkage.product_code))
        .where(
            col(Linkage.code).in_(sa.select(located.c.linkage_code)),
            col(Linkage.archived_at).is_(None),
            LINKAGE.condition(Linkage, as_of),
        ),
    )


def _technologies(session: Session, linkages: Collection[str], as_of: date) -> dict[str, list[str]]:
    """The digital technologies each linkage has in use on the date, sorted."""
    adoptions = _frame_of(
        session,
        linkages,
        lambda chunk: sa.select(col(DigitalAdoption.linkage_code), col(DigitalAdoption.technology)).where(
            col(DigitalAdoption.linkage_code).in_(chunk),
            col(DigitalAdoption.archived_at).is_(None),
            ADOPTION.condition(DigitalAdoption, as_of),
        ),
        ["linkage_code", "technology"],
    )
    grouped = adoptions.groupby("linkage_code")["technology"].agg(lambda s: sorted(set(s)))
    return {str(k): v for k, v in grouped.items()}


def _parties(session: Session, linkages: Collection[str]) -> pd.DataFrame:
    party = LinkageParty
    return _frame_of(
        session,
        linkages,
        lambda chunk: sa.select(
            col(party.linkage_code), col(party.party_type), col(party.party_code), col(party.is_lead)
        ).where(col(party.linkage_code).in_(chunk), col(party.archived_at).is_(None)),
        ["linkage_code", "party_type", "party_code", "is_lead"],
    )


def _buyers(session: Session, codes: Collection[str]) -> pd.DataFrame:
    return _frame_of(
        session,
        codes,
        lambda chunk: sa.select(
            col(Buyer.code),
            col(Buyer.name),
            col(Buyer.kind).label("buyer_kind"),
            col(Buyer.commune_code),
            col(Buyer.commune_code_2025_07),
        ).where(col(Buyer.code).in_(chunk)),
        ["code", "name", "buyer_kind", "commune_code", "commune_code_2025_07"],
    )


@dataclass(frozen=True)
class GraphData:
    """What one unit's graph is drawn from, as frames: the set-based reads, before any networkx."""

    linkages: pd.DataFrame  # code, name, product_code, product_name(_en), started_on, ended_on, form
    technologies: dict[str, list[str]]  # linkage code -> technologies in use on the date
    parties: pd.DataFrame  # linkage_code, party_type, party_code, is_lead
    # each with commune_code and commune_code_2025_07 (either may be None) and the place names
    cooperatives: pd.DataFrame  # code, name, members, established_on, dissolved_on
    producers: pd.DataFrame  # code, name, producer_kind, cooperative_code
    areas: pd.DataFrame  # code, name, product_code, area_ha, planting_area_code
    buyers: pd.DataFrame  # code, name, buyer_kind, commune_code, commune_code_2025_07


def graph_data(
    session: Session,
    unit: Unit,
    as_of: date,
    products: Collection[str] | None = None,
    technologies: Collection[str] | None = None,
    include_unlinked: bool = False,
) -> GraphData:
    """The unit's linkages active on `as_of` (of those products, applying those technologies), all
    their parties wherever they are, and with `include_unlinked` the unit's own cooperatives,
    producers and areas too. No permission check: `build_graph` asks first."""
    linkages = _located_linkages(session, unit, as_of)
    if products:
        linkages = linkages[is_in(linkages["product_code"], set(products))]
    tech = _technologies(session, set(linkages["code"]), as_of)
    if technologies:
        wanted = set(technologies)
        linkages = linkages[[bool(wanted & set(tech.get(c, ()))) for c in linkages["code"]]]
    parties = _parties(session, set(linkages["code"]))
    named = {t: set(parties.loc[parties["party_type"] == t, "party_code"]) for t in KINDS}
    homed = {kind: _homed(session, kind, unit, named[kind], include_unlinked, as_of) for kind in HOMED_COLUMNS}
    return GraphData(
        linkages,
        tech,
        parties,
        homed["cooperative"],
        homed["producer"],
        homed["raw_material_area"],
        _buyers(session, named["buyer"]),
    )


def records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """A frame's rows as dicts with the values `to_dict("records")` gives, read column by column:
    `to_dict` steps through text columns held by Arrow one value at a time, which was most of the
    time a province's graph took to build."""
    columns = [str(c) for c in frame.columns]
    for values in zip(*(_values(frame[c]) for c in frame.columns), strict=True):
        yield dict(zip(columns, values, strict=True))


def _values(column: pd.Series) -> list[Any]:
    """A column's values as `to_dict` gives them: a gap of a type whose gaps are `pd.NA` becomes None."""
    values = column.tolist()
    if getattr(column.dtype, "na_value", None) is pd.NA:
        return [None if v is pd.NA else v for v in values]
    return values


def assemble(data: GraphData, unit: Unit, as_of: date, party_types: Collection[str] | None = None) -> nx.MultiDiGraph:
    """The graph of `data` (pure): a node per linkage and per party kept by `party_types`, an edge
    from each party to its linkage and from each producer to its cooperative when both are drawn."""
    keep = set(party_types) if party_types else set(KINDS)
    graph = nx.MultiDiGraph(unit=unit.code, map=unit.map, level=unit.level, as_of=as_of.isoformat())
    for row in records(data.linkages):
        techs = data.technologies.get(row["code"], [])
        graph.add_node(
            node_id("linkage", row["code"]), kind="linkage", **_plain(row), technologies=techs, digital=bool(techs)
        )
    for kind, frame in (
        ("cooperative", data.cooperatives),
        ("producer", data.producers),
        ("raw_material_area", data.areas),
        ("buyer", data.buyers),
    ):
        if kind in keep:
            for row in records(frame):
                graph.add_node(node_id(kind, row["code"]), kind=kind, **_plain(row))
    for row in records(data.parties):
        source = node_id(row["party_type"], row["party_code"])
        target = node_id("linkage", row["linkage_code"])
        if source in graph and target in graph:
            graph.add_edge(source, target, relation="party", lead=bool(row["is_lead"]))
    for row in records(data.producers):
        member, coop = node_id("producer", row["code"]), node_id("cooperative", str(row["cooperative_code"]))
        if row["cooperative_code"] and member in graph and coop in graph:
            graph.add_edge(member, coop, relation="member")
    return graph


def build_graph(
    session: Session,
    unit: Unit | str,
    as_of: date,
    products: Collection[str] | None = None,
    technologies: Collection[str] | None = None,
    party_types: Collection[str] | None = None,
    include_unlinked: bool | None = None,
    *,
    actor: Actor,
    map_name: str = OLD_MAP,
) -> nx.MultiDiGraph:
    """The unit's linkage graph on `as_of`; filters keep linkages of those products or technologies
    and nodes of those party types. The unit's cooperatives, producers and areas that take part in
    no linkage are drawn for a district and left out of a province (which stays readable) unless
    `include_unlinked` says otherwise; a product or technology filter, which asks about chains,
    leaves them out too (`unlinked` lists who is left out).

    `unit` is a `maps.Unit` (its map is its own); a code (the pages', on 2025-01) is read on `map_name`."""
    unit = _unit(unit, map_name)
    require_unit_view(session, actor, unit.code, unit.map)
    if include_unlinked is None:
        include_unlinked = unit.level == LOWEST[unit.map]
    include_unlinked = include_unlinked and not products and not technologies
    data = graph_data(session, unit, as_of, products, technologies, include_unlinked)
    return assemble(data, unit, as_of, party_types)


def _plain(row: dict[Any, Any]) -> dict[str, Any]:
    """Attribute values a graph file can carry: dates as ISO text, missing values as None."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        key = str(name)
        if value is None or (isinstance(value, float) and pd.isna(value)):
            out[key] = None
        elif isinstance(value, date):
            out[key] = value.isoformat()
        elif hasattr(value, "as_tuple"):
            out[key] = float(value)
        else:
            out[key] = value
    return out


def _linkages(g: nx.MultiDiGraph) -> list[str]:
    return [n for n, kind in g.nodes(data="kind") if kind == "linkage"]


def parties_of(g: nx.MultiDiGraph, linkage: str, kind: str) -> list[str]:
    return sorted(
        {u for u, _, d in g.in_edges(linkage, data=True) if d["relation"] == "party" and g.nodes[u]["kind"] == kind}
    )


def parties_frame(g: nx.MultiDiGraph, linkage: str) -> pd.DataFrame:
    """A linkage's parties: party type, code, name and whether it leads, lead first."""
    rows = [
        {
            "party_type": g.nodes[u]["kind"],
            "code": g.nodes[u]["code"],
            "name": g.nodes[u].get("name"),
            "is_lead": d.get("lead", False),
        }
        for u, _, d in g.in_edges(linkage, data=True)
        if d["relation"] == "party"
    ]
    frame = pd.DataFrame(rows, columns=["party_type", "code", "name", "is_lead"])
    return frame.sort_values(["is_lead", "party_type", "code"], ascending=[False, True, True]).reset_index(drop=True)


def flow_view(g: nx.MultiDiGraph) -> nx.DiGraph:
    """Who sells to whom: producer, cooperative or raw material area → buyer, through shared linkages."""
    flow = nx.DiGraph()
    for linkage in _linkages(g):
        buyers = parties_of(g, linkage, "buyer")
        sources = [u for kind in ("producer", "cooperative", "raw_material_area") for u in parties_of(g, linkage, kind)]
        for source in sources:
            flow.add_node(source, **g.nodes[source])
            for buyer in buyers:
                flow.add_node(buyer, **g.nodes[buyer])
                if flow.has_edge(source, buyer):
                    flow.edges[source, buyer]["linkages"].append(g.nodes[linkage]["code"])
                else:
                    flow.add_edge(source, buyer, linkages=[g.nodes[linkage]["code"]])
    return flow


def _table(g: nx.MultiDiGraph, nodes: list[str], columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame([{c: g.nodes[n].get(c) for c in columns} for n in nodes], columns=list(columns))


def unlinked(session: Session, unit: Unit | str, as_of: date, *, actor: Actor) -> pd.DataFrame:
    """Cooperatives (active on the date), producers and raw material areas placed in the unit (a code:
    of 2025-01) that take part in no active linkage: who the officer should bring into a chain.

    Set-based over the whole unit, whatever a graph view shows or filters (a province included).
    """
    unit = _unit(unit, OLD_MAP)
    require_unit_view(session, actor, unit.code, unit.map)
    frames = []
    for kind, (model, _) in HOMED_COLUMNS.items():
        alive = COOPERATIVE.condition(Cooperative, as_of) if kind == "cooperative" else sa.true()
        # Per record of the unit, one look-up in the index on party codes: not a list of every linked
        # record of the country (a scan of all parties, three times over, took most of the graph page).
        linked = (
            sa.select(sa.literal(1))
            .select_from(LinkageParty)
            .join(Linkage, col(Linkage.code) == col(LinkageParty.linkage_code))
            .where(
                col(LinkageParty.party_code) == model.code,
                col(LinkageParty.party_type) == kind,
                col(LinkageParty.archived_at).is_(None),
                col(Linkage.archived_at).is_(None),
                LINKAGE.condition(Linkage, as_of),
            )
        )
        query = (
            sa.select(
                sa.literal(kind).label("kind"), model.code, model.name, model.commune_code, model.commune_code_2025_07
            )
            .where(_placed_in_unit(model, unit), model.archived_at.is_(None), alive, ~sa.exists(linked))
            .order_by(model.code)
        )
        frames.append(_named(read_frame(session, query)))
    return pd.concat(frames, ignore_index=True)[["kind", "code", "name", "commune_name"]]


def without_unlinked(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph without the cooperatives, producers and areas that take part in no linkage shown."""
    left_out = [
        n
        for n, kind in g.nodes(data="kind")
        if kind in ("cooperative", "producer", "raw_material_area")
        and not any(d["relation"] == "party" for _, _, d in g.out_edges(n, data=True))
    ]
    thinner = g.copy()
    thinner.remove_nodes_from(left_out)
    return thinner


def buyer_dependence(g: nx.MultiDiGraph) -> pd.DataFrame:
    """Each buyer's share of the unit's active linkages (0–1), flagged above one half."""
    linkages = _linkages(g)
    rows = []
    for buyer in [n for n, kind in g.nodes(data="kind") if kind == "buyer"]:
        count = len({v for _, v, d in g.out_edges(buyer, data=True) if d["relation"] == "party"})
        share = count / len(linkages) if linkages else 0.0
        rows.append(
            {
                "code": g.nodes[buyer]["code"],
                "name": g.nodes[buyer]["name"],
                "linkages": count,
                "share": share,
                "flagged": share > DEPENDENCE_FLAG,
            }
        )
    frame = pd.DataFrame(rows, columns=["code", "name", "linkages", "share", "flagged"])
    return frame.sort_values(["share", "code"], ascending=[False, True]).reset_index(drop=True)


def single_buyer_linkages(g: nx.MultiDiGraph) -> pd.DataFrame:
    """Linkages whose whole consumption rests on one buyer."""
    nodes = [n for n in _linkages(g) if len(parties_of(g, n, "buyer")) == 1]
    frame = _table(g, sorted(nodes), ("code", "name", "product_code"))
    frame["buyer"] = [g.nodes[parties_of(g, n, "buyer")[0]]["name"] for n in sorted(nodes)]
    return frame


def linkages_without_digital(g: nx.MultiDiGraph) -> pd.DataFrame:
    """Active linkages still run without any digital technology on the date."""
    return _table(g, sorted(n for n in _linkages(g) if not g.nodes[n]["digital"]), ("code", "name", "product_code"))


@dataclass(frozen=True)
class Chain:
    """A connected group of linkages and the parties that tie them together."""

    linkages: tuple[str, ...]
    members: int


def chains(g: nx.MultiDiGraph) -> list[Chain]:
    """Connected chains (largest first): linkages joined through shared parties or membership."""
    found = []
    for component in nx.connected_components(g.to_undirected(as_view=True)):
        linkages = tuple(sorted(g.nodes[n]["code"] for n in component if g.nodes[n]["kind"] == "linkage"))
        if linkages:
            found.append(Chain(linkages, len(component)))
    return sorted(found, key=lambda c: (-c.members, c.linkages))
