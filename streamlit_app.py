"""Linkage Tracker's Streamlit entry: language, sign-in, and navigation over the pages the role may see."""

from pathlib import Path

import streamlit as st

from linkage.accounts.offices import office_of
from linkage.records.permissions import PAGE_ROLES, pages_for
from ui import (
    account_ended,
    database_ready,
    keep_sign_in,
    lang,
    language_switch,
    navigation_run,
    plain,
    show_flash,
    sign_out,
    tr,
)
from ui.prefetch import prefetch_page_code
from ui.signin import AFTER_LOGIN

PAGES = Path(__file__).parent / "pages"
# Which roles see which page is `permissions.PAGE_ROLES`; each page asks the same rule again first
# (`ui.guard`), and the domain layer enforces the rights on every read and write.
ROLE_PAGES = [f"{page}.py" for page in PAGE_ROLES]

# No page or navigation icons: Streamlit turns a Material icon into a favicon fetched from Google's
# servers, and district offices may have no connection.
st.set_page_config(page_title="Linkage Tracker", layout="wide")
# Who is signed in, as the database has the account now (one query a run): a reload or a second tab
# stays signed in; a session ended elsewhere, or a disabled account, is signed out here.
who = keep_sign_in()
prefetch_page_code()  # the pages' charts and tables loaded while the user reads or types
language_switch()
if not database_ready():
    st.error(tr("app.not_ready"))
    st.stop()
home = st.Page(PAGES / "home.py", title=tr("app.home.nav"), default=True)
if who is None:
    # A shared link to a page (`/coverage?unit=644`) shows the sign-in form under that address and
    # remembers it, instead of Streamlit's "page not found".
    login = st.Page(PAGES / "login.py", title=tr("app.login.nav"))
    stand_ins = [
        st.Page(PAGES / "login.py", title=tr("app.login.nav"), url_path=name.removesuffix(".py"), visibility="hidden")
        for name in [*ROLE_PAGES, "forbidden.py"]
    ]
    current = st.navigation([home, login, *stand_ins])
    if current.url_path in {page.url_path for page in stand_ins}:
        st.session_state[AFTER_LOGIN] = (current.url_path, st.query_params.to_dict())
    if account_ended():
        st.warning(tr("app.account_ended"))
    with navigation_run(who):
        current.run()
else:
    st.sidebar.markdown(tr("app.signed_in", username=who.username, role=plain(office_of(who, lang()))))
    if st.sidebar.button(tr("app.sign_out"), key="sign_out"):
        if sign_out():  # on its way to the provider's sign-out: a rerun would drop that redirect unsent
            st.stop()
        st.rerun()
    allowed = {page: st.Page(PAGES / f"{page}.py", title=tr(f"app.{page}.nav")) for page in pages_for(who)}
    # Pages of other roles answer their address with a plain refusal, not "page not found".
    refused = [
        st.Page(
            PAGES / "forbidden.py",
            title=tr("app.forbidden.nav"),
            url_path=name.removesuffix(".py"),
            visibility="hidden",
        )
        for name in ROLE_PAGES
        if name.removesuffix(".py") not in allowed
    ]
    # The sign-in address, reloaded or bookmarked by a browser whose session cookie signs it in, opens home.
    signed_in_at_login = st.Page(PAGES / "home.py", title=tr("app.home.nav"), url_path="login", visibility="hidden")
    current = st.navigation([home, *allowed.values(), *refused, signed_in_at_login])
    wanted = st.session_state.pop(AFTER_LOGIN, None)
    if wanted and wanted[0] in allowed and wanted[0] != current.url_path:  # else signed in at its address
        st.switch_page(allowed[wanted[0]], query_params=wanted[1])
    if wanted and wanted[0] not in allowed:  # a page of another role, asked for before signing in: refused at home
        st.warning(f"{tr('app.forbidden.title')}. {tr('app.forbidden.text')}")
    show_flash()
    with navigation_run(who):
        current.run()
