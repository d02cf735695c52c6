"""Access through the app: each page's own guard, accounts checked on every run, passwords and the
administrators' users page."""

from __future__ import annotations

import ast
import io
from collections.abc import Callable
from dataclasses import asdict

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from linkage import cli
from linkage.accounts import sessions
from linkage.accounts.demo_accounts import create_demo_accounts, demo_accounts
from linkage.accounts.users import (
    SYSTEM,
    Actor,
    add_user,
    authenticate,
    current_actor,
    set_disabled,
    set_role,
)
from linkage.records import forms
from linkage.records.history import pending
from linkage.records.permissions import may_open
from linkage.store.db import get_engine

from .apptest import PAGES, PASSWORD, texts
from .helpers import ADMIN, COOP_C1, OFFICER_058, PLANNER_06

App = Callable[..., AppTest]
REFUSED = "Tài khoản này không xem được trang này"
OFFICER = "Cán bộ nông nghiệp"  # a role alone in a cell starts as a sentence
WHOEVER = [None, ADMIN, PLANNER_06, OFFICER_058, COOP_C1]


def test_every_page_calls_its_guard_first() -> None:
    """The first statement after the imports asks `ui.guard` (or `ui.open_page` for the pages
    everyone reaches) about this very page, so a new page cannot forget it."""
    for path in sorted(PAGES.glob("*.py")):
        body = [
            node
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if not isinstance(node, ast.Import | ast.ImportFrom)
            and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        ]
        first = body[0]
        call = first.value if isinstance(first, ast.Assign | ast.Expr) else None
        assert isinstance(call, ast.Call), path.name
        assert isinstance(call.func, ast.Name) and call.func.id in ("guard", "open_page"), path.name
        assert [a.value for a in call.args if isinstance(a, ast.Constant)] == [path.stem], path.name


@pytest.mark.parametrize(
    ("who", "page"),
    [(who, path.stem) for who in WHOEVER for path in sorted(PAGES.glob("*.py")) if not may_open(who, path.stem)],
    ids=lambda value: value.username if isinstance(value, Actor) else str(value or "signed out"),
)
def test_a_page_run_for_a_visitor_it_is_not_for_refuses_in_words(database: str, who: Actor | None, page: str) -> None:
    at = AppTest.from_file("page_entry.py", default_timeout=60)
    at.session_state["page_file"] = str(PAGES / f"{page}.py")
    if who is not None:
        at.session_state["actor"] = asdict(who)
    at.run()
    assert not at.exception, at.exception
    if who is None:
        assert [w.value for w in at.warning] == ["Hãy đăng nhập để xem trang này."]
    elif page == "login":
        assert len(at.info) == 1 and f"Bạn đang đăng nhập với tên {who.username}." in texts(at)
    else:
        assert [t.value for t in at.title] == [REFUSED]
    assert not at.dataframe and not at.button and not at.text_input and not at.selectbox  # nothing of the page


def test_an_account_disabled_meanwhile_is_signed_out_at_the_next_click_and_verifies_nothing(
    app: App, database: str
) -> None:
    engine = get_engine(database)
    original = forms.read(engine, COOP_C1, "cooperatives", "C1")
    forms.save(engine, COOP_C1, "cooperatives", {**original.values, "members": "26"}, original)
    version = forms.read(engine, SYSTEM, "cooperatives", "C1").version
    set_role(engine, SYSTEM, "lan", "officer", "01849", None, "2025-07")  # C1's commune office today verifies it
    at = app(Actor("lan", "officer", "01849", None, "2025-07"), "verification.py")
    set_disabled(engine, SYSTEM, "lan")  # by an administrator, while the officer's tab is open
    at.button(key=f"verify_cooperatives_C1_{version}").click().run()
    assert "actor" not in at.session_state
    assert "Phiên làm việc đã kết thúc" in texts(at) and "Đăng nhập: " not in texts(at)
    assert [t.value for t in at.title] == ["Đăng nhập"]  # the sign-in form, under the same address
    assert [c.key for c in pending(engine, SYSTEM, status="reported")] == ["C1"]


def test_a_changed_role_applies_at_the_next_click(app: App, database: str) -> None:
    at = app(OFFICER_058, "verification.py")
    assert [t.value for t in at.title] == ["Thay đổi chờ xác nhận"]
    set_role(get_engine(database), SYSTEM, "lan", "planner", "06")
    at.run()
    assert [t.value for t in at.title] == [REFUSED]  # a planner verifies nothing
    # the sidebar names the new office at once: a planner of Bắc Kạn, a province of 2025-01
    assert "Đăng nhập: **lan** (Cán bộ kế hoạch tỉnh Bắc Kạn \\(như trước 01/07/2025\\))" in [
        m.value for m in at.sidebar.markdown
    ]
    assert at.session_state["actor"] == asdict(Actor("lan", "planner", "06"))


