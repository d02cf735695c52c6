"""One account per role for trying the demonstration data; never for real use.

Their passwords are fixed and printed by `linkage demo` and on the sign-in page, so anyone can try
each role. Only accounts that still have the demo password are shown: change it (`linkage user
passwd admin.demo`, or the account page) and it disappears; disable it and it disappears too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from linkage.accounts import SYSTEM, add_user, verify_password
from linkage.db import read_session
from linkage.models import Commune, Cooperative, District, LinkageParty, UserAccount

WARNING = "Demo accounts, for trying the system only: never keep them on a server with real data."


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str
    scope: str


def _busiest_cooperative(engine: Engine) -> tuple[str, str, str] | None:
    """The cooperative in the most linkages, with its district and province."""
    with read_session(engine) as session:
        row = session.execute(
            sa.select(col(Cooperative.code), col(Commune.district_code), col(District.province_code))
            .join(Commune, col(Commune.code) == col(Cooperative.commune_code))
            .join(District, col(District.code) == col(Commune.district_code))
            .join(LinkageParty, col(LinkageParty.cooperative_code) == col(Cooperative.code))
            .where(col(Cooperative.archived_at).is_(None))
            .group_by(col(Cooperative.code), col(Commune.district_code), col(District.province_code))
            .order_by(sa.func.count().desc(), col(Cooperative.code))
            .limit(1)
        ).first()
    return (row[0], row[1], row[2]) if row else None


def create_demo_accounts(engine: Engine) -> list[DemoAccount]:
    """Accounts for the demo's busiest cooperative, its district, its province and an admin."""
    found = _busiest_cooperative(engine)
    if found is None:
        return []
    cooperative, district, province = found
    wanted = [
        DemoAccount("admin.demo", "admin", "demo-admin-924", "VN"),
        DemoAccount("planner.demo", "planner", "demo-planner-924", province),
        DemoAccount("officer.demo", "officer", "demo-officer-924", district),
        DemoAccount("htx.demo", "cooperative", "demo-htx-924", cooperative),
    ]
    with read_session(engine) as session:
        have = set(session.execute(sa.select(col(UserAccount.username))).scalars())
    for a in wanted:
        if a.username not in have:
            scopes: dict[str, tuple[str | None, str | None]] = {"admin": (None, None), "cooperative": (None, a.scope)}
            unit_code, cooperative_code = scopes.get(a.role, (a.scope, None))
            add_user(engine, SYSTEM, a.username, a.password, a.role, unit_code, cooperative_code)
    return wanted


def demo_accounts(engine: Engine) -> list[DemoAccount]:
    """The demo accounts that exist and still have their demo password (to list on the sign-in page)."""
    with read_session(engine) as session:
        stored = {
            u.username: u
            for u in session.execute(
                sa.select(UserAccount).where(
                    col(UserAccount.username).like("%.demo"), col(UserAccount.disabled).is_(False)
                )
            ).scalars()
        }
    shown = []
    for name, role in (
        ("admin.demo", "admin"),
        ("planner.demo", "planner"),
        ("officer.demo", "officer"),
        ("htx.demo", "cooperative"),
    ):
        account = stored.get(name)
        password = f"demo-{'htx' if role == 'cooperative' else role}-924"
        if account is not None and _still(account.password_hash, password):
            shown.append(DemoAccount(name, role, password, account.unit_code or account.cooperative_code or "VN"))
    return shown


@lru_cache(maxsize=64)
def _still(password_hash: str, password: str) -> bool:
    """Whether the stored hash is still the demo password's. Keyed by the hash, which any password
    change replaces, so the sign-in page does not run four argon2 checks for every visitor."""
    return verify_password(password_hash, password)
