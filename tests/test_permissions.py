"""Every role × action × in/out of scope, through the domain layer the app and CLI both use.

Scopes in the Bắc Kạn fixture: district 058 holds cooperative C1, raw material area A1 and linkage
L1 (C1 is its lead); district 061 holds C4, C5 and linkage L4; A4 lies in a Hà Nội ward (province 01).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from linkage import records
from linkage.accounts import SYSTEM, Actor
from linkage.errors import Refused
from linkage.exchange import ImportRefused, import_path

from .test_coverage import FIXTURE

ADMIN = Actor("admin", "admin")
PLANNER_VN = Actor("minh", "planner", "VN")
PLANNER_06 = Actor("hoa", "planner", "06")
PLANNER_01 = Actor("tuan", "planner", "01")
OFFICER_058 = Actor("lan", "officer", "058")
OFFICER_061 = Actor("son", "officer", "061")
COOP_C1 = Actor("htx_c1", "cooperative", cooperative_code="C1")
COOP_C5 = Actor("htx_c5", "cooperative", cooperative_code="C5")

Action = Callable[[Engine, Actor], object]


def edit(entity: str, key: str, **changes: str) -> Action:
    def run(engine: Engine, actor: Actor) -> object:
        original = records.read(engine, SYSTEM, entity, key)
        return records.save(engine, actor, entity, {**original.values, **changes}, original)

    return run


def create(entity: str, **values: str) -> Action:
    return lambda engine, actor: records.save(engine, actor, entity, values)


def read(entity: str, key: str) -> Action:
    return lambda engine, actor: records.read(engine, actor, entity, key)


def archive(entity: str, key: str) -> Action:
    return lambda engine, actor: records.archive(engine, actor, records.read(engine, SYSTEM, entity, key))


def start(code: str) -> Action:
    values = {"code": code, "name": "Chuỗi mới", "product_code": "RICE", "started_on": "2025-01-01"}
    return lambda engine, actor: records.start_linkage(engine, actor, values)


ACTIONS: dict[str, Action] = {
    "edit own-district cooperative C1": edit("cooperatives", "C1", members="21"),
    "edit other-district cooperative C4": edit("cooperatives", "C4", members="13"),
    "create cooperative in 058": create("cooperatives", code="K9", name="HTX Mới", commune_code="01852"),
    "create cooperative in 061": create("cooperatives", code="K9", name="HTX Mới", commune_code="01891"),
    "move C1 from 058 to 061": edit("cooperatives", "C1", commune_code="01891"),
    "add member producer to C1": create(
        "producers", code="P9", name="Hộ Mới", commune_code="01849", cooperative_code="C1"
    ),
    "edit producer P1 of no cooperative (060)": edit("producers", "P1", name="Hộ Hoàng Văn Quế (sửa)"),
    "edit linkage L1 (058, C1 leads)": edit("linkages", "L1", name="Chuỗi lúa Dương Quang (sửa)"),
    "edit linkage L4 (061)": edit("linkages", "L4", name="Chuỗi chè (sửa)"),
    "add adoption to L1": create(
        "digital_adoptions", linkage_code="L1", technology="e_commerce", adopted_on="2024-01-01"
    ),
    "add adoption to L4": create(
        "digital_adoptions", linkage_code="L4", technology="e_commerce", adopted_on="2022-01-01"
    ),
    "add buyer B2 to L1": create("linkage_parties", linkage_code="L1", party_type="buyer", party_code="B2"),
    "edit raw material area A1 of L1": edit("raw_material_areas", "A1", area_ha="41"),
    "edit raw material area A2 of L4": edit("raw_material_areas", "A2", area_ha="13"),
    "edit reference product RICE": edit("products", "RICE", name_en="Paddy rice"),
    "archive C2 (058, nothing points to it)": archive("cooperatives", "C2"),
    "archive C8 (061, nothing points to it)": archive("cooperatives", "C8"),
    "archive L1's traceability": archive("digital_adoptions", "L1|traceability|2022-01-01"),
    "archive L4's e-commerce": archive("digital_adoptions", "L4|e_commerce|2021-06-01"),
    "start a linkage with itself as a party": start("L9"),
    "read C1": read("cooperatives", "C1"),
    "read C4": read("cooperatives", "C4"),
    "read L4": read("linkages", "L4"),
    "read A4 (Hà Nội ward)": read("raw_material_areas", "A4"),
}

# The actions each actor may take; every other action in ACTIONS must be refused.
ALLOWED: dict[str, tuple[Actor, set[str]]] = {
    "admin": (ADMIN, set(ACTIONS) - {"start a linkage with itself as a party"}),
    "planner VN": (PLANNER_VN, {"read C1", "read C4", "read L4", "read A4 (Hà Nội ward)"}),
    "planner 06": (PLANNER_06, {"read C1", "read C4", "read L4"}),
    "planner 01": (PLANNER_01, {"read A4 (Hà Nội ward)"}),
    "officer 058": (
        OFFICER_058,
        {
            "edit own-district cooperative C1",
            "create cooperative in 058",
            "add member producer to C1",
            "edit linkage L1 (058, C1 leads)",
            "add adoption to L1",
            "add buyer B2 to L1",
            "edit raw material area A1 of L1",
            "archive C2 (058, nothing points to it)",
            "archive L1's traceability",
            "read C1",
        },
    ),
    "officer 061": (
        OFFICER_061,
        {
            "edit other-district cooperative C4",
            "create cooperative in 061",
            "edit linkage L4 (061)",
            "add adoption to L4",
            "edit raw material area A2 of L4",
            "archive C8 (061, nothing points to it)",
            "archive L4's e-commerce",
            "read C4",
            "read L4",
        },
    ),
    "cooperative C1": (
        COOP_C1,
        {
            "edit own-district cooperative C1",
            "move C1 from 058 to 061",  # its own office moved: reported, for the new district to verify
            "add member producer to C1",
            "edit linkage L1 (058, C1 leads)",
            "add adoption to L1",
            "add buyer B2 to L1",
            "edit raw material area A1 of L1",
            "archive L1's traceability",
            "start a linkage with itself as a party",
            "read C1",
        },
    ),
    "cooperative C5": (
        COOP_C5,
        {
            "edit linkage L4 (061)",
            "add adoption to L4",
            "edit raw material area A2 of L4",
            "archive L4's e-commerce",
            "read L4",
            "start a linkage with itself as a party",
        },
    ),
}

CASES = [(who, action, action in allowed) for who, (_, allowed) in ALLOWED.items() for action in ACTIONS]


@pytest.fixture
def bac_kan(engine: Engine) -> Engine:
    import_path(engine, FIXTURE)
    return engine


@pytest.mark.parametrize(("who", "action", "allowed"), CASES, ids=[f"{w}: {a}" for w, a, _ in CASES])
def test_permission_matrix(bac_kan: Engine, who: str, action: str, allowed: bool) -> None:
    actor = ALLOWED[who][0]
    if allowed:
        ACTIONS[action](bac_kan, actor)
    else:
        with pytest.raises(Refused) as refused:
            ACTIONS[action](bac_kan, actor)
        assert "outside" in refused.value.message() or "only" in refused.value.message()


def test_an_officer_imports_only_files_whose_rows_all_lie_in_its_district(bac_kan: Engine, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "cooperatives.csv").write_text(
        "code,name,commune_code\nK1,HTX Dương Quang 2,01849\nK2,HTX Nông Thượng,01852\n", encoding="utf-8"
    )
    assert import_path(bac_kan, tmp_path / "mine", actor=OFFICER_058).counts["cooperatives"].inserted == 2
    (tmp_path / "mixed").mkdir()
    (tmp_path / "mixed" / "cooperatives.csv").write_text(
        "code,name,commune_code\nK3,HTX Ba,01849\nK4,HTX Bốn,01891\nK5,HTX Năm,01858\n", encoding="utf-8"
    )
    with pytest.raises(ImportRefused) as refused:
        import_path(bac_kan, tmp_path / "mixed", actor=OFFICER_058)
    assert [(p.row, p.code) for p in refused.value.problems] == [(3, "not_in_scope"), (4, "not_in_scope")]
    assert "row 3" in str(refused.value.problems[0]) and "058" in str(refused.value.problems[0])


def test_planners_cannot_import(bac_kan: Engine, tmp_path: Path) -> None:
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "cooperatives.csv").write_text("code,name,commune_code\nK1,HTX,01849\n", encoding="utf-8")
    with pytest.raises(ImportRefused):
        import_path(bac_kan, tmp_path / "f", actor=PLANNER_VN)


def test_a_planner_exports_only_its_province(bac_kan: Engine, tmp_path: Path) -> None:
    from linkage.db import read_session
    from linkage.exchange import export_folder

    with read_session(bac_kan) as session:
        export_folder(session, tmp_path / "06", actor=PLANNER_06)
        export_folder(session, tmp_path / "all", actor=PLANNER_VN)
        with pytest.raises(Refused):
            export_folder(session, tmp_path / "coop", actor=COOP_C1)

    def codes(folder: str, name: str) -> list[str]:
        lines = (tmp_path / folder / f"{name}.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
        return [line.split(",")[0] for line in lines]

    assert codes("06", "raw_material_areas") == ["A1", "A2", "A3"]  # A4 lies in Hà Nội
    assert "L7" not in codes("06", "linkages") and "L7" not in codes("06", "linkage_parties")
    assert codes("all", "raw_material_areas") == ["A1", "A2", "A3", "A4"]
    assert codes("06", "buyers") == ["B1", "B2"]  # buyers are shared by every linkage that names them
