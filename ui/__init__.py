"""Page-side helpers: the cached engine, the session's language and signed-in actor, shared widgets.

Everything Streamlit-specific that is more than layout lives here, beside the pages, so that
`linkage/` never imports Streamlit. Session state holds plain values only (ids, codes, strings).
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from linkage import i18n
from linkage.accounts.offices import office
from linkage.accounts.users import Actor
from linkage.counting import coverage, indicators
from linkage.errors import Invalid, UserFacingError
from linkage.geo.maps import OLD_MAP, Unit
from linkage.geo.typed_codes import described
from linkage.i18n import DEFAULT_LANGUAGE, LANGUAGES, day_text, sentence, t
from linkage.records.catalog import stored_products
from linkage.records.history import verifier_of
from linkage.records.permissions import may_open
from linkage.records.settling import to_settle
from linkage.records.unplaced import UnplacedRecord
from linkage.store.db import data_version, get_engine, schema_is_current
from ui.signin import ACCOUNT_ENDED, end_sign_in, keep_sign_in, remember_sign_in
from ui.words import show_streamlit_words

__all__ = ["keep_sign_in", "remember_sign_in"]  # the sign-in kept across reloads: ui/signin.py


@st.cache_resource
def engine() -> Engine:
    """One engine per process for the configured database (LINKAGE_DATABASE_URL or the embedded file)."""
    return get_engine()


_READY: set[str] = set()


def database_ready() -> bool:
    """Whether the database is migrated to this version's schema; remembered once it is."""
    url = str(engine().url)
    if url not in _READY:
        try:
            if not schema_is_current(engine()):
                return False
        except SQLAlchemyError:
            return False
        _READY.add(url)
    return True


def carried(key: str) -> str:
    """The key of a widget whose options are shown in words of the session's language.

    Streamlit counts such a widget as a new one when its words change, and the choice made before a
    language switch would be lost or, worse, silently replaced. So the widget gets one key per
    language, and a new one starts from the choice made under the other language."""
    mine = f"{key}:{lang()}"
    if mine not in st.session_state:
        for other in LANGUAGES:
            if other != lang() and f"{key}:{other}" in st.session_state:
                st.session_state[mine] = st.session_state[f"{key}:{other}"]
                break
    return mine


def lang() -> str:
    return str(st.session_state.get("lang", DEFAULT_LANGUAGE))


def tr(key: str, /, **params: object) -> str:
    """The message `key` in the language chosen for this session."""
    return t(key, lang(), **params)


def language_switch() -> None:
    """A sidebar choice of language, remembered for the session, which Streamlit's own words follow too."""
    st.session_state.setdefault("lang", DEFAULT_LANGUAGE)
    st.sidebar.radio(
        tr("app.language"),
        LANGUAGES,
        key="lang",
        format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code],
        horizontal=True,
    )
    show_streamlit_words(lang())  # Streamlit's own English words, in the chosen language


def sign_in(who: Actor) -> None:
    st.session_state["actor"] = asdict(who)
    st.session_state.pop(ACCOUNT_ENDED, None)


def sign_out() -> bool:
    """Sign this browser out; True when the browser is being sent to the identity provider's sign-out
    (`end_sign_in`): the caller then ends its run instead of rerunning."""
    leaving = end_sign_in()  # ends the session on the server too: every tab of the browser is signed out
    st.session_state.pop("actor", None)
    return leaving


def account_ended() -> bool:
    """Once, after `keep_sign_in` signed this tab out because its account was disabled or removed."""
    return bool(st.session_state.pop(ACCOUNT_ENDED, False))


