"""Every role × action × in/out of scope, through the domain layer the app and CLI both use.

Scopes in the Bắc Kạn fixture: district 058 holds cooperative C1, raw material area A1 and linkage
L1 (C1 is its lead); district 061 holds C4, C5 and linkage L4; A4 lies in a Hà Nội ward (province 01).
The second matrix (`MAP_CASES`) puts scopes of both maps over records given on either map or both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM, Actor
from linkage.errors import Refused
from linkage.exchange import ImportRefused, Table
from linkage.exchange.spec import BY_NAME
from linkage.records import forms
from linkage.records.importing import import_path, import_tables
from linkage.records.permissions import may_open, pages_for
from linkage.store.db import data_version

from .conftest import statements
from .helpers import ADMIN, COOP_C1, COOP_C5, OFFICER_058, OFFICER_061, PLANNER_01, PLANNER_06, PLANNER_VN

Run = Callable[[Engine, Actor], object]


@dataclass(frozen=True)
class Action:
    """Something an actor tries, and what it must have left when it was allowed (`wrote`)."""

    run: Run
    wrote: Callable[[Engine, Actor, object], None]

    def __call__(self, engine: Engine, actor: Actor) -> object:
        return self.run(engine, actor)


def stored(engine: Engine, entity: str, key: str) -> forms.RecordView:
    return forms.read(engine, SYSTEM, entity, key)


def changed_by(engine: Engine, actor: Actor, entity: str, key: str, action: str) -> None:
    """The record's last history entry is this actor's `action`, and a cooperative's change waits
    for an officer while an officer's or admin's counts as verified."""
    last = forms.history(engine, SYSTEM, entity, key)[-1]
    assert (last.actor, last.action) == (actor.username, action)
    assert stored(engine, entity, key).review_status == ("reported" if actor.role == "cooperative" else None)


def edit(entity: str, key: str, **changes: str) -> Action:
    def run(engine: Engine, actor: Actor) -> object:
        original = stored(engine, entity, key)
        return forms.save(engine, actor, entity, {**original.values, **changes}, original)

    def wrote(engine: Engine, actor: Actor, _: object) -> None:
        assert {f: stored(engine, entity, key).values[f] for f in changes} == changes
        changed_by(engine, actor, entity, key, "update")
        assert set(forms.history(engine, SYSTEM, entity, key)[-1].changes) == set(changes)

    return Action(run, wrote)


def edit_own_value(entity: str, key: str, column: str, value: str) -> Action:
    """`edit`, each actor writing a value of its own: a row equal to what another actor already wrote
    would change nothing, and a row that changes nothing is no write (it needs only the right to read)."""

    def run(engine: Engine, actor: Actor) -> object:
        original = stored(engine, entity, key)
        return forms.save(engine, actor, entity, {**original.values, column: f"{value} ({actor.username})"}, original)

    def wrote(engine: Engine, actor: Actor, _: object) -> None:
        assert stored(engine, entity, key).values[column] == f"{value} ({actor.username})"
        changed_by(engine, actor, entity, key, "update")

    return Action(run, wrote)


def create(entity: str, **values: str) -> Action:
    key = "|".join(values[k] for k in BY_NAME[entity].key)

    def wrote(engine: Engine, actor: Actor, _: object) -> None:
        assert {f: stored(engine, entity, key).values[f] for f in values} == values
        changed_by(engine, actor, entity, key, "create")

    return Action(lambda engine, actor: forms.save(engine, actor, entity, values), wrote)


def read(entity: str, key: str) -> Action:
    def wrote(engine: Engine, actor: Actor, shown: object) -> None:
        assert isinstance(shown, forms.RecordView) and (shown.entity, shown.key) == (entity, key)
        assert shown.values == stored(engine, entity, key).values

    return Action(lambda engine, actor: forms.read(engine, actor, entity, key), wrote)


def archive(entity: str, key: str) -> Action:
    def wrote(engine: Engine, actor: Actor, _: object) -> None:
        assert stored(engine, entity, key).archived
        changed_by(engine, actor, entity, key, "archive")

    return Action(lambda engine, actor: forms.archive(engine, actor, stored(engine, entity, key)), wrote)


def start(code: str) -> Action:
    values = {"code": code, "name": "Chuỗi mới", "product_code": "RICE", "started_on": "2025-01-01"}

    def wrote(engine: Engine, actor: Actor, _: object) -> None:
        assert stored(engine, "linkages", code).values["name"] == "Chuỗi mới"
        changed_by(engine, actor, "linkages", code, "create")
        changed_by(engine, actor, "linkage_parties", f"{code}|cooperative|{actor.cooperative_code}", "create")

    return Action(lambda engine, actor: forms.start_linkage(engine, actor, values), wrote)


def restore(entity: str, key: str) -> Action:
    def run(engine: Engine, actor: Actor) -> object:
        archived = forms.archive(engine, SYSTEM, stored(engine, entity, key))
        return forms.restore(engine, actor, archived)

    def wrote(engine: Engine, actor: Actor, _: object) -> None:
        assert not stored(engine, entity, key).archived
        changed_by(engine, actor, entity, key, "restore")

    return Action(run, wrote)


def history_of(entity: str, key: str) -> Action:
    def wrote(engine: Engine, actor: Actor, shown: object) -> None:
        assert isinstance(shown, list) and [e.action for e in shown] == ["create"]  # as the fixture made it

    return Action(lambda engine, actor: forms.history(engine, actor, entity, key), wrote)


def area_with_party(linkage: str) -> Action:
    """A new raw material area and the party row putting it into `linkage`, in one import."""

    def run(engine: Engine, actor: Actor) -> object:
        tables = [
            Table(
                "raw_material_areas",
                "raw_material_areas.csv",
                ["code", "name", "commune_code", "product_code", "area_ha"],
                [
                    (
                        2,
                        {
                            "code": "A9",
                            "name": "Vùng mới",
                            "commune_code": "01849",
                            "product_code": "RICE",
                            "area_ha": "5",
                        },
                    )
                ],
            ),
            Table(
                "linkage_parties",
                "linkage_parties.csv",
                ["linkage_code", "party_type", "party_code"],
                [(2, {"linkage_code": linkage, "party_type": "raw_material_area", "party_code": "A9"})],
            ),
        ]
        try:
            return import_tables(engine, tables, actor)
        except ImportRefused as refused:
            if all(p.code == "not_in_scope" for p in refused.problems):
                raise Refused("not_in_scope", role=actor.role, scope="") from None
            raise

    def wrote(engine: Engine, actor: Actor, _: object) -> None:
        assert stored(engine, "raw_material_areas", "A9").values["area_ha"] == "5"
        changed_by(engine, actor, "raw_material_areas", "A9", "create")
        changed_by(engine, actor, "linkage_parties", f"{linkage}|raw_material_area|A9", "create")

    return Action(run, wrote)


ACTIONS: dict[str, Action] = {
    "edit own-district cooperative C1": edit("cooperatives", "C1", members="21"),
    "edit other-district cooperative C4": edit("cooperatives", "C4", members="13"),
    "create cooperative in 058": create("cooperatives", code="K9", name="HTX Mới", commune_code="01852"),
    "create cooperative in 061": create("cooperatives", code="K9", name="HTX Mới", commune_code="01891"),
    "move C1 from 058 to 061": edit("cooperatives", "C1", commune_code="01891"),
    "move C4 from 061 to 058": edit("cooperatives", "C4", commune_code="01852"),
    "add member producer to C1": create(
        "producers", code="P9", name="Hộ Mới", commune_code="01849", cooperative_code="C1"
    ),
    "edit producer P1 of no cooperative (060)": edit("producers", "P1", name="Hộ Hoàng Văn Quế (sửa)"),
    "edit producer P2, member of C3 (061)": edit("producers", "P2", name="Tổ hợp tác (sửa)"),
    "move producer P2 from C3 to C1": edit("producers", "P2", cooperative_code="C1"),
    "edit linkage L1 (058, C1 leads)": edit("linkages", "L1", name="Chuỗi lúa Dương Quang (sửa)"),
    "edit linkage L4 (061)": edit("linkages", "L4", name="Chuỗi chè (sửa)"),
    "create a linkage with no party": create(
        "linkages", code="L9", name="Chuỗi trống", product_code="RICE", started_on="2025-01-01"
    ),
    "add adoption to L1": create(
        "digital_adoptions", linkage_code="L1", technology="e_commerce", adopted_on="2024-01-01"
    ),
    "add adoption to L4": create(
        "digital_adoptions", linkage_code="L4", technology="e_commerce", adopted_on="2022-01-01"
    ),
    "add buyer B2 to L1": create("linkage_parties", linkage_code="L1", party_type="buyer", party_code="B2"),
    "add C1 as a party of L4 (061)": create(
        "linkage_parties", linkage_code="L4", party_type="cooperative", party_code="C1"
    ),
    "add C4 (061) as a party of L1 (058)": create(
        "linkage_parties", linkage_code="L1", party_type="cooperative", party_code="C4"
    ),
    "restore archived linkage L1 (058) with its parties": restore("linkages", "L1"),
    "register a new buyer with no commune": create("buyers", code="B9", name="Thương lái mới", kind="trader"),
    "edit buyer B2 (no commune; named by L3, L4 in 061)": edit("buyers", "B2", name="Thương lái Ba Bể (sửa)"),
    "edit buyer B1 (registered in 061)": edit("buyers", "B1", name="Công ty (sửa)"),
    "edit raw material area A1 of L1": edit("raw_material_areas", "A1", area_ha="41"),
    "edit raw material area A2 of L4": edit("raw_material_areas", "A2", area_ha="13"),
    "create a raw material area alone in 058": create(
        "raw_material_areas", code="A9", name="Vùng mới", commune_code="01849", product_code="RICE", area_ha="5"
    ),
    "create a raw material area with its party in L1": area_with_party("L1"),
    "edit reference product RICE": edit_own_value("products", "RICE", "name_en", "Paddy rice"),
    "add a provincial key product": create("province_key_products", province_code="06", product_code="TEA"),
    "archive C2 (058, nothing points to it)": archive("cooperatives", "C2"),
    "archive C8 (061, nothing points to it)": archive("cooperatives", "C8"),
    "archive L1's traceability": archive("digital_adoptions", "L1|traceability|2022-01-01"),
    "archive L4's e-commerce": archive("digital_adoptions", "L4|e_commerce|2021-06-01"),
    "restore archived C2 (058)": restore("cooperatives", "C2"),
    "restore archived P4 (061)": restore("producers", "P4"),
    "start a linkage with itself as a party": start("L9"),
    "read C1": read("cooperatives", "C1"),
    "read C4": read("cooperatives", "C4"),
    "read L4": read("linkages", "L4"),
    "read L1's party C1": read("linkage_parties", "L1|cooperative|C1"),
    "read L4's e-commerce": read("digital_adoptions", "L4|e_commerce|2021-06-01"),
    "read producer P2 (061)": read("producers", "P2"),
    "read A4 (Hà Nội ward)": read("raw_material_areas", "A4"),
    "read buyer B2": read("buyers", "B2"),
    "read product RICE": read("products", "RICE"),
    "history of C1": history_of("cooperatives", "C1"),
    "history of L4": history_of("linkages", "L4"),
}
EVERYONE = {"read buyer B2", "read product RICE"}
BAC_KAN_READS = {  # what lies in province 06, for planners who read it
    "read C1",
    "read C4",
    "read L4",
    "read L1's party C1",
    "read L4's e-commerce",
    "read producer P2 (061)",
    "history of C1",
    "history of L4",
}

# The actions each actor may take; every other action in ACTIONS must be refused and write nothing.
ALLOWED: dict[str, tuple[Actor, set[str]]] = {
    "admin": (ADMIN, set(ACTIONS) - {"start a linkage with itself as a party"}),
    "planner VN": (PLANNER_VN, EVERYONE | BAC_KAN_READS | {"read A4 (Hà Nội ward)"}),
    "planner 06": (PLANNER_06, EVERYONE | BAC_KAN_READS),
    "planner 01": (PLANNER_01, EVERYONE | {"read A4 (Hà Nội ward)"}),
    "officer 058": (
        OFFICER_058,
        EVERYONE
        | {
            "edit own-district cooperative C1",
            "create cooperative in 058",
            "add member producer to C1",
            "edit linkage L1 (058, C1 leads)",
            "add adoption to L1",
            "add buyer B2 to L1",
            "restore archived linkage L1 (058) with its parties",
            "register a new buyer with no commune",
            "edit raw material area A1 of L1",
            "create a raw material area alone in 058",
            "create a raw material area with its party in L1",
            "archive C2 (058, nothing points to it)",
            "archive L1's traceability",
            "restore archived C2 (058)",
            "read C1",
            "read L1's party C1",
            "history of C1",
        },
    ),
    "officer 061": (
        OFFICER_061,
        EVERYONE
        | {
            "edit other-district cooperative C4",
            "create cooperative in 061",
            "edit producer P2, member of C3 (061)",
            "move producer P2 from C3 to C1",  # the producer lies in 061 whichever cooperative it joins
            "edit linkage L4 (061)",
            "add adoption to L4",
            "register a new buyer with no commune",
            "edit buyer B2 (no commune; named by L3, L4 in 061)",
            "edit buyer B1 (registered in 061)",
            "edit raw material area A2 of L4",
            "archive C8 (061, nothing points to it)",
            "archive L4's e-commerce",
            "restore archived P4 (061)",
            "read C4",
            "read L4",
            "read L4's e-commerce",
            "read producer P2 (061)",
            "history of L4",
        },
    ),
    "cooperative C1": (
        COOP_C1,
        EVERYONE
        | {
            "edit own-district cooperative C1",
            "move C1 from 058 to 061",  # its own office moved: reported, for the new district to verify
            "add member producer to C1",
            "edit linkage L1 (058, C1 leads)",
            "add adoption to L1",
            "add buyer B2 to L1",
            "restore archived linkage L1 (058) with its parties",
            "register a new buyer with no commune",
            "edit raw material area A1 of L1",
            "create a raw material area with its party in L1",
            "archive L1's traceability",
            "start a linkage with itself as a party",
            "read C1",
            "read L1's party C1",
            "history of C1",
        },
    ),
    "cooperative C5": (
        COOP_C5,
        EVERYONE
        | {
            "edit linkage L4 (061)",
            "add adoption to L4",
            "register a new buyer with no commune",
            "edit raw material area A2 of L4",
            "archive L4's e-commerce",
            "read L4",
            "read L4's e-commerce",
            "history of L4",
            "start a linkage with itself as a party",
        },
    ),
}

CASES = [(who, action, action in allowed) for who, (_, allowed) in ALLOWED.items() for action in ACTIONS]


def footprint(engine: Engine) -> tuple[int, int]:
    """The data version and the length of the history: both move with any write."""
    with engine.connect() as conn:
        return data_version(engine), int(conn.exec_driver_sql("SELECT count(*) FROM change_log").scalar_one())


def decided_by_role(who: str, action: str) -> bool:
    """Refusals the actor's role settles before any record is looked at, the same on every backend:
    a planner writes nothing, only a cooperative starts a linkage, only an admin edits reference data."""
    actor = ALLOWED[who][0]
    writes = not action.startswith(("read ", "history of "))
    return (
        (actor.role == "planner" and writes)
        or (action == "start a linkage with itself as a party" and actor.role != "cooperative")
        or (action in REFERENCE_WRITES and actor.role != "admin")
    )


REFERENCE_WRITES = {"edit reference product RICE", "add a provincial key product"}
ON_EACH_BACKEND = [case for case in CASES if not decided_by_role(case[0], case[1])]
ONCE = [case for case in CASES if decided_by_role(case[0], case[1])]


def check(engine: Engine, who: str, action: str, allowed: bool) -> None:
    actor = ALLOWED[who][0]
    if allowed:
        ACTIONS[action].wrote(engine, actor, ACTIONS[action](engine, actor))
        return
    before = None if action.startswith("restore") else footprint(engine)  # restore archives first
    with pytest.raises(Refused) as refused:
        ACTIONS[action](engine, actor)
    assert "outside" in refused.value.message() or "only" in refused.value.message()
    if before is not None:
        assert footprint(engine) == before, "a refused action wrote something"


@pytest.mark.parametrize(
    ("who", "action", "allowed"), ON_EACH_BACKEND, ids=[f"{w}: {a}" for w, a, _ in ON_EACH_BACKEND]
)
def test_permission_matrix(bac_kan: Engine, who: str, action: str, allowed: bool) -> None:
    check(bac_kan, who, action, allowed)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the role decides: once is enough
@pytest.mark.parametrize(("who", "action", "allowed"), ONCE, ids=[f"{w}: {a}" for w, a, _ in ONCE])
def test_permission_matrix_refusals_decided_by_role(bac_kan: Engine, who: str, action: str, allowed: bool) -> None:
    assert not allowed
    check(bac_kan, who, action, allowed)


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
    from linkage.records.exporting import export_folder
    from linkage.store.db import read_session

    with read_session(bac_kan) as session:
        export_folder(session, tmp_path / "06", actor=PLANNER_06)
        export_folder(session, tmp_path / "all", actor=PLANNER_VN)
        export_folder(session, tmp_path / "coop", actor=COOP_C1)

    def codes(folder: str, name: str) -> list[str]:
        lines = (tmp_path / folder / f"{name}.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
        return [line.split(",")[0] for line in lines]

    assert codes("06", "raw_material_areas") == ["A1", "A2", "A3"]  # A4 lies in Hà Nội
    assert "L7" not in codes("06", "linkages") and "L7" not in codes("06", "linkage_parties")
    assert codes("all", "raw_material_areas") == ["A1", "A2", "A3", "A4"]
    assert codes("06", "buyers") == ["B1", "B2"]  # buyers are shared by every linkage that names them
    assert codes("coop", "cooperatives") == ["C1"] and codes("coop", "linkages") == ["L1"]  # its own sphere
    assert codes("coop", "raw_material_areas") == ["A1"]


def test_listings_show_only_what_the_actor_may_read(bac_kan: Engine) -> None:
    def codes(actor: Actor, entity: str, **equals: str) -> list[str]:
        return [view.key for view in forms.find(bac_kan, actor, entity, **equals)]

    assert codes(OFFICER_058, "cooperatives") == ["C1", "C2"]
    assert codes(OFFICER_061, "linkages") == ["L3", "L4", "L5"]
    assert codes(PLANNER_01, "raw_material_areas") == ["A4"]
    assert codes(COOP_C1, "linkages") == ["L1"]
    assert codes(COOP_C1, "producers") == []  # C1 has no member producer in the fixture
    assert codes(COOP_C5, "raw_material_areas") == ["A2"]
    assert [v.key for v in forms.linkages_of(bac_kan, COOP_C5, "C5")] == ["L4"]
    assert [v.key for v in forms.linkages_of(bac_kan, COOP_C1, "C5")] == []  # not its own: nothing


def test_exports_hold_only_the_actors_scope(bac_kan: Engine, tmp_path: Path) -> None:
    from linkage.records.exporting import export_folder
    from linkage.store.db import read_session

    with read_session(bac_kan) as session:
        export_folder(session, tmp_path / "058", actor=OFFICER_058)
        export_folder(session, tmp_path / "01", "xlsx", actor=PLANNER_01)

    def codes(name: str) -> list[str]:
        lines = (tmp_path / "058" / f"{name}.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
        return [line.split(",")[0] for line in lines]

    assert codes("cooperatives") == ["C1", "C2"] and codes("linkages") == ["L1"]
    assert codes("linkage_parties") == ["L1", "L1", "L1"]
    import openpyxl

    book = openpyxl.load_workbook(next((tmp_path / "01").glob("*.xlsx")))
    assert [row[0] for row in book["raw_material_areas"].iter_rows(min_row=2, values_only=True)] == ["A4"]
    assert [row[0] for row in book["cooperatives"].iter_rows(min_row=2, values_only=True)] == []


def test_a_cooperative_imports_only_rows_of_its_own_sphere(bac_kan: Engine, tmp_path: Path) -> None:
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "producers.csv").write_text(
        "code,name,commune_code,cooperative_code\nP8,Hộ Tám,01849,C1\nP9,Hộ Chín,01891,C4\n", encoding="utf-8"
    )
    (tmp_path / "f" / "digital_adoptions.csv").write_text(
        "linkage_code,technology,adopted_on\nL1,e_commerce,2024-01-01\nL4,e_commerce,2022-01-01\n", encoding="utf-8"
    )
    with pytest.raises(ImportRefused) as refused:
        import_path(bac_kan, tmp_path / "f", actor=COOP_C1)
    assert sorted((p.file, p.row, p.code) for p in refused.value.problems) == [
        ("digital_adoptions.csv", 3, "not_in_scope"),
        ("producers.csv", 3, "not_in_scope"),
    ]


def test_an_officer_imports_linkages_parties_and_areas_of_its_district_only(bac_kan: Engine, tmp_path: Path) -> None:
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "raw_material_areas.csv").write_text(
        "code,name,commune_code,product_code,area_ha\nA8,Vùng Tám,01849,RICE,3\n", encoding="utf-8"
    )
    (tmp_path / "f" / "linkages.csv").write_text(
        "code,name,product_code,started_on\nL8,Chuỗi Tám,RICE,2025-01-01\nL9,Chuỗi Chín,RICE,2025-01-01\n",
        encoding="utf-8",
    )
    (tmp_path / "f" / "linkage_parties.csv").write_text(
        "linkage_code,party_type,party_code\nL8,raw_material_area,A8\nL9,cooperative,C4\n", encoding="utf-8"
    )
    with pytest.raises(ImportRefused) as refused:
        import_path(bac_kan, tmp_path / "f", actor=OFFICER_058)
    assert sorted((p.file, p.row) for p in refused.value.problems) == [("linkage_parties.csv", 3), ("linkages.csv", 3)]
    (tmp_path / "f" / "linkages.csv").write_text("code,name,product_code,started_on\nL8,Chuỗi Tám,RICE,2025-01-01\n")
    (tmp_path / "f" / "linkage_parties.csv").write_text("linkage_code,party_type,party_code\nL8,raw_material_area,A8\n")
    assert import_path(bac_kan, tmp_path / "f", actor=OFFICER_058).counts["linkages"].inserted == 1


def test_coverage_candidates_show_linkages_only_to_who_may_read_them(bac_kan: Engine) -> None:
    from datetime import date

    from linkage.counting.coverage import unit_candidates

    def codes(actor: Actor, day: date) -> list[str]:
        return list(unit_candidates(bac_kan, actor, day, "06").linkages_without_digital["code"])

    # Raw-material linkages of Bắc Kạn without digital technology: L1 in 2021 (058), L4 mid-2023 (061).
    early, late = date(2021, 12, 31), date(2023, 6, 29)
    assert (codes(ADMIN, early), codes(ADMIN, late)) == (["L1"], ["L4"])
    assert (codes(PLANNER_06, early), codes(PLANNER_06, late)) == (["L1"], ["L4"])
    assert (codes(OFFICER_058, early), codes(OFFICER_058, late)) == (["L1"], [])
    assert (codes(COOP_C5, early), codes(COOP_C5, late)) == ([], ["L4"])
    assert (codes(PLANNER_01, early), codes(PLANNER_01, late)) == ([], [])


def save_as(engine: Engine, actor: Actor, entity: str, key: str, **changes: str) -> None:
    original = forms.read(engine, SYSTEM, entity, key)
    forms.save(engine, actor, entity, {**original.values, **changes}, original)


def test_a_cooperative_cannot_change_an_area_it_shares_with_another_cooperatives_linkage(bac_kan: Engine) -> None:
    # A2 (the area of C5's linkage L4) is named in C1's linkage L1 too (by an administrator) ...
    forms.save(
        bac_kan,
        ADMIN,
        "linkage_parties",
        {"linkage_code": "L1", "party_type": "raw_material_area", "party_code": "A2"},
    )
    # ... but that does not let it change A2, which would also move C5's linkage.
    with pytest.raises(Refused):
        save_as(bac_kan, COOP_C1, "raw_material_areas", "A2", commune_code="01849")
    with pytest.raises(Refused):
        save_as(bac_kan, COOP_C5, "raw_material_areas", "A2", area_ha="1")  # nor C5, now that C1 shares it
    save_as(bac_kan, COOP_C1, "raw_material_areas", "A1", area_ha="42")  # its own area: as before


def test_an_officer_cannot_take_over_another_districts_linkage_through_a_party(bac_kan: Engine) -> None:
    with pytest.raises(Refused):  # adding its own cooperative to 061's linkage is for 061's officer
        forms.save(
            bac_kan,
            OFFICER_058,
            "linkage_parties",
            {"linkage_code": "L4", "party_type": "cooperative", "party_code": "C1"},
        )
    with pytest.raises(Refused):  # nor may 061's officer attach 058's cooperative: C1 is 058's to attach
        forms.save(
            bac_kan,
            OFFICER_061,
            "linkage_parties",
            {"linkage_code": "L4", "party_type": "cooperative", "party_code": "C1"},
        )
    forms.save(
        bac_kan, ADMIN, "linkage_parties", {"linkage_code": "L4", "party_type": "cooperative", "party_code": "C1"}
    )
    # L4 now lies in 058 too, yet its other parties stay 061's to change.
    with pytest.raises(Refused):
        forms.archive(bac_kan, OFFICER_058, forms.read(bac_kan, SYSTEM, "linkage_parties", "L4|cooperative|C5"))
    forms.archive(bac_kan, OFFICER_058, forms.read(bac_kan, SYSTEM, "linkage_parties", "L4|cooperative|C1"))  # its own


def test_an_archived_linkage_stays_in_its_district_for_restoring_and_verifying(bac_kan: Engine) -> None:
    from linkage.records.history import pending, verify

    commune_office = Actor("xa_pq", "officer", "01849", unit_map="2025-07")  # C1's commune on today's map
    forms.archive(bac_kan, COOP_C1, forms.read(bac_kan, SYSTEM, "linkages", "L1"))
    queue = {(p.entity, p.key): p for p in pending(bac_kan, commune_office)}
    assert ("linkages", "L1") in queue and ("digital_adoptions", "L1|traceability|2022-01-01") in queue
    for (entity, key), change in queue.items():
        verify(bac_kan, commune_office, entity, key, change.version)
    assert pending(bac_kan, commune_office) == []
    with pytest.raises(Refused):
        forms.restore(bac_kan, OFFICER_061, forms.read(bac_kan, SYSTEM, "linkages", "L1"))
    restored = forms.restore(bac_kan, OFFICER_058, forms.read(bac_kan, SYSTEM, "linkages", "L1"))
    assert not restored.archived
    assert not forms.read(bac_kan, SYSTEM, "linkage_parties", "L1|cooperative|C1").archived


def test_a_lead_row_comes_back_only_if_no_other_lead_took_its_place(bac_kan: Engine) -> None:
    from linkage.errors import InUse

    forms.archive(bac_kan, OFFICER_058, forms.read(bac_kan, SYSTEM, "linkage_parties", "L1|cooperative|C1"))
    save_as(bac_kan, OFFICER_058, "linkage_parties", "L1|buyer|B1", is_lead="true")
    with pytest.raises(InUse, match="another lead"):
        forms.restore(bac_kan, OFFICER_058, forms.read(bac_kan, SYSTEM, "linkage_parties", "L1|cooperative|C1"))


def test_a_code_with_a_bar_is_refused_and_a_code_typed_as_a_number_is_read_back(bac_kan: Engine) -> None:
    from linkage.errors import Invalid

    values = {"code": "L|9", "name": "Chuỗi", "product_code": "RICE", "started_on": "2025-01-01"}
    with pytest.raises(Invalid):
        forms.start_linkage(bac_kan, COOP_C1, values)
    started = forms.start_linkage(bac_kan, COOP_C1, {**values, "code": "2025.0"})
    assert started.key == "2025"


@pytest.mark.parametrize(
    ("who", "menu"),
    [
        (None, []),
        (ADMIN, ["coverage", "graph", "verification", "settling", "exchange", "users", "account"]),
        (PLANNER_VN, ["coverage", "graph", "exchange", "account"]),
        (PLANNER_06, ["coverage", "graph", "exchange", "account"]),
        (OFFICER_058, ["coverage", "graph", "verification", "settling", "exchange", "account"]),
        (COOP_C1, ["coverage", "my_cooperative", "exchange", "account"]),
    ],
    ids=["signed out", "admin", "planner VN", "planner 06", "officer", "cooperative"],
)
def test_each_role_opens_its_own_pages_and_no_other(who: Actor | None, menu: list[str]) -> None:
    assert pages_for(who) == menu
    every_page = sorted(path.stem for path in (Path(__file__).parent.parent / "pages").glob("*.py"))
    opened = {page for page in every_page if may_open(who, page)}
    always = {"home", "forbidden"}  # the home page and the plain refusal
    assert opened == set(menu) | always | ({"login"} if who is None else set())
    assert not may_open(who, "no_such_page")


# ---------------------------------------------------------------------------------------------------
# Scopes on a named map: the same matrix for officers of a commune and of a province of
# 2025-07, a planner of a province of 2025-07 and a district officer of 2025-01, over records given on
# 2025-07 only, on 2025-01 only, on both, and by a split commune. The codes are found in the package's
# crosswalk; what each scope may do is worked out below from the crosswalk's raw relation and the
# placement rule of docs/indicators.md, "On which map", written out again here rather than asked of the code under test.


@dataclass(frozen=True)
class Scenario:
    split: str  # an old commune divided among several new communes: placed in a province on 2025-07
    here: str  # a new commune the split commune went partly to (the commune officer's)
    there: str  # another new commune the split commune went partly to
    elsewhere: str  # a new commune of the same new province, none of the split commune's
    old: str  # an old commune that went (at least partly) to `here`
    province: str  # the new province of them all
    district: str  # the old district of the split commune


def scenario() -> Scenario:
    from linkage.geo.maps import crosswalk, map_data

    cw, new, old = crosswalk(), map_data("2025-07"), map_data("2025-01")
    split = next(c for c, went in sorted(cw.old_to_new.items()) if len(went) > 1 and c not in cw.absent)
    here, there = cw.old_to_new[split][:2]
    province = new.communes[here].province
    went = set(cw.old_to_new[split])
    elsewhere = next(c for c, p in new.communes.items() if p.province == province and c not in went)
    before = [o for o in cw.new_to_old[here] if o != split]
    single = [o for o in before if cw.old_to_new[o] == (here,)]
    return Scenario(split, here, there, elsewhere, (single or before)[0], province, old.communes[split].district)


SC = scenario()
Home = tuple[str | None, str | None]
HOMES: dict[str, Home] = {
    "KN": (None, SC.here),  # given on 2025-07 only
    "KO": (SC.old, None),  # given on 2025-01 only
    "KB": (SC.old, SC.here),  # given on both
    "KS": (SC.split, None),  # given by a split commune: above any commune on 2025-07
    "KY": (None, SC.elsewhere),  # another commune of the same new province
}
NEW_SCOPES = {
    "commune officer 2025-07": Actor("xa", "officer", SC.here, unit_map="2025-07"),
    "province officer 2025-07": Actor("so", "officer", SC.province, unit_map="2025-07"),
    "province planner 2025-07": Actor("tinh", "planner", SC.province, unit_map="2025-07"),
    "district officer 2025-01": Actor("huyen", "officer", SC.district, unit_map="2025-01"),
}


def where(home: Home, on: str) -> tuple[str, str]:
    """docs/indicators.md, "On which map" once more: the commune given on the map, else the smallest unit holding every
    candidate — one commune, else (on 2025-01) their district, else their province."""
    from linkage.geo.maps import crosswalk, map_data

    data, cw = map_data(on), crosswalk()
    given = home[0] if on == "2025-01" else home[1]
    if given:
        return ("commune", given)
    candidates = cw.old_to_new[home[0]] if home[0] else cw.new_to_old[str(home[1])]
    if len(candidates) == 1:
        return ("commune", candidates[0])
    districts = {data.communes[c].district for c in candidates}
    if on == "2025-01" and len(districts) == 1:
        return ("district", districts.pop())
    (province,) = {data.communes[c].province for c in candidates}
    return ("province", province)


def holds(actor: Actor, place: tuple[str, str]) -> bool:
    from linkage.geo.maps import map_data

    data, (level, code) = map_data(actor.unit_map), place
    if actor.unit_code in data.provinces:
        return code == actor.unit_code if level == "province" else data.level(level)[code].province == actor.unit_code
    if actor.unit_code in data.districts:  # 2025-01 only
        return (
            code == actor.unit_code
            if level == "district"
            else level == "commune" and data.communes[code].district == actor.unit_code
        )
    return place == ("commune", actor.unit_code)


def may_settle(actor: Actor, home: Home) -> bool:
    """An officer's settling list: placed above the commune on its map, with a candidate in its unit."""
    from linkage.geo.maps import crosswalk

    if actor.role != "officer" or where(home, actor.unit_map)[0] == "commune":
        return False
    cw = crosswalk()
    candidates = cw.old_to_new[home[0]] if actor.unit_map == "2025-07" and home[0] else ()
    if actor.unit_map == "2025-01" and home[1]:
        candidates = cw.new_to_old[home[1]]
    return any(holds(actor, ("commune", c)) for c in candidates)


