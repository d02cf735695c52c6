"""Sign-in sessions that survive a reload and reach every tab of the browser, for a working day.

A session is a random token in an HttpOnly cookie; the database keeps only its SHA-256, so a copy
of the database signs nobody in. A session holds while all of these hold:

- it has not expired (`LIFETIME`, a working day) and was not ended by signing out;
- it was used in the last `LINKAGE_IDLE_MINUTES` minutes (`idle_limit`, an hour unless set): the
  time of its last use is its `updated_at`, moved on at most once a minute (`TOUCH_EVERY`), so a
  click does not cost a write;
- its account exists and is not disabled;
- the account's password hash is the one it had at sign-in (`password_fingerprint`): a changed
  or reset password ends every session issued before it.

Disabling or enabling an account, a new role or scope and a new password also delete the account's
sessions, in the transaction that changes it (`end_all_within`): a cookie from before never comes back.

These are checked on every run of the app, so a sign-out in one tab, a disabled account or a new
password signs the other tabs out at their next interaction.

The tab that signs in never sees the token: Streamlit talks to it over a WebSocket, which cannot
set an HttpOnly cookie. It gets a one-time code instead (`hand_over`, valid `HANDOVER`), which the
browser posts to the app's `/_linkage/session` route; `redeem` trades the code for the token that
route puts in the cookie, in the same row, so the tab keeps checking the same session by its id.

Example:
    >>> issued = issue(engine, "officer")            # doctest: +SKIP
    >>> resolve(engine, issued.secret).username      # doctest: +SKIP
    'officer'
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from linkage.actor import Actor
from linkage.store.db import read_session, write_unless_busy
from linkage.store.models import SignInSession, UserAccount, utcnow

log = logging.getLogger(__name__)

LIFETIME = timedelta(hours=10)  # a working day; then the user signs in again
HANDOVER = timedelta(seconds=60)  # for the browser to trade the one-time code for its cookie
COOKIE = "linkage_session"
TOKEN_BYTES = 32  # 256 random bits, URL-safe text of 43 characters
IDLE_ENV = "LINKAGE_IDLE_MINUTES"  # minutes a session may go unused before it ends
DEFAULT_IDLE_MINUTES = 60  # an office's working pause: lunch ends it, a phone call does not
TOUCH_EVERY = timedelta(minutes=1)  # the last use is written at most this often


def idle_limit() -> timedelta:
    """How long a session may go unused: `LINKAGE_IDLE_MINUTES` (a whole number of minutes, at
    least 1), read at each check; a value that is not such a number is logged (once) and the
    default (an hour) holds."""
    return timedelta(minutes=_idle_minutes(os.environ.get(IDLE_ENV, "").strip()))


@cache
def _idle_minutes(text: str) -> int:
    try:
        minutes = int(text) if text else DEFAULT_IDLE_MINUTES
    except ValueError:
        minutes = 0
    if minutes < 1:
        log.warning(
            "%s=%r is not a whole number of minutes ≥ 1: sessions end after %d idle minutes",
            IDLE_ENV,
            text,
            DEFAULT_IDLE_MINUTES,
        )
        return DEFAULT_IDLE_MINUTES
    return minutes


@dataclass(frozen=True)
class Issued:
    """A new session: its id (not a secret) and the secret the browser holds (a token or a one-time code)."""

    session_id: int
    secret: str


@dataclass(frozen=True)
class SignedIn:
    """A session that holds: who acts in it (as the account is now) and the language chosen in it."""

    session_id: int
    actor: Actor
    language: str | None

    @property
    def username(self) -> str:
        return self.actor.username


def digest(secret: str) -> str:
    """What the database stores of a token or code: its SHA-256 in hex (64 characters)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()


