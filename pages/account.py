"""My account: a signed-in user changes their own password (the current one is asked again)."""

import streamlit as st

from linkage.accounts.users import MIN_PASSWORD_LENGTH, change_password
from linkage.errors import UserFacingError
from ui import engine, flash, guard, plain, show_error, tr
from ui.signin import renew_sign_in

who = guard("account")
st.title(tr("app.account.title"))
st.markdown(tr("app.signed_in", username=plain(who.username), role=tr(f"role.{who.role}")))

st.subheader(tr("app.account.password_title"))
with st.form("change_password", clear_on_submit=True, enter_to_submit=False):
    current = st.text_input(tr("app.account.current"), type="password", key="password_current")
    new = st.text_input(
        tr("app.account.new"),
        type="password",
        key="password_new",
        help=tr("app.account.rule", length=MIN_PASSWORD_LENGTH),
    )
    repeat = st.text_input(tr("app.account.repeat"), type="password", key="password_repeat")
    submitted = st.form_submit_button(tr("app.account.submit"), type="primary")
if submitted:
    if new != repeat:
        st.error(tr("app.account.differ"))
    else:
        try:
            change_password(engine(), who, who.username, new, current_password=current)
        except UserFacingError as error:
            show_error(error)
        else:
            renew_sign_in(who)  # this tab stays signed in; the others sign in again
            flash(tr("app.account.changed"))
            st.rerun()
