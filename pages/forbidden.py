"""The answer to the address of a page the signed-in role may not open."""

import streamlit as st

from ui import open_page, tr

open_page("forbidden")
st.title(tr("app.forbidden.title"))
st.warning(tr("app.forbidden.text"))
