"""What the app's counting reads (`Facts`): the live records as compact frames, read once.

The three indicators need a few columns of six tables; each date and map is then counted from them
(`linkage.counting.indicators`, which hands them to `linkage.counting.rules` as plain rows). The live read
here, in the SQL of `linkage.counting.live` through the driver, is what the app's cache reads
(`coverage.load_facts`, inside a session's transaction); `linkage coverage` reads the same SQL as
plain rows (`live.read_inputs`). Archived records are left out; a record as an officer last verified it
is read by `coverage.load_facts`.

The SQL names the tables and columns of `linkage.store.models`; a test compares this read with the one
made through the models record by record (`tests/test_facts_read.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from linkage.counting.lifespan import ADOPTION, COOPERATIVE, LINKAGE
from linkage.counting.live import (
    LIVE_ADOPTIONS,
    LIVE_COOPERATIVES,
    LIVE_LINKAGES,
    LIVE_PRODUCTS,
    LIVE_PROVINCE_KEY_PRODUCTS,
    PARTY_KINDS,
    PARTY_PLACES,
    PRODUCER_PLACES,
)
from linkage.frames import is_in
from linkage.geo.geography import Geography, old_map_geography
from linkage.store.driver import frame

BOTH_COMMUNES = ("commune_code", "commune_code_2025_07")
HOMED = ("cooperative", "producer", "raw_material_area")  # the parties with a commune (a buyer has none)
COOPERATIVE_COLUMNS = ["code", *BOTH_COMMUNES, "established_on", "dissolved_on"]
LINKAGE_COLUMNS = ["code", "product_code", "started_on", "ended_on"]
ADOPTION_COLUMNS = ["linkage_code", "adopted_on", "discontinued_on"]


@dataclass(frozen=True)
class Facts:
    """What the indicators need, read once; archived records are already left out."""

    geography: Geography  # map 2025-01 as stored
    cooperatives: pd.DataFrame  # commune_code, commune_code_2025_07, start, end (ordinals)
    linkages: pd.DataFrame  # code, product_code, start, end, has_buyer, has_raw_material
    adoptions: pd.DataFrame  # linkage_code, start, end
    key_products: pd.DataFrame  # province_code, product_code: national key products expanded per province
    # linkage_code, commune_code, commune_code_2025_07: where each located party is, on either map or both
    party_places: pd.DataFrame = field(default_factory=pd.DataFrame)
    national_keys: frozenset[str] = frozenset()
    # commune_code, commune_code_2025_07: the distinct locations of live producers, on either map or both
    producer_places: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(BOTH_COMMUNES)))
    # made once for these facts: their plain rows for the rules (`indicators.inputs_of`) and frames placed
    # on a map (`indicators._memo`); every date reuses them
    memo: dict[tuple[object, ...], Any] = field(default_factory=dict, compare=False, repr=False)
    # indicator rows already computed from these facts (`compute`), by (date, levels, map): a reader
    # asking again before the next write gets them back instead of counting every unit anew
    computed: dict[tuple[date, tuple[str, ...], str], pd.DataFrame] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True)
class Records:
    """The rows the facts are made of, as read (live, or as last verified), dates not yet ordinals."""

    cooperatives: pd.DataFrame  # COOPERATIVE_COLUMNS
    linkages: pd.DataFrame  # LINKAGE_COLUMNS
    party_places: pd.DataFrame  # linkage_code, commune_code, commune_code_2025_07 (distinct)
    buyers: set[str]  # linkages with a buyer
    raw_materials: set[str]  # linkages with a raw material area
    adoptions: pd.DataFrame  # ADOPTION_COLUMNS
    products: pd.DataFrame  # code, national_key
    provincial: pd.DataFrame  # province_code, product_code: the provinces' own key products
    producer_places: pd.DataFrame  # commune_code, commune_code_2025_07 (distinct)


def assemble(records: Records) -> Facts:
    """The facts of these records: dates as ordinals, each linkage's buyer and raw material flags,
    national key products expanded to every province of map 2025-01."""
    geography = old_map_geography()
    linkages = LINKAGE.with_ordinals(records.linkages)
    linkages["has_buyer"] = is_in(linkages["code"], records.buyers)
    linkages["has_raw_material"] = is_in(linkages["code"], records.raw_materials)
    products = records.products
    national = products.loc[products["national_key"].astype(bool), ["code"]].rename(columns={"code": "product_code"})
    expanded = geography.provinces[["code"]].rename(columns={"code": "province_code"}).merge(national, how="cross")
    key_products = pd.concat([expanded, records.provincial]).drop_duplicates()
    return Facts(
        geography,
        COOPERATIVE.with_ordinals(records.cooperatives),
        linkages,
        ADOPTION.with_ordinals(records.adoptions),
        key_products,
        records.party_places,
        frozenset(national["product_code"]),
        records.producer_places,
    )


def live_records(connection: Any) -> Records:
    """Every live record the indicators read, through a `sqlite3` or `psycopg` connection."""
    kinds = frame(connection, PARTY_KINDS)
    found = {kind: set(codes) for kind, codes in kinds.groupby("party_type")["linkage_code"]}
    return Records(
        cooperatives=frame(connection, LIVE_COOPERATIVES),
        linkages=frame(connection, LIVE_LINKAGES),
        party_places=frame(connection, PARTY_PLACES),
        buyers=found.get("buyer", set()),
        raw_materials=found.get("raw_material_area", set()),
        adoptions=frame(connection, LIVE_ADOPTIONS),
        products=frame(connection, LIVE_PRODUCTS),
        provincial=frame(connection, LIVE_PROVINCE_KEY_PRODUCTS),
        producer_places=frame(connection, PRODUCER_PLACES),
    )


def read_facts(connection: Any) -> Facts:
    """The facts of the live records, through a `sqlite3` or `psycopg` connection."""
    return assemble(live_records(connection))
