"""Sign-in: user name and password, checked by the domain layer (throttled, lockable)."""

import streamlit as st

from linkage.accounts import authenticate
from linkage.demo_accounts import demo_accounts
from linkage.errors import LoginRefused
from ui import engine, lang, open_page, sign_in, tr

open_page("login")
st.title(tr("app.login.title"))
with st.form("login"):
    username = st.text_input(tr("app.login.username"), key="login_username")
    password = st.text_input(tr("app.login.password"), type="password", key="login_password")
    submitted = st.form_submit_button(tr("app.login.submit"), type="primary")
if submitted:
    try:
        sign_in(authenticate(engine(), username, password))
    except LoginRefused as refused:
        st.error(refused.message(lang()))
    else:
        st.rerun()

shown = demo_accounts(engine())
if shown:
    st.warning(tr("app.login.demo_warning"))
    st.table(
        {
            tr("app.login.username"): [a.username for a in shown],
            tr("app.login.role"): [tr(f"role.{a.role}") for a in shown],
            tr("app.login.password"): [a.password for a in shown],
        }
    )
