"""One form builder driven by the exchange spec, so every entity's form follows the same rules."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from linkage.accounts.users import Actor
from linkage.errors import StaleEdit, UserFacingError
from linkage.exchange.spec import BY_NAME, Column
from linkage.geo.locations import (
    NEW_COLUMN,
    OLD_COLUMN,
    began_before_reform,
    commune_2025_07_label,
    communes_2025_07,
    completed,
    old_commune_of,
)
from linkage.geo.maps import NEW_MAP, OLD_MAP, map_data
from linkage.geo.places import find_communes
from linkage.i18n import day_text
from linkage.records import forms
from linkage.records.codes import PREFIXES
from linkage.records.forms import RecordView
from ui import carried, engine, field_label, flash, product_names, record_title, show_error, tr, verifier_words


def _opened_key(form_key: str) -> str:
    return f"{form_key}:opened"


def opened(form_key: str, view: RecordView | None) -> RecordView | None:
    """The record as it was when this form was first shown: saving checks against that version,
    so an edit made meanwhile by someone else is reported instead of silently overwritten."""
    if view is None:
        return None
    kept = st.session_state.get(_opened_key(form_key))
    if kept is None or kept["key"] != view.key:
        st.session_state[_opened_key(form_key)] = {
            "key": view.key,
            "version": view.version,
            "values": dict(view.values),
            "archived": view.archived,
        }
        return view
    return RecordView(view.entity, kept["key"], dict(kept["values"]), int(kept["version"]), bool(kept["archived"]))


def _generation(form_key: str) -> int:
    return int(st.session_state.get(f"{form_key}:generation", 0))


def reopen(form_key: str, entity: str) -> None:
    """Forget what the form holds, so the next run shows the stored record (or an empty form)
    afresh: its widgets get new keys, which a browser cannot fill back in."""
    st.session_state.pop(_opened_key(form_key), None)
    st.session_state[f"{form_key}:generation"] = _generation(form_key) + 1


def _word(words: dict[str, str], value: str) -> str:
    return words.get(value, value) if value else "—"


def _in_form_order(columns: tuple[Column, ...]) -> list[Column]:
    """The spec's columns with the commune of today's map moved before the commune before the reform."""
    ordered = [c for c in columns if c.name != NEW_COLUMN]
    new = [c for c in columns if c.name == NEW_COLUMN]
    at = next((i for i, c in enumerate(ordered) if c.name == OLD_COLUMN), len(ordered))
    return [*ordered[:at], *new, *ordered[at:]]


def record_form(
    entity: str,
    view: RecordView | None,
    form_key: str,
    fixed: dict[str, str] | None = None,
    near: str | None = None,
    near_2025_07: str | None = None,
    parties: dict[str, str] | None = None,
) -> dict[str, str] | None:
    """A form for one record; returns the typed-in values when submitted. `fixed` values are shown,
    not editable. A located record's commune of today's map comes first, chosen by name among the
    communes of province `near_2025_07` (all when None); its commune before the reform (among province
    `near`'s communes of 2025-01) is asked only of a record that began before 1 July 2025, filled in
    from the crosswalk when the new commune took in exactly one old commune (`linkage.geo.locations`).
    A new record's code may be left empty (the program makes one); a new linkage party is chosen by
    name among `parties` (`type|code` → words), never typed as a code."""
    spec = BY_NAME[entity]
    fixed = fixed or {}
    view = opened(form_key, view)
    stored = dict(view.values) if view else {}
    asks_old = began_before_reform(entity, stored, view is None) or bool(stored.get(OLD_COLUMN))
    values: dict[str, str] = {}
    generation = _generation(form_key)
    provinces = {"commune": near, "commune_2025_07": near_2025_07}
    with st.form(form_key, enter_to_submit=False):  # never cleared on submit: a refused form keeps what the user typed
        if parties is not None and view is None and entity == "linkage_parties":
            values.update(party_choice(parties, form_key))
        for column in _in_form_order(spec.columns):
            if column.name in values:  # chosen above (a linkage party)
                continue
            label = field_label(column.name) + (" *" if column.required else "")
            current = fixed.get(column.name, view.values.get(column.name, "") if view else "")
            if column.name in (OLD_COLUMN, NEW_COLUMN) and spec.located:
                label = tr(f"app.forms.{column.name}")
                if column.name == OLD_COLUMN and not asks_old:  # began after the reform: no old commune
                    values[column.name] = current
                    continue
                if column.name == OLD_COLUMN and not current and stored.get(NEW_COLUMN):
                    current = old_commune_of(stored[NEW_COLUMN]) or ""  # the crosswalk's one answer
            locked = column.name in fixed or (view is not None and column.name in spec.key)
            widget_key = f"{form_key}:{column.name}" if generation == 0 else f"{form_key}:{generation}:{column.name}"
            if column.name == "code" and view is None and entity in PREFIXES and "code" not in fixed:
                label, hint = tr("app.polish.code_optional"), tr("app.polish.code_help")  # the program makes one
                values["code"] = st.text_input(label, key=widget_key, help=hint)
                continue
            if column.kind == "enum" or (column.kind == "ref" and column.ref == "products"):
                words: dict[str, str]
                options: list[str]
                if column.kind == "enum":
                    options, words = list(column.choices), {v: tr(f"choice.{v}") for v in column.choices}
                else:  # a product is chosen by its name, not typed as a code
                    words = product_names()
                    options = list(words) if current in words or not current else [current, *words]
                options = options if column.required else ["", *options]
                choice_key = carried(widget_key)  # its words change with the language
                if choice_key not in st.session_state:  # a required choice starts empty: no silent default
                    st.session_state[choice_key] = current if current in options else None if column.required else ""
                values[column.name] = (
                    st.selectbox(
                        label,
                        options,
                        disabled=locked,
                        key=choice_key,
                        format_func=partial(_word, words),
                        placeholder=tr("app.choose"),
                    )
                    or ""
                )
            elif column.kind in PLACE_KINDS:
                names = PLACE_KINDS[column.kind](provinces[column.kind], current)
                values[column.name] = commune_choice(label, current, widget_key, column.required, locked, names)
            elif column.kind == "bool":
                values[column.name] = (
                    "true" if st.checkbox(label, value=current == "true", disabled=locked, key=widget_key) else "false"
                )
            else:
                placeholder = "DD/MM/YYYY" if column.kind == "date" else ""
                values[column.name] = st.text_input(
                    label, value=day_text(current), disabled=locked, key=widget_key, placeholder=placeholder
                )
        submitted = st.form_submit_button(tr("app.save"), type="primary")
    if not submitted:
        return None
    for column in spec.columns:  # 12,5 ha typed the Vietnamese way is 12.5 (files keep the point)
        if column.kind == "area" and "," in values.get(column.name, "") and "." not in values[column.name]:
            values[column.name] = values[column.name].replace(",", ".")
    typed = {**values, **fixed}
    return completed(entity, typed, view is None) if spec.located else typed


def party_choice(parties: dict[str, str], form_key: str) -> dict[str, str]:
    """One party of a linkage chosen by name (searchable by typing), its kind and code shown beside."""
    key = carried(f"{form_key}:{_generation(form_key)}:party")
    if key not in st.session_state:
        st.session_state[key] = None
    chosen = st.selectbox(
        tr("app.polish.party") + " *",
        list(parties),
        key=key,
        format_func=lambda k: parties.get(k, k),
        placeholder=tr("app.polish.party_placeholder"),
    )
    party_type, _, code = (chosen or "").partition("|")
    return {"party_type": party_type, "party_code": code}


@st.cache_resource(max_entries=16, show_spinner=False)
def _communes(province: str | None) -> dict[str, str]:
    return {p.code: p.label for p in find_communes(engine(), province)}


def communes_2025_01(near: str | None, current: str) -> dict[str, str]:
    """Code → name of the communes of map 2025-01 a form offers: province `near`'s (all when
    None), and the stored commune `current` first when it lies elsewhere, so saving keeps it."""
    names = _communes(near)
    if current and current not in names:
        found = {p.code: p.label for p in find_communes(engine(), codes=[current])}
        names = {current: found.get(current, current), **names}
    return names


def communes_2025_07_offered(near: str | None, current: str) -> dict[str, str]:
    """Code → name of the communes of map 2025-07 a form offers: province `near`'s (all when None), and
    the stored commune `current` first when it lies elsewhere, so saving keeps it."""
    names = communes_2025_07(near)
    if current and current not in names:
        names = {current: commune_2025_07_label(current), **names}
    return names


# Spec kinds whose value is a commune code, each with the communes a form offers for it: chosen by
# name, never typed as a bare code.
PLACE_KINDS: dict[str, Callable[[str | None, str], dict[str, str]]] = {
    "commune": communes_2025_01,
    "commune_2025_07": communes_2025_07_offered,
}


def commune_choice(label: str, current: str, key: str, required: bool, locked: bool, names: dict[str, str]) -> str:
    """A commune chosen among `names` (code → `commune — district — province (code)`), searchable
    by typing its name or code; a required one starts empty."""
    options = list(names) if required else ["", *names]
    choice_key = carried(key)  # the placeholder's words change with the language
    if choice_key not in st.session_state:
        st.session_state[choice_key] = current if current in options else None if required else ""
    chosen = st.selectbox(
        label,
        options,
        disabled=locked,
        key=choice_key,
        format_func=lambda code: names.get(code, code) if code else "—",
        placeholder=tr("app.choose_commune"),
    )
    return chosen or ""


def save(who: Actor, entity: str, values: dict[str, str], form_key: str, is_new: bool = False) -> None:
    """Save through the domain layer against the version the form was opened at."""
    original = None if is_new else opened(form_key, None) or _kept(form_key, entity)
    commit(form_key, entity, lambda: forms.save(engine(), who, entity, values, original))


def commit(form_key: str, entity: str, write: Callable[[], RecordView]) -> None:
    """Run a form's write: a refusal is shown in plain words and what the user typed stays in the
    form; a success empties or refreshes the form and the page shows what was saved."""
    try:
        saved = write()
    except StaleEdit as error:
        show_error(error)
        st.button(tr("app.reload"), key=f"{form_key}:reload", on_click=reopen, args=(form_key, entity))
        return
    except UserFacingError as error:
        show_error(error)
        return
    reopen(form_key, entity)
    flash(tr("app.saved_reported", office=verifier_words()) if saved.review_status else tr("app.saved"))
    st.rerun()


def _kept(form_key: str, entity: str) -> RecordView | None:
    kept = st.session_state.get(_opened_key(form_key))
    if kept is None:
        return None
    return RecordView(entity, kept["key"], dict(kept["values"]), int(kept["version"]), bool(kept["archived"]))


def pick(label: str, views: list[RecordView], key: str) -> RecordView | None:
    """A choice among records, shown by key and name; None until one is chosen."""
    products = product_names() if any(v.entity == "province_key_products" for v in views) else {}
    names = {v.key: record_title(v, products) for v in views}
    chosen = st.selectbox(label, ["", *names], key=carried(key), format_func=lambda k: names[k] if k else "—")
    return next((v for v in views if v.key == chosen), None)


def record_table(views: list[RecordView], key: str) -> RecordView | None:
    """Records as a table the user reads on any screen, a phone's too: each record's name (its code in
    the choice lists below) and, in one column, where it is and what kind it is, in words (a commune by
    its name, never a raw code); returns the selected row's record."""
    if not views:
        st.caption(tr("app.graph.none_here"))
        return None
    names = product_names()
    frame = pd.DataFrame(
        {
            tr("app.polish.record"): [record_title(v, names).split(" — ", 1)[-1] for v in views],
            tr("app.polish.details"): [_details(v, names) for v in views],
        }
    )
    picked = st.dataframe(
        frame,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=key,
        column_config={c: st.column_config.TextColumn(width=w) for c, w in zip(frame.columns, (150, 160), strict=True)},
    )
    rows = picked.selection.rows if picked else []
    return views[rows[0]] if rows else None


