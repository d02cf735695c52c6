"""My cooperative: the cooperative keeps its own entry current; changes wait for the district officer."""

import streamlit as st

from linkage import records
from linkage.errors import UserFacingError
from linkage.history import pending
from ui import engine, field_label, require_actor, show_error, tr
from ui.forms import record_form, save

who = require_actor()
code = who.cooperative_code or ""
st.title(tr("app.my_cooperative.title"))

waiting = pending(engine(), who)
for change in waiting:
    text = tr(f"app.review.{change.status}", entity=tr(f"entity.{change.entity}"), key=change.key)
    if change.status == "returned":
        st.error(f"{text} — {change.comment}")
    else:
        st.info(text)

profile, members, linkages, history_tab = st.tabs(
    [
        tr("app.my_cooperative.profile"),
        tr("app.my_cooperative.members"),
        tr("app.my_cooperative.linkages"),
        tr("app.history"),
    ]
)
with profile:
    view = records.read(engine(), who, "cooperatives", code)
    values = record_form("cooperatives", view, "profile")
    if values is not None:
        save(who, "cooperatives", values, "profile")

with members:
    people = records.find(engine(), who, "producers", cooperative_code=code)
    st.dataframe([p.values for p in people], hide_index=True)
    choice = st.selectbox(tr("app.my_cooperative.edit_member"), ["", *[p.key for p in people]], key="member_choice")
    if choice:
        member = next(p for p in people if p.key == choice)
        values = record_form("producers", member, f"member_{choice}", fixed={"cooperative_code": code})
        if values is not None:
            save(who, "producers", values, f"member_{choice}")
    st.markdown(f"**{tr('app.my_cooperative.add_member')}**")
    values = record_form("producers", None, "new_member", fixed={"cooperative_code": code})
    if values is not None:
        save(who, "producers", values, "new_member", is_new=True)

with linkages:
    mine = records.linkages_of(engine(), who, code)
    choice = st.selectbox(
        tr("app.my_cooperative.choose_linkage"),
        ["", *[m.key for m in mine]],
        format_func=lambda k: next((f"{m.key} — {m.values['name']}" for m in mine if m.key == k), "—"),
        key="linkage_choice",
    )
    if choice:
        linkage = next(m for m in mine if m.key == choice)
        values = record_form("linkages", linkage, f"linkage_{choice}")
        if values is not None:
            save(who, "linkages", values, f"linkage_{choice}")
        for entity in ("linkage_parties", "digital_adoptions"):
            st.markdown(f"**{tr(f'entity.{entity}')}**")
            rows = records.find(engine(), who, entity, linkage_code=choice)
            st.dataframe([{field_label(k): v for k, v in r.values.items()} for r in rows], hide_index=True)
            values = record_form(entity, None, f"new_{entity}_{choice}", fixed={"linkage_code": choice})
            if values is not None:
                save(who, entity, values, f"new_{entity}_{choice}", is_new=True)
    st.markdown(f"**{tr('app.my_cooperative.start_linkage')}**")
    with st.form("start_linkage", clear_on_submit=True):
        start = {c: st.text_input(field_label(c) + " *", key=f"start_{c}") for c in ("code", "name", "product_code")}
        start["started_on"] = st.text_input(field_label("started_on") + " *", placeholder="DD/MM/YYYY", key="start_on")
        lead = st.checkbox(tr("app.my_cooperative.we_lead"), key="start_lead")
        if st.form_submit_button(tr("app.save"), type="primary"):
            try:
                records.start_linkage(engine(), who, start, lead=lead)
                st.success(tr("app.saved_reported"))
            except UserFacingError as error:
                show_error(error)

with history_tab:
    for entry in records.history(engine(), who, "cooperatives", code):
        changes = "; ".join(f"{field_label(f)}: {old or '—'} → {new or '—'}" for f, (old, new) in entry.changes.items())
        st.markdown(f"- {entry.at:%d/%m/%Y %H:%M} · {entry.actor} · {tr(f'action.{entry.action}')} · {changes}")
