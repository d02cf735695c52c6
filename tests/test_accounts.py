"""Accounts: argon2id hashes, scopes that fit the role, and logins that slow down (never lock)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.accounts import users as accounts_module
from linkage.accounts.users import (
    SYSTEM,
    Actor,
    account_history,
    add_user,
    authenticate,
    change_password,
    current_actor,
    list_users,
    set_disabled,
    set_role,
)
from linkage.errors import LoginRefused, NotFound, Refused, UserFacingError
from linkage.records.importing import import_path
from linkage.store.db import read_session
from linkage.store.models import LoginAttempt, UserAccount, utcnow

from .helpers import FIXTURE


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


def test_failed_logins_slow_down_more_and_more_but_never_lock_the_account(accounts: Engine) -> None:
    now = utcnow()
    for _ in range(2):
        with pytest.raises(LoginRefused, match="wrong"):
            authenticate(accounts, "lan", "bad-password", now=now)
    # After two failures the next attempt must wait a second, even with the right password.
    with pytest.raises(LoginRefused) as early:
        authenticate(accounts, "lan", "mật-khẩu-dài", now=now)
    assert early.value.key == "slow_down"
    # Waits double after each further failure (1, 2, 4, 8, 16 s), then stay at half a minute.
    waits = []
    for _ in range(9):
        now += timedelta(seconds=waits[-1] if waits else 1)
        with pytest.raises(LoginRefused, match="wrong"):
            authenticate(accounts, "lan", "bad-password", now=now)
        with pytest.raises(LoginRefused) as waiting:
            authenticate(accounts, "lan", "mật-khẩu-dài", now=now)
        waits.append(int(waiting.value.params["seconds"]) - 1)
    assert waits == [2, 4, 8, 16, 30, 30, 30, 30, 30]
    # No lock: once the wait is over, the right password signs in, and a success resets the count.
    assert authenticate(accounts, "lan", "mật-khẩu-dài", now=now + timedelta(seconds=30)).username == "lan"
    for _ in range(2):
        with pytest.raises(LoginRefused, match="wrong"):
            authenticate(accounts, "lan", "bad-password", now=now + timedelta(seconds=30))


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
        add_user(accounts, SYSTEM, "new", "long-enough-now", role, unit, cooperative)
    assert refused.value.key == key


def test_names_are_unique_and_passwords_long_enough(accounts: Engine) -> None:
    with pytest.raises(UserFacingError, match="already taken"):
        add_user(accounts, SYSTEM, "LAN", "long-enough-now", "planner", "VN")
    with pytest.raises(UserFacingError, match="at least 12"):
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
        add_user(accounts, who, "minh2", "long-enough-now", "planner", "VN")
    with pytest.raises(Refused):
        list_users(accounts, who)
    with pytest.raises(Refused):
        set_disabled(accounts, who, "lan")
    assert [(u.username, u.disabled) for u in list_users(accounts, SYSTEM)] == [("lan", False)]


def test_creating_and_disabling_accounts_is_in_the_history_without_the_password(accounts: Engine) -> None:
    from linkage.accounts.users import ACCOUNTS
    from linkage.records.history import entries

    set_disabled(accounts, Actor("quantri", "admin"), "lan")
    with read_session(accounts) as session:
        steps = entries(session, ACCOUNTS, "lan")
        everything = " ".join(str(r) for r in session.execute(sa.text("SELECT * FROM change_log")).all())
    assert [(e.actor, e.action, e.changes) for e in steps] == [
        ("system", "create", {"role": [None, "officer"], "scope": [None, "058 (2025-01)"]}),
        ("quantri", "update", {"disabled": ["false", "true"]}),
    ]
    assert "mật-khẩu-dài" not in everything


def test_parallel_wrong_passwords_cannot_slip_past_the_throttle(accounts: Engine) -> None:
    """Every attempt is counted before the slow password check: guesses sent at once still wait.

    "At once" is one instant on the throttle's clock (`now`), not a hope that 16 threads all start
    within the one-second wait on a busy machine: a guess that really comes a second after the
    second failure is allowed by design. The threads are released together, so they race for the
    counter; were an attempt counted only after its password check, several would read the same
    count and more than two guesses would be answered."""
    at = utcnow()
    start = threading.Barrier(16)

    def attempt(_: int) -> str:
        start.wait(timeout=60)
        try:
            authenticate(accounts, "lan", "a-wrong-guess", now=at)
        except LoginRefused as refused:
            return refused.key
        return "signed in"

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(attempt, range(16)))
    with read_session(accounts) as session:
        failures = session.execute(sa.select(LoginAttempt.failed_logins).where(LoginAttempt.username == "lan")).scalar()
    # The first two slips are free, then the next attempt waits a second: every other guess waits.
    assert sorted(outcomes) == ["slow_down"] * 14 + ["wrong_credentials"] * 2
    assert failures == 2
    with pytest.raises(LoginRefused) as later:
        authenticate(accounts, "lan", "mật-khẩu-dài", now=at)  # even the right password waits its turn
    assert later.value.key == "slow_down"


def test_an_unknown_name_is_throttled_exactly_like_a_known_one(accounts: Engine) -> None:
    """The answers never tell which user names have an account."""

    at = utcnow()  # one instant: on a busy machine four password checks can outlast the waits

    def answers(name: str) -> list[str]:
        found = []
        for _ in range(4):
            try:
                authenticate(accounts, name, "a-wrong-guess", now=at)
            except LoginRefused as refused:
                found.append(refused.key)
        return found

    assert (
        answers("lan")
        == answers("khong-ton-tai")
        == ["wrong_credentials", "wrong_credentials", "slow_down", "slow_down"]
    )


ADMIN = Actor("quantri", "admin")


def test_the_current_actor_follows_the_stored_account(accounts: Engine) -> None:
    assert current_actor(accounts, "Lan") == Actor("lan", "officer", "058", None)
    set_role(accounts, ADMIN, "lan", "planner", "06")
    assert current_actor(accounts, "lan") == Actor("lan", "planner", "06", None)
    set_disabled(accounts, ADMIN, "lan")
    assert current_actor(accounts, "lan") is None
    set_disabled(accounts, ADMIN, "lan", False)
    assert current_actor(accounts, "lan") == Actor("lan", "planner", "06", None)
    assert current_actor(accounts, "nobody") is None


def test_the_current_actor_is_one_query(accounts: Engine) -> None:
    statements: list[str] = []
    sa.event.listen(accounts, "before_cursor_execute", lambda *args: statements.append(args[2]))
    current_actor(accounts, "lan")
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


def test_users_change_their_own_password_with_the_current_one(accounts: Engine) -> None:
    lan = Actor("lan", "officer", "058")
    with pytest.raises(UserFacingError) as wrong:
        change_password(accounts, lan, "lan", "một-mật-khẩu-mới", current_password="not-it-at-all")
    assert wrong.value.key == "wrong_current_password"
    with pytest.raises(UserFacingError, match="at least 12"):
        change_password(accounts, lan, "lan", "ngắn", current_password="mật-khẩu-dài")
    assert authenticate(accounts, "lan", "mật-khẩu-dài").username == "lan"  # nothing changed so far
    with pytest.raises(UserFacingError) as missing:
        change_password(accounts, lan, "lan", "một-mật-khẩu-mới")
    assert missing.value.key == "wrong_current_password"
    change_password(accounts, lan, "lan", "một-mật-khẩu-mới", current_password="mật-khẩu-dài")
    assert authenticate(accounts, "lan", "một-mật-khẩu-mới").username == "lan"
    with pytest.raises(LoginRefused):
        authenticate(accounts, "lan", "mật-khẩu-dài")


def test_guessing_the_current_password_is_throttled_like_a_sign_in(
    accounts: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = utcnow()  # the clock stands still: the password checks may take longer than the wait
    monkeypatch.setattr(accounts_module, "utcnow", lambda: at)
    lan = Actor("lan", "officer", "058")
    for _ in range(2):
        with pytest.raises(UserFacingError):
            change_password(accounts, lan, "lan", "một-mật-khẩu-mới", current_password="a-guess-at-it")
    with pytest.raises(LoginRefused) as slowed:
        change_password(accounts, lan, "lan", "một-mật-khẩu-mới", current_password="mật-khẩu-dài")
    assert slowed.value.key == "slow_down"


def test_admins_reset_other_passwords_and_no_one_else_does(accounts: Engine) -> None:
    add_user(accounts, SYSTEM, "minh", "mật-khẩu-dài", "planner", "VN")
    with pytest.raises(Refused):
        change_password(accounts, Actor("minh", "planner", "VN"), "lan", "một-mật-khẩu-mới")
    change_password(accounts, ADMIN, "LAN", "một-mật-khẩu-mới")  # no current password asked
    assert authenticate(accounts, "lan", "một-mật-khẩu-mới").username == "lan"
    with pytest.raises(NotFound):
        change_password(accounts, ADMIN, "nobody", "một-mật-khẩu-mới")


def test_a_role_change_is_checked_like_a_new_account(accounts: Engine) -> None:
    with pytest.raises(UserFacingError) as refused:
        set_role(accounts, ADMIN, "lan", "officer", "VN")  # the country is not an officer's unit
    assert refused.value.key == "account_needs_unit_officer"
    assert set_role(accounts, ADMIN, "lan", "cooperative", None, "C1") == Actor("lan", "cooperative", None, "C1")
    assert [(a.role, a.scope) for a in list_users(accounts, SYSTEM)] == [("cooperative", "C1")]
    with pytest.raises(Refused):
        set_role(accounts, Actor("lan", "officer", "058"), "lan", "admin")


def test_admins_cannot_lock_themselves_out_from_the_app(accounts: Engine) -> None:
    add_user(accounts, SYSTEM, "quantri", "mật-khẩu-dài", "admin")
    for change in (
        lambda: set_disabled(accounts, ADMIN, "quantri"),
        lambda: set_role(accounts, ADMIN, "Quantri", "planner", "VN"),
    ):
        with pytest.raises(Refused) as refused:
            change()
        assert refused.value.key == "not_own_account"
    assert current_actor(accounts, "quantri") == Actor("quantri", "admin")


def test_account_changes_are_in_the_history_never_a_password(accounts: Engine) -> None:
    set_role(accounts, ADMIN, "lan", "planner", "06")
    set_role(accounts, ADMIN, "lan", "planner", "06")  # no change: nothing logged
    change_password(accounts, ADMIN, "lan", "một-mật-khẩu-mới")
    set_disabled(accounts, ADMIN, "lan")
    set_disabled(accounts, ADMIN, "lan")  # already disabled: nothing logged
    set_disabled(accounts, SYSTEM, "lan", False)
    steps = account_history(accounts, SYSTEM, "lan")
    assert [(e.actor, e.action, e.changes) for e in steps] == [
        ("system", "create", {"role": [None, "officer"], "scope": [None, "058 (2025-01)"]}),
        ("quantri", "update", {"role": ["officer", "planner"], "scope": ["058 (2025-01)", "06 (2025-01)"]}),
        ("quantri", "update", {"password": ["", "changed"]}),
        ("quantri", "update", {"disabled": ["false", "true"]}),
        ("system", "update", {"disabled": ["true", "false"]}),
    ]
    with read_session(accounts) as session:
        everything = " ".join(str(r) for r in session.execute(sa.text("SELECT * FROM change_log")).all())
        stored = session.execute(sa.select(UserAccount.password_hash)).scalar_one()
    assert "một-mật-khẩu-mới" not in everything and stored not in everything and "argon2" not in everything
    with pytest.raises(Refused):
        account_history(accounts, Actor("lan", "planner", "06"), "lan")


def test_the_account_list_carries_no_password_hash(accounts: Engine) -> None:
    (account,) = list_users(accounts, SYSTEM)
    assert not any("argon2" in str(value) for value in vars(account).values())


def some_code(on: str, level: str, where=lambda code: True) -> str:  # type: ignore[no-untyped-def]
    """A real unit code of `level` on map `on` meeting `where`, found in the package's lists."""
    from linkage.geo.maps import map_data

    return next(code for code in map_data(on).level(level) if where(code))


