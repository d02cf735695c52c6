"""Page-side caching of unit graphs: rebuilt only when the data version or the filters change."""

from __future__ import annotations

import hashlib
import tempfile
import time
from datetime import date
from pathlib import Path

import networkx as nx
import pandas as pd
import streamlit as st

from linkage.accounts.users import Actor
from linkage.geo.maps import Unit
from linkage.graphs.assets import publish_assets
from linkage.graphs.graph import build_graph, unlinked
from linkage.graphs.ground import layout_html
from linkage.graphs.overview import overview_of
from linkage.graphs.overview_drawing import overview_html
from linkage.store.db import data_version, read_session
from ui import engine

FOLDER = Path(tempfile.gettempdir()) / "linkage-graphs"
STATIC = Path(__file__).resolve().parents[1] / "static"  # beside streamlit_app.py: Streamlit serves it
STATIC_URL = "app/static"  # where Streamlit serves STATIC (`server.enableStaticServing`)
KEEP_SECONDS = 3600  # a graph page file is served while its page is open; older ones are removed


@st.cache_resource(max_entries=32, show_spinner=False)
def _graph(
    actor: Actor,
    unit: Unit,
    as_of: date,
    products: tuple[str, ...],
    technologies: tuple[str, ...],
    party_types: tuple[str, ...],
    version: int,
) -> nx.MultiDiGraph:
    with read_session(engine()) as session:
        return build_graph(
            session,
            unit.code,
            as_of,
            products or None,
            technologies or None,
            party_types or None,
            actor=actor,
            map_name=unit.map,
        )


def unit_graph(
    actor: Actor,
    unit: Unit,
    as_of: date,
    products: tuple[str, ...],
    technologies: tuple[str, ...],
    party_types: tuple[str, ...],
) -> nx.MultiDiGraph:
    """The unit's graph (a unit of either map); a write by any session or process (data version) rebuilds it."""
    return _graph(actor, unit, as_of, products, technologies, party_types, data_version(engine()))


@st.cache_resource(max_entries=32, show_spinner=False)
def _unlinked(actor: Actor, unit: Unit, as_of: date, version: int) -> pd.DataFrame:
    with read_session(engine()) as session:
        return unlinked(session, unit, as_of, actor=actor)


def unit_unlinked(actor: Actor, unit: Unit, as_of: date) -> pd.DataFrame:
    """Who in the unit takes part in no linkage on the date (whatever the graph's filters)."""
    return _unlinked(actor, unit, as_of, data_version(engine()))


@st.cache_resource(show_spinner=False)
def assets_url() -> str | None:
    """Where the app serves vis-network (copied from pyvis once per process), or None if it cannot:
    static serving switched off, or a read-only install; graph views then inline it."""
    if not st.get_option("server.enableStaticServing"):
        return None
    return STATIC_URL if publish_assets(STATIC) else None


def html_file(graph: nx.MultiDiGraph, title: str, lang: str, filtered: bool = False, layout: str = "chains") -> Path:
    """The graph page of a unit drawn as `layout` says (its chains, or on the ground: `ground.LAYOUTS`),
    as a file for `st.iframe` (see `_written`)."""
    page = layout_html(layout, graph, title, lang, filtered=filtered, selectable=True, assets_url=assets_url())
    return _written(page)


@st.cache_resource(max_entries=32, show_spinner=False)
def _overview_page(
    actor: Actor,
    province: Unit,
    as_of: date,
    products: tuple[str, ...],
    technologies: tuple[str, ...],
    title: str,
    lang: str,
    version: int,
) -> str:
    graph = _graph(actor, province, as_of, products, technologies, (), version)
    return overview_html(overview_of(graph, province), title, lang, True, assets_url())


def province_overview_file(
    actor: Actor,
    province: Unit,
    as_of: date,
    products: tuple[str, ...],
    technologies: tuple[str, ...],
    title: str,
    lang: str,
) -> Path:
    """A province's overview (of 2025-01: its districts as clusters; of 2025-07: its communes; party-type
    filters do not apply: they would hide where linkages sit), built once per data version, as a file for
    `st.iframe`."""
    version = data_version(engine())
    return _written(_overview_page(actor, province, as_of, products, technologies, title, lang, version))


def _written(page: str) -> Path:
    """The page written once per content, for `st.iframe` (served with no network); readable by
    this user only, and removed an hour after it was last written."""
    FOLDER.mkdir(mode=0o700, exist_ok=True)
    path = FOLDER / f"{hashlib.sha256(page.encode()).hexdigest()[:24]}.html"
    if not path.exists():
        path.write_text(page, encoding="utf-8")
        path.chmod(0o600)
        for old in FOLDER.glob("*.html"):
            if old != path and time.time() - old.stat().st_mtime > KEEP_SECONDS:
                old.unlink(missing_ok=True)
    return path
