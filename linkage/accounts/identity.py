"""Accounts reached through the office's identity provider (OpenID Connect), where one is configured.

The provider says who someone is (its `sub` claim, and usually a verified e-mail); this module says
which local account that is. The local account keeps its role, scope and history, and an unknown or
disabled identity signs nobody in. An account is found by its provider subject first, then by its
e-mail when the provider vouches for it (`email_verified` not false).

Example:
    >>> link(engine, SYSTEM, "lan", email="Lan@So-NN.gov.vn")           # doctest: +SKIP
    >>> account_for(engine, subject="x1", email="lan@so-nn.gov.vn")     # doctest: +SKIP
    Actor(username='lan', role='officer', unit_code='058', cooperative_code=None, unit_map='2025-01')
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from linkage.accounts.users import ACCOUNTS, Actor, actor_of, normalize_username
from linkage.errors import NotFound, UserFacingError
from linkage.records.history import log
from linkage.records.permissions import require_admin
from linkage.store.db import write_session
from linkage.store.models import UserAccount, utcnow


def normalize_email(email: str) -> str:
    return unicodedata.normalize("NFC", email).strip().lower()


def link(engine: Engine, actor: Actor, username: str, email: str | None = None, subject: str | None = None) -> None:
    """Give an account the e-mail and/or provider subject it signs in with (admins only; in the history)."""
    require_admin(actor)
    name = normalize_username(username)
    values: dict[str, str] = {}
    if email is not None:
        values["email"] = normalize_email(email)
        if "@" not in values["email"] or len(values["email"]) > 254:
            raise UserFacingError("bad_email", email=email)
    if subject is not None:
        values["oidc_subject"] = subject.strip()
    if not values:
        return
    with write_session(engine) as session:
        account = session.execute(sa.select(UserAccount).where(col(UserAccount.username) == name)).scalar_one_or_none()
        if account is None:
            raise NotFound("no_user", username=username)
        for column, value in values.items():
            taken = session.execute(
                sa.select(col(UserAccount.username)).where(
                    getattr(UserAccount, column) == value, col(UserAccount.username) != name
                )
            ).first()
            if taken:
                raise UserFacingError("identity_taken", value=value, username=taken[0])
        change = {column: [getattr(account, column), value] for column, value in values.items()}
        log(session, actor, "update", ACCOUNTS, [(name, change)])
        session.execute(
            sa.update(UserAccount)
            .where(col(UserAccount.username) == name)
            .values(**values, updated_at=utcnow(), version=col(UserAccount.version) + 1)
        )


def account_for(
    engine: Engine, subject: str | None, email: str | None = None, email_verified: bool | None = None
) -> Actor | None:
    """The enabled local account of an identity the provider vouched for, or None."""
    conditions = []
    if subject:
        conditions.append(col(UserAccount.oidc_subject) == subject)
    if email and email_verified is not False:
        conditions.append(col(UserAccount.email) == normalize_email(email))
    if not conditions:
        return None
    with Session(engine) as session:
        found = list(session.execute(sa.select(UserAccount).where(sa.or_(*conditions))).scalars())
    # The subject is the provider's stable name for a person; an e-mail can move between people.
    found.sort(key=lambda account: account.oidc_subject != subject)
    if not found or found[0].disabled:
        return None
    return actor_of(found[0])
