"""Page-side pieces of the users page: a role, and a scope chosen by its name on either map."""

from __future__ import annotations

from datetime import date

import streamlit as st

from linkage.accounts.users import scope_choices, scope_named
from linkage.geo.maps import Unit, map_of
from linkage.geo.typed_codes import described
from linkage.i18n import sentence
from linkage.records.permissions import SCOPE_LEVELS, scoped_to_cooperative, scoped_to_unit
from linkage.vocabulary import ROLES
from ui import carried, plain, tr


def choose_scope(
    key: str, role: str, current: Unit | None, cooperative: str = ""
) -> tuple[str | None, str | None, str]:
    """The scope the role needs: a unit chosen by its name on either map (planners, officers), or a
    cooperative's code. Returns (unit code, cooperative code, the unit's map)."""
    if scoped_to_cooperative(role):
        code = st.text_input(tr("app.users_scope.cooperative"), value=cooperative, key=f"{key}_cooperative")
        return None, code.strip() or None, map_of(date.today())
    if not scoped_to_unit(role):  # an administrator acts on no unit
        return None, None, map_of(date.today())
    query = st.text_input(tr("app.users_scope.search"), key=f"{key}_search", help=tr("app.users_scope.help"))
    found = scope_choices(query, role) if query.strip() else []
    if current is not None and current.level in SCOPE_LEVELS[role][current.map] and current not in found:
        found.insert(0, current)
    by_key = {unit_key(u): u for u in found}
    picked = st.selectbox(
        tr("app.users.scope"),
        list(by_key),
        index=0 if current is not None and unit_key(current) in by_key else None,
        format_func=lambda k: described(by_key[k]),
        key=f"{key}_unit:{query.strip()}",  # a new search starts a new choice
        placeholder=tr("app.users_scope.placeholder"),
    )
    if query.strip() and not found:
        st.caption(tr("app.users_scope.none", query=plain(query)))
    unit = by_key.get(picked) if picked else None
    if unit is None:
        return None, None, map_of(date.today())
    st.caption(plain(tr("app.users_scope.chosen", unit=described(unit))))
    return unit.code, None, unit.map


def unit_key(unit: Unit) -> str:
    return f"{unit.map}:{unit.level}:{unit.code}"


def choose_role(key: str, role: str = "officer") -> str:
    return str(
        st.selectbox(
            tr("app.login.role"),
            ROLES,
            index=ROLES.index(role),
            key=carried(f"{key}_role"),
            format_func=lambda r: sentence(tr(f"role.{r}")),
        )
    )


def scope_confirmed(role: str, unit: str | None, cooperative: str | None, on: str) -> str:
    """A scope as a confirmation names it: the unit with its province and map, or the cooperative."""
    if not (scoped_to_unit(role) or scoped_to_cooperative(role)):
        return ""
    return scope_named(unit, on, cooperative) or tr("app.users_scope.no_scope")


def scope_missing(role: str, unit: str | None) -> bool:
    """Whether a planner or officer is about to be saved with no unit chosen: said before anything is asked."""
    return scoped_to_unit(role) and unit is None
