"""Validation of exchange tables: every value, every key, every reference, before any write.

All problems are collected (not just the first) so a user fixes a file in one round. References
resolve against the same import and against what is stored (docs/exchange-files.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from linkage.exchange.problems import Problem
from linkage.exchange.read import Table
from linkage.exchange.spec import BY_NAME, ENTITIES, PARTY_COLUMN, PARTY_ENTITY, Column, Entity
from linkage.exchange.values import (
    Bad,
    parse_area,
    parse_bool,
    parse_code,
    parse_codes,
    parse_date,
    parse_enum,
    parse_geo,
    parse_int,
    parse_text,
    parse_texts,
)
from linkage.geo.maps import NEW_MAP, OLD_MAP, agrees, crosswalk
from linkage.store.db import CHUNK, chunked
from linkage.store.models import CODE_LENGTH, NAME_LENGTH, Commune, Commune202507, LinkageParty, Province

Record = dict[str, Any]


@dataclass
class Parsed:
    """One entity's valid rows, typed, with the spreadsheet row each came from."""

    entity: Entity
    file: str
    rows: list[tuple[int, Record]] = field(default_factory=list)
    present: frozenset[str] = frozenset()  # the columns the file has: an update leaves the others as stored
    updates_only: bool = False  # the settlement list: every row must name a stored record
    stored: dict[tuple[Any, ...], Record] = field(default_factory=dict)  # the records the rows name, by key

    def key(self, record: Record) -> tuple[Any, ...]:
        return tuple(record[k] for k in self.entity.key)


def _parser(column: Column, limit: int | None) -> Callable[[str], Any]:
    """The function that parses one cell of `column` (chosen once per table, not once per cell)."""
    match column.kind:
        case "code" | "ref" | "party":
            return partial(parse_code, limit=limit or CODE_LENGTH)
        case "text":
            return partial(parse_text, limit=limit or NAME_LENGTH)
        case "date":
            return parse_date
        case "bool":
            return parse_bool
        case "int":
            return parse_int
        case "area":
            return parse_area
        case "enum":
            return partial(parse_enum, choices=column.choices)
        case "province":
            return partial(parse_geo, width=2)
        case "commune" | "commune_2025_07":
            return partial(parse_geo, width=5)
    raise AssertionError(column.kind)


REPEATING = {"ref", "party", "date", "bool", "enum", "province", "commune", "commune_2025_07"}  # few values


class _Remembering:
    """`parse` that answers a text it has parsed before from memory: a column naming communes,
    products or dates holds a few thousand values over hundreds of thousands of rows. A text that
    fails is parsed (and refused) again each time; every value kept is immutable."""

    def __init__(self, parse: Callable[[str], Any]) -> None:
        self.parse = parse
        self.seen: dict[str, Any] = {}

    def __call__(self, text: str) -> Any:
        try:
            return self.seen[text]
        except KeyError:
            value = self.seen[text] = self.parse(text)
            return value


def text_limits(entity: Entity) -> dict[str, int]:
    """The database's length of each text column, so a value too long is a problem, not a crash."""
    columns = entity.model.__table__.columns  # type: ignore[attr-defined]
    return {c.name: c.type.length for c in columns if getattr(c.type, "length", None)}


def parse_table(table: Table) -> tuple[Parsed, list[Problem]]:
    """Typed records for every row whose cells all parse; a problem for each cell that does not.

    The rows are taken out of `table` as they are typed, a chunk at a time: a file of the largest size
    admitted is hundreds of MB as text rows, and holding them beside the typed records doubled a
    check's peak memory (docs/exchange-files.md, "Limits"). Count a table's rows before it is parsed.
    A chunk is typed column by column (`_typed_columns`); one with any problem is gone through again
    row by row, which names each problem."""
    entity = BY_NAME[table.entity]
    parsed = Parsed(entity, table.file, present=frozenset(table.header), updates_only=table.updates_only)
    problems: list[Problem] = []
    limits = text_limits(entity)
    columns = [
        (column, _parser(column, limits.get(column.name)))
        if column.kind not in REPEATING
        else (column, _Remembering(_parser(column, limits.get(column.name))))
        for column in entity.columns
    ]
    wholes = {c.name: _whole(c, limits.get(c.name)) for c in entity.columns if c.kind not in REPEATING}
    required = {
        column.name
        for column in entity.columns
        if column.required and (column.name in parsed.present or not table.updates_only)
    }
    names = [column.name for column in entity.columns]
    rows, table.rows = table.rows[::-1], []
    while rows:
        chunk = rows[-CHUNK:][::-1]  # the first rows left, taken from the end so the others need not move
        del rows[-CHUNK:]
        typed = _typed_columns(chunk, columns, wholes, required)
        if typed is not None:
            records = [dict(zip(names, row, strict=False)) for row in zip(*typed, strict=False)]  # equal lengths
            parsed.rows += zip([number for number, _ in chunk], records, strict=False)
            continue
        for number, cells in chunk:
            record: Record = {}
            ok = True
            for column, parse in columns:
                text = cells.get(column.name, "")
                if not text.strip():
                    if column.name in required:
                        problems.append(Problem(table.file, number, column.name, "required", {"column": column.name}))
                        ok = False
                    record[column.name] = column.default
                    continue
                try:
                    record[column.name] = parse(text)
                except Bad as bad:
                    problems.append(
                        Problem(table.file, number, column.name, bad.code, {"column": column.name, **bad.params})
                    )
                    ok = False
            if ok:
                parsed.rows.append((number, record))
    return parsed, problems


