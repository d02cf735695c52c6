"""The sign-in kept across reloads, through the app's own runs (AppTest): the session a sign-in
starts, the language it keeps, and what ends it. The cookie itself is tested in a real browser
(tests/browser/test_sign_in_kept.py)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from linkage.accounts.users import SYSTEM, set_disabled
from linkage.store.db import get_engine
from ui.signin import HANDOVER, SESSION_ID

from .apptest import texts


def signed_in(app) -> AppTest:  # type: ignore[no-untyped-def]
    at = app(page="login.py")
    at.text_input(key="login_username").set_value("lan")
    at.text_input(key="login_password").set_value("mật-khẩu-dài")
    at.button[0].click().run()
    assert at.session_state["actor"]["username"] == "lan"
    return at


def stored(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text("SELECT * FROM sign_in_session")).mappings()]


def test_signing_in_starts_a_session_whose_code_the_browser_has_yet_to_trade(app, database: str) -> None:
    at = signed_in(app)
    rows = stored(get_engine(database))
    assert [(r["id"], r["username"], r["language"]) for r in rows] == [(at.session_state[SESSION_ID], "lan", "vi")]
    code = at.session_state[HANDOVER]["body"]
    assert code and code not in repr(rows)  # the one-time code is stored hashed as well


def test_the_language_chosen_is_kept_in_the_session(app, database: str) -> None:
    at = signed_in(app)
    at.sidebar.radio[0].set_value("en").run()
    assert [r["language"] for r in stored(get_engine(database))] == ["en"]


def test_signing_out_ends_the_session_on_the_server(app, database: str) -> None:
    at = signed_in(app)
    at.sidebar.button(key="sign_out").click().run()
    assert "actor" not in at.session_state
    assert stored(get_engine(database)) == []


def test_a_disabled_account_is_signed_out_at_the_next_run(app, database: str) -> None:
    at = signed_in(app)
    set_disabled(get_engine(database), SYSTEM, "lan")
    at.run()
    assert "actor" not in at.session_state
    assert "Phiên làm việc đã kết thúc" in texts(at) + "".join(w.value for w in at.sidebar.warning)


def test_without_an_identity_provider_only_local_accounts_are_offered(app) -> None:
    at = app(page="login.py")
    assert [b.key for b in at.button if b.key == "oidc_sign_in"] == []
    assert at.text_input(key="login_username") is not None


def test_the_demo_accounts_are_listed_with_the_office_each_stands_for(app, database: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from linkage.accounts.demo_accounts import create_demo_accounts

    monkeypatch.setenv("LINKAGE_DEMO_MODE", "1")  # as `tasks.py app` runs it
    made = {a.username: a for a in create_demo_accounts(get_engine(database))}
    at = app(page="login.py")
    (listed,) = at.table
    offices = dict(zip(listed.value.iloc[:, 0], listed.value["Đơn vị công tác"], strict=True))
    assert offices["admin.demo"] == "Quản trị viên"
    assert offices["htx.demo"] == f"Hợp tác xã {made['htx.demo'].scope}"
    # the demo's programme accounts are scoped on 2025-01 (Bắc Kạn): offices from before the reform
    assert offices["officer.demo"].startswith("Phòng Nông nghiệp") and offices["officer.demo"].endswith(
        "Tỉnh Bắc Kạn (trước 01/07/2025)"
    )
    assert offices["planner.demo"] == "Cán bộ kế hoạch tỉnh Bắc Kạn (như trước 01/07/2025)"
