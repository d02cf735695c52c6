"""My cooperative: the cooperative keeps its own entry current; changes wait for the office that verifies
them (its commune's economic office, else its province's department, else its old district's office)."""

from functools import partial

import streamlit as st

from linkage.geo.locations import provinces_near
from linkage.i18n import vietnam_time
from linkage.records import forms
from linkage.records.history import pending
from ui import engine, field_label, guard, plain, product_names, shown_value, titled, tr, verifier_words
from ui.forms import archive_button, commit, pick, record_form, record_table, save

who = guard("my_cooperative")
code = who.cooperative_code or ""
st.title(tr("app.my_cooperative.title"))

names = product_names()  # once for every list on the page
waiting = sorted(pending(engine(), who), key=lambda c: c.status != "returned")  # sent back first
for change in [c for c in waiting if c.status == "returned"]:
    what = titled(change.entity, change.key, (change.after or {}).get("name") or "", names)
    st.error(
        plain(tr("app.review.returned", entity=tr(f"entity.{change.entity}"), key=what)) + " — " + plain(change.comment)
    )
reported = [c for c in waiting if c.status == "reported"]
st.caption(tr("app.my_cooperative.verified_by", office=verifier_words()))
if reported:
    with st.expander(tr("app.my_cooperative.waiting", count=len(reported)), key="waiting"):
        for change in reported:
            what = titled(change.entity, change.key, (change.after or {}).get("name") or "", names)
            st.markdown(f"- {plain(tr(f'entity.{change.entity}'))} {plain(what)}")

sections = ["profile", "members", "areas", "linkages", "history"]
profile, members, areas, linkages, history_tab = st.tabs(
    [tr(f"app.my_cooperative.{s}" if s != "history" else "app.history") for s in sections], key="coop_tabs"
)
mine = forms.linkages_of(engine(), who, code)
cooperative = forms.read(engine(), who, "cooperatives", code)
# Communes are chosen among the cooperative's province's, on each map (today's first).
home, home_2025_07 = provinces_near(
    cooperative.values.get("commune_code"), cooperative.values.get("commune_code_2025_07")
)
form = partial(record_form, near=home, near_2025_07=home_2025_07)

with profile:
    values = form("cooperatives", cooperative, "profile")
    if values is not None:
        save(who, "cooperatives", values, "profile")

with members:
    people = forms.find(engine(), who, "producers", cooperative_code=code)
    archive_button(who, record_table(people, "members_table"), "remove_member")
    member = pick(tr("app.my_cooperative.edit_member"), people, "member_choice")
    if member:
        values = form("producers", member, f"member_{member.key}", fixed={"cooperative_code": code})
        if values is not None:
            save(who, "producers", values, f"member_{member.key}")
    st.markdown(f"**{tr('app.my_cooperative.add_member')}**")
    values = form("producers", None, "new_member", fixed={"cooperative_code": code})
    if values is not None:
        save(who, "producers", values, "new_member", is_new=True)

with areas:
    fields = forms.areas_of(engine(), who, code)
    record_table(fields, "areas_table")
    area = pick(tr("app.my_cooperative.edit_area"), fields, "area_choice")
    if area:
        values = form("raw_material_areas", area, f"area_{area.key}")
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
        values = form("raw_material_areas", None, "new_area")
        if values is not None:
            commit("new_area", "raw_material_areas", partial(forms.add_area, engine(), who, values, target))

with linkages:
    parties = {
        f"{kind}|{key}": f"{name} — {tr(f'choice.{kind}')} ({key})"
        for kind, key, name in forms.party_choices(engine(), who, code)
    }
    linkage = pick(tr("app.my_cooperative.choose_linkage"), mine, "linkage_choice")
    if linkage:
        values = form("linkages", linkage, f"linkage_{linkage.key}")
        if values is not None:
            save(who, "linkages", values, f"linkage_{linkage.key}")
        for entity in ("linkage_parties", "digital_adoptions"):
            st.markdown(f"**{tr(f'entity.{entity}')}**")
            rows = forms.find(engine(), who, entity, linkage_code=linkage.key)
            archive_button(who, record_table(rows, f"{entity}_{linkage.key}"), f"remove_{entity}_{linkage.key}")
            if entity == "digital_adoptions":
                adoption = pick(tr("app.my_cooperative.edit_adoption"), rows, f"adoption_{linkage.key}")
                if adoption:
                    values = form(entity, adoption, f"adoption_{adoption.key}")
                    if values is not None:
                        save(who, entity, values, f"adoption_{adoption.key}")
            choices = parties if entity == "linkage_parties" else None  # by name, with search
            values = form(
                entity, None, f"new_{entity}_{linkage.key}", fixed={"linkage_code": linkage.key}, parties=choices
            )
            if values is not None:
                save(who, entity, values, f"new_{entity}_{linkage.key}", is_new=True)
    st.markdown(f"**{tr('app.my_cooperative.start_linkage')}**")
    lead = st.checkbox(tr("app.my_cooperative.we_lead"), key="start_lead")
    values = form("linkages", None, "start_linkage")
    if values is not None:
        commit("start_linkage", "linkages", partial(forms.start_linkage, engine(), who, values, lead=lead))

with history_tab:
    own = [
        cooperative,
        *mine,
        *forms.find(engine(), who, "producers", cooperative_code=code),
    ]
    own += forms.areas_of(engine(), who, code)
    own += [a for m in mine for a in forms.find(engine(), who, "digital_adoptions", linkage_code=m.key)]
    chosen = pick(tr("app.my_cooperative.history_of"), own, "history_choice") or own[0]
    steps = forms.history(engine(), who, chosen.entity, chosen.key)
    if not steps:
        st.caption(tr("app.no_history"))
    for entry in steps:
        changes = "; ".join(
            f"{field_label(f)}: {shown_value(f, old, names) or '—'} → {shown_value(f, new, names) or '—'}"
            for f, (old, new) in entry.changes.items()
        )
        line = f"{vietnam_time(entry.at)} · {entry.actor} · {tr(f'action.{entry.action}')} · {changes}"
        st.markdown(f"- {plain(line)}")
