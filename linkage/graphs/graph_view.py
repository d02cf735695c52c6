"""What the graph page shows, read from and written to its address: unit, date, filters, the record picked.

The address keeps a graph shareable and lets it survive a reload:
`/graph?map=2025-01&unit=061&as_of=2023-06-29&product=TEA,RICE&technology=e_commerce&party_type=buyer&pick=buyer:B2&layout=map`.
A code does not say its map (docs/exchange-files.md, "Two maps"), so the unit is read on the address's `map`; an address
without one was written before the page had maps, and names a unit of 2025-01.
Everything in an address may have been typed by anyone, so every part is checked here and a part
that cannot be used is dropped with a reason the page shows; nothing from it is trusted further.

Example: `read_address({"unit": "061", "as_of": "2019-01-01"}, {"TEA"})` gives district `061` of
2025-01, 1 January 2019, no filters; `write_address(...)` gives the same dictionary back in canonical
form, with its map.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

import networkx as nx
import pandas as pd

from linkage.actor import Actor
from linkage.geo.maps import MAPS, NEW_MAP, OLD_MAP, Unit, map_data
from linkage.geo.typed_codes import AmbiguousCode, UnknownUnit, described, read_code
from linkage.graphs.graph import KINDS
from linkage.records.permissions import home_units, may_view_unit, sees_whole_country
from linkage.vocabulary import PARTY_TYPES, TECHNOLOGIES

EARLIEST, LATEST = date(1975, 1, 1), date(2100, 12, 31)  # the dates the page's date picker offers
SEPARATOR = ","  # between the codes of a filter (product codes may hold one: see `_codes`)
PARAMS = ("map", "unit", "as_of", "product", "technology", "party_type", "pick", "layout")
LAYOUTS = ("chains", "map")  # as `linkage.graphs.ground.LAYOUTS`: the chains (the default), or on the ground
# The levels a graph is drawn for on each map: a province is drawn as an overview, the lowest as its chains.
GRAPH_LEVELS = {OLD_MAP: ("province", "district"), NEW_MAP: ("province", "commune")}


@dataclass(frozen=True)
class Problem:
    """A part of the address that was not used: a message key of `app.graph` and what it named."""

    key: str
    value: str


@dataclass(frozen=True)
class GraphAddress:
    """The graph page's state as its address gives it (None or empty: not given)."""

    unit: Unit | None = None
    as_of: date | None = None
    products: tuple[str, ...] = ()
    technologies: tuple[str, ...] = ()
    party_types: tuple[str, ...] = ()
    pick: str | None = None  # a node id `kind:code`, checked against the view once it is built
    layout: str = "chains"  # how the graph is drawn (`LAYOUTS`)
    problems: tuple[Problem, ...] = field(default=())
    readings: tuple[Unit, ...] = ()  # a short code naming several units: each of them (`has_graph` says which open)


def _codes(text: str, known: Collection[str]) -> tuple[list[str], list[str]]:
    """Known codes from a comma-joined list, and the parts that name none. A code holding a comma
    (codes may: docs/exchange-files.md, "Values") is found by joining parts until they name a known code."""
    found: list[str] = []
    unknown: list[str] = []
    part = ""
    for piece in text.split(SEPARATOR):
        part = f"{part}{SEPARATOR}{piece}" if part else piece
        if part in known:
            found.append(part)
            part = ""
    if part:
        unknown.append(part)
    return list(dict.fromkeys(found)), unknown


def read_address(params: Mapping[str, str], products: Collection[str]) -> GraphAddress:
    """The graph's state from an address's parameters; `products`: the product codes that exist."""
    problems: list[Problem] = []
    unit = None
    readings: tuple[Unit, ...] = ()
    on = params.get("map") or OLD_MAP  # an address without a map names a unit of 2025-01
    if on not in MAPS:
        problems.append(Problem("maps.unknown_map", on))
    elif params.get("unit"):
        unit = graph_unit(params["unit"], on)
        every = ambiguous_readings(params["unit"], on) if unit is None else ()
        if every:  # a short code naming several units: each named, none guessed
            problems.append(Problem("unit_codes.ambiguous_unit", "; ".join(described(u) for u in every)))
            readings = every
        elif unit is None:
            problems.append(Problem("unknown_unit", params["unit"]))
    as_of = None
    if params.get("as_of"):
        try:
            as_of = date.fromisoformat(params["as_of"])
        except ValueError:
            as_of = None
        if as_of is None or not EARLIEST <= as_of <= LATEST:
            problems.append(Problem("bad_date", params["as_of"]))
            as_of = None
    chosen: dict[str, tuple[str, ...]] = {}
    for name, known in (("product", products), ("technology", TECHNOLOGIES), ("party_type", PARTY_TYPES)):
        found, unknown = _codes(params.get(name) or "", set(known))
        chosen[name] = tuple(found)
        problems += [Problem(f"unknown_{name}", value) for value in unknown]
    pick = params.get("pick") or None
    if pick is not None and pick.split(":", 1)[0] not in KINDS:
        problems.append(Problem("pick_gone", pick))
        pick = None
    layout = params.get("layout") or "chains"
    if layout not in LAYOUTS:
        problems.append(Problem("maps.unknown_layout", layout))
        layout = "chains"
    return GraphAddress(
        unit,
        as_of,
        chosen["product"],
        chosen["technology"],
        chosen["party_type"],
        pick,
        layout,
        tuple(problems),
        readings,
    )