def test_a_user_changes_their_own_password(app: App, database: str) -> None:
    at = app(OFFICER_058, "account.py")

    def submit(current: str, new: str, repeat: str) -> None:
        at.text_input(key="password_current").input(current)
        at.text_input(key="password_new").input(new)
        at.text_input(key="password_repeat").input(repeat)
        at.button[0].click().run()
        assert not at.exception

    submit(PASSWORD, "một-mật-khẩu-mới", "một-mật-khẩu-khác")
    assert [e.value for e in at.error] == ["Hai lần nhập mật khẩu mới không giống nhau; chưa có gì thay đổi."]
    submit("không-phải-nó", "một-mật-khẩu-mới", "một-mật-khẩu-mới")
    assert [e.value for e in at.error] == ["Mật khẩu hiện tại không đúng; chưa có gì thay đổi"]
    submit(PASSWORD, "một-mật-khẩu-mới", "một-mật-khẩu-mới")
    assert "Đã đổi mật khẩu." in [s.value for s in at.success]
    assert authenticate(get_engine(database), "lan", "một-mật-khẩu-mới").username == "lan"


def test_an_administrator_manages_accounts_on_the_users_page(app: App, database: str) -> None:
    from linkage.geo.maps import map_data

    engine = get_engine(database)
    add_user(engine, SYSTEM, "quantri", PASSWORD, "admin")
    at = app(Actor("quantri", "admin"), "users.py")
    (table,) = at.dataframe
    assert table.value.to_dict("records") == [
        {
            "Tên đăng nhập": "lan",
            "Vai trò": OFFICER,
            "Phạm vi": "Thành Phố Bắc Kạn, Tỉnh Bắc Kạn (058, 2025-01)",  # named, with its province and map
            "Trạng thái": "Đang dùng",
        },
        {"Tên đăng nhập": "quantri", "Vai trò": "Quản trị viên", "Phạm vi": "", "Trạng thái": "Đang dùng"},
    ]
    # Add a cooperative account.
    at.selectbox(key="users_add_role:vi").select("cooperative").run()
    at.text_input(key="users_add_cooperative").input("C5")
    at.text_input(key="users_add_name").input("htx_c5")
    at.text_input(key="users_add_password").input("mật-khẩu-hợp-tác-xã")
    at.text_input(key="users_add_repeat").input("mật-khẩu-hợp-tác-xã")
    at.button(key="FormSubmitter:users_add-Thêm").click().run()
    assert not at.exception and not at.error
    assert current_actor(engine, "htx_c5") == Actor("htx_c5", "cooperative", None, "C5", "2025-07")
    # An officer of a commune of today's map, then a district officer of the programme's map: each
    # found by its name, without diacritics, among the units of both maps.
    new = map_data("2025-07")
    commune = next(c for c in new.communes if c not in map_data("2025-01").communes)
    place = new.communes[commune]
    district = map_data("2025-01").districts["061"]
    at.selectbox(key="users_add_role:vi").select("officer").run()
    for name, typed, unit, on in (
        ("xa", place.name, f"2025-07:commune:{commune}", "2025-07"),
        ("huyen", "huyen ba be", "2025-01:district:061", "2025-01"),
    ):
        at.text_input(key="users_add_search").input(typed).run()
        at.selectbox(key=f"users_add_unit:{typed}").set_value(unit).run()
        at.text_input(key="users_add_name").input(name)
        at.text_input(key="users_add_password").input("mật-khẩu-cán-bộ")
        at.text_input(key="users_add_repeat").input("mật-khẩu-cán-bộ")
        at.button(key="FormSubmitter:users_add-Thêm").click().run()
        assert not at.exception and not at.error
        assert current_actor(engine, name) == Actor(name, "officer", unit.rsplit(":", 1)[1], None, on)
    shown = {r["Tên đăng nhập"]: r["Phạm vi"] for r in at.dataframe[0].value.to_dict("records")}
    assert shown["xa"] == f"{place.name}, {new.provinces[place.province].name} ({commune}, 2025-07)"
    assert shown["huyen"] == f"{district.name}, Tỉnh Bắc Kạn (061, 2025-01)"
    # Disable lan, reset its password, make it a planner of the country, enable it again.
    at.selectbox(key="users_pick").select("lan").run()
    at.button(key="users_disable").click().run()
    assert current_actor(engine, "lan") is None
    at.selectbox(key="users_pick").select("lan").run()
    at.text_input(key="users_reset_new").input("mật-khẩu-đặt-lại")
    at.text_input(key="users_reset_repeat").input("mật-khẩu-đặt-lại")
    at.button(key="FormSubmitter:users_reset-Đặt lại mật khẩu").click().run()
    assert not at.error
    at.selectbox(key="users_role_lan_role:vi").select("planner").run()
    at.text_input(key="users_role_lan_search").input("viet nam").run()
    at.selectbox(key="users_role_lan_unit:viet nam").set_value("2025-07:national:VN").run()
    at.button(key="users_role_lan_save").click().run()
    assert not at.error
    at.button(key="users_enable").click().run()
    assert authenticate(engine, "lan", "mật-khẩu-đặt-lại") == Actor("lan", "planner", "VN", None, "2025-07")
    # Refusals come in words: a scope not chosen, and the admin's own account.
    at.selectbox(key="users_pick").select("htx_c5").run()
    at.selectbox(key="users_role_htx_c5_role:vi").select("officer").run()
    at.text_input(key="users_role_htx_c5_search").input("VN").run()  # the country is no officer's scope
    assert at.selectbox(key="users_role_htx_c5_unit:VN").options == []
    at.button(key="users_role_htx_c5_save").click().run()
    assert [e.value for e in at.error] == ["Hãy chọn đơn vị của phạm vi: tìm theo tên rồi chọn trong danh sách."]
    assert current_actor(engine, "htx_c5") == Actor("htx_c5", "cooperative", None, "C5", "2025-07")
    at.selectbox(key="users_pick").select("quantri").run()
    assert at.button(key="users_disable").disabled


