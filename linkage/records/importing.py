"""The import service: validate → plan → permissions → write → history, all rows or none.

`import_tables` is the single write path for exchange files and forms alike: a form is a one-row
table, so every rule, permission check, history entry and review applies the same way to both.
The files themselves are read, checked and written by `linkage.exchange`; this module decides
whether and how their rows are stored.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from linkage.actor import SYSTEM, Actor
from linkage.errors import StaleEdit
from linkage.exchange.problems import ImportRefused, Problem
from linkage.exchange.read import Table, read_path
from linkage.exchange.validate import Parsed, validate
from linkage.exchange.write import Conflict, Plan, RowCounts, apply, plan
from linkage.records.codes import fill_codes
from linkage.records.history import ReviewPlace, log, report, reporting_place, settle, snapshot
from linkage.records.permissions import HOMED, Locator, check_rows, is_admin, scope_text, whom_to_ask
from linkage.store.db import read_session, write_session

__all__ = ["ImportReport", "check_tables", "import_path", "import_tables"]


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do), per entity."""

    counts: dict[str, RowCounts] = field(default_factory=dict)
    dry_run: bool = False
    made: dict[str, str] = field(default_factory=dict)  # entity → the code made for its new record
    kinds: dict[tuple[str, int], str] = field(default_factory=dict)  # (entity, row) → create | update | same

    @property
    def rows(self) -> int:
        return sum(c.inserted + c.updated + c.unchanged for c in self.counts.values())


def check_tables(engine: Engine, tables: list[Table], actor: Actor) -> list[Problem]:
    """Every problem in `tables`, writing nothing: the app's validation preview."""
    try:
        import_tables(engine, tables, actor, dry_run=True)
    except ImportRefused as refused:
        return refused.problems
    return []


def overlay(locator: Locator, parsed: dict[str, Parsed]) -> Locator:
    """Overlay the rows being written on the stored data, so new records are placed where they will be."""
    if "linkage_parties" in parsed:
        rows = [r for _, r in parsed["linkage_parties"].rows]
        locator.load_parties({r["linkage_code"] for r in rows})
        for r in rows:
            locator.parties[r["linkage_code"]].add((r["party_type"], r["party_code"]))
        locator.load_parties(locator.parties)
    for entity in HOMED:
        if entity in parsed:
            for _, r in parsed[entity].rows:
                locator.lay_over(entity, r)
    return locator


def _refusals(locator: Locator, actor: Actor, plans: list[Plan]) -> list[Problem]:
    problems = []
    for p in plans:
        rows = [(c.row, c.old, c.new) for c in p.changes if c.kind != "same"]
        unchanged = [(c.row, c.new) for c in p.changes if c.kind == "same"]  # no write: read rights only
        new = {c.row: c.new for c in p.changes if c.old is None}
        parties = p.parsed.entity.name == "linkage_parties"
        for number in check_rows(locator, actor, p.parsed.entity.name, rows, unchanged):
            ask = whom_to_ask(locator, actor, new[number]) if parties and number in new else None
            if ask is not None:  # the party is another unit's: say whose officer attaches it
                problems.append(Problem(p.parsed.file, number, "party_code", f"parties.ask_{actor.role}", ask))
            else:
                scope: dict[str, object] = {"role": actor.role, "scope": scope_text(actor)}
                problems.append(Problem(p.parsed.file, number, None, "not_in_scope", scope))
    return problems


