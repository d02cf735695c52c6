"""Sign-in holds against guessing without locking anyone out: waits per name and per address, the
same work for a name with no account, input too long refused before any query, and a password rule
that refuses what people try first."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM, add_user, authenticate, change_password
from linkage.errors import LoginRefused, UserFacingError
from linkage.store.models import utcnow
from tests.conftest import statements

PASSWORD = "đồng lúa chín vàng"


@pytest.fixture
def accounts(engine: Engine) -> Engine:
    add_user(engine, SYSTEM, "quantri", PASSWORD, "admin")
    return engine


def answer(engine: Engine, name: str, password: str, at: object, address: str | None = None) -> str:
    try:
        authenticate(engine, name, password, now=at, address=address)  # type: ignore[arg-type]
    except LoginRefused as refused:
        return refused.key
    return "signed in"


def test_one_address_trying_many_names_is_slowed_down_and_others_are_not(accounts: Engine) -> None:
    at = utcnow()
    tried = [answer(accounts, f"ten{i}", "a-wrong-guess", at, "10.0.0.66") for i in range(12)]
    assert tried == ["wrong_credentials"] * 10 + ["slow_down"] * 2  # ten slips, then the address waits
    # The administrator at another desk signs in at once; the guesser's address waits, the name does not lock.
    assert answer(accounts, "quantri", PASSWORD, at, "10.0.0.7") == "signed in"
    assert answer(accounts, "quantri", PASSWORD, at, "10.0.0.66") == "slow_down"
    assert answer(accounts, "quantri", PASSWORD, at + timedelta(seconds=2), "10.0.0.66") == "signed in"


def test_guessing_at_the_administrators_name_never_keeps_the_administrator_out_for_long(accounts: Engine) -> None:
    at = utcnow()
    for i in range(40):  # forty guesses from forty addresses, each as soon as the name allows
        while (found := answer(accounts, "quantri", "a-wrong-guess", at, f"10.1.0.{i}")) == "slow_down":
            at += timedelta(seconds=1)
        assert found == "wrong_credentials"
    waited = 0
    while answer(accounts, "quantri", PASSWORD, at + timedelta(seconds=waited), "10.0.0.7") == "slow_down":
        waited += 1
    assert waited <= 30  # half a minute at most, never the fifteen-minute lock of before


@pytest.mark.real_password_cost
def test_a_name_with_no_account_takes_as_long_to_refuse_as_a_known_one(accounts: Engine) -> None:
    """Timed over several tries, each on a fresh counter; medians within a third of each other (a wrong
    password costs one argon2 check either way; before, an unknown name answered without one)."""
    authenticate(accounts, "quantri", PASSWORD)  # the hasher and the stand-in hash are made once

    def refusal_time(name: str, at: object) -> float:
        start = time.perf_counter()
        assert answer(accounts, name, "a-wrong-guess", at) == "wrong_credentials"
        return time.perf_counter() - start

    known, unknown = [], []
    base = utcnow()
    for i in range(6):  # interleaved, so a busy moment of the machine falls on both
        known.append(refusal_time("quantri", base + timedelta(hours=i)))
        unknown.append(refusal_time(f"khong-co-{i}", base + timedelta(hours=i)))
    fast, slow = sorted((statistics.median(known), statistics.median(unknown)))
    assert slow - fast < max(0.34 * slow, 0.015), (known, unknown)


def test_input_too_long_is_refused_before_any_query(accounts: Engine) -> None:
    with statements(accounts) as sent:
        assert answer(accounts, "a" * 65, "a-wrong-guess", utcnow()) == "wrong_credentials"
        assert answer(accounts, "quantri", "x" * 100_000, utcnow()) == "wrong_credentials"
    assert not [s for s in sent if "user_account" in s]  # no look-up of a name that cannot exist
    # On PostgreSQL the 65 characters once reached a VARCHAR(64) column: a DataError with the SQL.
    with accounts.connect() as conn:
        stored = conn.execute(sa.text("SELECT username FROM login_attempt")).scalars().all()
    assert all(len(name) <= 64 for name in stored) and "a" * 65 not in stored


@pytest.mark.parametrize(
    ("password", "key"),
    [
        ("12345678", "short_password"),
        (" " * 8, "short_password"),
        (" " * 20, "short_password"),
        ("ngắn-quá", "short_password"),
        ("aaaaaaaaaaaaaaaa", "passwords.trivial"),
        ("121212121212", "passwords.trivial"),
        ("123456789012", "passwords.common"),
        ("Password2026!", "passwords.common"),
        ("Mật khẩu 123456", "passwords.common"),
        ("qwertyuiop123", "passwords.common"),
    ],
)
def test_a_password_anyone_could_guess_is_refused(accounts: Engine, password: str, key: str) -> None:
    with pytest.raises(UserFacingError) as refused:
        add_user(accounts, SYSTEM, "lan", password, "planner", "VN")
    assert refused.value.key == key
    with pytest.raises(UserFacingError) as again:
        change_password(accounts, SYSTEM, "quantri", password)
    assert again.value.key == key


def test_a_password_holding_the_user_name_is_refused(accounts: Engine) -> None:
    with pytest.raises(UserFacingError) as refused:
        change_password(accounts, SYSTEM, "quantri", "Quản Trị - tháng 12")  # the name, with its diacritics
    assert refused.value.key == "passwords.trivial"


@pytest.mark.parametrize("password", ["đồng lúa chín vàng", "Ba-con-trâu-ăn-cỏ", "cà phê Buôn Ma Thuột 7"])
def test_a_passphrase_is_accepted(accounts: Engine, password: str) -> None:
    add_user(accounts, SYSTEM, "lan", password, "planner", "VN")
    assert authenticate(accounts, "lan", password).username == "lan"
