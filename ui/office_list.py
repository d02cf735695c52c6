"""The data exchange page's office-list section: widgets only, every rule in `linkage.lists`.

Upload a list in the office's own layout, see each column as understood (each one changeable, the
choice remembered in the database for the office's next list with the same headers: `lists.layouts`),
every row resolved or not, pick the commune of an ambiguous row and decide each possible duplicate, then write it all.

The page runs again on every click: the latest preview is kept in the session with what it was made
from (the list's content, kind, map, columns and decisions, the account and the data version), so a
click that changes none of them (the filter, the write button) does not read the list again, and a
write by anyone is seen on the next run.
"""

from __future__ import annotations

import hashlib
from dataclasses import astuple

import streamlit as st

from linkage.accounts.users import Actor
from linkage.errors import UserFacingError
from linkage.lists.headers import LIST_ENTITIES, fields_of, understand
from linkage.lists.layouts import recall, remember, signature
from linkage.lists.problems import ListRefused
from linkage.lists.service import Decisions, OfficeList, candidate_choices, import_list, preview_rows
from linkage.lists.sheet import read_list
from linkage.lists.template import template_workbook
from linkage.store.db import data_version
from ui import engine, lang, show_error, tr

NEW, LEAVE_OUT = "new", "left_out"  # a possible duplicate's decisions besides the stored record it is
HELD = "list_previewed"  # the session-state entry holding the latest preview
HELD_ROWS = 20_000  # a longer list is read again on each run rather than held for the session (~5 MB per 10,000 rows)


def office_list_section(who: Actor) -> None:
    st.subheader(tr("app.lists.title"))
    st.caption(tr("app.lists.help"))
    st.download_button(
        tr("app.lists.template"),
        template_workbook(),
        "danh-sach-mau.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="list_template",
    )
    with st.container(horizontal=True):
        entity = st.selectbox(
            tr("app.lists.kind"), LIST_ENTITIES, format_func=lambda e: tr(f"entity.{e}"), key="list_entity"
        )
        choice = st.selectbox(
            tr("app.lists.map"), ["", "2025-01", "2025-07"], format_func=_map_words, key="list_map"
        )  # fmt: skip
    upload = st.file_uploader(tr("app.lists.upload"), type=["csv", "xlsx"], key="list_upload")
    if upload is None:
        st.session_state.pop(HELD, None)  # a list taken away: its preview is not kept either
        return
    name, data = upload.name, upload.getvalue()
    if st.session_state.get("list_seen") != upload.file_id:  # another list: no decision of the last one holds
        for key in [k for k in st.session_state if str(k).startswith(("list_pick_", "list_dup_"))]:
            del st.session_state[key]
        st.session_state["list_seen"] = upload.file_id
    try:
        header = read_list(name, data).header
    except ListRefused as refused:
        st.error(refused.line(lang()))
        return
    chosen = _columns(who, header, understand(header, entity).columns, entity)
    try:
        listed = _preview(who, name, data, entity, choice or None, chosen)
    except ListRefused as refused:
        st.error(refused.line(lang()))
        return
    _rows(listed)
    if listed.blocked:
        st.warning(tr("app.lists.blocked", count=len(listed.blocked)))
    elif st.button(tr("app.lists.write", count=len(listed.rows) - listed.counts().get("left_out", 0)), type="primary",
                   key="list_write"):  # fmt: skip
        _write(who, name, data, entity, choice or None, chosen)


def _preview(
    who: Actor, name: str, data: bytes, entity: str, map_name: str | None, chosen: dict[str, str]
) -> OfficeList:
    """The dry run of the list as the page's widgets set it: the session's latest when nothing it was
    made from has changed."""
    decided = _decisions()
    made_from = (
        (hashlib.sha256(data).hexdigest(), name, entity, map_name, sorted(chosen.items())),
        (
            sorted(decided.communes.items()),
            sorted(decided.new),
            sorted(decided.same_as.items()),
            sorted(decided.left_out),
        ),
        (astuple(who), data_version(engine())),
    )
    held = st.session_state.get(HELD)
    if isinstance(held, tuple) and held[0] == made_from:
        return held[1]  # type: ignore[no-any-return]
    st.session_state.pop(HELD, None)  # the last list's preview is not kept beside this one's
    listed = import_list(engine(), name, data, entity, map_name=map_name, chosen=chosen, only_chosen=True,
                         decisions=decided, dry_run=True, actor=who)  # fmt: skip
    if len(listed.rows) <= HELD_ROWS:
        st.session_state[HELD] = (made_from, listed)
    return listed


def _map_words(value: str) -> str:
    return value or tr("app.lists.map_auto")


