"""Home: what the app is for, the national picture at a glance, and where each kind of user starts."""

from datetime import date

import streamlit as st

from linkage.accounts.offices import office_of
from linkage.geo.maps import map_of
from ui import coverage_rows, lang, open_page, target_cards, tr

who = open_page("home")
st.title(tr("app.home.title"))
st.write(tr("app.home.intro"))
if who is not None:  # the office behind the account, in today's words
    st.info(tr("office.you", office=office_of(who, lang())))
as_of = st.date_input(tr("app.as_of"), value=date.today(), format="DD/MM/YYYY", key="home_as_of")
with st.spinner(tr("app.computing")):
    rows = coverage_rows(as_of)
st.subheader(tr("app.home.national", date=as_of.strftime("%d/%m/%Y"), map=map_of(as_of)))
target_cards(rows[rows["level"] == "national"])
st.subheader(tr("app.home.who_title"))
st.markdown(tr("app.home.who"))