def reads(actor: Actor, home: Home) -> bool:
    return holds(actor, where(home, actor.unit_map)) or may_settle(actor, home)


def writes(actor: Actor, before: Home | None, after: Home) -> bool:
    """As stored (or settling it) and as it will be, officers only."""
    if actor.role != "officer":
        return False
    if before is not None and not (holds(actor, where(before, actor.unit_map)) or may_settle(actor, before)):
        return False
    return holds(actor, where(after, actor.unit_map))


def placed(home: Home) -> dict[str, str]:
    return {"commune_code": home[0] or "", "commune_code_2025_07": home[1] or ""}


MAP_ACTIONS: dict[str, tuple[Action, Callable[[Actor], bool]]] = {
    **{
        f"read {code} {label}": (read("cooperatives", code), lambda a, h=HOMES[code]: reads(a, h))
        for code, label in (
            ("KN", "(2025-07 only)"),
            ("KO", "(2025-01 only)"),
            ("KB", "(both maps)"),
            ("KS", "(split commune)"),
            ("KY", "(another commune)"),
        )
    },
    **{
        f"edit {code}": (edit("cooperatives", code, members="31"), lambda a, h=HOMES[code]: writes(a, h, h))
        for code in HOMES
    },
    "read linkage LN of KN": (  # a linkage lies where its parties lie: settling is for the homed record
        read("linkages", "LN"),
        lambda a: holds(a, where(HOMES["KN"], a.unit_map)),
    ),
    "edit linkage LN of KN": (
        edit("linkages", "LN", name="Chuỗi mới (sửa)"),
        lambda a: writes(a, HOMES["KN"], HOMES["KN"]),
    ),
    "settle KS in the commune officer's commune": (
        edit("cooperatives", "KS", commune_code_2025_07=SC.here),
        lambda a: writes(a, HOMES["KS"], (SC.split, SC.here)),
    ),
    "settle KS in the other commune it went to": (
        edit("cooperatives", "KS", commune_code_2025_07=SC.there),
        lambda a: writes(a, HOMES["KS"], (SC.split, SC.there)),
    ),
    "move KN to another commune": (
        edit("cooperatives", "KN", commune_code_2025_07=SC.elsewhere),
        lambda a: writes(a, HOMES["KN"], (None, SC.elsewhere)),
    ),
    "create a cooperative given on both maps": (
        create("cooperatives", code="K9", name="HTX Hai Bản Đồ", **placed((SC.old, SC.here))),
        lambda a: writes(a, None, (SC.old, SC.here)),
    ),
    "create a cooperative on 2025-07 only elsewhere": (
        create("cooperatives", code="K8", name="HTX Xã Khác", **placed((None, SC.elsewhere))),
        lambda a: writes(a, None, (None, SC.elsewhere)),
    ),
}
MAP_CASES = [
    (who, action, allowed(actor)) for who, actor in NEW_SCOPES.items() for action, (_, allowed) in MAP_ACTIONS.items()
]


