"""One form builder driven by the exchange spec, so every entity's form follows the same rules."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from linkage import records
from linkage.accounts import Actor
from linkage.errors import StaleEdit, UserFacingError
from linkage.exchange.spec import BY_NAME
from linkage.records import RecordView
from ui import engine, field_label, flash, show_error, tr

ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def shown(value: str) -> str:
    """Dates as Vietnamese users write them (DD/MM/YYYY); the importer reads both forms."""
    match = ISO.match(value)
    return f"{match.group(3)}/{match.group(2)}/{match.group(1)}" if match else value


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


def reopen(form_key: str, entity: str) -> None:
    """Forget what the form holds, so the next run shows the stored record afresh."""
    st.session_state.pop(_opened_key(form_key), None)
    for column in BY_NAME[entity].column_names:
        st.session_state.pop(f"{form_key}:{column}", None)


def record_form(
    entity: str, view: RecordView | None, form_key: str, fixed: dict[str, str] | None = None
) -> dict[str, str] | None:
    """A form for one record; returns the typed-in values when submitted. `fixed` values are shown, not editable."""
    spec = BY_NAME[entity]
    fixed = fixed or {}
    view = opened(form_key, view)
    values: dict[str, str] = {}
    with st.form(form_key):  # never cleared on submit: a refused form keeps what the user typed
        for column in spec.columns:
            label = field_label(column.name) + (" *" if column.required else "")
            current = fixed.get(column.name, view.values.get(column.name, "") if view else "")
            locked = column.name in fixed or (view is not None and column.name in spec.key)
            widget_key = f"{form_key}:{column.name}"
            if column.kind == "enum":
                options = list(column.choices) if column.required else ["", *column.choices]
                index = options.index(current) if current in options else 0
                values[column.name] = st.selectbox(
                    label,
                    options,
                    index=index,
                    disabled=locked,
                    key=widget_key,
                    format_func=lambda v: tr(f"choice.{v}") if v else "—",
                )
            elif column.kind == "bool":
                values[column.name] = (
                    "true" if st.checkbox(label, value=current == "true", disabled=locked, key=widget_key) else "false"
                )
            else:
                placeholder = "DD/MM/YYYY" if column.kind == "date" else ""
                values[column.name] = st.text_input(
                    label, value=shown(current), disabled=locked, key=widget_key, placeholder=placeholder
                )
        submitted = st.form_submit_button(tr("app.save"), type="primary")
    if not submitted:
        return None
    return {**values, **fixed}


def save(who: Actor, entity: str, values: dict[str, str], form_key: str, is_new: bool = False) -> RecordView | None:
    """Save through the domain layer against the version the form was opened at; a refusal is
    shown in plain words and what the user typed stays in the form."""
    original = None if is_new else opened(form_key, None) or _kept(form_key, entity)
    try:
        saved = records.save(engine(), who, entity, values, original)
    except StaleEdit as error:
        show_error(error)
        st.button(tr("app.reload"), key=f"{form_key}:reload", on_click=reopen, args=(form_key, entity))
        return None
    except UserFacingError as error:
        show_error(error)
        return None
    done = tr("app.saved_reported") if saved.review_status else tr("app.saved")
    if is_new:  # an empty form for the next one, and the new record in the lists above
        reopen(form_key, entity)
        flash(done)
        st.rerun()
    st.session_state[_opened_key(form_key)] = {
        "key": saved.key,
        "version": saved.version,
        "values": dict(saved.values),
        "archived": saved.archived,
    }
    st.success(done)
    return saved


def _kept(form_key: str, entity: str) -> RecordView | None:
    kept = st.session_state.get(_opened_key(form_key))
    if kept is None:
        return None
    return RecordView(entity, kept["key"], dict(kept["values"]), int(kept["version"]), bool(kept["archived"]))


def pick(label: str, views: list[RecordView], key: str) -> RecordView | None:
    """A choice among records, shown by key and name; None until one is chosen."""
    names = {v.key: v.values.get("name") or v.values.get("technology") or "" for v in views}
    chosen = st.selectbox(
        label,
        ["", *names],
        key=key,
        format_func=lambda k: f"{k} — {names[k]}" if k and names[k] else (k or "—"),
    )
    return next((v for v in views if v.key == chosen), None)


def record_table(views: list[RecordView], key: str) -> RecordView | None:
    """Records as a table the user reads in their language; returns the selected row's record."""
    from ui import labelled

    if not views:
        st.caption(tr("app.graph.none_here"))
        return None
    frame = pd.DataFrame([v.values for v in views])
    picked = st.dataframe(labelled(frame), hide_index=True, on_select="rerun", selection_mode="single-row", key=key)
    rows = picked.selection.rows if picked else []
    return views[rows[0]] if rows else None


def archive_button(who: Actor, view: RecordView | None, key: str) -> None:
    """Take the selected record out of use (archived, never deleted); refusals in plain words."""
    if st.button(tr("app.my_cooperative.remove"), key=key, disabled=view is None) and view is not None:
        try:
            records.archive(engine(), who, view)
        except UserFacingError as error:
            show_error(error)
            return
        flash(tr("app.my_cooperative.removed"))
        st.rerun()
