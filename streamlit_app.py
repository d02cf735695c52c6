"""Linkage Tracker's Streamlit entry: language, then navigation over the pages in `pages/`."""

from pathlib import Path

import streamlit as st

from ui import language_switch, tr

PAGES = Path(__file__).parent / "pages"

st.set_page_config(page_title="Linkage Tracker", page_icon="🌾", layout="wide")
language_switch()
navigation = st.navigation([st.Page(PAGES / "home.py", title=tr("app.home.nav"), icon="🏠", default=True)])
navigation.run()