def test_scopes_on_todays_map_a_commune_or_province_officer_and_a_province_planner(accounts: Engine) -> None:
    from linkage.geo.maps import map_data

    commune = some_code("2025-07", "commune", lambda c: c not in map_data("2025-01").communes)
    province = some_code("2025-07", "province", lambda c: c.startswith("0"))
    with pytest.raises(UserFacingError) as refused:  # typed without its zero, 01 is also Quận Ba Đình (001)...
        add_user(accounts, SYSTEM, "so", "long-enough-now", "officer", province.lstrip("0"), unit_map="2025-07")
    assert refused.value.key == "codes.ambiguous" and "(001, 2025-01)" in refused.value.message("en")
    added = [
        add_user(accounts, SYSTEM, "xa", "long-enough-now", "officer", commune, unit_map="2025-07"),
        add_user(accounts, SYSTEM, "so", "long-enough-now", "officer", province, unit_map="2025-07"),
        add_user(accounts, SYSTEM, "tinh", "long-enough-now", "planner", province, unit_map="2025-07"),
    ]
    assert added == [
        Actor("xa", "officer", commune, None, "2025-07"),
        Actor("so", "officer", province, None, "2025-07"),
        Actor("tinh", "planner", province, None, "2025-07"),
    ]
    assert [current_actor(accounts, a.username) for a in added] == added
    assert authenticate(accounts, "xa", "long-enough-now") == added[0]
    listed = {a.username: (a.unit_code, a.unit_map, a.scope_shown) for a in list_users(accounts, SYSTEM)}
    place = map_data("2025-07").communes[commune]
    named = f"{place.name}, {map_data('2025-07').provinces[place.province].name} ({commune}, 2025-07)"
    assert listed["xa"] == (commune, "2025-07", named)  # named with its province and map
    assert listed["lan"] == ("058", "2025-01", "Thành Phố Bắc Kạn, Tỉnh Bắc Kạn (058, 2025-01)")  # made before


