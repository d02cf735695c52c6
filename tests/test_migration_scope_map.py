"""Revision 0006 gives accounts the map of their unit and reviews the reporting cooperative's place on
2025-07, in place: accounts made before stay on 2025-01, open reviews reach today's officers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.geo.maps import NEW_MAP, map_data, placed_in
from linkage.store.db import migrate
from tests.conftest import BACKENDS, database_at

NOW = datetime(2025, 3, 1, tzinfo=UTC)
STAMP = {"created_at": NOW, "updated_at": NOW}


@pytest.fixture(params=BACKENDS)
def at_0005(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from database_at(request, tmp_path, "0005")


def put(conn: sa.Connection, table: str, **values: object) -> None:
    values = {**values, **STAMP}
    conn.execute(sa.insert(sa.table(table, *(sa.column(c) for c in values))), [values])


def test_accounts_keep_their_unit_on_2025_01_and_open_reviews_get_todays_place(at_0005: Engine) -> None:
    old = map_data("2025-01")
    # A commune split among several new communes (placed in a province on 2025-07) and one that is not.
    split = next(c for c in old.communes if placed_in(c, None, NEW_MAP).level == "province")
    whole = next(c for c in old.communes if placed_in(c, None, NEW_MAP).level == "commune")
    with at_0005.begin() as conn:
        for code in (split, whole):
            place = old.communes[code]
            if not conn.execute(sa.text("SELECT 1 FROM province WHERE code = :c"), {"c": place.province}).first():
                put(conn, "province", code=place.province, name="p", search_name="p")
            if not conn.execute(sa.text("SELECT 1 FROM district WHERE code = :c"), {"c": place.district}).first():
                put(conn, "district", code=place.district, name="d", search_name="d", province_code=place.province)
            put(conn, "commune", code=code, name="c", search_name="c", district_code=place.district, is_rural=True)
        for n, code in enumerate((split, whole)):
            put(conn, "cooperative", code=f"K{n}", name="HTX", commune_code=code, version=1)
            put(conn, "user_account", username=f"htx{n}", password_hash="x", role="cooperative",
                cooperative_code=f"K{n}", disabled=False, version=1)  # fmt: skip
            put(conn, "review", entity="cooperatives", record_key=f"K{n}", status="reported", reported_by=f"htx{n}")
        district = old.communes[whole].district
        put(conn, "user_account", username="lan", password_hash="x", role="officer", unit_code=district,
            disabled=False, version=1)  # fmt: skip
    migrate(at_0005)
    with at_0005.connect() as conn:
        maps = dict(conn.execute(sa.text("SELECT username, unit_map FROM user_account")).all())
        reviews = {
            key: (commune, province)
            for key, commune, province in conn.execute(
                sa.text("SELECT record_key, commune_2025_07, province_2025_07 FROM review")
            )
        }
    assert maps == {"htx0": "2025-01", "htx1": "2025-01", "lan": "2025-01"}
    new = map_data(NEW_MAP)
    split_province = placed_in(split, None, NEW_MAP).code
    whole_commune = placed_in(whole, None, NEW_MAP).code
    assert reviews == {
        "K0": (None, split_province),
        "K1": (whole_commune, new.communes[whole_commune].province),
    }
