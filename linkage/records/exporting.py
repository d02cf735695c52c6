"""The export service: every exchange file of the records an actor may read, as files or one download.

`linkage.exchange.export` writes the files; this module decides whose records go in them.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from linkage.actor import Actor
from linkage.exchange.export import write_folder
from linkage.records.permissions import is_admin, may_export, readable, refusal
from linkage.store.db import read_session

__all__ = ["export_bytes", "export_folder"]


def export_folder(session: Session, folder: Path, fmt: str = "csv", *, actor: Actor) -> list[Path]:
    """Write every exchange file into `folder` (created if needed); returns the files written.

    A planner or officer gets the records of its own scope only, a cooperative its own sphere; the
    command line exports all.
    """
    if not may_export(actor):
        raise refusal(actor)

    def keep(entity: str, records: list[dict[str, Any]]) -> list[bool]:
        return readable(session, actor, entity, records)

    return write_folder(session, folder, fmt, keep=None if is_admin(actor) else keep)


def export_bytes(engine: Engine, actor: Actor, fmt: str) -> tuple[str, bytes]:
    """The actor's export as one download: a zip of CSV files, or the workbook."""
    with tempfile.TemporaryDirectory(prefix="linkage-export-") as folder, read_session(engine) as session:
        written = export_folder(session, Path(folder), fmt, actor=actor)
        if fmt == "xlsx":
            return written[0].name, written[0].read_bytes()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                archive.write(path, path.name)
        return "linkage-tracker-csv.zip", out.getvalue()
