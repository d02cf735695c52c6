"""The exchange files of CONTRACT §2: read, validate, write all or nothing, export."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from linkage.db import read_session, write_session
from linkage.exchange.export import export_folder
from linkage.exchange.problems import ImportRefused, Problem
from linkage.exchange.read import Table, read_path
from linkage.exchange.validate import validate
from linkage.exchange.write import Counts, apply, plan

__all__ = ["ImportRefused", "ImportReport", "Problem", "check_tables", "export_folder", "import_path", "import_tables"]


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do), per entity."""

    counts: dict[str, Counts] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def rows(self) -> int:
        return sum(c.inserted + c.updated + c.unchanged for c in self.counts.values())


def check_tables(engine: Engine, tables: list[Table]) -> list[Problem]:
    """Every problem in `tables`, writing nothing: the app's validation preview."""
    with read_session(engine) as session:
        return validate(tables, session)[1]


def import_tables(engine: Engine, tables: list[Table], dry_run: bool = False) -> ImportReport:
    """Validate, then write every row in one transaction, or raise ImportRefused and write nothing."""
    report = ImportReport(dry_run=dry_run)
    with (read_session if dry_run else write_session)(engine) as session:
        parsed, problems = validate(tables, session)
        if problems:
            raise ImportRefused(problems)
        plans = [plan(session, p) for p in parsed.values()]
        for entity_plan in plans:
            report.counts[entity_plan.parsed.entity.name] = entity_plan.counts
            if not dry_run:
                apply(session, entity_plan)
    return report


def import_path(engine: Engine, path: Path, dry_run: bool = False) -> ImportReport:
    """Import a folder of exchange files, one file, or one workbook (CONTRACT §4 `import`)."""
    tables, problems = read_path(path)
    if problems:
        raise ImportRefused(problems)
    return import_tables(engine, tables, dry_run=dry_run)