@pytest.fixture
def two_map_records(bac_kan: Engine) -> Engine:
    rows = "\n".join(f"{code},HTX {code},{old or ''},{new or ''}" for code, (old, new) in HOMES.items())
    tables = [
        Table(
            "cooperatives",
            "cooperatives.csv",
            ["code", "name", "commune_code", "commune_code_2025_07"],
            [
                (n, dict(zip(["code", "name", "commune_code", "commune_code_2025_07"], line.split(","), strict=True)))
                for n, line in enumerate(rows.splitlines(), 2)
            ],
        ),
        Table(
            "linkages",
            "linkages.csv",
            ["code", "name", "product_code", "started_on"],
            [(2, {"code": "LN", "name": "Chuỗi mới", "product_code": "RICE", "started_on": "2025-08-01"})],
        ),
        Table(
            "linkage_parties",
            "linkage_parties.csv",
            ["linkage_code", "party_type", "party_code"],
            [(2, {"linkage_code": "LN", "party_type": "cooperative", "party_code": "KN"})],
        ),
    ]
    import_tables(bac_kan, tables, SYSTEM)
    return bac_kan


def test_the_scenario_has_what_its_names_say() -> None:
    assert where(HOMES["KS"], "2025-07") == ("province", SC.province)  # the split commune is above any commune
    assert where(HOMES["KN"], "2025-07") == ("commune", SC.here) == where(HOMES["KB"], "2025-07")
    assert SC.there != SC.here and SC.elsewhere not in (SC.here, SC.there)
    allowed = {(w, a) for w, a, ok in MAP_CASES if ok}
    assert ("commune officer 2025-07", "read KS (split commune)") in allowed  # its settling list
    assert ("commune officer 2025-07", "edit KS") not in allowed  # but it is the province's
    assert ("commune officer 2025-07", "settle KS in the commune officer's commune") in allowed
    assert ("commune officer 2025-07", "settle KS in the other commune it went to") not in allowed
    assert ("province officer 2025-07", "edit KS") in allowed and ("district officer 2025-01", "edit KS") in allowed


