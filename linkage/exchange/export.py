"""Writing every exchange file from the stored records (CONTRACT §2), CSV or one XLSX workbook.

Archived records are not exported: the export is what is in force. Values are written in the
forms the importer reads back, so export → import → export gives the same files. A value that a
spreadsheet would run as a formula is shielded with a leading quote, which the reader removes.
"""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from linkage.accounts import Actor
from linkage.errors import Refused
from linkage.exchange.spec import ENTITIES, Entity
from linkage.exchange.values import format_value, shield

WORKBOOK_NAME = "linkage-tracker.xlsx"


def rows(session: Session, entity: Entity, actor: Actor) -> list[list[str]]:
    """The entity's exchange rows in key order, as shielded text; only those in the actor's reading scope."""
    model = entity.model
    query = (
        sa.select(*(getattr(model, c) for c in entity.column_names))
        .where(model.archived_at.is_(None))  # type: ignore[attr-defined]
        .order_by(*(getattr(model, k) for k in entity.key))
    )
    found = session.execute(query).all()
    if actor.role != "admin":
        from linkage.permissions import Locator, in_reading_scope

        locator = Locator(session)
        records = [dict(zip(entity.column_names, row, strict=True)) for row in found]
        linkage_column = "code" if entity.name == "linkages" else "linkage_code"
        if linkage_column in entity.column_names and entity.name != "products":
            locator.load_parties({r[linkage_column] for r in records})
        found = [row for row, r in zip(found, records, strict=True) if in_reading_scope(locator, actor, entity.name, r)]
    return [[shield(format_value(v)) for v in row] for row in found]


def export_folder(session: Session, folder: Path, fmt: str = "csv", *, actor: Actor) -> list[Path]:
    """Write every exchange file into `folder` (created if needed); returns the files written.

    A planner or officer gets the records of its own scope only; the command line exports all.
    """
    if actor.role == "cooperative":
        raise Refused("not_in_scope", role=actor.role, scope=actor.cooperative_code or "")
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        return [write_workbook(session, folder / WORKBOOK_NAME, actor=actor)]
    written = []
    for entity in ENTITIES:
        path = folder / f"{entity.name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(entity.column_names)
            writer.writerows(rows(session, entity, actor))
        written.append(path)
    return written


def write_workbook(session: Session, path: Path, *, actor: Actor) -> Path:
    """One workbook, a sheet per exchange file; every cell a string, so nothing typed can run."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for entity in ENTITIES:
        sheet = book.create_sheet(entity.name)
        sheet.append(list(entity.column_names))
        for row in rows(session, entity, actor):
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


def template_workbook(path: Path) -> Path:
    """A blank workbook with one sheet per exchange file, each holding its header row."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for entity in ENTITIES:
        book.create_sheet(entity.name).append(list(entity.column_names))
    book.save(path)
    return path