def _columns(who: Actor, header: list[str], understood: dict[str, int], entity: str) -> dict[str, str]:
    """One choice per column, preset from the office's last choice for lists of this layout, else from
    the header words; a changed choice is remembered for the office's next such list. Returns field → header."""
    remembered = recall(engine(), who, entity, header)
    by_index = {i: f for f, i in understood.items()}
    presets = remembered if remembered is not None else by_index
    options = ["", *fields_of(entity)]
    picks: dict[int, str] = {}
    chosen: dict[str, str] = {}
    layout = signature(header)[:16]
    st.markdown(f"**{tr('app.lists.columns')}**")
    with st.container(horizontal=True):
        for i, title in enumerate(header):
            if not title:
                continue
            preset = presets.get(i, "")
            picked = st.selectbox(
                title,
                options,
                index=options.index(preset) if preset in options else 0,
                format_func=lambda f: f or tr("app.lists.ignored"),
                key=f"list_col_{entity}_{layout}_{i}",
            )
            picks[i] = picked or ""
            if picked and picked not in chosen:
                chosen[picked] = title
    if any(picks[i] != presets.get(i, "") for i in picks):
        remember(engine(), who, entity, header, picks)
    return chosen


def _decisions() -> Decisions:
    """The officer's picks and duplicate decisions, as the widgets below hold them."""
    decided = Decisions()
    for name, value in st.session_state.items():
        if not isinstance(name, str) or not value:
            continue
        if name.startswith("list_pick_"):
            decided.communes[int(name.removeprefix("list_pick_"))] = str(value)
        elif name.startswith("list_dup_") and value == NEW:
            decided.new.add(int(name.removeprefix("list_dup_")))
        elif name.startswith("list_dup_") and value == LEAVE_OUT:
            decided.left_out.add(int(name.removeprefix("list_dup_")))
        elif name.startswith("list_dup_"):
            decided.same_as[int(name.removeprefix("list_dup_"))] = str(value)
    return decided


def _rows(listed: OfficeList) -> None:
    counts = ", ".join(f"{n} {tr(f'app.lists.status.{s}')}" for s, n in sorted(listed.counts().items()))
    st.info(tr("app.lists.read", rows=len(listed.rows), header_row=listed.header_row, counts=counts))
    only = st.toggle(tr("app.lists.only_decisions"), value=bool(listed.blocked), key="list_only")
    shown = preview_rows(listed, lang(), only_decisions=only)
    st.dataframe(
        [{tr(f"app.lists.col.{k}"): v for k, v in row.items()} for row in shown], hide_index=True, key="list_rows"
    )
    waiting = [r for r in listed.rows if r.candidates or r.similar]
    for r in waiting[:50]:  # a screen of decisions at a time: the table above lists them all
        if r.candidates:
            choices = {"": tr("app.lists.pick_none"), **dict(candidate_choices(r))}
            codes: list[str] = list(choices)
            st.selectbox(
                tr("app.lists.pick", row=r.row, name=r.name),
                codes,
                format_func=choices.__getitem__,
                key=f"list_pick_{r.row}",
            )
        if r.similar:  # a registration number stored under another name names that record: never a new one
            stored = [s.code for s in r.similar if s.row is None]
            options: list[str] = ["", *([] if r.same_code else [NEW]), *stored, LEAVE_OUT]
            labels = {"": tr("app.lists.undecided"), NEW: tr("app.lists.new_record")}
            labels |= {s.code: tr("app.lists.same_as", code=s.code, name=s.name) for s in r.similar}
            labels[LEAVE_OUT] = tr("app.lists.leave_out")
            st.radio(
                tr("app.lists.duplicate", row=r.row, name=r.name),
                options,
                format_func=labels.__getitem__,
                key=f"list_dup_{r.row}",
                horizontal=True,
            )


def _write(who: Actor, name: str, data: bytes, entity: str, map_name: str | None, chosen: dict[str, str]) -> None:
    try:
        done = import_list(engine(), name, data, entity, map_name=map_name, chosen=chosen, only_chosen=True,
                           decisions=_decisions(), actor=who)  # fmt: skip
    except ListRefused as refused:
        st.error(refused.line(lang()))
        return
    except UserFacingError as error:
        show_error(error)
        return
    if not done.written:
        st.error(tr("app.lists.blocked", count=len(done.blocked)))
        return
    counts = done.counts()
    st.success(tr("app.lists.written", new=counts.get("new", 0), update=counts.get("update", 0),
                  same=counts.get("same", 0), file=name))  # fmt: skip
    st.download_button(tr("app.lists.report"), done.report_csv(lang()), "report.csv", "text/csv", key="list_report")
