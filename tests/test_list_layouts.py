"""Column choices an office made for its own list layout, kept in the database (`linkage.lists.layouts`):
given back to the same office for lists of the same headers, never to another office, on SQLite and
PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.actor import Actor
from linkage.lists.layouts import office_of, recall, remember
from linkage.store.models import ListLayout

HEADER = ["STT", "Tên cơ sở", "Nơi đóng", "Ghi chú"]
LAN = Actor("lan", "officer", "058")
HUNG = Actor("hung", "officer", "058")  # the same district office
SON = Actor("son", "officer", "061")  # another office
TODAY = Actor("xa", "officer", "058", unit_map="2025-07")  # a code of today's map is another unit


def test_an_office_gets_back_the_columns_it_chose_for_a_layout(engine: Engine) -> None:
    assert recall(engine, LAN, "cooperatives", HEADER) is None
    remember(engine, LAN, "cooperatives", HEADER, {1: "name", 2: "address"})
    assert recall(engine, LAN, "cooperatives", HEADER) == {0: "", 1: "name", 2: "address", 3: ""}
    assert recall(engine, HUNG, "cooperatives", HEADER) == {0: "", 1: "name", 2: "address", 3: ""}


def test_headers_read_the_same_are_one_layout_other_headers_another(engine: Engine) -> None:
    remember(engine, LAN, "cooperatives", HEADER, {1: "name", 2: "address"})
    assert recall(engine, LAN, "cooperatives", ["stt", "TÊN CƠ SỞ", "Nơi  đóng:", "Ghi chu"]) == {
        0: "", 1: "name", 2: "address", 3: ""
    }  # fmt: skip
    assert recall(engine, LAN, "cooperatives", [*HEADER, "Số điện thoại"]) is None
    assert recall(engine, LAN, "cooperatives", HEADER[:3]) is None


def test_another_office_or_kind_of_record_does_not_get_them(engine: Engine) -> None:
    remember(engine, LAN, "cooperatives", HEADER, {1: "name", 2: "address"})
    assert recall(engine, SON, "cooperatives", HEADER) is None
    assert recall(engine, TODAY, "cooperatives", HEADER) is None
    assert recall(engine, LAN, "buyers", HEADER) is None
    assert office_of(LAN) != office_of(TODAY) and office_of(Actor("admin", "admin")) == "VN"


def test_a_later_choice_replaces_the_earlier_one(engine: Engine) -> None:
    remember(engine, LAN, "cooperatives", HEADER, {1: "name", 2: "address"})
    remember(engine, HUNG, "cooperatives", HEADER, {1: "name", 2: "commune", 3: "code"})
    assert recall(engine, LAN, "cooperatives", HEADER) == {0: "", 1: "name", 2: "commune", 3: "code"}
    with engine.connect() as conn:
        rows = conn.execute(sa.select(ListLayout.office, ListLayout.chosen_by, ListLayout.columns)).all()
    assert [tuple(r) for r in rows] == [("2025-01:058", "hung", ["", "name", "commune", "code"])]


def test_a_stored_field_no_longer_known_is_read_as_none(engine: Engine) -> None:
    remember(engine, LAN, "cooperatives", HEADER, {1: "name", 2: "address"})
    with engine.begin() as conn:
        conn.execute(sa.update(ListLayout).values(columns=["", "name", "no_such_field", ""]))
    assert recall(engine, LAN, "cooperatives", HEADER) == {0: "", 1: "name", 2: "", 3: ""}
