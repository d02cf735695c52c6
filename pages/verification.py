"""Verification: the officer's queue of changes cooperatives reported, with before and after values."""

import math

import streamlit as st

from linkage.errors import UserFacingError
from linkage.html_table import text_table
from linkage.i18n import vietnam_time
from linkage.records.history import queue, send_back, verify
from ui import (
    engine,
    field_label,
    flash,
    guard,
    plain,
    product_names,
    show_error,
    shown_value,
    titled,
    tr,
)

who = guard("verification")
PAGE = 10  # changes shown at once: each is a card with its table and two actions, worked through a page at a time
st.title(tr("app.verification.title"))
# A page at a time, read as a page from the database: 1,000 changes drawn at once took half a minute
# in the browser, and an officer's queue is never the whole country's.
number = int(st.session_state.get("queue_page", 1))
waiting = queue(engine(), who, status="reported", first=(number - 1) * PAGE, size=PAGE)
pages = max(1, math.ceil(waiting.total / PAGE))
if number > pages:  # the queue got shorter since the page was chosen: show its last page
    number = st.session_state["queue_page"] = pages
    waiting = queue(engine(), who, status="reported", first=(number - 1) * PAGE, size=PAGE)
if not waiting.total:
    st.info(tr("app.verification.empty"))
names = product_names()  # once for the page
head = [tr("app.verification.field"), tr("app.verification.before"), tr("app.verification.after")]
if waiting.total > PAGE:
    st.number_input(tr("app.verification.page", size=PAGE, count=waiting.total), 1, pages, key="queue_page")
    first = (number - 1) * PAGE
    shown = len(waiting.changes)
    st.caption(tr("app.verification.showing", first=first + 1, last=first + shown, count=waiting.total))
for change in waiting.changes:
    with st.container(border=True):
        name = (change.after or change.before or {}).get("name") or ""
        heading = f"{tr(f'entity.{change.entity}')} {titled(change.entity, change.key, name, names)}"
        reported = tr("app.verification.reported_by", who=change.reported_by)
        st.markdown(f"**{plain(heading)}** · {plain(reported)} · {vietnam_time(change.reported_at)}")
        fields = change.changed_fields if change.before else list((change.after or {}).keys())
        st.html(
            text_table(
                head,
                (
                    [
                        field_label(f),
                        shown_value(f, (change.before or {}).get(f), names) or "—",
                        shown_value(f, (change.after or {}).get(f), names) or "—",
                    ]
                    for f in fields
                ),
            )
        )
        # The version is in every key: a change reported again meanwhile shows as a new item, and a
        # click on the old one is not carried over to it.
        at = f"{change.entity}_{change.key}_{change.version}"
        ok, back = st.columns(2)
        if ok.button(tr("app.verification.verify"), key=f"verify_{at}", type="primary"):
            try:
                verify(engine(), who, change.entity, change.key, change.version)
                flash(plain(tr("app.verification.verified", key=titled(change.entity, change.key, name, names))))
                st.rerun()
            except UserFacingError as error:
                show_error(error)
        comment = back.text_input(tr("app.verification.comment"), key=f"comment_{at}")
        if back.button(tr("app.verification.send_back"), key=f"back_{at}"):
            try:
                send_back(engine(), who, change.entity, change.key, comment, change.version)
                flash(plain(tr("app.verification.returned", key=titled(change.entity, change.key, name, names))))
                st.rerun()
            except UserFacingError as error:
                show_error(error)
