"""Users, roles and scopes; password hashing with argon2id; login throttling.

Passwords are never stored or logged in clear: only the argon2id hash (argon2-cffi, a well-kept
memory-hard scheme). Repeated failures slow the next attempt down, per user name and per address,
with waits that grow but stay short: nobody can lock an account (an administrator's included) by
guessing at it, and a guesser's own address waits longest.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from linkage.accounts.sessions import end_all_within
from linkage.actor import SYSTEM as SYSTEM  # re-exported: who acts lives in linkage.actor
from linkage.actor import Actor as Actor
from linkage.errors import LoginRefused, NotFound, Refused, UserFacingError
from linkage.geo.maps import MAPS, NEW_MAP, OLD_MAP, Unit
from linkage.geo.typed_codes import AmbiguousCode, UnknownUnit, described_code, read_code
from linkage.geo.unit_search import search
from linkage.records.history import Entry, entries, log
from linkage.records.permissions import SCOPE_LEVELS, find_scope, require_admin, scoped_to_cooperative, scoped_to_unit
from linkage.store.db import read_session, write_session
from linkage.store.models import Cooperative, LoginAttempt, UserAccount, utcnow
from linkage.vocabulary import ROLES

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_PASSWORD_LENGTH = 12  # characters; a passphrase of a few words passes it easily
MIN_DISTINCT_CHARACTERS = 5  # `aaaaaaaaaaaa` or `121212121212` is no password
COMMON_PASSWORDS = Path(__file__).resolve().parents[2] / "data" / "common-passwords.txt"
MAX_NAME_CHARS = 64  # the user-name column's width: longer input never reaches a query
MAX_PASSWORD_CHARS = 1_024  # more is no password anyone types; argon2 is not asked to hash a megabyte
NAME_FREE, NAME_WAIT_CAP = 2, timedelta(seconds=30)  # per name: the owner waits at most half a minute
ADDRESS_FREE, ADDRESS_WAIT_CAP = 10, timedelta(seconds=60)  # per address: ten slips, then waits up to a minute
ADDRESS_KEY = " address "  # counters of addresses share the table; no user name holds a space


@cache
def hasher() -> PasswordHasher:
    """argon2id with the library's current recommended cost (made on first use: importing this
    module must stay cheap for commands that never touch a password)."""
    from argon2 import PasswordHasher  # lazy: start-up stays fast

    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return hasher().hash("not a password of anyone")


ACCOUNTS = "accounts"  # the history's name for user accounts


def _folded(text: str) -> str:
    """Text as the blocklist compares it: no case, diacritics, spaces or punctuation (đ as d)."""
    plain = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return re.sub(r"[^0-9a-z]", "", "".join(ch for ch in plain if not unicodedata.combining(ch)))


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(_folded(line) for line in lines if line.strip() and not line.startswith("#"))


def check_password(password: str, username: str = "") -> None:
    """Refuse a password anyone could guess (UserFacingError): shorter than MIN_PASSWORD_LENGTH
    characters or blank at either end (`12345678`, eight spaces); fewer than MIN_DISTINCT_CHARACTERS
    different characters; the user name in it; or on the blocklist (data/common-passwords.txt),
    compared without case, diacritics, spaces or punctuation."""
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        raise UserFacingError("short_password", length=MIN_PASSWORD_LENGTH)
    folded = _folded(password)
    own_name = len(username) >= 4 and _folded(username) in folded
    if len(set(password.casefold())) < MIN_DISTINCT_CHARACTERS or own_name:
        raise UserFacingError("passwords.trivial")
    if folded in common_passwords() or (folded.rstrip("0123456789") or folded) in common_passwords():
        raise UserFacingError("passwords.common")


def normalize_username(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().lower()


def _check_scope(
    role: str, unit_code: str | None, cooperative_code: str | None, unit_map: str, session: Session
) -> str | None:
    """The unit code of a new scope as stored, or a plain refusal if role, map and scope do not fit
    (`permissions.SCOPE_LEVELS`); a code that is a fitting unit of the other map says so."""
    if role not in ROLES:
        raise UserFacingError("unknown_role", role=role, roles=", ".join(ROLES))
    if unit_map not in MAPS:
        raise UserFacingError("unknown_map", map=unit_map)
    if scoped_to_cooperative(role):
        if not cooperative_code or session.get(Cooperative, cooperative_code) is None:
            raise UserFacingError("account_needs_cooperative", code=cooperative_code or "")
        return None
    if not scoped_to_unit(role):
        return None
    try:  # a short code that names several units is refused here, naming them (typed_codes)
        return read_code(unit_code or "", unit_map, SCOPE_LEVELS[role][unit_map]).code
    except AmbiguousCode:
        raise
    except UnknownUnit:
        pass
    other = NEW_MAP if unit_map == OLD_MAP else OLD_MAP
    if find_scope(unit_code or "", other, SCOPE_LEVELS[role][other]) is not None:
        raise UserFacingError("account_unit_on_other_map", unit=unit_code or "", map=unit_map, other=other)
    raise UserFacingError(f"account_needs_unit_{role}", unit=unit_code or "", map=unit_map)


def scope_choices(query: str, role: str, limit: int = 30) -> list[Unit]:
    """The units of either map an account of `role` may be scoped to (`permissions.SCOPE_LEVELS`) whose
    name or code matches `query` (`unit_search.search`, diacritics ignored, today's map first): how
    the users page chooses a scope by its name, each with its map."""
    if not scoped_to_unit(role):
        return []
    levels = tuple(dict.fromkeys(level for on in (NEW_MAP, OLD_MAP) for level in SCOPE_LEVELS[role][on]))
    found = search(query, (NEW_MAP, OLD_MAP), levels, limit=200)
    return [unit for unit in found if unit.level in SCOPE_LEVELS[role][unit.map]][:limit]


def scope_words(unit_code: str | None, unit_map: str, cooperative_code: str | None) -> str | None:
    """A scope as the history keeps it: a unit code with its map (a code does not say its map:
    `00643 (2025-07)`), or a cooperative's code."""
    if unit_code:
        return unit_code if unit_code == "VN" else f"{unit_code} ({unit_map})"
    return cooperative_code


def scope_named(unit_code: str | None, unit_map: str, cooperative_code: str | None) -> str | None:
    """A scope as lists and confirmations show it: a unit named with its province, code and map
    (`Phường Thanh Liệt, Thành phố Hà Nội (00643, 2025-07)`), or a cooperative's code."""
    if unit_code:
        return described_code(unit_code, unit_map)
    return cooperative_code


def add_user(
    engine: Engine,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    unit_code: str | None = None,
    cooperative_code: str | None = None,
    unit_map: str = OLD_MAP,
) -> Actor:
    """Create an account; only admins may. `unit_code` is read on `unit_map` (the command line and
    the users page default to today's map). Returns the new account as an Actor."""
    require_admin(actor)
    name = normalize_username(username)
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise UserFacingError("bad_username", username=username)
    check_password(password, name)
    with write_session(engine) as session:
        unit = _check_scope(role, unit_code, cooperative_code, unit_map, session)
        if session.execute(sa.select(col(UserAccount.id)).where(col(UserAccount.username) == name)).first():
            raise UserFacingError("username_taken", username=name)
        cooperative = cooperative_code if scoped_to_cooperative(role) else None
        scope = scope_words(unit, unit_map, cooperative)
        _log_account(session, actor, "create", name, {"role": [None, role], "scope": [None, scope]})
        session.add(
            UserAccount(
                username=name,
                password_hash=hasher().hash(password),
                role=role,
                unit_code=unit,
                unit_map=unit_map,
                cooperative_code=cooperative,
            )
        )
    return Actor(name, role, unit, cooperative, unit_map)


@dataclass(frozen=True)
class Account:
    """An account as administrators see it: never its password hash."""

    username: str
    role: str
    unit_code: str | None
    cooperative_code: str | None
    disabled: bool
    unit_map: str = OLD_MAP

    @property
    def scope(self) -> str | None:
        return self.unit_code or self.cooperative_code

    @property
    def scope_shown(self) -> str | None:
        """The scope named with its province, code and map (`scope_named`)."""
        return scope_named(self.unit_code, self.unit_map, self.cooperative_code)


def list_users(engine: Engine, actor: Actor) -> list[Account]:
    """Every account by user name; only admins may."""
    require_admin(actor)
    columns = (UserAccount.username, UserAccount.role, UserAccount.unit_code, UserAccount.cooperative_code)
    with read_session(engine) as session:
        rows = session.execute(
            sa.select(*(col(c) for c in columns), col(UserAccount.disabled), col(UserAccount.unit_map)).order_by(
                col(UserAccount.username)
            )
        )
        return [Account(*row) for row in rows]


def current_actor(engine: Engine, username: str) -> Actor | None:
    """The account as it is now, or None when it is disabled or gone: what an open session acts as.

    The app asks on every run (one query on the unique user name), so disabling an account signs
    its open sessions out at their next click, and a changed role or scope applies at once."""
    with read_session(engine) as session:
        row = session.execute(
            sa.select(
                col(UserAccount.role),
                col(UserAccount.unit_code),
                col(UserAccount.cooperative_code),
                col(UserAccount.unit_map),
            ).where(col(UserAccount.username) == normalize_username(username), col(UserAccount.disabled).is_(False))
        ).first()
    return Actor(normalize_username(username), row[0], row[1], row[2], row[3]) if row else None


def actor_of(account: UserAccount) -> Actor:
    """The stored account as the actor it signs in as (with the map of its unit)."""
    return Actor(account.username, account.role, account.unit_code, account.cooperative_code, account.unit_map)


def _account(session: Session, username: str) -> UserAccount:
    """The stored account, locked for this transaction; NotFound if there is none."""
    account = session.execute(
        sa.select(UserAccount).where(col(UserAccount.username) == normalize_username(username)).with_for_update()
    ).scalar_one_or_none()
    if account is None:
        raise NotFound("no_user", username=username)
    return account


def _touch(account: UserAccount) -> None:
    account.updated_at = utcnow()
    account.version += 1


def _refuse_own(actor: Actor, username: str) -> None:
    """An administrator does not lock themselves out or drop their own rights from the app; another
    administrator, or the command line, can."""
    if actor is not SYSTEM and actor.username == normalize_username(username):
        raise Refused("not_own_account")


def set_disabled(engine: Engine, actor: Actor, username: str, disabled: bool = True) -> None:
    """Disable an account (it can no longer sign in and its open sessions end at their next click),
    or enable it again; only admins may, and not on their own account. Either way its sessions are
    deleted with the change: enabling it does not bring back a browser signed in before."""
    require_admin(actor)
    if disabled:
        _refuse_own(actor, username)
    with write_session(engine) as session:
        account = _account(session, username)
        if account.disabled == disabled:
            return
        _log_account(
            session, actor, "update", account.username, {"disabled": [str(not disabled).lower(), str(disabled).lower()]}
        )
        account.disabled = disabled
        _touch(account)
        end_all_within(session, account.username)


def set_role(
    engine: Engine,
    actor: Actor,
    username: str,
    role: str,
    unit_code: str | None = None,
    cooperative_code: str | None = None,
    unit_map: str = OLD_MAP,
) -> Actor:
    """Give an account another role or scope (checked as for a new account); only admins may, and
    not on their own account. A change ends the account's sessions: its user signs in again."""
    require_admin(actor)
    _refuse_own(actor, username)
    with write_session(engine) as session:
        account = _account(session, username)
        unit = _check_scope(role, unit_code, cooperative_code, unit_map, session)
        cooperative = cooperative_code if scoped_to_cooperative(role) else None
        before = (account.role, scope_words(account.unit_code, account.unit_map, account.cooperative_code))
        after = (role, scope_words(unit, unit_map, cooperative))
        if before != after:
            _log_account(
                session,
                actor,
                "update",
                account.username,
                {"role": [before[0], after[0]], "scope": [before[1], after[1]]},
            )
            account.role, account.unit_code, account.cooperative_code = role, unit, cooperative
            account.unit_map = unit_map
            _touch(account)
            end_all_within(session, account.username)
        return Actor(account.username, role, unit, cooperative, unit_map)


def change_password(
    engine: Engine, actor: Actor, username: str, new_password: str, current_password: str | None = None
) -> None:
    """Set a new password: the one way any password changes, so every change is checked and logged alike.

    Users change their own with their current password (checked, and throttled, like a sign-in);
    admins reset anyone else's, the command line anyone's. The history records that the password
    changed, never the password or its hash. Every session of the account ends with the change
    (the users page then starts a new one for the tab that changed its own).
    """
    name = normalize_username(username)
    own = actor is not SYSTEM and actor.username == name
    if not own:
        require_admin(actor)
    check_password(new_password, name)
    if own:
        try:
            authenticate(engine, name, current_password or "")
        except LoginRefused as refused:
            if refused.key in ("wrong_credentials", "account_disabled"):
                raise UserFacingError("wrong_current_password") from None
            raise
    new_hash = hasher().hash(new_password)  # slow: outside the write transaction
    with write_session(engine) as session:
        account = _account(session, name)
        _log_account(session, actor, "update", account.username, {"password": ["", "changed"]})
        account.password_hash = new_hash
        _touch(account)
        end_all_within(session, account.username)


def account_history(engine: Engine, actor: Actor, username: str) -> list[Entry]:
    """Every recorded change of one account, oldest first (who created, disabled, enabled it,
    changed its role or scope, set its password — never the password); only admins may."""
    require_admin(actor)
    with read_session(engine) as session:
        return entries(session, ACCOUNTS, normalize_username(username))


def _log_account(session: Session, actor: Actor, action: str, username: str, change: dict[str, list]) -> None:  # type: ignore[type-arg]
    """Account changes go to the same append-only history as data changes (never a password)."""
    log(session, actor, action, ACCOUNTS, [(username, change)])


def _delay_after(failures: int, free: int = NAME_FREE, cap: timedelta = NAME_WAIT_CAP) -> timedelta:
    """Wait before the next attempt: none for the first `free` slips, then 1, 2, 4 … s, never more than
    `cap` (a growing delay, never a lock-out)."""
    if failures < free:
        return timedelta(0)
    return min(cap, timedelta(seconds=2 ** min(failures - free, 16)))


def _attempt_row(session: Session, name: str) -> LoginAttempt:
    """The name's attempt counter, created if missing, locked for this transaction (PostgreSQL;
    SQLite's writes are serialised by `BEGIN IMMEDIATE`)."""
    values = {"username": name, "failed_logins": 0, "created_at": utcnow(), "updated_at": utcnow()}
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    session.execute(insert(LoginAttempt).values(**values).on_conflict_do_nothing(index_elements=["username"]))
    return session.execute(
        sa.select(LoginAttempt).where(col(LoginAttempt.username) == name).with_for_update()
    ).scalar_one()


def plausible_name(name: str) -> bool:
    """Whether typed text can be a user name at all (as `add_user` allows them), checked before any query."""
    return 0 < len(name) <= MAX_NAME_CHARS and not any(ch.isspace() for ch in name)


def authenticate(
    engine: Engine, username: str, password: str, now: datetime | None = None, address: str | None = None
) -> Actor:
    """The actor for valid credentials; otherwise LoginRefused, the same words for a wrong name or password.

    Each attempt is counted as a failure *before* the slow password check, for its user name and for
    the `address` it came from (the browser's, as the page read it), in one short transaction that
    locks both counters, so parallel guesses cannot slip past the throttle; a right password then
    clears both. Names with no account are counted the same way, and the password is checked against
    a stand-in hash, so neither the answers nor their timing tell which names exist. Input too long to
    be a name or password is refused before any query. The check itself runs outside any transaction.
    """
    now = now or utcnow()
    name = normalize_username(username)
    plausible = plausible_name(name) and len(password) <= MAX_PASSWORD_CHARS
    keys = ([name] if plausible_name(name) else []) + ([ADDRESS_KEY + address[:48]] if address else [])
    # Plain sessions, not write_session: a login is not a data change, so caches stay warm.
    with Session(engine) as session:
        attempts = [_attempt_row(session, key) for key in sorted(keys)]  # one lock order: no deadlock
        waits = [_waited(attempt, now) for attempt in attempts]
        if any(waits):
            session.rollback()
            raise LoginRefused("slow_down", seconds=max(waits))
        for attempt in attempts:
            attempt.failed_logins += 1
            by_address = attempt.username.startswith(ADDRESS_KEY)
            delay = _delay_after(attempt.failed_logins, ADDRESS_FREE, ADDRESS_WAIT_CAP) if by_address else None
            attempt.next_attempt_at = now + (delay if delay is not None else _delay_after(attempt.failed_logins))
            attempt.updated_at = now
        session.commit()
    account = None
    if plausible:
        with Session(engine) as session:
            query = sa.select(UserAccount).where(col(UserAccount.username) == name)
            account = session.execute(query).scalar_one_or_none()
    stored_hash = account.password_hash if account else _dummy_hash()
    matches = verify_password(stored_hash, password[:MAX_PASSWORD_CHARS])  # the same work either way
    if account is None or not matches:
        raise LoginRefused("wrong_credentials")
    with Session(engine) as session:
        session.execute(
            sa.update(LoginAttempt)
            .where(col(LoginAttempt.username).in_(keys))
            .values(failed_logins=0, next_attempt_at=None, updated_at=now)
        )
        fresh = session.get(UserAccount, account.id)
        assert fresh is not None
        if hasher().check_needs_rehash(fresh.password_hash):
            fresh.password_hash = hasher().hash(password)
        session.commit()
        if fresh.disabled:  # said only to someone who knows the password
            raise LoginRefused("account_disabled")
        return actor_of(fresh)


def _waited(attempt: LoginAttempt, now: datetime) -> int:
    """Seconds still to wait before this counter admits an attempt (0: none)."""
    wait_until = attempt.next_attempt_at
    if wait_until is not None and wait_until.tzinfo is None:
        wait_until = wait_until.replace(tzinfo=now.tzinfo)
    if wait_until is None or now >= wait_until:
        return 0
    return int((wait_until - now).total_seconds()) + 1


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches the stored argon2 hash (a damaged hash matches nothing)."""
    from argon2.exceptions import InvalidHashError, VerificationError  # lazy, as `hasher`: start-up stays fast

    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