def _start(engine: Engine, username: str, language: str | None, now: datetime, handover: bool) -> Issued:
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    with Session(engine) as session:
        # Expired and idle sessions are no use to anyone: drop them whenever a new one starts.
        session.execute(
            sa.delete(SignInSession).where(
                sa.or_(col(SignInSession.expires_at) <= now, col(SignInSession.updated_at) <= now - idle_limit())
            )
        )
        password_hash = session.execute(
            sa.select(col(UserAccount.password_hash)).where(col(UserAccount.username) == username)
        ).scalar_one()
        row = SignInSession(
            token_hash=digest(secret),
            username=username,
            password_fingerprint=_fingerprint(password_hash),
            language=language,
            expires_at=now + LIFETIME,
            handover_until=now + HANDOVER if handover else None,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.commit()
        assert row.id is not None
        return Issued(row.id, secret)


def issue(engine: Engine, username: str, language: str | None = None, now: datetime | None = None) -> Issued:
    """A new session for an account that has just signed in; `secret` is the token for the cookie."""
    return _start(engine, username, language, now or utcnow(), handover=False)


def hand_over(engine: Engine, username: str, language: str | None = None, now: datetime | None = None) -> Issued:
    """A new session whose `secret` is a one-time code, valid `HANDOVER`, that `redeem` trades for the token.

    The session holds from now on for the tab that signed in (by its id), whether or not the
    browser ever redeems the code; only the cookie, and so other tabs and reloads, waits for it."""
    return _start(engine, username, language, now or utcnow(), handover=True)


def redeem(engine: Engine, code: str, now: datetime | None = None) -> str | None:
    """The session token for a one-time code from `hand_over`, once; None for an unknown, used or late code."""
    now = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with Session(engine) as session:
        done = session.execute(
            sa.update(SignInSession)
            .where(
                col(SignInSession.token_hash) == digest(code),
                col(SignInSession.handover_until).is_not(None),
                col(SignInSession.handover_until) > now,
            )
            .values(token_hash=digest(token), handover_until=None, updated_at=now)
        )
        session.commit()
    return token if done.rowcount == 1 else None  # type: ignore[attr-defined]


def _holding(now: datetime) -> sa.Select[SignInSession, UserAccount]:
    """Sessions that hold at `now` (unexpired, used within `idle_limit`), with their account as it
    is now (its password hash to compare)."""
    return (
        sa.select(SignInSession, UserAccount)
        .join(UserAccount, col(UserAccount.username) == col(SignInSession.username))
        .where(
            col(SignInSession.expires_at) > now,
            col(SignInSession.updated_at) > now - idle_limit(),
            col(UserAccount.disabled).is_(False),
        )
    )


def _aware(moment: datetime, like: datetime) -> datetime:
    """A stored time comparable with `like` (SQLite gives it back without its zone, which is UTC)."""
    return moment.replace(tzinfo=like.tzinfo) if moment.tzinfo is None else moment


def _use(engine: Engine, query: sa.Select[SignInSession, UserAccount], now: datetime) -> SignedIn | None:
    """The session the query finds, if it holds, marked as used at `now` when its last use is older
    than `TOUCH_EVERY` (or a quarter of a shorter idle limit): one small write a minute at most, never
    waited for."""
    with read_session(engine) as session:
        found = session.execute(query).first()
    if found is None:
        return None
    row, account = found
    if not secrets.compare_digest(row.password_fingerprint, _fingerprint(account.password_hash)):
        return None
    assert row.id is not None
    stale = now - min(TOUCH_EVERY, idle_limit() / 4)
    if _aware(row.updated_at, now) <= stale:  # skipped while an import writes: the next click marks it
        write_unless_busy(
            engine,
            sa.update(SignInSession)
            .where(col(SignInSession.id) == row.id, col(SignInSession.updated_at) <= stale)
            .values(updated_at=now),
        )
    who = Actor(account.username, account.role, account.unit_code, account.cooperative_code, account.unit_map)
    return SignedIn(row.id, who, row.language)


def resolve(engine: Engine, token: str | None, now: datetime | None = None) -> SignedIn | None:
    """The session a cookie's token names, if it holds; None otherwise (and for a one-time code)."""
    if not token:
        return None
    now = now or utcnow()
    query = _holding(now).where(
        col(SignInSession.token_hash) == digest(token), col(SignInSession.handover_until).is_(None)
    )
    return _use(engine, query, now)


def check(engine: Engine, session_id: int, now: datetime | None = None) -> SignedIn | None:
    """The session with this id, if it still holds: what every run of a signed-in tab asks."""
    now = now or utcnow()
    return _use(engine, _holding(now).where(col(SignInSession.id) == session_id), now)


def set_language(engine: Engine, session_id: int, language: str) -> None:
    """Remember the language chosen in a session, for its other tabs and the next reload."""
    with Session(engine) as session:
        session.execute(
            sa.update(SignInSession)
            .where(col(SignInSession.id) == session_id)
            .values(language=language, updated_at=utcnow())
        )
        session.commit()


def end(engine: Engine, session_id: int | None = None, token: str | None = None) -> None:
    """Sign out: the session (named by its id or by its token) is deleted, in every tab at once."""
    condition = (
        col(SignInSession.id) == session_id
        if session_id is not None
        else col(SignInSession.token_hash) == digest(token or "")
    )
    with Session(engine) as session:
        session.execute(sa.delete(SignInSession).where(condition))
        session.commit()


def end_all_within(session: Session, username: str) -> int:
    """End every session of an account inside the caller's transaction: the one that disables,
    enables, re-scopes or re-keys the account, so no session outlives the change it was issued before."""
    done = session.execute(sa.delete(SignInSession).where(col(SignInSession.username) == username))
    return int(done.rowcount)  # type: ignore[attr-defined]


def end_all_for_user(engine: Engine, username: str) -> int:
    """End every session of an account (all its browsers); returns how many there were."""
    with Session(engine) as session:
        ended = end_all_within(session, username)
        session.commit()
    return ended