def _whole(column: Column, limit: int | None) -> Callable[[list[str]], list[Any]]:
    """The function that parses a column's texts, none blank, at once: codes and texts by their
    column parsers (`parse_codes`, `parse_texts`), any other kind cell by cell."""
    if column.kind == "code":
        return partial(parse_codes, limit=limit or CODE_LENGTH)
    if column.kind == "text":
        return partial(parse_texts, limit=limit or NAME_LENGTH)
    parse = _parser(column, limit)
    return lambda texts: list(map(parse, texts))


def _typed_columns(
    chunk: list[tuple[int, dict[str, str]]],
    columns: list[tuple[Column, Callable[[str], Any]]],
    wholes: dict[str, Callable[[list[str]], list[Any]]],
    required: set[str],
) -> list[list[Any]] | None:
    """The typed values of each column of a chunk of rows, or None if any cell has a problem.

    Column by column, most of the work is done by the interpreter's own loops (`map`, sets): a column
    of few values (`_Remembering`) parses each new text once and looks the rest up."""
    typed: list[list[Any]] = []
    try:
        for column, parse in columns:
            name = column.name
            texts = [cells.get(name, "") for _, cells in chunk]
            if isinstance(parse, _Remembering):
                distinct = set(texts)
                blanks = set() if all(map(str.strip, distinct)) else {text for text in distinct if not text.strip()}
                if blanks and name in required:
                    return None
                seen = parse.seen
                for text in (distinct - blanks).difference(seen):  # one argument: looked up in `seen`, not walked
                    seen[text] = parse.parse(text)
                lookup = {**seen, **dict.fromkeys(blanks, column.default)} if blanks else seen
                typed.append(list(map(lookup.__getitem__, texts)))
            elif all(map(str.strip, texts)):
                typed.append(wholes[name](texts))
            elif name in required:
                return None
            else:
                typed.append([parse(text) if text.strip() else column.default for text in texts])
    except Bad:
        return None
    return typed


def stored_records(session: Session, p: Parsed, fields: list[str]) -> dict[tuple[Any, ...], Record]:
    """The stored records whose key the rows name, by key, in chunks of one IN list each."""
    model = p.entity.model
    found: dict[tuple[Any, ...], Record] = {}
    if len(p.rows) > CHUNK and _empty(session, model):  # a new database: no IN lists to send
        return found
    first = p.entity.key[0]
    wanted = sorted({r[first] for _, r in p.rows})
    pk = [c.name for c in sa.inspect(model).primary_key]  # type: ignore[union-attr]
    columns = list(dict.fromkeys([*pk, *p.entity.key, *fields, "archived_at", "version"]))
    for chunk in chunked(wanted):
        query = sa.select(*(getattr(model, c) for c in columns)).where(getattr(model, first).in_(chunk))
        for row in session.execute(query).mappings():
            record = dict(row)
            found[tuple(record[k] for k in p.entity.key)] = record
    return found


def _empty(session: Session, model: Any) -> bool:
    """Whether a table holds no row at all (one row read, whatever its size): asked before sending
    more than one IN list, which a new database would answer with nothing."""
    return session.execute(sa.select(sa.literal(1)).select_from(model).limit(1)).first() is None


def _keep_absent_columns(p: Parsed) -> None:
    """A column the file leaves out keeps its stored value on update (nothing is lost), and the
    rules below then check the record as it will be stored."""
    absent = [c for c in p.entity.column_names if c not in p.present]
    for _, record in p.rows if absent else []:
        old = p.stored.get(p.key(record))
        if old is not None:
            record.update({c: old[c] for c in absent})


def stored_fields(entity: Entity) -> list[str]:
    """The columns a stored record is compared on: the exchange columns (and a party's typed column)."""
    fields = list(entity.column_names)
    return fields + list(PARTY_COLUMN.values()) if entity.name == "linkage_parties" else fields


