"""Writing every exchange file from the stored records (docs/exchange-files.md), CSV or one XLSX workbook.

Archived records are not exported: the export is what is in force. Values are written in the
forms the importer reads back, so export → import → export gives the same files. A value that a
spreadsheet would run as a formula is shielded with a leading quote, which the reader removes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from linkage.exchange.spec import ENTITIES, Entity
from linkage.exchange.values import format_value, shield

WORKBOOK_NAME = "linkage-tracker.xlsx"

Keep = Callable[[str, list[dict[str, Any]]], list[bool]]
"""Which of an entity's records (column -> stored value) go into the files; None keeps them all."""


def rows(session: Session, entity: Entity, keep: Keep | None = None) -> list[list[str]]:
    """The entity's exchange rows in key order, as shielded text; with `keep`, only those it keeps."""
    model = entity.model
    query = (
        sa.select(*(getattr(model, c) for c in entity.column_names))
        .where(model.archived_at.is_(None))  # type: ignore[attr-defined]
        .order_by(*(getattr(model, k) for k in entity.key))
    )
    found = session.execute(query).all()
    if keep is not None:
        records = [dict(zip(entity.column_names, row, strict=True)) for row in found]
        found = [row for row, kept in zip(found, keep(entity.name, records), strict=True) if kept]
    return [[shield(format_value(v)) for v in row] for row in found]


def write_folder(session: Session, folder: Path, fmt: str = "csv", keep: Keep | None = None) -> list[Path]:
    """Write every exchange file into `folder` (created if needed), CSV files or one workbook;
    returns the files written. Whose records go in is `linkage.records.exporting`'s decision (`keep`)."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        return [write_workbook(session, folder / WORKBOOK_NAME, keep)]
    written = []
    for entity in ENTITIES:
        path = folder / f"{entity.name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(entity.column_names)
            writer.writerows(rows(session, entity, keep))
        written.append(path)
    return written


def write_workbook(session: Session, path: Path, keep: Keep | None = None) -> Path:
    """One workbook, a sheet per exchange file; every cell a string, so nothing typed can run."""
    from openpyxl import Workbook  # lazy: slow to import, paid only when a workbook is written
    from openpyxl.cell import WriteOnlyCell  # lazy, with Workbook

    book = Workbook(write_only=True)
    for entity in ENTITIES:
        sheet = book.create_sheet(entity.name)
        sheet.append(list(entity.column_names))
        for row in rows(session, entity, keep):
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    book.save(path)
    return path


def template_csv(entity: Entity) -> bytes:
    """A blank exchange file: the header row only, UTF-8 with the BOM spreadsheet programs expect."""
    return (",".join(entity.column_names) + "\r\n").encode("utf-8-sig")


@cache
def template_workbook() -> bytes:
    """A blank workbook with one sheet per exchange file, each holding its header row. Made once per
    process: the exchange page offers it on every run."""
    from openpyxl import Workbook  # lazy: see write_workbook

    book = Workbook(write_only=True)
    for entity in ENTITIES:
        book.create_sheet(entity.name).append(list(entity.column_names))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
