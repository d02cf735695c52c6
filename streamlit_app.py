"""Linkage Tracker's Streamlit entry: language, sign-in, and navigation over the pages the role may see."""

from pathlib import Path

import streamlit as st

from ui import actor, database_ready, language_switch, sign_out, tr

PAGES = Path(__file__).parent / "pages"
# Which roles see which page; the domain layer enforces the same rights on every read and write.
ROLE_PAGES = {
    "coverage.py": ("admin", "planner", "officer", "cooperative"),
    "graph.py": ("admin", "planner", "officer"),
    "my_cooperative.py": ("cooperative",),
    "verification.py": ("admin", "officer"),
    "exchange.py": ("admin", "planner", "officer"),
}

# No page or navigation icons: Streamlit turns a Material icon into a favicon fetched from Google's
# servers, and district offices may have no connection.
st.set_page_config(page_title="Linkage Tracker", layout="wide")
language_switch()
if not database_ready():
    st.error(tr("app.not_ready"))
    st.stop()
who = actor()
pages = [st.Page(PAGES / "home.py", title=tr("app.home.nav"), default=True)]
if who is None:
    pages.append(st.Page(PAGES / "login.py", title=tr("app.login.nav")))
else:
    st.sidebar.markdown(tr("app.signed_in", username=who.username, role=tr(f"role.{who.role}")))
    if st.sidebar.button(tr("app.sign_out")):
        sign_out()
        st.rerun()
    pages += [
        st.Page(PAGES / name, title=tr(f"app.{name.removesuffix('.py')}.nav"))
        for name, roles in ROLE_PAGES.items()
        if who.role in roles and (PAGES / name).exists()
    ]
st.navigation(pages).run()