@pytest.mark.parametrize(("who", "action", "allowed"), MAP_CASES, ids=[f"{w}: {a}" for w, a, _ in MAP_CASES])
def test_permission_matrix_on_both_maps(two_map_records: Engine, who: str, action: str, allowed: bool) -> None:
    actor, (run, _) = NEW_SCOPES[who], MAP_ACTIONS[action]
    if allowed:
        run.wrote(two_map_records, actor, run(two_map_records, actor))
        return
    before = footprint(two_map_records)
    with pytest.raises(Refused) as refused:
        run(two_map_records, actor)
    assert "outside" in refused.value.message() and "2025-" in refused.value.message()  # the scope with its map
    assert footprint(two_map_records) == before, "a refused action wrote something"


def test_permission_checks_read_no_map_from_the_database(two_map_records: Engine) -> None:
    """A check places records through the maps loaded once per process, never by reading
    the geography tables again for every question."""
    officer = NEW_SCOPES["commune officer 2025-07"]
    forms.read(two_map_records, officer, "cooperatives", "KN")  # warm: the maps are loaded
    with statements(two_map_records) as sent:
        forms.read(two_map_records, officer, "cooperatives", "KN")
        forms.find(two_map_records, officer, "cooperatives")
        with pytest.raises(Refused):
            forms.read(two_map_records, officer, "cooperatives", "KY")
    geography = ("commune", "district", "province")
    assert not [s for s in sent if re.search(rf"\bFROM ({'|'.join(geography)})(_2025_07)?\b", s)]


