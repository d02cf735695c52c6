"""Attaching a party to a linkage is a write on that party's unit (linkage/records/permissions.py):
a cooperative attaches only itself, its own members and its own areas; an officer only parties that
lie in its unit. Through a file and through a form alike, and the refusal says whom to ask."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from linkage.actor import Actor
from linkage.errors import Refused
from linkage.exchange.problems import ImportRefused
from linkage.records import forms
from linkage.records.importing import import_path
from linkage.store.db import data_version

OFFICER_058 = Actor("lan", "officer", "058")
COOP_C1 = Actor("htx_c1", "cooperative", cooperative_code="C1")
PARTIES = "linkage_code,party_type,party_code\n"


def folder(tmp_path: Path, **files: str) -> Path:
    target = tmp_path / "upload"
    target.mkdir(exist_ok=True)
    for name, text in files.items():
        (target / f"{name}.csv").write_text(text, encoding="utf-8")
    return target


def refused(engine: Engine, path: Path, actor: Actor) -> list[tuple[int | None, str, str]]:
    before = data_version(engine)
    with pytest.raises(ImportRefused) as caught:
        import_path(engine, path, actor=actor)
    assert data_version(engine) == before  # nothing written
    return [(p.row, p.code, p.message()) for p in caught.value.problems]


def test_a_cooperative_attaches_no_area_or_producer_that_is_not_its_own_by_file(
    bac_kan: Engine, tmp_path: Path
) -> None:
    rows = (
        "L1,raw_material_area,A2\n"  # the area of C5's linkage L4, in district 061
        "L1,raw_material_area,A4\n"  # a Hà Nội area of a linkage no cooperative takes part in
        "L1,producer,P1\n"  # a household that is no member of C1
        "L1,cooperative,C4\n"  # another cooperative
    )
    problems = refused(bac_kan, folder(tmp_path, linkage_parties=PARTIES + rows), COOP_C1)
    assert [(row, code) for row, code, _ in problems] == [(n, "parties.ask_cooperative") for n in (2, 3, 4, 5)]
    for (_, _, message), party in zip(problems, ("A2", "A4", "P1", "C4"), strict=True):
        assert message.startswith(f"a cooperative adds only its own members and areas to a linkage, and {party} ")
        assert "ask the officer of " in message and "2025-07)" in message


def test_a_cooperative_attaches_its_new_member_and_its_new_area(bac_kan: Engine, tmp_path: Path) -> None:
    upload = folder(
        tmp_path,
        producers="code,name,commune_code,cooperative_code\nP9,Hộ Nông Văn Chín,01849,C1\n",
        raw_material_areas="code,name,commune_code,product_code,area_ha\nA9,Ruộng mới,01849,RICE,3\n",
        linkage_parties=PARTIES + "L1,producer,P9\nL1,raw_material_area,A9\nL1,cooperative,C1\n",
    )
    report = import_path(bac_kan, upload, actor=COOP_C1)
    assert report.counts["linkage_parties"].inserted == 2  # C1 itself was a party already


def test_an_officer_attaches_no_party_from_outside_its_district_by_file_or_form(
    bac_kan: Engine, tmp_path: Path
) -> None:
    # A2 lies in commune 01897 (Hà Hiệu) of district 061; L1 is 058's own linkage.
    problems = refused(bac_kan, folder(tmp_path, linkage_parties=PARTIES + "L1,raw_material_area,A2\n"), OFFICER_058)
    assert [(row, code) for row, code, _ in problems] == [(2, "parties.ask_officer")]
    assert "A2 lies in " in problems[0][2] and "(061, 2025-01), outside your unit" in problems[0][2]
    before = data_version(bac_kan)
    with pytest.raises(Refused) as form:
        forms.save(
            bac_kan,
            OFFICER_058,
            "linkage_parties",
            {"linkage_code": "L1", "party_type": "cooperative", "party_code": "C4"},
        )
    assert "C4 lies in " in form.value.message() and "outside your unit" in form.value.message()
    assert "nằm ngoài" in form.value.message("vi") or "ngoài địa bàn" in form.value.message("vi")
    assert data_version(bac_kan) == before


def test_an_officer_attaches_a_party_of_its_own_district(bac_kan: Engine, tmp_path: Path) -> None:
    upload = folder(
        tmp_path,
        raw_material_areas="code,name,commune_code,product_code,area_ha\nA9,Ruộng mới,01852,RICE,3\n",
        linkage_parties=PARTIES + "L1,raw_material_area,A9\n",
    )
    assert import_path(bac_kan, upload, actor=OFFICER_058).counts["linkage_parties"].inserted == 1
