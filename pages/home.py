"""Home: what the app is for, the figures of the signed-in account's own unit at a glance (the country
for a visitor and a national account), and where each kind of user starts."""

from datetime import date

import streamlit as st

from linkage.accounts.offices import office_of
from linkage.counting.coverage import opening_figures
from ui import engine, lang, open_page, target_cards, tr

who = open_page("home")
st.title(tr("app.home.title"))
st.write(tr("app.home.intro"))
if who is not None:  # the office behind the account, in today's words
    st.info(tr("office.you", office=office_of(who, lang())))
as_of = st.date_input(tr("app.as_of"), value=date.today(), format="DD/MM/YYYY", key="home_as_of")
with st.spinner(tr("app.computing")):
    figures = opening_figures(engine(), who, as_of)
for unit, cards in figures:  # a commune's one indicator, then its province's three
    on = str(cards["map"].iloc[0]) if len(cards) else unit.map
    st.subheader(tr("app.landing.unit", unit=unit.name, date=as_of.strftime("%d/%m/%Y"), map=on))
    target_cards(cards)
st.subheader(tr("app.home.who_title"))
st.markdown(tr("app.home.who"))
