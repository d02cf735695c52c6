"""Settling placements: the records of the officer's scope placed above the commune on a map, each with
the communes it may be in; one choice saves the missing commune and the list and the figures move.

The address may name the map and a unit of it (`/settling?map=2025-07&unit=19`), as the coverage
page's link does; a unit without a map is read on the map shown. A code typed short that names several
units (`?unit=643`) opens none of them: each is named, with a button that opens it; a code naming no
unit is said, and the user's own scope is listed."""

import pandas as pd
import streamlit as st

from linkage.errors import UserFacingError
from linkage.geo.maps import MAPS, NEW_MAP, OLD_MAP, Unit, map_data, map_of
from linkage.geo.typed_codes import described
from linkage.records.settling import choices, settle, who_settles
from linkage.records.unplaced import AmbiguousCode, UnknownUnit, resolve, unplaced_csv
from ui import (
    carried,
    engine,
    flash,
    guard,
    lang,
    map_label,
    pick_reading,
    plain,
    settling_list,
    show_error,
    tr,
    unit_label,
)

who = guard("settling")
st.title(tr("app.settling.title"))
st.caption(tr("app.settling.intro"))

map_key = carried("settling_map")
asked = st.query_params.get("map")
if asked in MAPS and st.session_state.get("settling_asked") != asked:  # a link names the map once
    st.session_state[map_key] = asked
    st.session_state["settling_asked"] = asked
st.session_state.setdefault(map_key, map_of(pd.Timestamp.today().date()))
on = st.selectbox(tr("app.coverage.maps.map"), MAPS, format_func=map_label, key=map_key)


def open_unit(unit: Unit) -> None:
    """Open `unit` (of either map) as a link to it would: the address names it in full, the map follows."""
    st.query_params.from_dict({"map": unit.map, "unit": unit.code})
    st.session_state.pop("settling_asked", None)
    st.rerun()


def unit_in_view() -> Unit | None:
    """The unit the list is narrowed to: the address's (read on the map shown when it names none), else
    the user's own when it is on this map. A short code naming several units is refused: each reading
    is named, one button each, and nothing is listed until the user picks one."""
    code, unit_map = st.query_params.get("unit"), st.query_params.get("map") or on
    if code and unit_map == on:
        try:
            return resolve(str(code), on)
        except AmbiguousCode as refused:
            clicked = pick_reading(str(code), refused.readings, "settling_reading")
            if clicked is not None:
                open_unit(clicked)
            st.stop()
        except UnknownUnit as unknown:  # said, not silently replaced by the user's own unit
            st.warning(plain(tr("app.settling.unknown_unit", problem=unknown.message(lang()))))
    if who.unit_code and who.unit_map == on:
        try:
            return resolve(who.unit_code, on)
        except UnknownUnit:
            return None
    return None


unit = unit_in_view()
if unit is not None and unit.level != "national":
    st.markdown(plain(tr("app.settling.in_unit", unit=described(unit))))
found = settling_list(who, on, unit)  # read again only after a write
if not found:
    st.success(tr("app.settling.none", map=on))
    st.stop()

other = OLD_MAP if on == NEW_MAP else NEW_MAP
given = map_data(other).communes
st.markdown(f"**{tr('app.settling.count', count=len(found), map=on)}**")
st.dataframe(
    pd.DataFrame(
        {
            tr("app.settling.col_record"): [f"{tr('entity.' + r.file)} {r.code} — {r.name}" for r in found],
            tr("app.settling.col_given"): [
                unit_label(given[r.commune_code or r.commune_code_2025_07].unit) for r in found
            ],
            tr("app.settling.col_placed"): [unit_label(r.placed) for r in found],
            tr("app.settling.col_candidates"): ["; ".join(f"{c.name} ({c.code})" for c in r.candidates) for r in found],
        }
    ),
    hide_index=True,
)

st.download_button(  # the same list as `linkage unplaced` writes: fill the missing column, import it back
    tr("app.download_csv"),
    unplaced_csv(found, on).encode("utf-8-sig"),
    f"unplaced-{on}.csv",
    "text/csv",
    key="settling_csv",
)

by_key = {f"{r.file}:{r.code}": r for r in found}
chosen = by_key[
    st.selectbox(
        tr("app.settling.record"),
        list(by_key),
        format_func=lambda k: f"{tr('entity.' + by_key[k].file)} {by_key[k].code} — {by_key[k].name}",
        key="settling_record",
    )
]
options = {c.commune.code: c for c in choices(who, chosen)}


def choice_label(code: str) -> str:
    """A candidate with its province and map, marked whether this account may choose it."""
    choice = options[code]
    mark = tr("app.settling_choice.yours" if choice.allowed else "app.settling_choice.others")
    return f"{described(choice.commune)} — {mark}"


if not any(c.allowed for c in options.values()):
    st.info(tr("app.settling_choice.none_yours"))
commune = st.radio(
    plain(tr("app.settling.commune", name=chosen.name)),
    list(options),
    index=None,  # no default: the officer chooses, knowing which ones are theirs
    format_func=choice_label,
    key=f"settling_commune:{chosen.file}:{chosen.code}",
)
picked = options.get(str(commune)) if commune is not None else None
if picked is not None and not picked.allowed:
    outside = tr("app.settling_choice.outside", commune=described(picked.commune))
    st.warning(plain(f"{outside} {who_settles(picked.commune, lang())}"))
if st.button(
    tr("app.settling.save"), type="primary", key="settling_save", disabled=picked is None or not picked.allowed
):
    try:
        settle(engine(), who, chosen, on, str(commune))
    except UserFacingError as error:
        show_error(error)
    else:
        flash(plain(tr("app.settling.saved", name=chosen.name, commune=described(options[str(commune)].commune))))
        st.rerun()
