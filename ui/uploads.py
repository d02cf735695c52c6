"""The exchange page's validation preview, done once per uploaded content.

Streamlit runs the page again on every click, and the uploader hands back the same bytes each time:
reading a workbook and checking it against the database (a whole dry-run import) on each rerun made
every click on the page wait for it, and the commit click paid for it twice (the preview, then the
import's own check inside its write transaction). The preview is kept in the session, keyed by the
files' content, the user and the data version, so it is done again only when one of them changes:
a new file, another account, or a write by anyone (which can make a valid file invalid or the
reverse). The import itself always checks again inside its transaction; that is the domain's job.
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from dataclasses import astuple
from typing import Any

from sqlalchemy.engine import Engine

from linkage.accounts.users import Actor
from linkage.exchange import Problem, Table, read_uploads
from linkage.records.importing import check_tables
from linkage.store.db import data_version

HELD = "exchange_checked"  # the session-state entry holding the last preview


def content_key(files: list[tuple[str, bytes]]) -> str:
    """A digest of the uploaded files' names and bytes, in upload order (sha256, hex)."""
    digest = hashlib.sha256()
    for name, data in files:
        for part in (name.encode("utf-8"), data):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()


def checked_uploads(
    store: MutableMapping[Any, Any], engine: Engine, who: Actor, files: list[tuple[str, bytes]]
) -> tuple[list[Table], list[Problem]]:
    """The tables read from `files` and every problem a dry-run import finds in them.

    `store` is the session state (a plain dict in tests). Only the latest preview is kept: an
    officer works on one upload at a time, and the tables of a large file are not small."""
    key = (content_key(files), astuple(who), data_version(engine))
    held = store.get(HELD)
    if isinstance(held, tuple) and held[0] == key:
        return held[1], held[2]
    tables, problems = read_uploads(files)
    if not problems:
        problems = check_tables(engine, tables, who)
    store[HELD] = (key, tables, problems)
    return tables, problems