def _stored_codes(session: Session, entity_name: str, codes: set[str]) -> tuple[set[str], set[str]]:
    """Of these codes, those of the entity's live and of its archived records: only the codes the rows
    name are read (a one-row form does not read every producer of the country)."""
    model: Any = BY_NAME[entity_name].model
    live: set[str] = set()
    archived: set[str] = set()
    for chunk in chunked(() if len(codes) > CHUNK and _empty(session, model) else sorted(codes)):
        for code, archived_at in session.execute(sa.select(model.code, model.archived_at).where(model.code.in_(chunk))):
            (live if archived_at is None else archived).add(code)
    return live, archived


UNIT_TABLES: dict[str, Any] = {"commune": Commune, "commune_2025_07": Commune202507, "province": Province}


def _stored_units(session: Session, kind: str, codes: set[str]) -> set[str]:
    """Of these codes, those of the stored units of a kind (`UNIT_TABLES`)."""
    model = UNIT_TABLES[kind]
    found: set[str] = set()
    for chunk in chunked(sorted(codes)):
        found.update(session.execute(sa.select(model.code).where(model.code.in_(chunk))).scalars())
    return found


REFERRING = {*UNIT_TABLES, "ref", "party"}  # the kinds of column whose value names a stored unit or record


def validate(tables: list[Table], session: Session) -> tuple[dict[str, Parsed], list[Problem]]:
    """Parse and cross-check every table; the result is safe to write only if no problem is returned."""
    problems: list[Problem] = []
    parsed: dict[str, Parsed] = {}
    for table in sorted(tables, key=lambda t: [e.name for e in ENTITIES].index(t.entity)):
        result, trouble = parse_table(table)
        parsed[table.entity] = result
        problems += trouble

    for p in parsed.values():
        p.stored = stored_records(session, p, stored_fields(p.entity)) if p.rows else {}  # read once, `plan` too
        _keep_absent_columns(p)
        problems += _duplicates(p) + _date_order(p)
        if p.updates_only:
            problems += [
                Problem(p.file, number, "code", "settlement_unknown", {"value": record["code"], "file": p.entity.name})
                for number, record in p.rows
                if p.stored.get(p.key(record), {}).get("archived_at", "absent") is not None
            ]

    known: dict[str, set[str]] = defaultdict(set)
    for name, p in parsed.items():
        if p.entity.key == ("code",):
            known[name] = {r["code"] for _, r in p.rows}
    # the codes the rows name, and only those are read: by kind of unit (`UNIT_TABLES`) or entity named
    named: dict[str, set[str]] = defaultdict(set)
    naming = {name: [c for c in p.entity.columns if c.kind in REFERRING] for name, p in parsed.items()}
    for p in parsed.values():
        for column in naming[p.entity.name]:
            if column.kind == "party":  # its target is the row's party type
                for _, record in p.rows:
                    if record.get(column.name) is not None:
                        named[PARTY_ENTITY[record["party_type"]]].add(record[column.name])
            elif (target := column.kind if column.kind in UNIT_TABLES else column.ref) is not None:
                named[target].update(_values(p, column.name))
    units = {kind: _stored_units(session, kind, named[kind]) for kind in UNIT_TABLES}
    stored = {
        name: _stored_codes(session, name, codes - known[name])
        for name, codes in named.items()
        if name not in UNIT_TABLES and codes - known[name]
    }

    def exists(entity_name: str, code: str) -> bool:
        """In this import (which restores an archived record it lists) or stored and live."""
        return code in known[entity_name] or (entity_name in stored and code in stored[entity_name][0])

    def archived(entity_name: str, code: str) -> bool:
        return entity_name in stored and code in stored[entity_name][1]

    communes = {"commune": units["commune"], "commune_2025_07": units["commune_2025_07"]}
    provinces = units["province"]

    def named_well(column: Column, value: str) -> bool:
        """Whether a value of a column that does not name a party is on its map or known."""
        if column.kind in communes:
            return value in communes[column.kind]
        if column.kind == "province":
            return value in provinces
        return column.ref is None or exists(column.ref, value)

    for p in parsed.values():
        for column in naming[p.entity.name]:
            if column.kind != "party" and all(named_well(column, value) for value in _values(p, column.name)):
                continue  # every value of the column is fine: its rows need not be gone through
            for number, record in p.rows:
                value = record.get(column.name)
                if value is None:
                    continue
                if column.kind in communes:
                    if value not in communes[column.kind]:
                        on = OLD_MAP if column.kind == "commune" else NEW_MAP
                        problems.append(Problem(p.file, number, column.name, "not_on_map", {"value": value, "map": on}))
                    continue
                missing = (
                    (column.kind == "province" and value not in provinces)
                    or (column.kind == "ref" and column.ref is not None and not exists(column.ref, value))
                    or (column.kind == "party" and not exists(PARTY_ENTITY[record["party_type"]], value))
                )
                if missing:
                    target = column.ref or PARTY_ENTITY.get(record.get("party_type", ""), column.kind)
                    why = "archived_reference" if archived(target, value) else "unknown_reference"
                    problems.append(Problem(p.file, number, column.name, why, {"value": value, "target": target}))
        if "commune_code_2025_07" in p.entity.column_names:
            problems += _locations(p, communes["commune"], communes["commune_2025_07"])
    if "linkage_parties" in parsed:
        problems += _two_leads(parsed["linkage_parties"], session)
    return parsed, sorted(problems, key=lambda pr: (pr.file, pr.row or 0, pr.column or ""))


