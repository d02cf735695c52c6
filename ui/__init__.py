"""Page-side helpers: the cached engine, the chosen language, and widgets shared by pages.

Everything Streamlit-specific that is more than layout lives here, beside the pages, so that
`linkage/` never imports Streamlit.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from linkage import coverage
from linkage.db import get_engine
from linkage.i18n import DEFAULT_LANGUAGE, LANGUAGES, t


@st.cache_resource
def engine() -> Engine:
    """One engine per process for the configured database (LINKAGE_DATABASE_URL or the embedded file)."""
    return get_engine()


def lang() -> str:
    return str(st.session_state.get("lang", DEFAULT_LANGUAGE))


def tr(key: str, **params: object) -> str:
    """The message `key` in the language chosen for this session."""
    return t(key, lang(), **params)


def language_switch() -> None:
    """A sidebar choice of language, remembered for the session."""
    st.session_state.setdefault("lang", DEFAULT_LANGUAGE)
    st.sidebar.radio(
        tr("app.language"),
        LANGUAGES,
        key="lang",
        format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code],
        horizontal=True,
    )


def coverage_rows(as_of: date) -> pd.DataFrame:
    """Indicator rows for every unit, reusing facts until any process writes (data version)."""
    return coverage.coverage(engine(), as_of)


def target_cards(rows: pd.DataFrame) -> None:
    """One card per indicator: value, target, the counts behind it and whether it is met."""
    for column, row in zip(st.columns(len(rows)), coverage.records(rows), strict=True):
        with column:
            value = "—" if row["ratio"] is None else f"{row['ratio']:.1%}"
            st.metric(tr(f"indicator.{row['indicator']}"), value, border=True)
            st.caption(
                tr(
                    "app.card_counts",
                    numerator=row["numerator"],
                    denominator=row["denominator"],
                    target=f"{row['target']:.0%}",
                )
            )
            if row["met"] is None:
                st.caption(tr("app.no_data"))
            elif row["met"]:
                st.success(tr("app.met"))
            else:
                missing = coverage.needed(row["indicator"], row["numerator"], row["denominator"])
                st.warning(tr("app.not_met", needed=missing))
