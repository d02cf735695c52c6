"""Which office verifies a cooperative's changes, as the cooperative is told: today's offices of its
office's place, the commune's economic office (where it has an officer account) before the province's
Department of Agriculture and Environment; never a district office, closed on 1 July 2025. Checked
against the review queues `permissions.verifies` selects."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM, Actor, add_user, set_disabled
from linkage.geo.maps import NEW_MAP, Unit
from linkage.records import forms
from linkage.records.history import pending, verifier_of
from linkage.records.permissions import verifying_unit

from .helpers import COOP_C1, OFFICER_058, PLANNER_06

# C1 (HTX Dương Quang) has its office in commune 01849 of 2025-01, in district 058 (Thành phố Bắc
# Kạn); the package's table places it in Xã Phong Quang (01849) of Tỉnh Thái Nguyên (19) on 2025-07.
COMMUNE_OFFICER = Actor("xa_pq", "officer", "01849", unit_map=NEW_MAP)
PROVINCE_OFFICER = Actor("so_tn", "officer", "19", unit_map=NEW_MAP)
OTHER_COMMUNE_OFFICER = Actor("xa_bt", "officer", "01864", unit_map=NEW_MAP)


def test_the_commune_first_then_the_province_never_the_old_district() -> None:
    assert verifying_unit("01849", "19", ["01849", "19"]) == Unit(NEW_MAP, "commune", "01849")
    assert verifying_unit("01849", "19", ["19", "01864"]) == Unit(NEW_MAP, "province", "19")
    assert verifying_unit("01849", "19", ["01864", "20"]) == Unit(NEW_MAP, "province", "19")  # the department
    assert verifying_unit(None, "19", ["01849"]) == Unit(NEW_MAP, "province", "19")  # placed above a commune
    assert verifying_unit(None, None, ["01849"]) is None  # placed nowhere: an admin verifies


def reported_by_c1(engine: Engine) -> None:
    original = forms.read(engine, COOP_C1, "cooperatives", "C1")
    forms.save(engine, COOP_C1, "cooperatives", {**original.values, "members": "21"}, original)


def queued(engine: Engine, actor: Actor) -> list[str]:
    return [change.key for change in pending(engine, actor)]


def test_the_office_named_to_the_cooperative_is_the_one_whose_queue_holds_its_change(bac_kan: Engine) -> None:
    reported_by_c1(bac_kan)
    officers = [OFFICER_058]  # the officers with an account (a district's need none to be sent to)

    def account(actor: Actor) -> None:
        add_user(bac_kan, SYSTEM, actor.username, "mật-khẩu-dài", "officer", actor.unit_code, None, actor.unit_map)
        officers.append(actor)

    def holding() -> list[Actor]:
        return [officer for officer in officers if queued(bac_kan, officer) == ["C1"]]

    # No officer account of today's map: the province's department is named, not the closed district office.
    assert verifier_of(bac_kan, COOP_C1) == Unit(NEW_MAP, "province", "19")
    assert holding() == []  # until the department has an account, an administrator verifies
    account(OTHER_COMMUNE_OFFICER)  # another commune's office changes nothing
    account(PROVINCE_OFFICER)
    assert verifier_of(bac_kan, COOP_C1) == Unit(NEW_MAP, "province", "19")
    assert holding() == [PROVINCE_OFFICER]
    account(COMMUNE_OFFICER)
    assert verifier_of(bac_kan, COOP_C1) == Unit(NEW_MAP, "commune", "01849")
    assert holding() == [COMMUNE_OFFICER]
    set_disabled(bac_kan, SYSTEM, COMMUNE_OFFICER.username)  # a disabled account verifies nothing
    officers.remove(COMMUNE_OFFICER)
    assert verifier_of(bac_kan, COOP_C1) == Unit(NEW_MAP, "province", "19")
    assert holding() == [PROVINCE_OFFICER]


def test_only_a_cooperative_is_told_who_verifies(bac_kan: Engine) -> None:
    assert verifier_of(bac_kan, OFFICER_058) is None
    assert verifier_of(bac_kan, PLANNER_06) is None
