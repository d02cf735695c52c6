"""What the graph page shows, read from and written to its address: unit, date, filters, the record picked.

The address keeps a graph shareable and lets it survive a reload:
`/graph?unit=061&as_of=2023-06-29&product=TEA,RICE&technology=e_commerce&party_type=buyer&pick=buyer:B2`.
Everything in an address may have been typed by anyone, so every part is checked here and a part
that cannot be used is dropped with a reason the page shows; nothing from it is trusted further.

Example: `read_address({"unit": "61", "as_of": "2019-01-01"}, {"TEA"})` gives unit `061`, 1 January
2019, no filters; `write_address(...)` gives the same dictionary back in canonical form.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

import networkx as nx
import pandas as pd

from linkage.accounts import Actor
from linkage.geography import Geography, level_of, resolve_unit
from linkage.graph import KINDS
from linkage.models import PARTY_TYPES, TECHNOLOGIES
from linkage.permissions import home_units, may_view_unit, sees_whole_country

EARLIEST, LATEST = date(1975, 1, 1), date(2100, 12, 31)  # the dates the page's date picker offers
SEPARATOR = ","  # between the codes of a filter (product codes may hold one: see `_codes`)
PARAMS = ("unit", "as_of", "product", "technology", "party_type", "pick")


@dataclass(frozen=True)
class Problem:
    """A part of the address that was not used: a message key of `app.graph` and what it named."""

    key: str
    value: str


@dataclass(frozen=True)
class GraphAddress:
    """The graph page's state as its address gives it (None or empty: not given)."""

    unit: str | None = None
    as_of: date | None = None
    products: tuple[str, ...] = ()
    technologies: tuple[str, ...] = ()
    party_types: tuple[str, ...] = ()
    pick: str | None = None  # a node id `kind:code`, checked against the view once it is built
    problems: tuple[Problem, ...] = field(default=())


def _codes(text: str, known: Collection[str]) -> tuple[list[str], list[str]]:
    """Known codes from a comma-joined list, and the parts that name none. A code holding a comma
    (codes may, CONTRACT §2) is found by joining parts until they name a known code."""
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
    if params.get("unit"):
        unit = resolve_unit(params["unit"])
        if unit is None or level_of(unit) not in ("province", "district"):
            problems.append(Problem("unknown_unit", params["unit"]))
            unit = None
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
    return GraphAddress(
        unit, as_of, chosen["product"], chosen["technology"], chosen["party_type"], pick, tuple(problems)
    )


def write_address(
    unit: str,
    as_of: date,
    products: Collection[str] = (),
    technologies: Collection[str] = (),
    party_types: Collection[str] = (),
    pick: str | None = None,
) -> dict[str, str]:
    """The address parameters of a graph: empty filters and no pick are left out."""
    params = {"unit": unit, "as_of": as_of.isoformat()}
    for name, codes in (("product", products), ("technology", technologies), ("party_type", party_types)):
        if codes:
            params[name] = SEPARATOR.join(codes)
    if pick:
        params["pick"] = pick
    return params


def own_units(actor: Actor, g: Geography, busiest: str | None = None) -> list[str]:
    """The units listed before the user types a search, the user's own first: an officer's district; a
    province planner's province and its districts; for the whole country (national planners,
    administrators) the district with the most linkages (`busiest`), then every province."""
    if sees_whole_country(actor):
        return list(dict.fromkeys([*([busiest] if busiest else []), *(str(c) for c in g.provinces["code"])]))
    return [unit.code for unit in home_units(actor)]


def may_open(actor: Actor, unit: str, g: Geography) -> bool:
    """Whether the actor may open `unit`'s graph (`permissions.may_view_unit` over the map)."""
    return may_view_unit(actor, unit)


def pick_in_view(pick: str, graph: nx.MultiDiGraph, left_out: pd.DataFrame) -> bool:
    """Whether a picked record is still on the page: drawn in the graph, or listed among those in no
    linkage. A date or a filter can take it out; then the page clears the pick and says so."""
    if pick in graph:
        return True
    kind, _, code = pick.partition(":")
    return bool(((left_out["kind"] == kind) & (left_out["code"] == code)).any()) if len(left_out) else False
