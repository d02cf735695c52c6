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
from linkage.geo.maps import MAPS, NATIONAL_CODE, NEW_MAP, OLD_MAP, map_data
from linkage.i18n import t

WARD_KINDS = ("phường",)  # a ward's economic office also keeps infrastructure and urban affairs


def _inside(name: str, kind: str) -> str:
    """A unit named inside a Vietnamese phrase, its division word in lower case: `Xã Bằng Thành` →
    `xã Bằng Thành`, `Thành Phố Bắc Kạn` (the list's spelling) → `thành phố Bắc Kạn`."""
    if kind and name[: len(kind)].lower() == kind.lower():
        return kind.lower() + name[len(kind) :]
    return name[:1].lower() + name[1:]


def office(role: str, unit_code: str | None, unit_map: str, lang: str, cooperative_code: str | None = None) -> str:
    """The office a role and scope stand for, in `lang` (see the module's docstring)."""
    if role == "admin":
        return t("office.admin", lang)
    if role == "cooperative":
        return t("office.cooperative", lang, code=cooperative_code or "")
    if role == "planner" and (unit_code or "").upper() == NATIONAL_CODE:
        return t("office.planner_national", lang)
    if role not in ("planner", "officer") or not unit_code or unit_map not in MAPS:
        return t(f"role.{role}", lang)
    data = map_data(unit_map)
    for level in ("commune", "district", "province"):
        place = data.level(level).get(unit_code)
        if place is None:
            continue
        if level == "province":
            above = ""
        elif level == "district" or unit_map == NEW_MAP:
            above = data.provinces[place.province].name
        else:
            above = data.districts[place.district].name
        # Vietnamese names a unit inside the phrase, its division word in lower case; English as listed.
        words = {"unit": _inside(place.name, place.kind) if lang == "vi" else place.name, "above": above}
        if role == "planner":
            key = "planner_province" if unit_map == NEW_MAP else "planner_old_province"
        elif level == "commune":
            key = "ward_office" if place.kind in WARD_KINDS else "commune_office"
        elif level == "province":
            key = "province_department" if unit_map == NEW_MAP else "old_province_department"
        else:
            key = "district_office"
        return t(f"office.{key}", lang, **words)
    return f"{t(f'role.{role}', lang)} ({unit_code}, {unit_map})"


def office_of_scope(role: str, scope: str, unit_map: str, lang: str) -> str:
    """`office` of an account listed by its scope (a unit code, or a cooperative's code: the demo
    accounts on the sign-in page)."""
    cooperative = role == "cooperative"
    return office(role, None if cooperative else scope, unit_map, lang, scope if cooperative else None)


def office_of(actor: Actor, lang: str) -> str:
    """`office` of a signed-in actor."""
    return office(actor.role, actor.unit_code, actor.unit_map or OLD_MAP, lang, actor.cooperative_code)
