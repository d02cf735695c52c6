"""AppTest entry that runs one page file as `streamlit_app.py` would, for the actor in session
state, but without the navigation's choice of pages: to test each page's own guard."""

import runpy

import streamlit as st

from linkage.accounts.users import Actor
from ui import navigation_run

values = st.session_state.get("actor")
with navigation_run(Actor(**values) if values else None):
    runpy.run_path(st.session_state["page_file"], run_name="__main__")
