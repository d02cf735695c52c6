"""Verification: the officer's queue of changes cooperatives reported, with before and after values."""

import streamlit as st

from linkage.errors import UserFacingError
from linkage.history import pending, send_back, verify
from ui import engine, field_label, require_actor, show_error, tr

who = require_actor()
st.title(tr("app.verification.title"))
queue = [p for p in pending(engine(), who) if p.status == "reported"]
if not queue:
    st.info(tr("app.verification.empty"))
for change in queue:
    with st.container(border=True):
        who_reported = tr("app.verification.reported_by", who=change.reported_by)
        st.markdown(
            f"**{tr(f'entity.{change.entity}')} {change.key}** · {who_reported} · {change.reported_at:%d/%m/%Y %H:%M}"
        )
        fields = change.changed_fields if change.before else list((change.after or {}).keys())
        st.dataframe(
            [
                {
                    tr("app.verification.field"): field_label(f),
                    tr("app.verification.before"): (change.before or {}).get(f) or "—",
                    tr("app.verification.after"): (change.after or {}).get(f) or "—",
                }
                for f in fields
            ],
            hide_index=True,
        )
        ok, back = st.columns(2)
        # The version is in every key: a change reported again meanwhile shows as a new item, and a
        # click on the old one is not carried over to it.
        at = f"{change.entity}_{change.key}_{change.version}"
        if ok.button(tr("app.verification.verify"), key=f"verify_{at}", type="primary"):
            try:
                verify(engine(), who, change.entity, change.key, change.version)
                st.rerun()
            except UserFacingError as error:
                show_error(error)
        comment = back.text_input(tr("app.verification.comment"), key=f"comment_{at}")
        if back.button(tr("app.verification.send_back"), key=f"back_{at}"):
            try:
                send_back(engine(), who, change.entity, change.key, comment, change.version)
                st.rerun()
            except UserFacingError as error:
                show_error(error)
