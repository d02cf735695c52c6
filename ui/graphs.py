"""Page-side caching of unit graphs: rebuilt only when the data version or the filters change."""

from __future__ import annotations

import hashlib
import tempfile
from datetime import date
from pathlib import Path

import networkx as nx
import streamlit as st

from linkage.db import data_version, read_session
from linkage.graph import build_graph
from linkage.render import graph_html
from ui import engine

FOLDER = Path(tempfile.gettempdir()) / "linkage-graphs"


@st.cache_resource(max_entries=32, show_spinner=False)
def _graph(
    unit: str,
    as_of: date,
    products: tuple[str, ...],
    technologies: tuple[str, ...],
    party_types: tuple[str, ...],
    include_unlinked: bool,
    version: int,
) -> nx.MultiDiGraph:
    with read_session(engine()) as session:
        return build_graph(
            session, unit, as_of, products or None, technologies or None, party_types or None, include_unlinked
        )


def unit_graph(
    unit: str, as_of: date, products: tuple[str, ...], technologies: tuple[str, ...], party_types: tuple[str, ...]
) -> nx.MultiDiGraph:
    """The unit's graph; a write by any session or process (data version) rebuilds it."""
    return _graph(unit, as_of, products, technologies, party_types, len(unit) == 3, data_version(engine()))


def html_file(graph: nx.MultiDiGraph, title: str, lang: str) -> Path:
    """The graph page written once per content, for `st.iframe` (served with no network)."""
    page = graph_html(graph, title, lang)
    FOLDER.mkdir(exist_ok=True)
    path = FOLDER / f"{hashlib.sha256(page.encode()).hexdigest()[:24]}.html"
    if not path.exists():
        path.write_text(page, encoding="utf-8")
    return path
