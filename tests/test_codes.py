"""Codes the program makes for records entered without one (linkage/records/codes.py), through the one
write path forms use, on SQLite and PostgreSQL: the next serial of the entity's series, a code the
user has kept, the party row of a new linkage or area tied to the made code, and no two saves at the
same moment given the same code."""

from __future__ import annotations

import re
import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM
from linkage.records import forms

from .helpers import COOP_C1

MEMBER = {"name": "Hộ Lò Văn Páo", "commune_code": "01849", "kind": "household", "cooperative_code": "C1"}


def stored_codes(engine: Engine, table: str) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(sa.text(f"SELECT code FROM {table}")).scalars())


def test_a_member_saved_without_a_code_gets_the_next_of_its_series_and_a_real_one_is_kept(bac_kan: Engine) -> None:
    forms.save(bac_kan, SYSTEM, "producers", {**MEMBER, "code": "SX000041", "name": "Hộ có mã"})
    forms.save(bac_kan, SYSTEM, "producers", {**MEMBER, "code": "SX-17", "name": "Mã tự ghi"})  # not of the series
    saved = forms.save(bac_kan, COOP_C1, "producers", {**MEMBER, "code": ""})
    assert saved.key == "SX000042" and saved.values["name"] == "Hộ Lò Văn Páo"
    assert {"SX000041", "SX-17", "SX000042"} <= stored_codes(bac_kan, "producer")
    kept = forms.save(bac_kan, COOP_C1, "producers", {**MEMBER, "code": "2345678901", "name": "Hộ có đăng ký"})
    assert kept.key == "2345678901"  # a registration number the user has stays the code


def test_a_new_linkage_and_a_new_area_are_tied_to_their_made_codes(bac_kan: Engine) -> None:
    values = {"code": "", "name": "Chuỗi gạo mới", "product_code": "RICE", "started_on": "2026-01-05"}
    linkage = forms.start_linkage(bac_kan, COOP_C1, values, lead=True)
    assert re.fullmatch(r"LK\d{6}", linkage.key)
    assert linkage.key in {v.key for v in forms.linkages_of(bac_kan, COOP_C1, "C1")}  # its party row names it
    area = {"code": "", "name": "Cánh đồng mới", "commune_code": "01849", "product_code": "RICE", "area_ha": "3"}
    made = forms.add_area(bac_kan, COOP_C1, area, linkage.key)
    assert made.key == "VNL000001"
    assert made.key in {v.key for v in forms.areas_of(bac_kan, COOP_C1, "C1")}


def test_saves_at_the_same_moment_never_share_a_code(bac_kan: Engine) -> None:
    before = stored_codes(bac_kan, "producer")
    made: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def writer(number: int) -> None:
        start.wait()
        for round_ in range(4):
            try:
                view = forms.save(bac_kan, SYSTEM, "producers", {**MEMBER, "code": "", "name": f"Hộ {number}-{round_}"})
                made.append(view.key)
            except BaseException as error:
                errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(made) == len(set(made)) == 24
    assert stored_codes(bac_kan, "producer") - before == set(made)
    assert sorted(made) == [f"SX{n:06d}" for n in range(1, 25)]  # the fixture has no code of the series
