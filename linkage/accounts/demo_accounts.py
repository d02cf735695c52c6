"""One account per role for trying the demonstration data, and two of today's map; never for real use.

Their passwords are fixed and printed by `linkage demo` and on the sign-in page, so anyone can try
each role. Only accounts that still have the demo password are shown: change it (`linkage user
passwd admin.demo`, or the account page) and it disappears; disable it and it disappears too.

The units are chosen from the data by placement (docs/exchange-files.md, "Two maps"), so they fit records given on
either map: the busiest cooperative, its district on 2025-01 and province (the programme's accounts), the commune of
2025-07 holding the most records among those with records of a split commune to settle (`officer.xa.demo`, a commune's
economic office, whose settling list is then not empty) and the new province holding the cooperative's
(`planner.tinh.demo`, a provincial department's planner).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from linkage.accounts.users import SYSTEM, add_user, scope_named, verify_password
from linkage.geo.maps import NEW_MAP, OLD_MAP, Unit, map_data
from linkage.records.permissions import placement
from linkage.records.unplaced import unplaced
from linkage.store.db import read_session
from linkage.store.models import Cooperative, LinkageParty, Producer, RawMaterialArea, UserAccount

WARNING = "Demo accounts, for trying the system only: never keep them on a server with real data."
DEMO_MODE = "LINKAGE_DEMO_MODE"  # `python3.12 tasks.py app` sets it to 1; a deployment never does


def demo_mode() -> bool:
    """Whether the sign-in page may list the demo accounts: only when the environment says so
    explicitly (`tasks.py app`). Anywhere else their fixed passwords, the administrator's among them,
    are not shown to visitors, whatever the database holds."""
    return os.environ.get(DEMO_MODE, "") == "1"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str
    scope: str
    unit_map: str | None = OLD_MAP  # the map of its unit; None for a cooperative's account

    @property
    def scope_shown(self) -> str:
        """The scope named with its province, code and map where it is a unit (`users.scope_named`)."""
        return (scope_named(self.scope, self.unit_map, None) if self.unit_map else None) or self.scope


# Every demo account: user name, role, password, the map of its unit (None: a cooperative). Shown in this order.
DEMO: tuple[tuple[str, str, str, str | None], ...] = (
    ("admin.demo", "admin", "demo-admin-924", OLD_MAP),
    ("planner.demo", "planner", "demo-planner-924", OLD_MAP),
    ("officer.demo", "officer", "demo-officer-924", OLD_MAP),
    ("htx.demo", "cooperative", "demo-htx-924", None),
    ("officer.xa.demo", "officer", "demo-commune-924", NEW_MAP),
    ("planner.tinh.demo", "planner", "demo-tinh-924", NEW_MAP),
)
CANDIDATES = 50  # busiest cooperatives looked at for one placed in a commune or district of 2025-01


def _busiest_cooperative(engine: Engine) -> tuple[str, Unit, Unit] | None:
    """The cooperative in the most linkages whose office lies in a district of 2025-01, with that
    district and its place on 2025-07 (a commune, or a province for a split commune)."""
    with read_session(engine) as session:
        rows = session.execute(
            sa.select(col(Cooperative.code), col(Cooperative.commune_code), col(Cooperative.commune_code_2025_07))
            .join(LinkageParty, col(LinkageParty.cooperative_code) == col(Cooperative.code))
            .where(col(Cooperative.archived_at).is_(None))
            .group_by(col(Cooperative.code), col(Cooperative.commune_code), col(Cooperative.commune_code_2025_07))
            .order_by(sa.func.count().desc(), col(Cooperative.code))
            .limit(CANDIDATES)
        ).all()
    old = map_data(OLD_MAP)
    for code, commune, commune_2025_07 in rows:
        before, today = placement((commune, commune_2025_07), OLD_MAP), placement((commune, commune_2025_07), NEW_MAP)
        if before is None or today is None or before.level == "province":
            continue
        district = old.districts[old.communes[before.code].district].unit if before.level == "commune" else before
        return code, district, today
    return None


def _busiest_commune(engine: Engine) -> Unit | None:
    """The commune of 2025-07 in which the most cooperatives, producers and raw material areas lie
    (placed there: given there, or given on 2025-01 by a commune that went to it alone), among those
    with records of a split commune to settle (candidates of a record placed above the commune), so
    that the demo officer's settling list is not empty; any commune when the demo has none to settle."""
    to_settle = {c for record in unplaced(engine, NEW_MAP) for c in record.candidates if c.level == "commune"}
    counts: Counter[Unit] = Counter()
    with read_session(engine) as session:
        for model in (Cooperative, Producer, RawMaterialArea):
            old, new = col(model.commune_code), col(model.commune_code_2025_07)
            query = sa.select(old, new, sa.func.count()).where(col(model.archived_at).is_(None)).group_by(old, new)
            for commune, commune_2025_07, many in session.execute(query):
                place = placement((commune, commune_2025_07), NEW_MAP)
                if place is not None and place.level == "commune":
                    counts[place] += int(many)
    if not counts:
        return None
    return min(counts, key=lambda unit: (unit not in to_settle, -counts[unit], unit.code))


def create_demo_accounts(engine: Engine) -> list[DemoAccount]:
    """Accounts for the demo's busiest cooperative, its district and province, an admin, and on
    today's map the busiest commune's officer and the planner of the cooperative's new province."""
    found = _busiest_cooperative(engine)
    commune = _busiest_commune(engine)
    if found is None or commune is None:
        return []
    cooperative, district, today = found
    scopes = {
        "admin.demo": "VN",
        "planner.demo": map_data(OLD_MAP).districts[district.code].province,
        "officer.demo": district.code,
        "htx.demo": cooperative,
        "officer.xa.demo": commune.code,
        "planner.tinh.demo": map_data(NEW_MAP).province_of(today),
    }
    wanted = [DemoAccount(name, role, password, scopes[name], on) for name, role, password, on in DEMO]
    with read_session(engine) as session:
        have = set(session.execute(sa.select(col(UserAccount.username))).scalars())
    for a in wanted:
        if a.username not in have:
            unit_code = a.scope if a.unit_map and a.scope != "VN" else None  # the admin's "VN" is no unit
            cooperative_code = None if a.unit_map else a.scope
            add_user(engine, SYSTEM, a.username, a.password, a.role, unit_code, cooperative_code, a.unit_map or OLD_MAP)
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
    for name, role, password, _ in DEMO:
        account = stored.get(name)
        if account is not None and _still(account.password_hash, password):
            scope = account.unit_code or account.cooperative_code or "VN"
            shown.append(DemoAccount(name, role, password, scope, account.unit_map if account.unit_code else None))
    return shown


@lru_cache(maxsize=64)
def _still(password_hash: str, password: str) -> bool:
    """Whether the stored hash is still the demo password's. Keyed by the hash, which any password
    change replaces, so the sign-in page does not run six argon2 checks for every visitor."""
    return verify_password(password_hash, password)
