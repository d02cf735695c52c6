"""Sign-in: user name and password, checked by the domain layer (throttled per name and per address)."""

from pathlib import Path

import streamlit as st

from linkage.accounts.demo_accounts import DemoAccount, demo_accounts, demo_mode
from linkage.accounts.offices import office_of_scope
from linkage.accounts.users import authenticate
from linkage.errors import LoginRefused
from linkage.geo.maps import OLD_MAP
from linkage.i18n import sentence
from linkage.records.permissions import pages_for
from ui import engine, lang, open_page, remember_sign_in, sign_in, tr
from ui.address import client_address
from ui.signin import AFTER_LOGIN, identity_provider, sign_in_with_identity_provider

open_page("login")
HOME = Path(__file__).parent / "home.py"
st.title(tr("app.login.title"))
with st.form("login"):  # Enter signs in; its hint speaks the session's language (ui/words.py)
    username = st.text_input(tr("app.login.username"), key="login_username")
    password = st.text_input(tr("app.login.password"), type="password", key="login_password")
    submitted = st.form_submit_button(tr("app.login.submit"), type="primary")
if submitted:
    try:
        who = authenticate(engine(), username, password, address=client_address())
    except LoginRefused as refused:
        st.error(sentence(refused.message(lang())))
    else:
        sign_in(who)
        remember_sign_in(who)  # kept across reloads and tabs until sign-out or the end of the day
        asked = st.session_state.get(AFTER_LOGIN)
        if asked and asked[0] in pages_for(who):  # signed in at a shared link's address: its page runs next
            st.rerun()  # (one run fewer than home first, then the page)
        st.switch_page(HOME)  # not left at the sign-in address once signed in
if identity_provider() and st.button(tr("app.session.oidc"), key="oidc_sign_in"):
    sign_in_with_identity_provider()


def demo_office(account: DemoAccount) -> str:
    """The office a demo account stands for, in today's words (its unit is read on its map)."""
    on = account.unit_map or OLD_MAP  # a cooperative's account has no map of its own
    return office_of_scope(account.role, account.scope, on, lang())


shown = demo_accounts(engine()) if demo_mode() else []  # only where `tasks.py app` runs the demonstration
if shown:
    st.warning(tr("app.login.demo_warning"))
    st.table(
        {
            tr("app.login.username"): [a.username for a in shown],
            tr("app.login.role"): [sentence(tr(f"role.{a.role}")) for a in shown],
            tr("office.column"): [demo_office(a) for a in shown],
            tr("app.login.password"): [a.password for a in shown],
        }
    )
