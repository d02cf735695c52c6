"""The exchange page's validation preview, done once per uploaded content.

Streamlit runs the page again on every click, and the uploader hands back the same bytes each time:
reading a workbook and checking it against the database (a whole dry-run import) on each rerun made
every click on the page wait for it, and the commit click paid for it twice (the preview, then the
import's own check inside its write transaction). The preview is kept in the session, keyed by the
files' content, the user and the data version, so it is done again only when one of them changes:
a new file, another account, or a write by anyone (which can make a valid file invalid or the
reverse). The import itself always checks again inside its transaction; that is the domain's job.

What is kept is only what the preview shows: the counts and the first problems, never the tables read
(a file of the largest size admitted is hundreds of MB as Python rows, held for as long as the session
lasts). The commit reads the uploaded bytes again, which Streamlit keeps anyway.
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from dataclasses import astuple, dataclass
from typing import Any

from sqlalchemy.engine import Engine

from linkage.accounts.users import Actor
from linkage.exchange import Problem, Table, read_uploads
from linkage.records.importing import check_tables
from linkage.store.db import data_version

HELD = "exchange_checked"  # the session-state entry holding the last preview
SHOWN = 1_000  # problems a preview keeps and shows; the rest are counted


@dataclass(frozen=True)
class Preview:
    """What the page shows of a checked upload: how many rows and files, and the first problems."""

    rows: int
    files: int
    problems: list[Problem]
    problem_count: int


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
) -> Preview:
    """What a dry-run import of `files` finds, kept in `store` (the session state; a plain dict in
    tests) for the page's reruns. Only the latest preview is kept: an officer works on one upload at
    a time."""
    key = (content_key(files), astuple(who), data_version(engine))
    held = store.get(HELD)
    if isinstance(held, tuple) and held[0] == key:
        return held[1]  # type: ignore[no-any-return]
    tables, problems = read_uploads(files)
    rows = sum(len(t.rows) for t in tables)  # counted first: the check takes the rows out as it types them
    if not problems:
        problems = check_tables(engine, tables, who)
    preview = Preview(rows, len(tables), problems[:SHOWN], len(problems))
    del tables
    store[HELD] = (key, preview)
    return preview


def uploaded_tables(files: list[tuple[str, bytes]]) -> tuple[list[Table], list[Problem]]:
    """The tables to write on commit, read again from the uploaded bytes (`Preview` keeps none)."""
    return read_uploads(files)
