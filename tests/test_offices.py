"""The office behind a role and scope in today's words (`linkage.accounts.offices`), for each kind of account,
in Vietnamese and English; unit names read from the package itself."""

from __future__ import annotations

import pytest

from linkage.accounts.offices import office, office_of
from linkage.accounts.users import Actor


def new_name(code: str) -> str:
    """A unit of 2025-07 by its code: 2 digits a province, 5 a commune."""
    from vietnam_provinces import Province, Ward

    units = Province.iter_all() if len(code) == 2 else Ward.iter_all()
    return next(str(u.name) for u in units if int(u.code) == int(code))


@pytest.mark.parametrize(
    ("role", "code", "on", "vi", "en"),
    [
        (
            "officer",
            "01864",
            "2025-07",
            "Phòng Kinh tế xã Bằng Thành (Tỉnh Thái Nguyên)",
            "Economic Office of Xã Bằng Thành (Tỉnh Thái Nguyên)",
        ),
        (
            "officer",
            "00004",
            "2025-07",
            "Phòng Kinh tế, Hạ tầng và Đô thị phường Ba Đình (Thành phố Hà Nội)",
            "Office of Economy, Infrastructure and Urban Affairs of Phường Ba Đình (Thành phố Hà Nội)",
        ),
        (
            "officer",
            "19",
            "2025-07",
            "Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên",
            "Department of Agriculture and Environment of Tỉnh Thái Nguyên",
        ),
        (
            "officer",
            "060",
            "2025-01",
            "Phòng Nông nghiệp huyện Pác Nặm, Tỉnh Bắc Kạn (trước 01/07/2025)",
            "Agriculture Office of Huyện Pác Nặm, Tỉnh Bắc Kạn (before 1 July 2025)",
        ),
        (
            "officer",
            "058",
            "2025-01",
            "Phòng Nông nghiệp thành phố Bắc Kạn, Tỉnh Bắc Kạn (trước 01/07/2025)",  # listed as `Thành Phố Bắc Kạn`
            "Agriculture Office of Thành Phố Bắc Kạn, Tỉnh Bắc Kạn (before 1 July 2025)",
        ),
        ("planner", "19", "2025-07", "Cán bộ kế hoạch tỉnh Thái Nguyên", "Planner, Tỉnh Thái Nguyên"),
        (
            "planner",
            "06",
            "2025-01",
            "Cán bộ kế hoạch tỉnh Bắc Kạn (như trước 01/07/2025)",
            "Planner, Tỉnh Bắc Kạn (as before 1 July 2025)",
        ),
        (
            "planner",
            "VN",
            "2025-07",
            "Cán bộ kế hoạch toàn quốc (Bộ Nông nghiệp và Môi trường)",
            "National planner (Ministry of Agriculture and Environment)",
        ),
        ("admin", None, "2025-01", "Quản trị viên", "Administrator"),
    ],
    ids=[
        "commune office",
        "ward office",
        "provincial department",
        "district office",
        "city office",
        "planner new",
        "planner old",
        "national",
        "admin",
    ],
)
def test_each_kind_of_account_is_named_by_its_office(role: str, code: str | None, on: str, vi: str, en: str) -> None:
    assert office(role, code, on, "vi") == vi
    assert office(role, code, on, "en") == en


def test_the_names_are_the_packages_of_the_scopes_map() -> None:
    # a code is read on the scope's map: 00004 is a ward of Hà Nội on 2025-07
    assert new_name("00004").removeprefix("Phường ") in office("officer", "00004", "2025-07", "vi")
    assert new_name("19") in office("planner", "19", "2025-07", "en")


def test_a_cooperative_and_a_scope_that_is_no_unit_of_its_map() -> None:
    assert office_of(Actor("htx", "cooperative", cooperative_code="C1"), "vi") == "Hợp tác xã C1"
    assert office_of(Actor("htx", "cooperative", cooperative_code="C1"), "en") == "Cooperative C1"
    assert office("officer", "060", "2025-07", "en") == "agriculture officer (060, 2025-07)"  # no districts on 2025-07
    assert office_of(Actor("an", "officer", "01864", unit_map="2025-07"), "vi").startswith("Phòng Kinh tế xã")