def _values(p: Parsed, name: str) -> set[Any]:
    """The distinct values of a column in an entity's rows, empty ones left out."""
    values = set(map(itemgetter(name), (record for _, record in p.rows)))
    values.discard(None)
    return values


def _locations(p: Parsed, old_communes: set[str], new_communes: set[str]) -> list[Problem]:
    """docs/exchange-files.md, "Locations": at least one commune where the entity needs one, and two that agree.

    Checked on the record as it will be stored, so a file that changes one column of a record located
    on both maps is refused when the two no longer agree."""
    problems = []
    for number, record in p.rows:
        old, new = record.get("commune_code"), record.get("commune_code_2025_07")
        if old is None and new is None:
            if p.entity.located:
                problems.append(Problem(p.file, number, "commune_code", "location_required", {}))
            continue
        if old in old_communes and new in new_communes and not agrees(old, new):
            went = ", ".join(crosswalk().old_to_new.get(old, ()))
            column = "commune_code_2025_07" if "commune_code_2025_07" in p.present else "commune_code"
            problems.append(Problem(p.file, number, column, "maps_disagree", {"old": old, "new": new, "went": went}))
    return problems


def _duplicates(p: Parsed) -> list[Problem]:
    keys = itemgetter(*p.entity.key)  # a value for a key of one column, else a tuple: unique alike
    if len(set(map(keys, (record for _, record in p.rows)))) == len(p.rows):  # nearly always: none
        return []
    first: dict[tuple[Any, ...], int] = {}
    problems = []
    for number, record in p.rows:
        key = p.key(record)
        if key in first:
            shown = " / ".join(str(k) for k in key)
            problems.append(
                Problem(p.file, number, p.entity.key[-1], "duplicate_key", {"key": shown, "first_row": first[key]})
            )
        else:
            first[key] = number
    return problems


def _date_order(p: Parsed) -> list[Problem]:
    problems = []
    for start, end in p.entity.checks:
        for number, record in p.rows:
            if record.get(start) and record.get(end) and record[end] < record[start]:
                problems.append(
                    Problem(
                        p.file,
                        number,
                        end,
                        "end_before_start",
                        {"end": end, "start": start, "end_value": record[end], "start_value": record[start]},
                    )
                )
    return problems


def _two_leads(p: Parsed, session: Session) -> list[Problem]:
    """At most one lead per linkage, counting stored parties the import does not change."""
    linkages = {r["linkage_code"] for _, r in p.rows}
    leads: dict[str, dict[tuple[str, str], int | None]] = defaultdict(dict)
    number: int | None
    for chunk in chunked(sorted(linkages)):
        stored = session.execute(
            sa.select(col(LinkageParty.linkage_code), col(LinkageParty.party_type), col(LinkageParty.party_code)).where(
                col(LinkageParty.is_lead),
                col(LinkageParty.archived_at).is_(None),
                col(LinkageParty.linkage_code).in_(chunk),
            )
        )
        for linkage_code, party_type, party_code in stored:
            leads[linkage_code][(party_type, party_code)] = None
    for number, r in p.rows:
        party = (r["party_type"], r["party_code"])
        if r["is_lead"]:
            leads[r["linkage_code"]][party] = number
        else:
            leads[r["linkage_code"]].pop(party, None)
    problems = []
    for linkage_code, parties in leads.items():
        if len(parties) > 1:
            names = ", ".join(code for _, code in parties)
            for number in parties.values():
                if number is not None:
                    problems.append(
                        Problem(p.file, number, "is_lead", "two_leads", {"linkage": linkage_code, "parties": names})
                    )
    return problems


def party_record(record: Record) -> Record:
    """A linkage_parties row as stored: the party code also in its typed foreign-key column."""
    stored = {column: None for column in PARTY_COLUMN.values()}
    stored[PARTY_COLUMN[record["party_type"]]] = record["party_code"]
    return {**record, **stored}
