"""Who a signed-in user works for, in today's words: the office behind a role and its scope.

Since 1 July 2025 the district agriculture office is gone (Decrees 131/2025/ND-CP and 150/2025/ND-CP):
an officer of a commune of 2025-07 works at its economic office (Phòng Kinh tế; in a ward,
Phòng Kinh tế, Hạ tầng và Đô thị), an officer of a province of 2025-07 at its Department of
Agriculture and Environment (Sở Nông nghiệp và Môi trường). Accounts scoped on 2025-01 keep the
office they had, said to be from before the reform. The words are in the catalogs' `[office]`.

Example: `office("officer", "01864", "2025-07", "vi")` is `Phòng Kinh tế xã Bằng Thành (Tỉnh Thái
Nguyên)`; `office("officer", "060", "2025-01", "en")` is `Agriculture Office of Huyện Pác Nặm, Tỉnh
Bắc Kạn (before 1 July 2025)`.
"""

from __future__ import annotations

from linkage.actor import Actor
from linkage.geo.maps import MAPS, NEW_MAP, OLD_MAP, map_data
from linkage.geo.units import Place
from linkage.i18n import t
from linkage.records.permissions import (
    is_admin,
    plans,
    scope_fields,
    scoped_to_cooperative,
    scoped_to_unit,
    sees_whole_country,
)

WARD_KINDS = ("phường",)  # a ward's economic office also keeps infrastructure and urban affairs


def _inside(name: str, kind: str) -> str:
    """A unit named inside a Vietnamese phrase, its division word in lower case: `Xã Bằng Thành` →
    `xã Bằng Thành`, `Thành Phố Bắc Kạn` (the list's spelling) → `thành phố Bắc Kạn`."""
    if kind and name[: len(kind)].lower() == kind.lower():
        return kind.lower() + name[len(kind) :]
    return name[:1].lower() + name[1:]


def _unit_office(who: Actor, unit_map: str) -> tuple[str, Place, str] | None:
    """The catalog key of the office a role scoped to a unit stands for, that unit and its level."""
    data = map_data(unit_map)
    for level in ("commune", "district", "province"):
        place = data.level(level).get(who.unit_code or "")
        if place is None:
            continue
        if plans(who):
            key = "planner_province" if unit_map == NEW_MAP else "planner_old_province"
        elif level == "commune":
            key = "ward_office" if place.kind in WARD_KINDS else "commune_office"
        elif level == "province":
            key = "province_department" if unit_map == NEW_MAP else "old_province_department"
        else:
            key = "district_office"
        return key, place, level
    return None


def _named(place: Place, lang: str) -> str:
    """Vietnamese names a unit inside a phrase, its division word in lower case; English as listed."""
    return _inside(place.name, place.kind) if lang == "vi" else place.name


def office(role: str, unit_code: str | None, unit_map: str, lang: str, cooperative_code: str | None = None) -> str:
    """The office a role and scope stand for, in `lang` (see the module's docstring); what the role
    answers for is asked of `linkage.records.permissions`."""
    who = Actor("", role, unit_code, cooperative_code, unit_map)
    if is_admin(who):
        return t("office.admin", lang)
    if scoped_to_cooperative(role):
        return t("office.cooperative", lang, code=cooperative_code or "")
    if sees_whole_country(who):
        return t("office.planner_national", lang)
    if not scoped_to_unit(role) or not unit_code or unit_map not in MAPS:
        return t(f"role.{role}", lang)
    found = _unit_office(who, unit_map)
    if found is None:
        return f"{t(f'role.{role}', lang)} ({unit_code}, {unit_map})"
    key, place, level = found
    data = map_data(unit_map)
    if level == "province":
        above = ""
    elif level == "district" or unit_map == NEW_MAP:
        above = data.provinces[place.province].name
    else:
        above = data.districts[place.district].name
    return t(f"office.{key}", lang, unit=_named(place, lang), above=above)


def heading(
    role: str, unit_code: str | None, unit_map: str, lang: str, cooperative_code: str | None = None
) -> tuple[str, str]:
    """The office as Decree 30/2020/NĐ-CP heads a document: the body directly above it (the People's
    Committee of its unit; none for the ministry) and its own name, which that line already places:
    `("Ủy ban nhân dân tỉnh Đắk Lắk", "Sở Nông nghiệp và Môi trường")`. A planner of a province
    issues as its department; an administrator or a national planner as the ministry."""
    who = Actor("", role, unit_code, cooperative_code, unit_map)
    if is_admin(who) or sees_whole_country(who):
        return "", t("office.ministry", lang)
    found = _unit_office(who, unit_map) if scoped_to_unit(role) and unit_map in MAPS else None
    if found is None:  # a cooperative issues as itself
        return "", office(role, unit_code, unit_map, lang, cooperative_code)
    key, place, _ = found
    return t("office.people_committee", lang, unit=_named(place, lang)), t(f"office.heading.{key}", lang)


def office_of_scope(role: str, scope: str, unit_map: str, lang: str) -> str:
    """`office` of an account listed by its scope (a unit code, or a cooperative's code: the demo
    accounts on the sign-in page)."""
    unit_code, cooperative_code = scope_fields(role, scope)
    return office(role, unit_code, unit_map, lang, cooperative_code)


def office_of(actor: Actor, lang: str) -> str:
    """`office` of a signed-in actor."""
    return office(actor.role, actor.unit_code, actor.unit_map or OLD_MAP, lang, actor.cooperative_code)
