"""Sign-in sessions kept across reloads and tabs: hashed tokens, a working day, ended by sign-out,
by disabling the account and by a new password."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from linkage.accounts import sessions
from linkage.accounts.users import SYSTEM, Actor, add_user, change_password, hasher, set_disabled, set_role
from linkage.errors import UserFacingError
from linkage.store.models import SignInSession, utcnow


@pytest.fixture
def accounts(engine: Engine) -> Engine:
    add_user(engine, SYSTEM, "lan", "mật-khẩu-dài", "admin")
    add_user(engine, SYSTEM, "minh", "mật-khẩu-khác", "admin")
    return engine


def stored(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(sa.text("SELECT * FROM sign_in_session")).mappings()]


def test_a_token_names_its_session_until_the_working_day_is_over(accounts: Engine) -> None:
    now = utcnow()
    issued = sessions.issue(accounts, "lan", language="en", now=now)
    for half_hours in range(1, 20):  # in use all day long
        assert sessions.check(accounts, issued.session_id, now=now + timedelta(minutes=30 * half_hours)) is not None
    found = sessions.resolve(accounts, issued.secret, now=now + timedelta(hours=9, minutes=59))
    assert found == sessions.SignedIn(issued.session_id, Actor("lan", "admin"), "en")
    assert sessions.resolve(accounts, issued.secret, now=now + timedelta(hours=10)) is None
    assert sessions.check(accounts, issued.session_id, now=now + timedelta(hours=10, seconds=1)) is None


def test_the_database_holds_only_the_hash_of_the_token(accounts: Engine) -> None:
    issued = sessions.issue(accounts, "lan")
    rows = stored(accounts)
    assert len(rows) == 1
    assert issued.secret not in repr(rows)
    assert rows[0]["token_hash"] == sessions.digest(issued.secret)
    assert len(issued.secret) >= 43  # 256 random bits


def test_an_unknown_or_missing_token_signs_nobody_in(accounts: Engine) -> None:
    issued = sessions.issue(accounts, "lan")
    assert sessions.resolve(accounts, issued.secret + "x") is None
    assert sessions.resolve(accounts, sessions.digest(issued.secret)) is None  # the stored hash is no key
    assert sessions.resolve(accounts, "") is None
    assert sessions.resolve(accounts, None) is None


def test_a_disabled_account_has_no_session_and_gets_it_back_only_by_signing_in(accounts: Engine) -> None:
    issued = sessions.issue(accounts, "lan")
    set_disabled(accounts, SYSTEM, "lan")
    assert sessions.resolve(accounts, issued.secret) is None
    assert sessions.check(accounts, issued.session_id) is None
    other = sessions.issue(accounts, "minh")
    assert sessions.resolve(accounts, other.secret) is not None  # other accounts go on


def test_a_new_password_ends_every_session_issued_before_it(accounts: Engine) -> None:
    first = sessions.issue(accounts, "lan")
    second = sessions.issue(accounts, "lan")
    with accounts.begin() as conn:
        conn.execute(
            sa.text("UPDATE user_account SET password_hash = :h WHERE username = 'lan'"),
            {"h": hasher().hash("mật-khẩu-mới-dài")},
        )
    assert sessions.resolve(accounts, first.secret) is None
    assert sessions.check(accounts, second.session_id) is None
    after = sessions.issue(accounts, "lan")
    assert sessions.resolve(accounts, after.secret) is not None


def test_signing_out_in_one_tab_signs_the_other_out(accounts: Engine) -> None:
    """Both tabs share the browser's cookie: one checks by the token, the other by the session's id."""
    issued = sessions.issue(accounts, "lan")
    other_tab = sessions.resolve(accounts, issued.secret)
    assert other_tab is not None
    sessions.end(accounts, session_id=issued.session_id)
    assert sessions.check(accounts, other_tab.session_id) is None
    assert sessions.resolve(accounts, issued.secret) is None
    assert stored(accounts) == []


def test_signing_out_by_token_deletes_the_session(accounts: Engine) -> None:
    issued = sessions.issue(accounts, "lan")
    kept = sessions.issue(accounts, "minh")
    sessions.end(accounts, token=issued.secret)
    assert sessions.resolve(accounts, issued.secret) is None
    assert sessions.resolve(accounts, kept.secret) is not None


def test_ending_all_of_a_users_sessions_leaves_other_users_signed_in(accounts: Engine) -> None:
    mine = [sessions.issue(accounts, "lan") for _ in range(3)]
    theirs = sessions.issue(accounts, "minh")
    assert sessions.end_all_for_user(accounts, "lan") == 3
    assert all(sessions.resolve(accounts, issued.secret) is None for issued in mine)
    assert sessions.resolve(accounts, theirs.secret) is not None


def test_a_one_time_code_is_traded_once_for_a_token_of_the_same_session(accounts: Engine) -> None:
    now = utcnow()
    handed = sessions.hand_over(accounts, "lan", language="vi", now=now)
    assert sessions.resolve(accounts, handed.secret, now=now) is None  # a code is no cookie
    assert sessions.check(accounts, handed.session_id, now=now) is not None  # the signing-in tab holds
    token = sessions.redeem(accounts, handed.secret, now=now + timedelta(seconds=5))
    assert token is not None and token != handed.secret
    assert sessions.redeem(accounts, handed.secret, now=now + timedelta(seconds=6)) is None
    expected = sessions.SignedIn(handed.session_id, Actor("lan", "admin"), "vi")
    assert sessions.resolve(accounts, token, now=now) == expected
    assert handed.secret not in repr(stored(accounts)) and token not in repr(stored(accounts))


def test_a_late_code_is_refused_but_the_signing_in_tab_stays_signed_in(accounts: Engine) -> None:
    now = utcnow()
    handed = sessions.hand_over(accounts, "lan", now=now)
    assert sessions.redeem(accounts, handed.secret, now=now + sessions.HANDOVER) is None
    assert sessions.check(accounts, handed.session_id, now=now + timedelta(minutes=30)) is not None


def test_the_language_chosen_is_kept_in_the_session(accounts: Engine) -> None:
    issued = sessions.issue(accounts, "lan", language="vi")
    sessions.set_language(accounts, issued.session_id, "en")
    found = sessions.resolve(accounts, issued.secret)
    assert found is not None and found.language == "en"


def test_expired_sessions_are_removed_when_a_new_one_starts(accounts: Engine) -> None:
    now = utcnow()
    sessions.issue(accounts, "lan", now=now - sessions.LIFETIME - timedelta(minutes=1))
    sessions.issue(accounts, "minh", now=now)
    assert [row["username"] for row in stored(accounts)] == ["minh"]


def test_idle_sessions_are_removed_when_a_new_one_starts(accounts: Engine) -> None:
    now = utcnow()
    sessions.issue(accounts, "lan", now=now - sessions.idle_limit())
    kept = sessions.issue(accounts, "lan", now=now - sessions.idle_limit() + timedelta(minutes=1))
    sessions.issue(accounts, "minh", now=now)
    assert sorted(row["id"] for row in stored(accounts) if row["username"] == "lan") == [kept.session_id]


def test_a_session_id_is_never_given_again_so_a_signed_out_tab_cannot_wake_up_as_someone_else(
    accounts: Engine,
) -> None:
    first = sessions.issue(accounts, "lan")
    sessions.end(accounts, session_id=first.session_id)
    second = sessions.issue(accounts, "minh")
    assert second.session_id != first.session_id
    assert sessions.check(accounts, first.session_id) is None


def test_a_session_acts_as_the_account_is_now(accounts: Engine) -> None:
    issued = sessions.issue(accounts, "lan")
    with accounts.begin() as conn:
        conn.execute(sa.text("UPDATE user_account SET role = 'planner', unit_code = 'VN' WHERE username = 'lan'"))
    found = sessions.check(accounts, issued.session_id)
    assert found is not None and found.actor == Actor("lan", "planner", "VN")


ADMIN = Actor("quantri", "admin")


def _changes() -> dict[str, Callable[[Engine], object]]:
    """Each change of an account an administrator can make, applied to `lan` (an officer of Bắc Kạn)."""
    return {
        "disable_then_enable": lambda db: (set_disabled(db, ADMIN, "lan"), set_disabled(db, ADMIN, "lan", False)),
        "role": lambda db: set_role(db, ADMIN, "lan", "planner", "06"),
        "scope": lambda db: set_role(db, ADMIN, "lan", "officer", "060"),
        "password_by_admin": lambda db: change_password(db, ADMIN, "lan", "một-mật-khẩu-mới-hẳn"),
        "password_by_self": lambda db: change_password(
            db, Actor("lan", "officer", "058"), "lan", "một-mật-khẩu-mới-hẳn", current_password="mật-khẩu-dài"
        ),
    }


@pytest.mark.parametrize("change", list(_changes()))
def test_a_change_to_the_account_ends_the_sessions_issued_before_it(engine: Engine, change: str) -> None:
    """A cookie from before a disable and enable, a new role or scope, or a new password signs nobody in
    after it: the sessions are deleted in the transaction that changes the account (other accounts keep theirs)."""
    add_user(engine, SYSTEM, "lan", "mật-khẩu-dài", "officer", "058")
    add_user(engine, SYSTEM, "minh", "mật-khẩu-khác", "admin")
    cookie = sessions.issue(engine, "lan")
    handed = sessions.hand_over(engine, "lan")  # a tab whose code is not traded yet
    other = sessions.issue(engine, "minh")
    assert sessions.resolve(engine, cookie.secret) is not None
    _changes()[change](engine)
    assert sessions.resolve(engine, cookie.secret) is None
    assert sessions.check(engine, cookie.session_id) is None
    assert sessions.redeem(engine, handed.secret) is None
    assert [row["username"] for row in stored(engine)] == ["minh"]
    assert sessions.resolve(engine, other.secret) is not None
    assert sessions.resolve(engine, sessions.issue(engine, "lan").secret) is not None  # a new sign-in holds


def test_a_refused_or_empty_change_ends_no_session(engine: Engine) -> None:
    add_user(engine, SYSTEM, "lan", "mật-khẩu-dài", "officer", "058")
    cookie = sessions.issue(engine, "lan")
    set_role(engine, ADMIN, "lan", "officer", "058")  # the same role and scope: no change
    set_disabled(engine, ADMIN, "lan", False)  # already enabled
    with pytest.raises(UserFacingError):
        set_role(engine, ADMIN, "lan", "officer", "VN")  # refused: the country is no officer's unit
    with pytest.raises(UserFacingError):
        change_password(engine, ADMIN, "lan", "ngắn")
    assert sessions.resolve(engine, cookie.secret) is not None


def test_a_session_unused_for_an_hour_ends_and_each_use_gives_it_another_hour(accounts: Engine) -> None:
    start = utcnow()
    issued = sessions.issue(accounts, "lan", now=start)
    idle = sessions.idle_limit()
    assert idle == timedelta(minutes=60)  # the default
    used = start + idle - timedelta(seconds=1)
    assert sessions.resolve(accounts, issued.secret, now=used) is not None  # a click just in time
    assert sessions.check(accounts, issued.session_id, now=used + idle - timedelta(seconds=1)) is not None
    late = used + idle - timedelta(seconds=1) + idle
    assert sessions.resolve(accounts, issued.secret, now=late) is None
    assert sessions.check(accounts, issued.session_id, now=late) is None
    other = sessions.issue(accounts, "minh", now=start)
    assert sessions.check(accounts, other.session_id, now=start + idle) is None  # never used: ended too


def test_the_last_use_is_written_at_most_once_a_minute(accounts: Engine) -> None:
    start = utcnow()
    issued = sessions.issue(accounts, "lan", now=start)
    written: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE"):
            written.append(statement)

    sa.event.listen(accounts, "before_cursor_execute", record)
    try:
        for seconds in range(0, 60, 5):  # twelve clicks in the first minute: nothing written
            assert sessions.check(accounts, issued.session_id, now=start + timedelta(seconds=seconds)) is not None
        assert written == []
        assert sessions.check(accounts, issued.session_id, now=start + timedelta(seconds=61)) is not None
        assert sessions.check(accounts, issued.session_id, now=start + timedelta(seconds=62)) is not None
        assert len(written) == 1
    finally:
        sa.event.remove(accounts, "before_cursor_execute", record)
    with Session(accounts) as session:
        row = session.get(SignInSession, issued.session_id)
        assert row is not None
        last_use = row.updated_at.replace(tzinfo=UTC)
    assert abs(last_use - (start + timedelta(seconds=61))) < timedelta(milliseconds=1)


def test_the_idle_limit_is_set_in_minutes_by_the_environment(
    accounts: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    start = utcnow()
    monkeypatch.setenv("LINKAGE_IDLE_MINUTES", "15")
    issued = sessions.issue(accounts, "lan", now=start)
    assert sessions.check(accounts, issued.session_id, now=start + timedelta(minutes=14, seconds=59)) is not None
    assert sessions.check(accounts, issued.session_id, now=start + timedelta(minutes=29, seconds=58)) is not None
    assert sessions.check(accounts, issued.session_id, now=start + timedelta(minutes=45)) is None
    sessions._idle_minutes.cache_clear()  # a wrong value is logged once per process
    for wrong in ("0", "-5", "an hour", "1.5", "-1"):
        monkeypatch.setenv("LINKAGE_IDLE_MINUTES", wrong)
        assert sessions.idle_limit() == timedelta(minutes=60)
    assert "LINKAGE_IDLE_MINUTES" in caplog.text


def test_a_click_during_a_long_write_is_let_through_without_waiting_for_the_lock(accounts: Engine) -> None:
    """Marking a session used is bookkeeping: while another writer (an import) holds SQLite's lock,
    the click goes through and the mark waits for a later click; nothing queues behind the import."""
    if accounts.dialect.name != "sqlite":
        pytest.skip("PostgreSQL takes no database-wide write lock")
    start = utcnow()
    issued = sessions.issue(accounts, "lan", now=start)
    later = start + timedelta(minutes=5)

    def last_use() -> object:
        with accounts.execution_options(read_only=True).connect() as conn:  # a reader takes no lock
            query = sa.select(SignInSession.updated_at).where(SignInSession.id == issued.session_id)
            return conn.execute(query).scalar_one()

    before = last_use()
    importing = accounts.raw_connection()  # another writer, holding the lock as an import does
    try:
        importing.driver_connection.execute("BEGIN IMMEDIATE")
        assert sessions.check(accounts, issued.session_id, now=later) is not None
        assert last_use() == before  # not written, and not waited for
    finally:
        importing.driver_connection.rollback()
        importing.close()
    assert sessions.check(accounts, issued.session_id, now=later) is not None
    assert last_use() != before  # the next click marks it
