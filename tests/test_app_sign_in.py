"""The sign-in kept across reloads, through the app's own runs (AppTest): the session a sign-in
starts, the language it keeps, and what ends it. The cookie itself is tested in a real browser
(tests/browser/test_sign_in_kept.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from linkage.accounts import sessions
from linkage.accounts.users import SYSTEM, set_disabled
from linkage.store.db import get_engine
from linkage.store.models import utcnow
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


def test_a_tab_left_unused_past_the_idle_limit_is_signed_out_and_a_used_one_is_not(
    app, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The clock is moved, not waited for: a click 59 minutes after the last keeps the tab signed in
    (and counts as a use), a click an hour after that signs it out and says so."""
    at = signed_in(app)
    start = utcnow()
    monkeypatch.setattr(sessions, "utcnow", lambda: start + timedelta(minutes=59))
    at.run()
    assert at.session_state["actor"]["username"] == "lan"
    monkeypatch.setattr(sessions, "utcnow", lambda: start + timedelta(minutes=59 + 60))
    at.run()
    assert "actor" not in at.session_state
    assert "Phiên làm việc đã kết thúc (lâu không dùng" in "".join(w.value for w in at.sidebar.warning)
    sessions.issue(get_engine(database), "lan", now=start + timedelta(minutes=59 + 60))
    assert len(stored(get_engine(database))) == 1  # the idle session was dropped when the next one started