def _details(view: RecordView, names: dict[str, str]) -> str:
    """What a table row says beside a record's name: its commune by name, its kind, product and size,
    its dates, in the session's words."""
    values = view.values
    parts: list[str] = []
    commune = values.get(NEW_COLUMN) or ""
    old = values.get(OLD_COLUMN) or ""
    if commune and commune in map_data(NEW_MAP).communes:
        parts.append(map_data(NEW_MAP).communes[commune].name)
    elif old and old in map_data(OLD_MAP).communes:
        parts.append(map_data(OLD_MAP).communes[old].name)
    for column in ("kind", "party_type", "technology", "form"):
        if values.get(column):
            parts.append(tr(f"choice.{values[column]}"))
    if values.get("party_code"):
        parts.append(values["party_code"])
    if values.get("product_code"):
        parts.append(names.get(values["product_code"], values["product_code"]))
    if values.get("area_ha"):
        parts.append(f"{values['area_ha']} ha")
    for column in ("adopted_on", "started_on"):
        if values.get(column):
            parts.append(day_text(values[column]))
    return " · ".join(parts)


def archive_button(who: Actor, view: RecordView | None, key: str) -> None:
    """Take the selected record out of use (archived, never deleted); refusals in plain words."""
    if st.button(tr("app.my_cooperative.remove"), key=key, disabled=view is None) and view is not None:
        try:
            forms.archive(engine(), who, view)
        except UserFacingError as error:
            show_error(error)
            return
        flash(tr("app.my_cooperative.removed"))
        st.rerun()
