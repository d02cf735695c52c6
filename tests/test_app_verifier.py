"""The cooperative is told which office verifies its changes, in today's words: the economic office of its
commune of 2025-07 where it has an officer, else the department of its province — never the district
office, closed on 1 July 2025."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from linkage.accounts.users import SYSTEM, add_user
from linkage.store.db import get_engine

from .apptest import PASSWORD, texts
from .helpers import COOP_C1

App = Callable[..., AppTest]
# C1's office: commune 01849 of 2025-01 (district 058, Thành phố Bắc Kạn), placed in Xã Phong Quang
# (01849) of Tỉnh Thái Nguyên on 2025-07. The test database has one officer: lan, of district 058.
DEPARTMENT = "Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên"


def test_the_cooperative_reads_which_office_verifies_and_the_save_says_it_waits_for_it(app: App, database: str) -> None:
    at = app(COOP_C1, "my_cooperative.py")
    assert f"Thay đổi của hợp tác xã do {DEPARTMENT} xác nhận." in texts(at)  # no account of today's map yet
    assert "Phòng Nông nghiệp" not in texts(at)
    add_user(get_engine(database), SYSTEM, "so_tn", PASSWORD, "officer", "19", None, "2025-07")
    at = app(COOP_C1, "my_cooperative.py")
    assert f"do {DEPARTMENT} xác nhận" in texts(at)
    add_user(get_engine(database), SYSTEM, "xa_pq", PASSWORD, "officer", "01849", None, "2025-07")
    at = app(COOP_C1, "my_cooperative.py")
    assert "do Phòng Kinh tế xã Phong Quang (Tỉnh Thái Nguyên) xác nhận" in texts(at)
    at.text_input(key="profile:members").set_value("25")
    at.button(key="FormSubmitter:profile-Lưu").click().run()
    assert "chờ Phòng Kinh tế xã Phong Quang (Tỉnh Thái Nguyên) xác nhận" in texts(at)
    assert "cán bộ huyện" not in texts(at)


def test_the_office_is_named_in_english_too(app: App, database: str) -> None:
    add_user(get_engine(database), SYSTEM, "so_tn", PASSWORD, "officer", "19", None, "2025-07")
    at = app(COOP_C1, "my_cooperative.py")
    at.sidebar.radio(key="lang").set_value("en").run()
    assert "verified by Department of Agriculture and Environment of Tỉnh Thái Nguyên" in texts(at)
