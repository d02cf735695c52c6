"""Verification: the officer's queue of changes cooperatives reported, with before and after values."""

import streamlit as st

from linkage.errors import UserFacingError
from linkage.history import pending, send_back, verify
from ui import engine, field_label, flash, guard, plain, show_error, shown_value, titled, tr

who = guard("verification")
st.title(tr("app.verification.title"))
queue = pending(engine(), who, status="reported")
if not queue:
    st.info(tr("app.verification.empty"))
for change in queue:
    with st.container(border=True):
        name = (change.after or change.before or {}).get("name") or ""
        heading = f"{tr(f'entity.{change.entity}')} {titled(change.entity, change.key, name)}"
        reported = tr("app.verification.reported_by", who=change.reported_by)
        st.markdown(f"**{plain(heading)}** · {plain(reported)} · {change.reported_at:%d/%m/%Y %H:%M}")
        fields = change.changed_fields if change.before else list((change.after or {}).keys())
        st.dataframe(
            [
                {
                    tr("app.verification.field"): field_label(f),
                    tr("app.verification.before"): shown_value(f, (change.before or {}).get(f)) or "—",
                    tr("app.verification.after"): shown_value(f, (change.after or {}).get(f)) or "—",
                }
                for f in fields
            ],
            hide_index=True,
        )
        # The version is in every key: a change reported again meanwhile shows as a new item, and a
        # click on the old one is not carried over to it.
        at = f"{change.entity}_{change.key}_{change.version}"
        ok, back = st.columns(2)
        if ok.button(tr("app.verification.verify"), key=f"verify_{at}", type="primary"):
            try:
                verify(engine(), who, change.entity, change.key, change.version)
                flash(plain(tr("app.verification.verified", key=titled(change.entity, change.key, name))))
                st.rerun()
            except UserFacingError as error:
                show_error(error)
        comment = back.text_input(tr("app.verification.comment"), key=f"comment_{at}")
        if back.button(tr("app.verification.send_back"), key=f"back_{at}"):
            try:
                send_back(engine(), who, change.entity, change.key, comment, change.version)
                flash(plain(tr("app.verification.returned", key=titled(change.entity, change.key, name))))
                st.rerun()
            except UserFacingError as error:
                show_error(error)
