"""A cooperative's own list of changes waiting for an officer: selected, counted and paged in
the database from the records of its own sphere, never every review of the country filtered in Python."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM, Actor, add_user
from linkage.exchange.keys import record_key
from linkage.exchange.spec import BY_NAME
from linkage.records import forms
from linkage.records.history import pending, queue
from linkage.records.importing import import_path
from linkage.store.db import read_session, write_session
from linkage.store.models import Review

from .conftest import statements

C1 = Actor("htx.c1", "cooperative", cooperative_code="C1")
C3 = Actor("htx.c3", "cooperative", cooperative_code="C3")


def set_up(engine: Engine, files: Callable[..., Path]) -> None:
    """The Bắc Kạn fixture, plus: a linkage L8 shared by C1 and C3 (a member producer of C1, a new area,
    a new buyer), an archived linkage L9 of C1 (its parties archived with it), a linkage L10 C1 has
    left (its party row archived alone), and a review on every record of the database."""
    folder = files(
        {
            "producers": "code,name,commune_code,kind,cooperative_code\n"
            "P5,Hộ Nông Văn Năm,01849,household,C1\nP6,Hộ Ma Thị Sáu,01888,household,C3",
            "buyers": "code,name,kind,commune_code\nB3,Thương lái Nà Phặc,trader,\n"
            "B4,Công ty Chợ Mới,enterprise,\nB5,Công ty Ngân Sơn,enterprise,",
            "raw_material_areas": "code,name,commune_code,product_code,area_ha\nA5,Vùng lúa Dương Quang,01849,RICE,3",
            "linkages": "code,name,product_code,started_on\nL8,Chuỗi chung,RICE,2024-01-01\n"
            "L9,Chuỗi đã dừng,RICE,2022-01-01\nL10,Chuỗi C1 đã rời,RICE,2022-01-01",
            "linkage_parties": "linkage_code,party_type,party_code,is_lead\n"
            "L8,cooperative,C1,true\nL8,cooperative,C3,\nL8,producer,P5,\nL8,raw_material_area,A5,\nL8,buyer,B3,\n"
            "L9,cooperative,C1,\nL9,buyer,B2,\nL10,cooperative,C1,\nL10,cooperative,C3,\nL10,buyer,B5,",
            "digital_adoptions": "linkage_code,technology,adopted_on\nL8,e_commerce,2024-05-01",
        }
    )
    import_path(engine, folder)
    forms.archive(engine, SYSTEM, forms.read(engine, SYSTEM, "linkages", "L9"))
    forms.archive(engine, SYSTEM, forms.read(engine, SYSTEM, "linkage_parties", "L10|cooperative|C1"))
    add_user(engine, SYSTEM, C1.username, "a long enough password", "cooperative", None, "C1")
    with write_session(engine) as session:
        for entity, spec in BY_NAME.items():
            rows = session.execute(sa.select(spec.model.__table__)).mappings()  # type: ignore[attr-defined]
            for row in rows:
                key = record_key(spec.key, dict(row))
                by = C1.username if (entity, key) == ("buyers", "B4") else "someone"
                session.add(Review(entity=entity, record_key=key, snapshot=None, reported_by=by))


C1_SPHERE = {
    ("cooperatives", "C1"),
    ("producers", "P5"),
    ("linkages", "L1"),
    ("linkages", "L8"),
    ("linkages", "L9"),
    ("linkage_parties", "L1|cooperative|C1"),
    ("linkage_parties", "L1|buyer|B1"),
    ("linkage_parties", "L1|raw_material_area|A1"),
    ("linkage_parties", "L8|cooperative|C1"),
    ("linkage_parties", "L8|cooperative|C3"),
    ("linkage_parties", "L8|producer|P5"),
    ("linkage_parties", "L8|raw_material_area|A5"),
    ("linkage_parties", "L8|buyer|B3"),
    ("linkage_parties", "L9|cooperative|C1"),
    ("linkage_parties", "L9|buyer|B2"),
    ("digital_adoptions", "L1|traceability|2022-01-01"),
    ("digital_adoptions", "L8|e_commerce|2024-05-01"),
    ("raw_material_areas", "A1"),
    ("raw_material_areas", "A5"),
    ("buyers", "B1"),  # named by L1
    ("buyers", "B2"),  # named by L9, archived with it
    ("buyers", "B3"),  # named by L8
    ("buyers", "B4"),  # registered (reported) by C1's account
}
C3_SPHERE = {
    ("cooperatives", "C3"),
    ("producers", "P2"),
    ("producers", "P6"),
    ("linkages", "L8"),
    ("linkages", "L10"),
    ("linkage_parties", "L8|cooperative|C1"),
    ("linkage_parties", "L8|cooperative|C3"),
    ("linkage_parties", "L8|producer|P5"),
    ("linkage_parties", "L8|raw_material_area|A5"),
    ("linkage_parties", "L8|buyer|B3"),
    ("linkage_parties", "L10|cooperative|C1"),  # archived, but of a linkage C3 takes part in
    ("linkage_parties", "L10|cooperative|C3"),
    ("linkage_parties", "L10|buyer|B5"),
    ("digital_adoptions", "L8|e_commerce|2024-05-01"),
    ("raw_material_areas", "A5"),
    ("buyers", "B3"),
    ("buyers", "B5"),
}


def listed(changes: list[Any]) -> list[tuple[str, str]]:
    return [(c.entity, c.key) for c in changes]


def test_a_cooperative_lists_exactly_the_reviews_of_its_own_records(bac_kan: Engine, files) -> None:  # type: ignore[no-untyped-def]
    set_up(bac_kan, files)
    with read_session(bac_kan) as session:
        everything = session.execute(sa.select(sa.func.count()).select_from(Review)).scalar_one()
    assert everything > len(C1_SPHERE | C3_SPHERE)  # the country holds other reviews too
    mine = listed(pending(bac_kan, C1))
    assert len(mine) == len(set(mine)) and set(mine) == C1_SPHERE
    assert set(listed(pending(bac_kan, C3))) == C3_SPHERE
    assert listed(pending(bac_kan, Actor("htx.c8", "cooperative", cooperative_code="C8"))) == [("cooperatives", "C8")]


def test_a_cooperatives_list_is_paged_and_counted_in_the_database(bac_kan: Engine, files) -> None:  # type: ignore[no-untyped-def]
    set_up(bac_kan, files)
    whole = listed(pending(bac_kan, C1))
    pages = [queue(bac_kan, C1, first=first, size=5) for first in range(0, 25, 5)]
    assert all(page.total == len(C1_SPHERE) for page in pages)
    assert [key for page in pages for key in listed(page.changes)] == whole
    with write_session(bac_kan) as session:
        session.execute(
            sa.update(Review).where(Review.entity == "linkages", Review.record_key == "L8").values(status="returned")  # type: ignore[arg-type]
        )
    assert listed(pending(bac_kan, C1, status="returned")) == [("linkages", "L8")]
    assert listed(pending(bac_kan, C3, status="returned")) == [("linkages", "L8")]
    assert ("linkages", "L8") not in listed(pending(bac_kan, C1, status="reported"))
    with statements(bac_kan) as sent:
        queue(bac_kan, C1, first=5, size=5)
    reviews = [s for s in sent if "FROM review" in s]
    assert len(reviews) == 2  # the count and the page
    assert all("LIMIT" in s for s in reviews if "count(" not in s)
