"""My cooperative: the cooperative keeps its own entry current; changes wait for the district officer."""

import streamlit as st

from linkage import records
from linkage.errors import UserFacingError
from linkage.history import pending
from ui import engine, field_label, flash, plain, require_actor, show_error, shown_value, tr
from ui.forms import archive_button, pick, record_form, record_table, reopen, save

who = require_actor()
code = who.cooperative_code or ""
st.title(tr("app.my_cooperative.title"))

for change in pending(engine(), who):
    text = plain(tr(f"app.review.{change.status}", entity=tr(f"entity.{change.entity}"), key=change.key))
    if change.status == "returned":
        st.error(f"{text} — {plain(change.comment)}")
    else:
        st.info(text)

profile, members, areas, linkages, history_tab = st.tabs(
    [
        tr("app.my_cooperative.profile"),
        tr("app.my_cooperative.members"),
        tr("app.my_cooperative.areas"),
        tr("app.my_cooperative.linkages"),
        tr("app.history"),
    ]
)
mine = records.linkages_of(engine(), who, code)

with profile:
    values = record_form("cooperatives", records.read(engine(), who, "cooperatives", code), "profile")
    if values is not None:
        save(who, "cooperatives", values, "profile")

with members:
    people = records.find(engine(), who, "producers", cooperative_code=code)
    archive_button(who, record_table(people, "members_table"), "remove_member")
    member = pick(tr("app.my_cooperative.edit_member"), people, "member_choice")
    if member:
        values = record_form("producers", member, f"member_{member.key}", fixed={"cooperative_code": code})
        if values is not None:
            save(who, "producers", values, f"member_{member.key}")
    st.markdown(f"**{tr('app.my_cooperative.add_member')}**")
    values = record_form("producers", None, "new_member", fixed={"cooperative_code": code})
    if values is not None:
        save(who, "producers", values, "new_member", is_new=True)

with areas:
    fields = records.areas_of(engine(), who, code)
    record_table(fields, "areas_table")
    area = pick(tr("app.my_cooperative.edit_area"), fields, "area_choice")
    if area:
        values = record_form("raw_material_areas", area, f"area_{area.key}")
        if values is not None:
            save(who, "raw_material_areas", values, f"area_{area.key}")
    st.markdown(f"**{tr('app.my_cooperative.add_area')}**")
    if not mine:
        st.caption(tr("app.my_cooperative.no_linkage_yet"))
    else:
        names = {m.key: m.values["name"] for m in mine}
        target = st.selectbox(
            tr("app.my_cooperative.area_linkage"),
            list(names),
            format_func=lambda k: f"{k} — {names[k]}",
            key="area_for",
        )
        values = record_form("raw_material_areas", None, "new_area")
        if values is not None:
            try:
                records.add_area(engine(), who, values, target)
            except UserFacingError as error:
                show_error(error)
            else:
                reopen("new_area", "raw_material_areas")
                flash(tr("app.saved_reported"))
                st.rerun()

with linkages:
    linkage = pick(tr("app.my_cooperative.choose_linkage"), mine, "linkage_choice")
    if linkage:
        values = record_form("linkages", linkage, f"linkage_{linkage.key}")
        if values is not None:
            save(who, "linkages", values, f"linkage_{linkage.key}")
        for entity in ("linkage_parties", "digital_adoptions"):
            st.markdown(f"**{tr(f'entity.{entity}')}**")
            rows = records.find(engine(), who, entity, linkage_code=linkage.key)
            archive_button(who, record_table(rows, f"{entity}_{linkage.key}"), f"remove_{entity}_{linkage.key}")
            if entity == "digital_adoptions":
                adoption = pick(tr("app.my_cooperative.edit_adoption"), rows, f"adoption_{linkage.key}")
                if adoption:
                    values = record_form(entity, adoption, f"adoption_{adoption.key}")
                    if values is not None:
                        save(who, entity, values, f"adoption_{adoption.key}")
            values = record_form(entity, None, f"new_{entity}_{linkage.key}", fixed={"linkage_code": linkage.key})
            if values is not None:
                save(who, entity, values, f"new_{entity}_{linkage.key}", is_new=True)
    st.markdown(f"**{tr('app.my_cooperative.start_linkage')}**")
    with st.form("start_linkage"):
        start = {c: st.text_input(field_label(c) + " *", key=f"start_{c}") for c in ("code", "name", "product_code")}
        start["started_on"] = st.text_input(field_label("started_on") + " *", placeholder="DD/MM/YYYY", key="start_on")
        lead = st.checkbox(tr("app.my_cooperative.we_lead"), key="start_lead")
        if st.form_submit_button(tr("app.save"), type="primary"):
            try:
                records.start_linkage(engine(), who, start, lead=lead)
            except UserFacingError as error:
                show_error(error)
            else:
                for key in ("start_code", "start_name", "start_product_code", "start_on", "start_lead"):
                    st.session_state.pop(key, None)
                flash(tr("app.saved_reported"))
                st.rerun()

with history_tab:
    own = [
        records.read(engine(), who, "cooperatives", code),
        *mine,
        *records.find(engine(), who, "producers", cooperative_code=code),
    ]
    chosen = pick(tr("app.my_cooperative.history_of"), own, "history_choice") or own[0]
    steps = records.history(engine(), who, chosen.entity, chosen.key)
    if not steps:
        st.caption(tr("app.no_history"))
    for entry in steps:
        changes = "; ".join(
            f"{field_label(f)}: {shown_value(f, old) or '—'} → {shown_value(f, new) or '—'}"
            for f, (old, new) in entry.changes.items()
        )
        line = f"{entry.at:%d/%m/%Y %H:%M} · {entry.actor} · {tr(f'action.{entry.action}')} · {changes}"
        st.markdown(f"- {plain(line)}")