def test_a_unit_of_the_wrong_level_or_map_is_refused_naming_the_map(accounts: Engine) -> None:
    from linkage.geo.maps import map_data

    new = map_data("2025-07")
    district = some_code("2025-01", "district", lambda d: d.zfill(5) not in new.communes)
    with pytest.raises(UserFacingError) as refused:  # a district is not a unit of today's map
        add_user(accounts, SYSTEM, "x1", "long-enough-now", "officer", district, unit_map="2025-07")
    assert refused.value.key == "account_unit_on_other_map"
    assert "2025-07" in refused.value.message("en") and "--map 2025-01" in refused.value.message("en")
    commune = some_code("2025-07", "commune", lambda c: c not in map_data("2025-01").communes)
    with pytest.raises(UserFacingError) as refused:  # and a commune is no officer's unit on 2025-01
        add_user(accounts, SYSTEM, "x2", "long-enough-now", "officer", commune, unit_map="2025-01")
    assert refused.value.key == "account_unit_on_other_map" and "--map 2025-07" in refused.value.message("en")
    with pytest.raises(UserFacingError) as refused:  # a code on neither map
        add_user(accounts, SYSTEM, "x3", "long-enough-now", "officer", "99999", unit_map="2025-07")
    assert refused.value.key == "account_needs_unit_officer" and "map 2025-07" in refused.value.message("en")
    with pytest.raises(UserFacingError) as refused:
        add_user(accounts, SYSTEM, "x4", "long-enough-now", "planner", "VN", unit_map="2030-01")
    assert refused.value.key == "unknown_map"
    assert [a.username for a in list_users(accounts, SYSTEM)] == ["lan"]  # nothing was written


def test_a_new_role_or_map_is_logged_with_its_map(accounts: Engine) -> None:
    from linkage.geo.maps import map_data

    province = some_code("2025-07", "province")
    set_role(accounts, ADMIN, "lan", "officer", province, unit_map="2025-07")
    assert current_actor(accounts, "lan") == Actor("lan", "officer", province, None, "2025-07")
    assert account_history(accounts, ADMIN, "lan")[-1].changes == {
        "role": ["officer", "officer"],
        "scope": ["058 (2025-01)", f"{province} (2025-07)"],
    }
    assert map_data("2025-07").provinces[province]  # a province of today's map indeed
