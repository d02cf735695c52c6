"""Revision 0004 upgrades a database written by the schema before two maps, in place.

The database is built at revision 0003 with the tables as they were then (no new-map columns), filled
with records, and upgraded; every record keeps its commune and is then placed on map 2025-07.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.geo.geography import gso_rows
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, placed_in
from linkage.store.db import migrate
from tests.conftest import BACKENDS, database_at

NOW = datetime(2025, 3, 1, tzinfo=UTC)
STAMP = {"created_at": NOW, "updated_at": NOW}
TRACKED = {**STAMP, "version": 1}


TYPES = {"created_at": sa.DateTime(timezone=True), "updated_at": sa.DateTime(timezone=True), "started_on": sa.Date(),
         "established_on": sa.Date()}  # fmt: skip


def table(name: str, *columns: str) -> sa.TableClause:
    """The table as revision 0003 made it: only the columns given (typed where the driver needs it)."""
    return sa.table(name, *(sa.column(c, TYPES.get(c)) for c in columns))


def put(conn: sa.Connection, name: str, records: list[dict[str, object]], stamp: dict[str, object]) -> None:
    full = [{**r, **stamp} for r in records]
    conn.execute(sa.insert(table(name, *full[0])), full)


@pytest.fixture(params=BACKENDS)
def at_0003(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database migrated to revision 0003 only."""
    yield from database_at(request, tmp_path, "0003")


def fill_as_release_0003_did(engine: Engine) -> None:
    provinces, districts, communes = gso_rows()
    with engine.begin() as conn:
        put(conn, "province", provinces, STAMP)
        put(conn, "district", districts, STAMP)
        put(conn, "commune", communes, STAMP)
        put(conn, "product", [{"code": "RICE", "name_vi": "Lúa gạo", "name_en": "Rice", "national_key": True}], TRACKED)
        put(
            conn,
            "cooperative",
            [
                # Phường Bùi Hữu Nghĩa (Bình Thủy, Cần Thơ) was split between two new wards.
                {
                    "code": "K1",
                    "name": "HTX Bùi Hữu Nghĩa",
                    "commune_code": "31178",
                    "established_on": date(2020, 1, 1),
                },
                # Phường Trúc Bạch went whole into Phường Ba Đình.
                {"code": "K2", "name": "HTX Trúc Bạch", "commune_code": "00004", "established_on": None},
            ],
            TRACKED,
        )
        put(
            conn,
            "producer",
            [
                {
                    "code": "P1",
                    "name": "Hộ Tân Hoà",
                    "commune_code": "31345",
                    "kind": "household",
                    "cooperative_code": "K1",
                }
            ],
            TRACKED,
        )
        put(
            conn,
            "buyer",
            [
                {"code": "B1", "name": "Công ty Ngọc Khánh", "kind": "trader", "commune_code": "00025"},
                {"code": "B2", "name": "Công ty không địa chỉ", "kind": "trader", "commune_code": None},
            ],
            TRACKED,
        )
        put(
            conn,
            "raw_material_area",
            [
                {
                    "code": "A1",
                    "name": "Cánh đồng Thạnh An",
                    "commune_code": "31231",
                    "product_code": "RICE",
                    "area_ha": 12,
                }
            ],
            TRACKED,
        )
        put(
            conn,
            "linkage",
            [
                {
                    "code": "L1",
                    "name": "Chuỗi lúa",
                    "product_code": "RICE",
                    "started_on": date(2022, 1, 1),
                    "form": "full_chain",
                }
            ],
            TRACKED,
        )
        party = {"linkage_code": "L1", "cooperative_code": None, "raw_material_area_code": None}
        put(
            conn,
            "linkage_party",
            [
                {**party, "party_type": "cooperative", "party_code": "K1", "is_lead": True, "cooperative_code": "K1"},
                {**party, "party_type": "raw_material_area", "party_code": "A1", "is_lead": False,
                 "raw_material_area_code": "A1"},
            ],
            TRACKED,
        )  # fmt: skip


def rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql)]


def test_an_old_database_is_upgraded_in_place_and_every_record_is_on_both_maps(at_0003: Engine) -> None:
    engine = at_0003
    fill_as_release_0003_did(engine)
    migrate(engine)

    located = rows(
        engine,
        "SELECT code, commune_code, commune_code_2025_07 FROM cooperative UNION ALL "
        "SELECT code, commune_code, commune_code_2025_07 FROM producer UNION ALL "
        "SELECT code, commune_code, commune_code_2025_07 FROM buyer UNION ALL "
        "SELECT code, commune_code, commune_code_2025_07 FROM raw_material_area ORDER BY 1",
    )
    assert located == [
        ("A1", "31231", None),
        ("B1", "00025", None),
        ("B2", None, None),
        ("K1", "31178", None),
        ("K2", "00004", None),
        ("P1", "31345", None),
    ]
    assert rows(engine, "SELECT count(*) FROM commune_2025_07") == [(3321,)]
    assert rows(engine, "SELECT count(*) FROM province_2025_07") == [(34,)]
    assert rows(engine, "SELECT party_code FROM linkage_party ORDER BY 1") == [("A1",), ("K1",)]
    assert rows(engine, "SELECT cooperative_code FROM producer") == [("K1",)]

    on_new = {code: placed_in(old, new, NEW_MAP) for code, old, new in located if old or new}
    assert on_new == {
        "A1": Unit(NEW_MAP, "commune", "31231"),  # Xã Thạnh An took in the whole of old Thị trấn Thanh An
        "B1": Unit(NEW_MAP, "province", "01"),  # Ngọc Khánh was split among three wards of Hà Nội
        "K1": Unit(NEW_MAP, "province", "92"),  # Bùi Hữu Nghĩa split: Cần Thơ
        "K2": Unit(NEW_MAP, "commune", "00004"),  # Ba Đình
        "P1": Unit(NEW_MAP, "commune", "31342"),  # Xã Tân Hoà went whole into Xã Tân Hòa
    }
    assert all(placed_in(old, new, OLD_MAP) == Unit(OLD_MAP, "commune", old) for _, old, new in located if old)


def test_after_the_upgrade_a_record_may_stand_on_the_new_map_alone_but_not_on_neither(at_0003: Engine) -> None:
    engine = at_0003
    fill_as_release_0003_did(engine)
    migrate(engine)
    coop = table("cooperative", "code", "name", "commune_code", "commune_code_2025_07", *TRACKED)
    with engine.begin() as conn:
        conn.execute(sa.insert(coop).values(code="K3", name="HTX mới", commune_code=None,
                                            commune_code_2025_07="31231", **TRACKED))  # fmt: skip
    for bad in ({"commune_code": None, "commune_code_2025_07": None}, {"commune_code_2025_07": "99999"}):
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(
                sa.insert(coop).values(**{"code": "K4", "name": "HTX", "commune_code": "00004", **bad, **TRACKED})
            )
