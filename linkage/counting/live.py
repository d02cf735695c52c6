"""The live records the rules read, in plain SQL through the driver: as frames for the app (`facts`), as
plain rows for a process that only counts (`read_inputs`).

`linkage coverage` is a short process: read, count, print. It reads here through `sqlite3` or
`psycopg` alone and counts with `linkage.counting.rules`, so it never loads SQLAlchemy, the models
or pandas, which together took longer than the reading and counting (docs/benchmarks.md). Archived
records are left out. The SQL names the tables and columns of `linkage.store.models`; tests compare
these reads with the one made through the models (`tests/test_facts_read.py`) and with each other.
"""

from __future__ import annotations

from typing import Any

from linkage.counting.lifespan import ALWAYS, NEVER, Days
from linkage.counting.rules import Inputs
from linkage.geo.maps import OLD_MAP, unit_columns

# The live rows of each table (in the order of `facts`' column lists). Literal SQL: no value of a user
# ever enters these statements.
LIVE_COOPERATIVES = (
    "SELECT code, commune_code, commune_code_2025_07, established_on, dissolved_on"
    " FROM cooperative WHERE archived_at IS NULL"
)
LIVE_LINKAGES = "SELECT code, product_code, started_on, ended_on FROM linkage WHERE archived_at IS NULL"
LIVE_ADOPTIONS = "SELECT linkage_code, adopted_on, discontinued_on FROM digital_adoption WHERE archived_at IS NULL"
LIVE_PRODUCTS = "SELECT code, national_key FROM product WHERE archived_at IS NULL"
LIVE_PROVINCE_KEY_PRODUCTS = "SELECT province_code, product_code FROM province_key_product WHERE archived_at IS NULL"
# Where the located parties (HOMED) of each linkage are: joined and made distinct by the database,
# which returns a fraction of the rows that reading the parties and their homes and merging would.
PARTY_PLACES = (  # a party's code is the code in its type's column (a check constraint says so)
    "SELECT p.linkage_code, h.commune_code, h.commune_code_2025_07 FROM linkage_party p"
    " JOIN cooperative h ON h.code = p.party_code"
    " WHERE p.party_type = 'cooperative' AND p.archived_at IS NULL AND h.archived_at IS NULL"
    " UNION SELECT p.linkage_code, h.commune_code, h.commune_code_2025_07 FROM linkage_party p"
    " JOIN producer h ON h.code = p.party_code"
    " WHERE p.party_type = 'producer' AND p.archived_at IS NULL AND h.archived_at IS NULL"
    " UNION SELECT p.linkage_code, h.commune_code, h.commune_code_2025_07 FROM linkage_party p"
    " JOIN raw_material_area h ON h.code = p.party_code"
    " WHERE p.party_type = 'raw_material_area' AND p.archived_at IS NULL AND h.archived_at IS NULL"
)
PARTY_KINDS = (
    "SELECT DISTINCT party_type, linkage_code FROM linkage_party"
    " WHERE archived_at IS NULL AND party_type IN ('buyer', 'raw_material_area')"
)
PRODUCER_PLACES = "SELECT DISTINCT commune_code, commune_code_2025_07 FROM producer WHERE archived_at IS NULL"


def _rows(connection: Any, sql: str) -> list[tuple[Any, ...]]:
    cursor = connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()  # type: ignore[no-any-return]
    finally:
        cursor.close()


def read_inputs(connection: Any) -> Inputs:
    """Every live record the rules read, through a `sqlite3` or `psycopg` connection, as plain rows:
    the same inputs `indicators.inputs_of` makes of the app's facts."""
    starts, ends = Days(ALWAYS), Days(NEVER)
    kinds: dict[str, set[str]] = {"buyer": set(), "raw_material_area": set()}
    for kind, code in _rows(connection, PARTY_KINDS):
        kinds[kind].add(code)
    buyers, raw_materials = kinds["buyer"], kinds["raw_material_area"]
    products = _rows(connection, LIVE_PRODUCTS)
    national = frozenset(code for code, key in products if key)
    provinces = unit_columns(OLD_MAP, "province")["code"]
    provincial = _rows(connection, LIVE_PROVINCE_KEY_PRODUCTS)
    return Inputs(
        cooperatives=[
            (old, new, starts[start], ends[end]) for _, old, new, start, end in _rows(connection, LIVE_COOPERATIVES)
        ],
        linkages=[
            (code, product, starts[start], ends[end], code in buyers, code in raw_materials)
            for code, product, start, end in _rows(connection, LIVE_LINKAGES)
        ],
        adoptions=[(code, starts[start], ends[end]) for code, start, end in _rows(connection, LIVE_ADOPTIONS)],
        party_places=_rows(connection, PARTY_PLACES),  # type: ignore[arg-type]
        key_products=frozenset((province, product) for province in provinces for product in national)
        | frozenset((province, product) for province, product in provincial),
        national_keys=national,
    )
