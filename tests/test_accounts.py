"""Accounts: argon2id hashes, scopes that fit the role, and logins that slow down then lock."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.accounts import SYSTEM, Actor, add_user, authenticate, list_users, set_disabled
from linkage.db import read_session
from linkage.errors import LoginRefused, Refused, UserFacingError
from linkage.importing import import_path
from linkage.models import LoginAttempt, UserAccount, utcnow

from .test_coverage import FIXTURE


@pytest.fixture
def accounts(engine: Engine) -> Engine:
    import_path(engine, FIXTURE)
    add_user(engine, SYSTEM, "lan", "mật-khẩu-dài", "officer", "058")
    return engine


def test_the_password_is_stored_only_as_an_argon2id_hash(accounts: Engine) -> None:
    with read_session(accounts) as session:
        stored = session.execute(sa.select(UserAccount.password_hash).where(UserAccount.username == "lan")).scalar_one()
    assert stored.startswith("$argon2id$") and "mật-khẩu-dài" not in stored


def test_login_gives_the_actor_with_its_scope(accounts: Engine) -> None:
    assert authenticate(accounts, "Lan ", "mật-khẩu-dài") == Actor("lan", "officer", "058", None)


def test_a_wrong_password_and_an_unknown_name_get_the_same_words(accounts: Engine) -> None:
    with pytest.raises(LoginRefused) as wrong:
        authenticate(accounts, "lan", "nope-nope")
    with pytest.raises(LoginRefused) as unknown:
        authenticate(accounts, "nobody", "nope-nope")
    assert wrong.value.message() == unknown.value.message() == "wrong user name or password"


def test_failed_logins_slow_down_then_lock_for_a_while(accounts: Engine) -> None:
    now = utcnow()
    for _ in range(2):
        with pytest.raises(LoginRefused, match="wrong"):
            authenticate(accounts, "lan", "bad-password", now=now)
    # After two failures the next attempt must wait a second, even with the right password.
    with pytest.raises(LoginRefused) as early:
        authenticate(accounts, "lan", "mật-khẩu-dài", now=now)
    assert early.value.key == "slow_down"
    now += timedelta(seconds=2)
    for step in (2, 4, 8):
        with pytest.raises(LoginRefused, match="wrong"):
            authenticate(accounts, "lan", "bad-password", now=now)
        now += timedelta(seconds=step)
    # Five failures in a row: locked for 15 minutes.
    with pytest.raises(LoginRefused) as locked:
        authenticate(accounts, "lan", "mật-khẩu-dài", now=now)
    assert locked.value.key == "locked"
    later = now + timedelta(minutes=16)
    assert authenticate(accounts, "lan", "mật-khẩu-dài", now=later).username == "lan"
    # A success resets the count.
    with pytest.raises(LoginRefused, match="wrong"):
        authenticate(accounts, "lan", "bad-password", now=later)
    with pytest.raises(LoginRefused, match="wrong"):
        authenticate(accounts, "lan", "bad-password", now=later)


def test_a_disabled_account_cannot_sign_in_and_says_so_only_to_who_knows_the_password(accounts: Engine) -> None:
    set_disabled(accounts, SYSTEM, "lan")
    with pytest.raises(LoginRefused) as guess:
        authenticate(accounts, "lan", "a-wrong-guess")
    assert guess.value.key == "wrong_credentials"  # no hint that the account exists
    with pytest.raises(LoginRefused) as refused:
        authenticate(accounts, "lan", "mật-khẩu-dài")
    assert refused.value.key == "account_disabled"


@pytest.mark.parametrize(
    ("role", "unit", "cooperative", "key"),
    [
        ("officer", "VN", None, "account_needs_unit_officer"),
        ("officer", "999", None, "account_needs_unit_officer"),
        ("planner", "058", None, "account_needs_unit_planner"),
        ("cooperative", None, "K404", "account_needs_cooperative"),
        ("farmer", None, None, "unknown_role"),
    ],
)
def test_the_scope_must_fit_the_role(
    accounts: Engine, role: str, unit: str | None, cooperative: str | None, key: str
) -> None:
    with pytest.raises(UserFacingError) as refused:
        add_user(accounts, SYSTEM, "new", "long-enough", role, unit, cooperative)
    assert refused.value.key == key


def test_names_are_unique_and_passwords_long_enough(accounts: Engine) -> None:
    with pytest.raises(UserFacingError, match="already taken"):
        add_user(accounts, SYSTEM, "LAN", "long-enough", "planner", "VN")
    with pytest.raises(UserFacingError, match="at least 8"):
        add_user(accounts, SYSTEM, "minh", "short", "planner", "VN")


@pytest.mark.parametrize(
    "who",
    [
        Actor("lan", "officer", "058"),
        Actor("minh", "planner", "VN"),
        Actor("hoa", "planner", "06"),
        Actor("htx", "cooperative", cooperative_code="C1"),
    ],
    ids=lambda a: f"{a.role} {a.unit_code or a.cooperative_code}",
)
def test_only_admins_manage_accounts(accounts: Engine, who: Actor) -> None:
    with pytest.raises(Refused):
        add_user(accounts, who, "minh2", "long-enough", "planner", "VN")
    with pytest.raises(Refused):
        list_users(accounts, who)
    with pytest.raises(Refused):
        set_disabled(accounts, who, "lan")
    assert [(u.username, u.disabled) for u in list_users(accounts, SYSTEM)] == [("lan", False)]


def test_creating_and_disabling_accounts_is_in_the_history_without_the_password(accounts: Engine) -> None:
    from linkage.accounts import ACCOUNTS
    from linkage.history import entries

    set_disabled(accounts, Actor("quantri", "admin"), "lan")
    with read_session(accounts) as session:
        steps = entries(session, ACCOUNTS, "lan")
        everything = " ".join(str(r) for r in session.execute(sa.text("SELECT * FROM change_log")).all())
    assert [(e.actor, e.action, e.changes) for e in steps] == [
        ("system", "create", {"role": [None, "officer"], "scope": [None, "058"]}),
        ("quantri", "update", {"disabled": ["false", "true"]}),
    ]
    assert "mật-khẩu-dài" not in everything


def test_parallel_wrong_passwords_cannot_slip_past_the_throttle(accounts: Engine) -> None:
    """Every attempt is counted before the slow password check: guesses sent at once still lock."""
    from concurrent.futures import ThreadPoolExecutor

    def attempt(_: int) -> str:
        try:
            authenticate(accounts, "lan", "a-wrong-guess")
        except LoginRefused as refused:
            return refused.key
        return "signed in"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(16)))
    with read_session(accounts) as session:
        failures = session.execute(sa.select(LoginAttempt.failed_logins).where(LoginAttempt.username == "lan")).scalar()
    assert "signed in" not in outcomes
    assert outcomes.count("wrong_credentials") <= 2  # the first slips are free; then the waits apply
    assert failures == outcomes.count("wrong_credentials")
    with pytest.raises(LoginRefused) as later:
        authenticate(accounts, "lan", "mật-khẩu-dài")  # even the right password waits its turn
    assert later.value.key in ("slow_down", "locked")


def test_an_unknown_name_is_throttled_exactly_like_a_known_one(accounts: Engine) -> None:
    """The answers never tell which user names have an account."""

    def answers(name: str) -> list[str]:
        found = []
        for _ in range(4):
            try:
                authenticate(accounts, name, "a-wrong-guess")
            except LoginRefused as refused:
                found.append(refused.key)
        return found

    assert (
        answers("lan")
        == answers("khong-ton-tai")
        == ["wrong_credentials", "wrong_credentials", "slow_down", "slow_down"]
    )