def graph_unit(code: str, on: str) -> Unit | None:
    """The unit of map `on` whose graph `code` names as typed (`061` is district 061 of 2025-01), or None
    when it names no province or district (2025-01) or province or commune (2025-07), or when it was
    typed short and names another unit too (`ambiguous_readings`)."""
    try:
        unit = read_code(code, on, ("national", *GRAPH_LEVELS[on]))
    except UnknownUnit:
        return None
    return unit if unit.level in GRAPH_LEVELS[on] else None  # `VN` names the country: no graph page


def has_graph(unit: Unit) -> bool:
    """Whether the page draws a graph of `unit`: a province or district of 2025-01, a province or commune of 2025-07."""
    return unit.level in GRAPH_LEVELS.get(unit.map, ())


def ambiguous_readings(code: str, on: str) -> tuple[Unit, ...]:
    """The units a code typed without its leading zeros names, when it names several (`typed_codes`)."""
    try:
        read_code(code, on, GRAPH_LEVELS[on])
    except AmbiguousCode as refused:
        return tuple(refused.readings)
    except UnknownUnit:
        return ()
    return ()


def unit_key(unit: Unit) -> str:
    """A unit as one plain value for a widget's options and the session: `2025-07:commune:01864`."""
    return f"{unit.map}:{unit.level}:{unit.code}"


def from_key(key: str) -> Unit | None:
    """The unit `unit_key` wrote, named as its map lists it, or None if it is none."""
    on, _, rest = key.partition(":")
    level, _, code = rest.partition(":")
    if on not in MAPS or level not in GRAPH_LEVELS[on]:
        return None
    return map_data(on).unit(level, code)


def write_address(
    unit: Unit,
    as_of: date,
    products: Collection[str] = (),
    technologies: Collection[str] = (),
    party_types: Collection[str] = (),
    pick: str | None = None,
    layout: str = "chains",
) -> dict[str, str]:
    """The address parameters of a graph: empty filters, no pick and the default layout are left out."""
    params = {"map": unit.map, "unit": unit.code, "as_of": as_of.isoformat()}
    for name, codes in (("product", products), ("technology", technologies), ("party_type", party_types)):
        if codes:
            params[name] = SEPARATOR.join(codes)
    if pick:
        params["pick"] = pick
    if layout != "chains":
        params["layout"] = layout
    return params


def own_units(actor: Actor, busiest: Unit | None = None) -> list[Unit]:
    """The units listed before the user types a search, the user's own first (`permissions.home_units`);
    for the whole country (national planners, administrators) the district with the most linkages
    (`busiest`), then every province of today's map, then those of 2025-01."""
    if sees_whole_country(actor):
        provinces = [p.unit for m in (NEW_MAP, OLD_MAP) for p in map_data(m).provinces.values()]
        return list(dict.fromkeys([*([busiest] if busiest else []), *provinces]))
    return home_units(actor)


def may_open(actor: Actor, unit: Unit) -> bool:
    """Whether the actor may open `unit`'s graph (`permissions.may_view_unit` on the unit's map)."""
    return may_view_unit(actor, unit.code, unit.map)


def pick_in_view(pick: str, graph: nx.MultiDiGraph, left_out: Callable[[], pd.DataFrame]) -> bool:
    """Whether a picked record is still on the page: drawn in the graph, or listed among those in no
    linkage (`left_out()`, read only for a pick not drawn). A date or a filter can take it out; then
    the page clears the pick and says so."""
    if pick in graph:
        return True
    listed = left_out()
    kind, _, code = pick.partition(":")
    return bool(((listed["kind"] == kind) & (listed["code"] == code)).any()) if len(listed) else False
