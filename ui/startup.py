"""What the server does once, as it starts, before it answers anyone (serve.py's `lifespan`).

The first user after a start would otherwise wait for every record to be read (about 0.6 s on the
national demo), and the first graph for networkx to be imported and the English catalog to be parsed:
all are done here instead, while the server is not yet listening, so they never compete with a
user's request for the two cores.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from linkage.coverage import warm
from linkage.db import get_engine
from linkage.i18n import LANGUAGES, catalog


def prepare() -> None:
    """Today's figures counted, the message catalogs read, the graph page's modules imported and
    vis-network published for it."""
    with suppress(SQLAlchemyError):  # a database not reachable yet: the first page says so itself
        warm(get_engine())
    for language in LANGUAGES:  # parsed once per process (pure-Python TOML: 0.1 s each)
        catalog(language)
    from ui.graphs import assets_url  # lazy: networkx and the drawing, imported here and not on a user's first graph

    assets_url()


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    await run_in_threadpool(prepare)
    yield