def flash(message: str) -> None:
    """A confirmation to show after the rerun that refreshes the page."""
    st.session_state["flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("flash", None)
    if message:
        st.success(message)


class _Run(threading.local):
    """What the entry script established for the run going on in this thread (each session's
    script runs in its own thread, one run at a time)."""

    entered: bool = False
    actor: Actor | None = None


_RUN = _Run()
_REROUTED = "rerouted"  # a page once ran without the entry script and asked for a rerun through it


log = logging.getLogger("linkage.app")
RERAISE_UNEXPECTED = False  # the tests set it: a page's bug must fail its test, not only show a message


def report_unexpected(error: BaseException, who: Actor | None) -> str:
    """Write an unexpected error, with its traceback, to the server's log under a short reference
    (8 letters and digits), and give the reference: what the user quotes and the administrator greps."""
    reference = secrets.token_hex(4)
    try:
        page = st.context.url or "-"
    except Exception:  # no browser behind this run (tests): the user's name says enough
        page = "-"
    log.error(
        "unexpected error, reference %s (user %s, page %s)",
        reference,
        who.username if who else "-",
        page,
        exc_info=error,
    )
    return reference


@contextmanager
def navigation_run(who: Actor | None) -> Iterator[None]:
    """Run the chosen page as part of the entry script's run, for the actor it read.

    An error the page did not expect is shown as a plain message with a reference, never its
    details (server paths, SQL, values: `client.showErrorDetails = "none"` covers the rest of the
    run); the traceback goes to the server's log under that reference."""
    _RUN.entered, _RUN.actor = True, who
    try:
        yield
    except Exception as error:
        reference = report_unexpected(error, who)
        st.error(tr("app.unexpected", reference=reference))
        if RERAISE_UNEXPECTED:
            raise
    finally:
        _RUN.entered, _RUN.actor = False, None


def script_error(error: Exception) -> bool:
    """What `serve.py` gives Streamlit for an error that escaped the pages: one raised in the entry
    script (`streamlit_app.py`, outside `navigation_run`) or in a widget's callback (`on_click`,
    `on_change`), which runs before the script. The same plain message and reference as a page's
    error, the traceback in the log under it; True: Streamlit shows nothing of its own."""
    values = st.session_state.get("actor")
    try:
        who = Actor(**values) if isinstance(values, dict) else None
    except TypeError:  # not an actor's fields: the log names no user rather than failing here
        who = None
    reference = report_unexpected(error, who)
    st.error(tr("app.unexpected", reference=reference))
    return True


def _through_navigation() -> None:
    """Make sure this page runs under the entry script's navigation, or rerun through it.

    Streamlit serves the `pages/` folder on its own (its older multipage mode: every file, an
    automatic menu) until `st.navigation` has been called once in the process, so the first
    request after a start that names a page (`/coverage`) would run that file directly
    (streamlit/streamlit#9624, #10276). The flag Streamlit keeps for that is switched off here and
    the run starts again through `streamlit_app.py`, at the same address."""
    if _RUN.entered:
        st.session_state.pop(_REROUTED, None)
        return
    if st.session_state.get(_REROUTED):  # the rerun did not help: refuse in words, never loop
        st.session_state.pop(_REROUTED, None)
        st.error(tr("app.not_through_navigation"))
        st.stop()
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.session_state[_REROUTED] = True
    st.rerun()


def open_page(page: str) -> Actor | None:
    """The first call of a page everyone may reach (home, sign-in): checks how it was reached."""
    _through_navigation()
    who = _RUN.actor
    if not may_open(who, page):
        if who is None:
            st.warning(tr("app.login.required"))
        else:  # the sign-in page, reached while signed in
            st.info(tr("app.login.already", username=plain(who.username)))
        st.stop()
    return who


def guard(page: str) -> Actor:
    """The first call of every page for signed-in users: the actor, if the page is for their role.

    A visitor it is not for gets a refusal in words (or is asked to sign in) and the page stops
    before it reads anything; `permissions.may_open` decides, as it does for the menu."""
    _through_navigation()
    who = _RUN.actor
    if who is None:
        st.warning(tr("app.login.required"))
        st.stop()
    if not may_open(who, page):
        st.title(tr("app.forbidden.title"))
        st.warning(tr("app.forbidden.text"))
        st.stop()
    return who


def verifier_words() -> str:
    """Who verifies what the signed-in cooperative reports, named in today's words (the commune's
    economic office, else the province's Department of Agriculture and Environment: the district
    offices closed on 1 July 2025)."""
    unit = verifier_of(engine(), _RUN.actor) if _RUN.actor else None
    return office("officer", unit.code, unit.map, lang()) if unit else tr("office.admin")


def show_error(error: UserFacingError) -> None:
    """A refusal in plain words; for invalid values, one line per problem."""
    st.error(plain(sentence(error.message(lang()))))  # messages quote codes and values users typed
    if isinstance(error, Invalid):
        for problem in error.problems:
            message = problem.message(lang(), labels=True)  # type: ignore[attr-defined]
            st.markdown(f"- **{field_label(str(problem.column or ''))}**: {plain(message)}")  # type: ignore[attr-defined]


def field_label(column: str) -> str:
    """A column's name as forms show it, in the session's language."""
    return i18n.field_label(column, lang())


CODED = {"kind", "party_type", "producer_kind", "buyer_kind", "form", "technology", "level"}


@st.cache_resource(max_entries=8, show_spinner=False)
def _products(version: int) -> list[tuple[str, str, str]]:
    return stored_products(engine())


def product_names() -> dict[str, str]:
    """Product code → name in the session's language (reloaded when the data changes).

    Each call reads the data version: a page showing many rows reads the names once and passes
    them to `shown_value` and `titled`, never once per row."""
    column = 1 if lang() == "vi" else 2
    return {row[0]: row[column] for row in _products(data_version(engine()))}


@st.cache_resource(max_entries=16, show_spinner=False)
def _to_settle(actor: Actor, on: str, unit: Unit | None, version: int) -> tuple[UnplacedRecord, ...]:
    return tuple(to_settle(engine(), actor, on, unit))


def settling_list(actor: Actor, on: str, unit: Unit | None) -> tuple[UnplacedRecord, ...]:
    """The records `actor` may settle on map `on` (`settling.to_settle`), read once per data version:
    every choice on the settling page reruns it, and a national list took 0.3-0.5 s to read."""
    return _to_settle(actor, on, unit, data_version(engine()))


BOOLS = {"is_lead", "national_key", "archived", "digital", "flagged", "met"}


def percent(ratio: float, digits: int = 1) -> str:
    """A share as a percentage written the reader's way (1,5% in Vietnamese, 1.5% in English)."""
    text = f"{ratio:.{digits}%}"
    return text.replace(".", ",") if lang() == "vi" else text


def shown_value(column: str, value: object, names: Mapping[str, str] | None = None) -> object:
    """One cell as users read it: coded values in words, dates DD/MM/YYYY, yes/no as ✓, a product
    by its name from `names` (`product_names()`, read here when not given)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if column == "indicator":
        return tr(f"indicator.{value}")
    if column in CODED:
        return tr(f"choice.{value}")
    if column == "technologies" and isinstance(value, list):
        return ", ".join(tr(f"choice.{v}") for v in value)
    if column in ("share", "ratio", "target") and isinstance(value, float):
        return percent(value, 0 if column == "target" else 1)
    if isinstance(value, bool) or (column in BOOLS and value in ("true", "false")):
        return "✓" if value in (True, "true") else ""
    if column == "product_code" and isinstance(value, str) and value:
        name = (product_names() if names is None else names).get(value)
        return f"{name} ({value})" if name else value
    if isinstance(value, str):
        return day_text(value)
    return value


MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: object) -> str:
    """User text for st.markdown, st.subheader and captions: every Markdown mark escaped, so a name
    such as `![x](http://…)` shows as typed and makes no browser fetch anything."""
    one_line = " ".join(str(text).split())  # a line break typed in a name must not start a heading
    return MARKDOWN.sub(r"\\\1", one_line)


def titled(entity: str, key: str, name: str = "", names: Mapping[str, str] | None = None) -> str:
    """A record as people name it: `C1 — HTX Dương Quang`, `L1 · hợp tác xã C1`,
    `L1 · thương mại điện tử · 01/03/2024`, never a raw `L1|cooperative|C1`."""
    parts = key.split("|")
    if entity == "linkage_parties" and len(parts) == 3:
        return f"{parts[0]} · {tr(f'choice.{parts[1]}')} {parts[2]}"
    if entity == "digital_adoptions" and len(parts) == 3:
        return f"{parts[0]} · {tr(f'choice.{parts[1]}')} · {shown_value('adopted_on', parts[2])}"
    if entity == "province_key_products" and len(parts) == 2:
        return f"{parts[0]} · {(product_names() if names is None else names).get(parts[1], parts[1])}"
    return f"{key} — {name}" if name else key


def record_title(view: Any, names: Mapping[str, str] | None = None) -> str:
    """`titled` for a record read through `linkage.records.forms` (a RecordView)."""
    return titled(view.entity, view.key, view.values.get("name") or view.values.get("name_vi") or "", names)


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as users read it: column titles and cells in the session's language. Streamlit's
    dataframe shows every cell as text, so names typed by users never run as markup."""
    names = product_names() if "product_code" in frame.columns else {}  # once for the table, not per row
    shown = pd.DataFrame({column: _shown_column(str(column), frame[column], names) for column in frame.columns})
    return shown.rename(columns={c: field_label(str(c)) for c in frame.columns})


def _shown_column(column: str, values: pd.Series, names: Mapping[str, str]) -> list[object]:
    """`shown_value` of every cell, worked out once per distinct value: a province's list of records in
    no linkage has tens of thousands of cells but few distinct kinds, communes and dates."""
    words: dict[tuple[type, object], object] = {}  # keyed with the type: True == 1, yet ✓ is not 1
    shown: list[object] = []
    for value in values.tolist():  # the values iteration gives, read at once (one by one is slow for Arrow's text)
        key = (type(value), value)
        try:
            word = words[key]
        except KeyError:
            word = words[key] = shown_value(column, value, names)
        except TypeError:  # a list (technologies): not a key, worked out each time
            word = shown_value(column, value, names)
        shown.append(word)
    return shown


def coverage_rows(as_of: date, verified_only: bool = False, map_name: str | None = None) -> pd.DataFrame:
    """Indicator rows for every unit on a map (the map of `as_of` when None), reusing facts until any
    process writes (data version)."""
    return coverage.coverage(engine(), as_of, verified_only=verified_only, map_name=map_name)


def map_label(map_name: str) -> str:
    """A map as users name it: `Từ 01/07/2025: 34 tỉnh, không còn cấp huyện (2025-07)`."""
    return tr(f"app.maps.{'old' if map_name == OLD_MAP else 'new'}", map=map_name)


def unit_label(unit: Unit) -> str:
    """A unit with its code and map, for lists that mix both maps:
    `Xã Bằng Thành — Tỉnh Thái Nguyên (01864, 2025-07)`."""
    above = f" — {unit.parent}" if unit.parent else ""
    return f"{unit.name}{above} ({unit.code}, {unit.map})"


def pick_reading(
    code: str,
    readings: Sequence[Unit],
    key: str,
    offered: Sequence[Unit] | None = None,
    on_pick: Callable[[Unit], None] | None = None,
) -> Unit | None:
    """A code typed without its leading zeros that names several units (`typed_codes.AmbiguousCode`):
    a warning naming each reading (name, province, code, map) and one button for each of those the page
    can open (`offered`, all when None), none chosen for the user. Returns the reading clicked, if any;
    with `on_pick`, the click calls it before the next run instead (a page that shows the warning only
    on the run that read its address: the graph page). The coverage, settling and graph pages."""
    named = "; ".join(described(unit) for unit in readings)
    st.warning(plain(tr("app.unit_codes.ambiguous", code=code, readings=named)))
    with st.container(horizontal=True):
        for unit in readings if offered is None else offered:
            if st.button(
                described(unit), key=f"{key}_{unit.map}_{unit.level}_{unit.code}", on_click=on_pick, args=(unit,)
            ):
                return unit
    return None


def target_cards(rows: pd.DataFrame) -> None:
    """One card per indicator: value, target, the counts behind it and whether it is met."""
    if rows.empty:  # st.columns(0) is an error: a unit without figures says so instead
        st.caption(tr("app.no_data"))
        return
    for column, row in zip(st.columns(len(rows)), indicators.json_rows(rows), strict=True):
        with column:
            value = "—" if row["ratio"] is None else percent(row["ratio"])
            st.metric(tr(f"indicator.{row['indicator']}"), value, border=True)
            st.caption(
                tr(
                    "app.card_counts",
                    numerator=row["numerator"],
                    denominator=row["denominator"],
                    target=percent(row["target"], 0),
                )
            )
            if row.get("unplaced"):
                st.caption(tr("app.maps.card_unplaced", count=row["unplaced"]))
            if row["met"] is None:
                st.caption(tr("app.no_data"))
            elif row["met"]:
                st.success(tr("app.met"))
            else:
                missing = indicators.needed(row["indicator"], row["numerator"], row["denominator"])
                st.warning(tr("app.not_met", needed=missing))