def import_tables(
    engine: Engine,
    tables: list[Table],
    actor: Actor,
    dry_run: bool = False,
    expected_versions: dict[tuple[str, int], int | None] | None = None,
    progress: Callable[[float], object] | None = None,
    source: str | None = None,
    make_codes: Collection[str] = (),
) -> ImportReport:
    """Validate, check rights, then write every row in one transaction — or raise and write nothing.

    `progress` hears the share of the work done (0–1): after validation, then after each file's
    rows are written. `expected_versions` maps (entity, row number) to the version a form was read at (None: the
    form creates a new record): if the stored record differs, StaleEdit is raised instead of
    overwriting what someone else saved. `source` names where the rows came from (an office's list,
    docs/office-lists.md) in the history of every record written. `make_codes` names the entities whose
    one form row may leave its code empty: the program makes it in this transaction
    (`linkage.records.codes`), and the report's `made` says which.
    """
    report_ = ImportReport(dry_run=dry_run)
    with (read_session if dry_run else write_session)(engine) as session:
        if make_codes:
            tables, report_.made = fill_codes(session, tables, make_codes)
        parsed, problems = validate(tables, session)
        plans = [plan(p) for p in parsed.values()]
        locator = Locator(session)
        if not is_admin(actor):
            # Rows outside the actor's scope are reported with the value problems, so one round fixes all.
            problems += _refusals(overlay(locator, parsed), actor, plans)
        if problems:
            raise ImportRefused(sorted(problems, key=lambda pr: (pr.file, pr.row or 0, pr.column or "")))
        for (entity, row), version in (expected_versions or {}).items():
            for change in next((p.changes for p in plans if p.parsed.entity.name == entity), []):
                if change.row == row:
                    _check_version(entity, change.key, change.old, version)
        for p in plans:
            report_.counts[p.parsed.entity.name] = p.counts
            report_.kinds.update({(p.parsed.entity.name, c.row): c.kind for c in p.changes})
        if dry_run:
            return report_
        place = reporting_place(locator, actor)  # as stored: a move is verified where it left
        total = max(1, sum(len(p.changes) for p in plans))
        done = 0
        if progress:
            progress(0.3)  # validated: reading and checking is about a third of an import's time
        for p in plans:
            try:
                apply(session, p)
            except Conflict:
                raise StaleEdit("changed_meanwhile", {}, entity=p.parsed.entity.name) from None
            except IntegrityError:
                # Someone else created or changed these records between the check and the write
                # (PostgreSQL plans without a lock); the whole import is undone, nothing half-written.
                raise StaleEdit("written_meanwhile", {}, entity=p.parsed.entity.name) from None
            _record(session, actor, p, place, source)
            done += len(p.changes)
            if progress:
                progress(0.3 + 0.7 * done / total)
    return report_


def _check_version(entity: str, key: str, old: dict[str, object] | None, version: int | None) -> None:
    if old is None and version is not None:
        raise StaleEdit("record_gone", {}, entity=entity, key=key)
    if old is not None and version is None:
        raise StaleEdit("already_exists", {}, entity=entity, key=key)
    if old is not None and old["version"] != version:
        raise StaleEdit("changed_meanwhile", {}, entity=entity, key=key)


def _record(session: Session, actor: Actor, p: Plan, place: ReviewPlace | None, source: str | None = None) -> None:
    """History for every created or updated record; reviews for a cooperative's changes. A new record's
    history is made while it is written (`log` takes it a chunk at a time): an import's is as large as its records."""
    entity = p.parsed.entity.name
    written = [c for c in p.changes if c.kind != "same"]
    log(session, actor, "create", entity, ((c.key, c.changed) for c in written if c.kind == "create"), source)
    updated = [c for c in written if c.kind == "update"]
    changed = [(c.key, c.changed) for c in updated if "archived" not in c.changed]
    log(session, actor, "update", entity, changed, source)
    log(session, actor, "restore", entity, [(c.key, c.changed) for c in updated if "archived" in c.changed], source)
    if actor.counts_as_verified:
        settle(session, entity, [c.key for c in written])
    else:
        report(session, actor, entity, {c.key: snapshot(c.old, entity) for c in written}, place)


def import_path(engine: Engine, path: Path, dry_run: bool = False, actor: Actor = SYSTEM) -> ImportReport:
    """Import a folder of exchange files, one file, or one workbook (docs/command-line.md, `linkage import`)."""
    tables, problems = read_path(path)
    if problems:
        raise ImportRefused(problems)
    return import_tables(engine, tables, actor, dry_run=dry_run)