def test_the_sign_in_page_lists_a_demo_account_only_while_it_keeps_its_demo_password(
    app: App, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = get_engine(database)
    create_demo_accounts(engine)
    monkeypatch.setenv("LINKAGE_DEMO_MODE", "1")  # as `tasks.py app` runs it
    at = app(page="login.py")
    (listed,) = at.table
    every = ["admin.demo", "planner.demo", "officer.demo", "htx.demo", "officer.xa.demo", "planner.tinh.demo"]
    assert list(listed.value.iloc[:, 0]) == every
    monkeypatch.setattr("sys.stdin", io.StringIO("một-mật-khẩu-thật\n"))
    assert cli.main(["user", "passwd", "admin.demo", "--db", database]) == 0
    at.run()
    (listed,) = at.table
    assert list(listed.value.iloc[:, 0]) == every[1:]
    assert "demo-admin-924" not in str(listed.value)
    set_disabled(engine, SYSTEM, "planner.demo")
    assert [a.username for a in demo_accounts(engine)] == every[2:]


def test_outside_demo_mode_the_sign_in_page_lists_no_demo_account(
    app: App, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_demo_accounts(get_engine(database))  # unchanged demo passwords, the administrator's too
    monkeypatch.delenv("LINKAGE_DEMO_MODE", raising=False)  # a deployment: nothing sets it
    at = app(page="login.py")
    assert list(at.table) == [] and not at.warning
    assert "demo-admin-924" not in str([m.value for m in at.markdown])
    assert at.text_input(key="login_username") is not None


@pytest.mark.parametrize("page", ["account.py", "users.py"])
def test_the_account_pages_read_in_english_after_the_switch(app: App, database: str, page: str) -> None:
    add_user(get_engine(database), SYSTEM, "quantri", PASSWORD, "admin")
    at = app(Actor("quantri", "admin"), page)
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert [t.value for t in at.title] == [{"account.py": "My account", "users.py": "Users"}[page]]
    labels = " ".join(w.label for w in [*at.text_input, *at.selectbox])
    assert labels and not any(ch in labels for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệ"), labels
    assert "app." not in texts(at) + labels


def test_the_refusal_is_in_the_visitors_language(database: str) -> None:
    at = AppTest.from_file("page_entry.py", default_timeout=60)
    at.session_state["page_file"] = str(PAGES / "graph.py")
    at.session_state["actor"] = asdict(COOP_C1)
    at.session_state["lang"] = "en"
    at.run()
    assert [t.value for t in at.title] == ["Not available for this account"] and not at.exception


@pytest.mark.parametrize("kept", [True, False], ids=["kept session", "tab only"])
def test_a_signed_in_run_reads_the_account_once(database: str, kept: bool) -> None:
    """The sign-in kept across reloads checks the session joined to its account; that check is the
    run's actor, so no second query on the account follows (and a tab without a kept session reads
    its account once too)."""
    engine = get_engine(database)
    at = AppTest.from_file("app_entry.py", default_timeout=60)
    at.session_state["actor"] = asdict(current_actor(engine, "lan"))
    if kept:
        at.session_state["sign_in_session"] = sessions.issue(engine, "lan").session_id
    at.run()
    seen: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "user_account" in statement:
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        at.run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert not at.exception and "lan" in texts(at)
    assert len(seen) == 1, seen
