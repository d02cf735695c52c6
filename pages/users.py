"""Accounts, for administrators: list, add, disable and enable, reset a password, change role and scope."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from linkage.accounts.users import MIN_PASSWORD_LENGTH, add_user, change_password, list_users, set_disabled, set_role
from linkage.errors import UserFacingError
from linkage.geo.maps import lookup
from linkage.i18n import sentence
from ui import engine, flash, guard, plain, show_error, tr
from ui.scopes import choose_role, choose_scope, scope_confirmed, scope_missing

who = guard("users")
st.title(tr("app.users.title"))


def done(write: Callable[[], object], message: str) -> None:
    """Run one account change through `linkage.accounts.users`; a refusal is shown in words."""
    try:
        write()
    except UserFacingError as error:
        show_error(error)
    else:
        flash(message)
        st.rerun()


accounts = list_users(engine(), who)
table = pd.DataFrame(  # cells shown as text: a user name never runs as markup
    {
        tr("app.login.username"): [a.username for a in accounts],
        tr("app.login.role"): [sentence(tr(f"role.{a.role}")) for a in accounts],
        tr("app.users.scope"): [a.scope_shown or "" for a in accounts],  # name, province, code and map
        tr("app.users.state"): [tr("app.users.disabled" if a.disabled else "app.users.active") for a in accounts],
    }
)
st.dataframe(table, hide_index=True)

with st.expander(tr("app.users.add_title"), key="users_add"):
    role = choose_role("users_add")
    unit, cooperative, on = choose_scope("users_add", role, None)
    with st.form("users_add", clear_on_submit=True, enter_to_submit=False):
        name = st.text_input(tr("app.login.username"), key="users_add_name")
        password = st.text_input(
            tr("app.login.password"),
            type="password",
            key="users_add_password",
            help=tr("app.account.rule", length=MIN_PASSWORD_LENGTH),
        )
        repeat = st.text_input(tr("app.polish.repeat_password"), type="password", key="users_add_repeat")
        if st.form_submit_button(tr("app.users.add"), type="primary"):
            if password != repeat:
                st.error(tr("app.polish.password_differ"))
            elif scope_missing(role, unit):
                st.error(tr("app.users_scope.choose"))
            else:
                done(
                    lambda: add_user(engine(), who, name, password, role, unit, cooperative, on),
                    tr(
                        "app.users_scope.added",
                        username=plain(name),
                        scope=plain(scope_confirmed(role, unit, cooperative, on)),
                    ),
                )

st.subheader(tr("app.users.manage_title"))
names = [a.username for a in accounts]
picked = st.selectbox(tr("app.users.pick"), names, index=None, key="users_pick", placeholder=tr("app.choose"))
account = next((a for a in accounts if a.username == picked), None)
if account is not None:
    chosen = account.username
    shown = plain(chosen)
    if account.disabled:
        st.warning(tr("app.users.is_disabled", username=shown))
        if st.button(tr("app.users.enable"), key="users_enable"):
            done(lambda: set_disabled(engine(), who, chosen, False), tr("app.users.enabled", username=shown))
    elif st.button(tr("app.users.disable"), key="users_disable", disabled=chosen == who.username):
        done(lambda: set_disabled(engine(), who, chosen), tr("app.users.disabled_done", username=shown))
    reset, change = st.columns(2)
    with reset, st.form("users_reset", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{tr('app.users.reset_title')}**")
        new = st.text_input(tr("app.account.new"), type="password", key="users_reset_new")
        again = st.text_input(tr("app.account.repeat"), type="password", key="users_reset_repeat")
        if st.form_submit_button(tr("app.users.reset")):
            if new != again:
                st.error(tr("app.account.differ"))
            elif chosen == who.username:  # their own: the account page asks the current one
                st.error(tr("app.users.own_password"))
            else:
                done(
                    lambda: change_password(engine(), who, chosen, new),
                    tr("app.users.reset_done", username=shown),
                )
    with change:
        st.markdown(f"**{tr('app.users.role_title')}**")
        role = choose_role(f"users_role_{chosen}", account.role)
        current = lookup(account.unit_map, account.unit_code) if account.unit_code else None
        unit, cooperative, on = choose_scope(f"users_role_{chosen}", role, current, account.cooperative_code or "")
        if st.button(tr("app.users.change_role"), key=f"users_role_{chosen}_save"):
            if scope_missing(role, unit):
                st.error(tr("app.users_scope.choose"))
            else:
                done(
                    lambda: set_role(engine(), who, chosen, role, unit, cooperative, on),
                    tr(
                        "app.users_scope.role_done",
                        username=shown,
                        scope=plain(scope_confirmed(role, unit, cooperative, on)),
                    ),
                )