def test_units_of_either_map_open_for_whoever_holds_them() -> None:
    from linkage.geo.maps import crosswalk, map_data
    from linkage.records.permissions import home_units, may_view_unit

    new, old, cw = map_data("2025-07"), map_data("2025-01"), crosswalk()
    xa, so, tinh = (
        NEW_SCOPES[k] for k in ("commune officer 2025-07", "province officer 2025-07", "province planner 2025-07")
    )
    mine = [c for c, p in new.communes.items() if p.province == SC.province]
    assert may_view_unit(xa, SC.here, "2025-07") and not may_view_unit(xa, SC.elsewhere, "2025-07")
    assert not may_view_unit(xa, SC.province, "2025-07")  # its province is not its own
    assert all(may_view_unit(tinh, c, "2025-07") for c in mine) and may_view_unit(so, SC.province, "2025-07")
    # The old provinces the new one took in whole, and their districts, are the province's too.
    taken = {
        p
        for p in old.provinces
        if {new.communes[n].province for c, q in old.communes.items() if q.province == p for n in cw.old_to_new[c]}
        == {SC.province}
    }
    assert taken and all(may_view_unit(tinh, p, "2025-01") for p in taken)
    assert all(may_view_unit(tinh, d, "2025-01") == (q.province in taken) for d, q in old.districts.items())
    assert not may_view_unit(xa, old.communes[SC.split].district, "2025-01")  # a district is more than a commune
    assert [u.code for u in home_units(tinh)] == [SC.province, *mine]
    assert [u.code for u in home_units(xa)] == [SC.here] and home_units(PLANNER_VN) == []
    assert may_view_unit(PLANNER_VN, SC.here, "2025-07") and may_view_unit(ADMIN, "058")


def test_the_coverage_page_opens_at_ones_own_unit_on_its_map(two_map_records: Engine) -> None:
    from linkage.counting.coverage import opening_unit
    from linkage.geo.maps import map_data

    xa, huyen = NEW_SCOPES["commune officer 2025-07"], NEW_SCOPES["district officer 2025-01"]
    assert opening_unit(two_map_records, huyen) == (SC.district, "2025-01")
    assert opening_unit(two_map_records, xa) == (SC.here, "2025-07")
    # A cooperative: its commune of 2025-07 where given, else the district of its commune of 2025-01.
    kn = Actor("htx_kn", "cooperative", cooperative_code="KN")  # given on 2025-07 only
    assert opening_unit(two_map_records, kn) == (SC.here, "2025-07")
    ko = Actor("htx_ko", "cooperative", cooperative_code="KO")  # given on 2025-01 only
    assert opening_unit(two_map_records, ko) == (map_data("2025-01").communes[SC.old].district, "2025-01")
    assert opening_unit(two_map_records, PLANNER_VN) == ("VN", "2025-01")
    assert opening_unit(two_map_records, ADMIN) == ("VN", "2025-01")
