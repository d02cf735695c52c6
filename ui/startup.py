"""What the server does once, as it starts, before it answers anyone (serve.py's `lifespan`).

The first user after a start would otherwise wait for every record to be read and counted (today's
figures, the trends), the maps' names to be read, the password hasher to be imported, the first coverage
page for Altair to be imported and the country's map to be compiled, the first graph for networkx, and
the English catalog to be parsed: all are done here instead, before
the server answers its first request, so they never compete with a user's request for the two cores
(docs/benchmarks.md: the first page after sign-in on a newly started server).
"""

from __future__ import annotations

import gc
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.concurrency import run_in_threadpool

from linkage.counting.coverage import warm
from linkage.i18n import LANGUAGES, catalog
from linkage.store.db import get_engine

log = logging.getLogger(__name__)


def prepare() -> None:
    """Today's figures and the trends counted, the message catalogs read, the coverage and graph
    pages' modules imported, vis-network published for the graph and the maps' names indexed for
    office lists."""
    try:
        warm(get_engine())
    except Exception:  # a head start only: whatever failed, the pages read and report it themselves
        log.exception("today's figures could not be counted at start-up; the first page that needs them will")
    for language in LANGUAGES:  # parsed once per process (pure-Python TOML)
        catalog(language)
    from streamlit.string_util import extract_leading_emoji

    from linkage.accounts.users import hasher
    from linkage.counting.charts import altair
    from linkage.geo.maps import MAPS, NEW_MAP, map_data
    from linkage.geo.points import points
    from ui.coverage_page import prepare_charts, prepare_maps  # lazy: Altair, about half a second

    for name in MAPS:  # the maps' names and places (the counting above reads only their columns)
        map_data(name)
    hasher()  # argon2, imported on the first sign-in otherwise
    extract_leading_emoji("Xã")  # Streamlit's emoji pattern, compiled on a page's first notice otherwise
    prepare_charts()
    altair()  # a shape read from the cache imports no Altair; another unit's map compiles one
    try:
        prepare_maps()
    except Exception:  # a head start only, as above
        log.exception("the country's map could not be compiled at start-up; its first page will")
    points(NEW_MAP, "commune")  # the places' points, read from their file once per process
    for module in ("linkage.counting.map_chart", "linkage.records.settling", "linkage.reports.content"):
        importlib.import_module(module)  # the coverage page's other modules
    from linkage.lists.places import prepare as prepare_places  # an office's first list: the maps' names

    prepare_places()
    importlib.import_module("openpyxl")  # and the workbook reader
    from linkage.graphs.drawing import options  # lazy: networkx, the drawing and pyvis, here and not on a first graph
    from ui.graphs import assets_url

    options(placed=False)  # a province's overview, laid out by pyvis's physics
    assets_url()
    # What was read and counted here lives as long as the process: kept out of the garbage collector's
    # full passes, which otherwise walk all of it again and again while users click.
    gc.freeze()


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    await run_in_threadpool(prepare)
    yield
