"""Writing every exchange file from the stored records (CONTRACT §2), CSV or one XLSX workbook.

Archived records are not exported: the export is what is in force. Values are written in the
forms the importer reads back, so export → import → export gives the same files.
"""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from linkage.exchange.spec import ENTITIES, Entity
from linkage.exchange.values import format_value

WORKBOOK_NAME = "linkage-tracker.xlsx"


def rows(session: Session, entity: Entity) -> list[list[str]]:
    """The entity's exchange rows in key order, as text."""
    model = entity.model
    query = (
        sa.select(*(getattr(model, c) for c in entity.column_names))
        .where(model.archived_at.is_(None))  # type: ignore[attr-defined]
        .order_by(*(getattr(model, k) for k in entity.key))
    )
    return [[format_value(v) for v in row] for row in session.execute(query)]


def export_folder(session: Session, folder: Path, fmt: str = "csv") -> list[Path]:
    """Write every exchange file into `folder` (created if needed); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        return [write_workbook(session, folder / WORKBOOK_NAME)]
    written = []
    for entity in ENTITIES:
        path = folder / f"{entity.name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(entity.column_names)
            writer.writerows(rows(session, entity))
        written.append(path)
    return written


def write_workbook(session: Session, path: Path) -> Path:
    """One workbook, a sheet per exchange file; every cell a string, so nothing typed can run."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for entity in ENTITIES:
        sheet = book.create_sheet(entity.name)
        sheet.append(list(entity.column_names))
        for row in rows(session, entity):
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    book.save(path)
    return path
