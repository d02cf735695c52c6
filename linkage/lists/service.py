"""An office's list in: read, understand the columns, find every row's commune and record, then write
all rows through the one write path (`linkage.records.importing.import_tables`) or none.

`read_office_list` does everything but the write and is what the app's preview shows; `import_list`
writes when no row needs a decision. The officer's decisions come in as `Decisions`: the commune picked
for an ambiguous row, and for a possible duplicate either "a new record" or the stored record it is.

Which record a row is (docs/office-lists.md): a code given in the list names it; otherwise the same name
(compared as headers are) in the same commune on the same map; otherwise a new record with a code made
here (`HTX-…`, stable for the same list). A name one letter away in the same commune, or a code stored
under another name, is a *possible duplicate*: shown, never merged or written until decided.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from linkage.actor import SYSTEM, Actor
from linkage.exchange.problems import ImportRefused
from linkage.exchange.read import Table
from linkage.exchange.spec import BY_NAME, Entity
from linkage.exchange.values import Bad, format_value, shield
from linkage.geo.maps import MAPS, NEW_MAP, OLD_MAP, agrees, crosswalk, map_data, placements
from linkage.i18n import localized, t
from linkage.lists.headers import LIST_ENTITIES, PLACE_FIELDS, Understood, expected_words, key, likely_kind, understand
from linkage.lists.places import AMBIGUOUS, RESOLVED, Places
from linkage.lists.problems import ListRefused
from linkage.lists.sheet import Sheet, read_list
from linkage.lists.values import area_text, date_text, int_text, kind_text
from linkage.records.importing import import_tables
from linkage.store.db import chunked, read_session
from linkage.store.models import Cooperative, Product

REPORT_COLUMNS = ("row", "status", "code", "name", "commune_code", "commune_code_2025_07", "candidates", "message")
BLOCKING = ("ambiguous", "unresolved", "invalid", "duplicate")
LEFT_OUT = "left_out"
CODE_PREFIX = {"cooperatives": "HTX", "producers": "SX", "buyers": "DN", "raw_material_areas": "VNL"}
LOCATION_FIELDS = ("address", "commune", "commune_id", "commune_code", "commune_code_2025_07")


@dataclass(frozen=True)
class Similar:
    """A stored record (or an earlier row) a row may be: its code and name, and why (`one_letter`, `same_code`)."""

    code: str
    name: str
    why: str
    row: int | None = None  # an earlier row of the same list


@dataclass
class Decisions:
    """What the officer decided about rows that need it (by spreadsheet row number)."""

    communes: dict[int, str] = field(default_factory=dict)  # ambiguous row → the commune picked (code on its map)
    new: set[int] = field(default_factory=set)  # possible duplicate → a new record after all (not for a stored code)
    same_as: dict[int, str] = field(default_factory=dict)  # possible duplicate → that stored record's code
    left_out: set[int] = field(default_factory=set)  # rows not to write at all


@dataclass
class ListRow:
    """One data row as understood: its status (`new`, `update`, `same`, `ambiguous`, `unresolved`,
    `invalid`, `duplicate` while a possible duplicate waits for a decision, `left_out`), the record it
    becomes and why it cannot be written as it is (or, written, what to know: a stored name kept)."""

    row: int
    status: str
    name: str = ""
    code: str = ""
    map: str = ""
    commune: str = ""  # the commune found, on `map`
    cells: dict[str, str] = field(default_factory=dict)  # the exchange columns as they will be written
    candidates: tuple[tuple[str, str, str], ...] = ()  # (code, name, name of the unit above) on `map`
    similar: tuple[Similar, ...] = ()
    matched: bool = False  # a stored record: the row updates it (or is the same)
    decided: bool = False  # the officer said which record a possible duplicate is
    column: str = ""  # the list's header the message is about
    problem: tuple[str, dict[str, object]] | None = None  # message key under `lists.` (or `import.`) and parameters

    def message(self, lang: str = "en") -> str:
        if self.problem is None:
            return ""
        code, params = self.problem
        return t(code, lang, **localized(params, lang))

    @property
    def needs_decision(self) -> bool:
        return self.status in BLOCKING or (bool(self.similar) and not self.decided)

    @property
    def same_code(self) -> bool:
        """A possible duplicate because its registration number is stored under another name: the
        number names one record, so the row is that record or is left out, never a new one."""
        return any(s.why == "same_code" for s in self.similar)


@dataclass
class OfficeList:
    """A list read and understood: where its header is, which column gives which field, every row."""

    file: str
    entity: str
    header: list[str]
    header_row: int
    columns: dict[str, str]  # field → the list's header
    ignored: list[str]
    rows: list[ListRow]
    written: bool = False

    @property
    def blocked(self) -> list[ListRow]:
        return [r for r in self.rows if r.needs_decision]

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = defaultdict(int)
        for r in self.rows:
            found[r.status] += 1
        return dict(found)

    def report_csv(self, lang: str = "en") -> str:
        """The report: one line per data row (docs/office-lists.md), cells shielded for spreadsheets."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(REPORT_COLUMNS)
        for r in self.rows:
            message = r.message(lang)
            if r.similar and not message:
                message = similar_text(r.similar, lang)
            writer.writerow(
                [
                    r.row,
                    r.status,
                    shield(r.code),
                    shield(r.name),
                    r.cells.get("commune_code", ""),
                    r.cells.get("commune_code_2025_07", ""),
                    shield("; ".join(f"{c} {n}" for c, n, _ in r.candidates)),
                    shield(message),
                ]
            )
        return out.getvalue()

    def problem_lines(self, lang: str = "en") -> list[str]:
        """One line per row that needs a decision: file, row, column and what is wrong."""
        lines = []
        for r in self.blocked:
            where = [self.file, t("import.where_row", lang, row=r.row)]
            if r.column:
                where.append(t("import.where_column", lang, column=r.column))
            text = r.message(lang) or similar_text(r.similar, lang)
            if r.candidates:
                text += " — " + "; ".join(f"{c} {n} ({p})" for c, n, p in r.candidates)
            lines.append(f"{', '.join(where)}: {text}")
        return lines


def similar_text(similar: tuple[Similar, ...], lang: str) -> str:
    shown = "; ".join(
        t(f"lists.similar_{s.why}", lang, code=s.code, name=s.name, row=s.row if s.row is not None else "")
        for s in similar
    )
    which = "possible_duplicate_code" if any(s.why == "same_code" for s in similar) else "possible_duplicate"
    return t(f"lists.{which}", lang, similar=shown)


def import_list(
    engine: Engine,
    name: str,
    data: bytes,
    entity: str,
    *,
    map_name: str | None = None,
    sheet: str | None = None,
    chosen: dict[str, str] | None = None,
    decisions: Decisions | None = None,
    dry_run: bool = False,
    actor: Actor = SYSTEM,
    only_chosen: bool = False,
) -> OfficeList:
    """Read the list and, unless a row needs a decision or `dry_run`, write every row in one transaction
    with the list's file named in each record's history. Raises `ListRefused` for a list that cannot
    be read as asked; a row that cannot be written is in the result with its status, nothing written."""
    listed = read_office_list(engine, name, data, entity, map_name=map_name, sheet=sheet, chosen=chosen,
                              decisions=decisions, actor=actor, only_chosen=only_chosen)  # fmt: skip
    if listed.blocked or dry_run:
        return listed
    table = _table(listed)
    try:
        report = import_tables(engine, [table], actor, source=name)
    except ImportRefused as refused:  # changed meanwhile: the rows as the database now sees them
        _mark_problems(listed, refused)
        return listed
    _mark_kinds(listed, report.kinds)
    listed.written = True
    return listed


def read_office_list(
    engine: Engine,
    name: str,
    data: bytes,
    entity: str,
    *,
    map_name: str | None = None,
    sheet: str | None = None,
    chosen: dict[str, str] | None = None,
    decisions: Decisions | None = None,
    actor: Actor = SYSTEM,
    only_chosen: bool = False,
) -> OfficeList:
    """Everything `import_list` does but the write: each row's status as an import would give it.
    With `only_chosen`, `chosen` is the whole reading (the app's column choices): no header word is
    read on its own."""
    if entity not in LIST_ENTITIES:
        raise ListRefused(name, None, None, "unknown_entity", entity=entity, entities=", ".join(LIST_ENTITIES))
    if map_name is not None and map_name not in MAPS:
        raise ListRefused(name, None, None, "unknown_map", map=map_name, maps=" and ".join(MAPS))
    table = read_list(name, data, sheet)
    understood = _understand(table, entity, chosen or {}, only_chosen)
    columns = {f: table.header[i] for f, i in understood.columns.items()}
    listed = OfficeList(
        name, entity, table.header, table.header_row, columns, [table.header[i] for i in understood.ignored], []
    )
    with read_session(engine) as session:
        refs = _References(session, entity)
        for number, cells in table.rows:
            given = {f: (cells[i] if i < len(cells) else "").strip() for f, i in understood.columns.items()}
            listed.rows.append(_row(number, given, entity, columns, map_name, refs, decisions or Decisions()))
        _match(session, listed, decisions or Decisions())
    _check(engine, listed, actor)
    for r in listed.rows:  # checked as what they would be; a decision first
        if r.status in ("new", "update", "same") and r.similar and not r.decided:
            r.status = "duplicate"
    return listed


def _understand(table: Sheet, entity: str, chosen: dict[str, str], only_chosen: bool = False) -> Understood:
    """The columns by field, or the refusal of a list that cannot be read as `entity`."""
    keys = [key(h) for h in table.header]
    fields = (*BY_NAME[entity].column_names, *PLACE_FIELDS)
    claimed: dict[str, str] = {}
    for name, header in chosen.items():
        if name not in fields:
            raise ListRefused(table.file, None, None, "unknown_field", field=name, fields=", ".join(fields))
        if key(header) not in keys:
            raise ListRefused(table.file, table.header_row, header, "no_such_header", header=header)
        if key(header) in claimed:
            raise ListRefused(table.file, table.header_row, header, "column_two_fields",
                              header=header, fields=f"{claimed[key(header)]}, {name}")  # fmt: skip
        claimed[key(header)] = name
    understood = understand(table.header, entity, chosen)
    if only_chosen:
        understood.columns = {f: i for f, i in understood.columns.items() if f in chosen}  # a column left out stays out
        taken = set(understood.columns.values())
        understood.ignored = [i for i in range(len(table.header)) if i not in taken]
        understood.twice = {}
        return _required(table, entity, understood)
    auto = understand(table.header, entity)
    for name, index in auto.columns.items():
        header = table.header[index]
        if key(header) in claimed and claimed[key(header)] != name and name not in chosen:
            raise ListRefused(table.file, table.header_row, header, "column_two_fields",
                              header=header, fields=f"{name}, {claimed[key(header)]}")  # fmt: skip
    for name, indexes in understood.twice.items():
        headers = ", ".join(table.header[i] for i in indexes)
        raise ListRefused(table.file, table.header_row, table.header[indexes[1]], "field_twice",
                          field=name, headers=headers)  # fmt: skip
    other = likely_kind(table.header, entity)
    if other is not None:
        raise ListRefused(table.file, table.header_row, other[1][0], "wrong_kind",
                          entity=entity, other=other[0], kind=other[0], headers=", ".join(other[1]))  # fmt: skip
    return _required(table, entity, understood)


def _required(table: Sheet, entity: str, understood: Understood) -> Understood:
    spec = BY_NAME[entity]
    wanted = ["name", *(c.name for c in spec.columns if c.required and c.name not in ("code", "name"))]
    for name in wanted:
        if name not in understood.columns:
            raise ListRefused(table.file, table.header_row, None, "missing_field",
                              field=name, words=expected_words(entity))  # fmt: skip
    if spec.located and not any(f in understood.columns for f in LOCATION_FIELDS):
        raise ListRefused(table.file, table.header_row, None, "missing_place")
    return understood


class _References:
    """Cooperatives (a producers' list names its cooperative by name or code) and products (an area's list
    names its product by name), read once per list."""

    def __init__(self, session: Session, entity: str):
        self.cooperatives: dict[str, list[str]] = defaultdict(list)
        self.cooperative_codes: set[str] = set()
        self.products: dict[str, list[str]] = defaultdict(list)
        if entity == "producers":
            rows = session.execute(
                sa.select(col(Cooperative.code), col(Cooperative.name)).where(col(Cooperative.archived_at).is_(None))
            )
            for code, name in rows:
                self.cooperative_codes.add(code)
                self.cooperatives[key(name)].append(code)
        if entity == "raw_material_areas":
            for code, vi, en in session.execute(
                sa.select(col(Product.code), col(Product.name_vi), col(Product.name_en)).where(
                    col(Product.archived_at).is_(None)
                )
            ):
                for said in {key(code), key(vi), key(en or "")} - {""}:
                    if code not in self.products[said]:
                        self.products[said].append(code)

    def cooperative(self, text: str) -> str:
        if text in self.cooperative_codes:
            return text
        found = self.cooperatives.get(key(text), [])
        if len(found) == 1:
            return found[0]
        raise Bad("cooperative_twice" if found else "no_cooperative", value=text, codes=", ".join(found))

    def product(self, text: str) -> str:
        found = self.products.get(key(text), [])
        if len(found) == 1:
            return found[0]
        raise Bad("product_twice" if found else "no_product", value=text, codes=", ".join(found))


PLACES = Places()


def _row(
    number: int,
    given: dict[str, str],
    entity: str,
    columns: dict[str, str],
    map_name: str | None,
    refs: _References,
    decisions: Decisions,
) -> ListRow:
    """One row's values and commune; `invalid`, `ambiguous` or `unresolved` with why, else pending."""
    spec = BY_NAME[entity]
    row = ListRow(number, "pending", name=given.get("name", ""), code=given.get("code", ""))
    if not row.name:
        return _bad(row, columns, "name", "required", {"column": columns["name"]})
    cells: dict[str, str] = {}
    for column in spec.columns:
        text = given.get(column.name, "")
        if column.name in ("commune_code", "commune_code_2025_07") or not text:
            continue
        try:
            cells[column.name] = _value(column.kind, column.name, text, entity, refs)
        except Bad as bad:
            return _bad(row, columns, column.name, bad.code, {"column": columns[column.name], **bad.params})
    row.cells = cells
    _locate(row, given, columns, map_name, decisions, spec)
    return row


def _value(kind: str, name: str, text: str, entity: str, refs: _References) -> str:
    if kind == "date":
        return date_text(text)
    if kind == "int":
        return int_text(text)
    if kind == "area":
        return area_text(text)
    if kind == "enum" and name == "kind":
        return kind_text(text, entity)
    if name == "cooperative_code":
        return refs.cooperative(text)
    if name == "product_code":
        return refs.product(text)
    return text


def _bad(row: ListRow, columns: dict[str, str], name: str, code: str, params: dict[str, object]) -> ListRow:
    row.status, row.column = "invalid", columns.get(name, name)
    if not code.startswith(("lists.", "import.")):
        code = f"lists.{code}" if code in _OWN_KEYS else f"import.{code}"
    row.problem = (code, params)
    return row


_OWN_KEYS = {"cooperative_twice", "no_cooperative", "product_twice", "no_product"}


def _locate(
    row: ListRow,
    given: dict[str, str],
    columns: dict[str, str],
    map_name: str | None,
    decisions: Decisions,
    spec: Entity,
) -> None:
    """The row's commune: a code column wins, else its names (`Places`), else a commune the officer picked."""
    old, new = given.get("commune_code", ""), given.get("commune_code_2025_07", "")
    if old or new:
        for name, value, on in (("commune_code", old, OLD_MAP), ("commune_code_2025_07", new, NEW_MAP)):
            if value:
                code = value.zfill(5) if value.isdigit() else value
                if code not in map_data(on).communes:
                    _bad(row, columns, name, "lists.not_a_commune", {"value": value, "map": on})
                    return
                row.cells[name] = code
        row.map, row.commune = (OLD_MAP, row.cells["commune_code"]) if old else (NEW_MAP, row.cells[
            "commune_code_2025_07"])  # fmt: skip
        return
    places = {f: given.get(f, "") for f in ("address", "commune", "district", "province")}
    if given.get("commune_id"):
        value = given["commune_id"]
        on = map_name or (OLD_MAP if places["district"] else NEW_MAP)
        code = value.zfill(5) if value.isdigit() else value
        if code not in map_data(on).communes:
            _bad(row, columns, "commune_id", "lists.not_a_commune", {"value": value, "map": on})
            return
        _place(row, on, code)
        return
    if not any(places.values()):
        if spec.located:
            _bad(row, columns, next(f for f in LOCATION_FIELDS if f in columns), "lists.no_place", {})
        return
    found = PLACES.resolve(map_name=map_name, **places)
    row.map = found.map
    if found.status == RESOLVED and found.code:
        _place(row, found.map, found.code)
        return
    picked = decisions.communes.get(row.row)
    if found.status == AMBIGUOUS and picked in {p.code for p in found.candidates}:
        _place(row, found.map, str(picked))
        row.candidates = tuple((p.code, p.name, p.unit.parent) for p in found.candidates)  # the choice stays shown
        return
    row.status = found.status
    row.column = columns.get(found.column or "address", found.column or "")
    row.candidates = tuple((p.code, p.name, p.unit.parent) for p in found.candidates)
    row.problem = (f"lists.{found.message}", dict(found.params))


def _place(row: ListRow, on: str, code: str) -> None:
    row.map, row.commune = on, code
    row.cells["commune_code" if on == OLD_MAP else "commune_code_2025_07"] = code


@dataclass
class _Stored:
    code: str
    name: str
    cells: dict[str, str]  # the exchange columns as stored; read only for a record a row may become
    key: str = field(init=False)  # the name as compared, once per record

    def __post_init__(self) -> None:
        self.key = key(self.name)


def _match(session: Session, listed: OfficeList, decisions: Decisions) -> None:
    """Which stored record each row is (by code, else by name in its commune), possible duplicates, and
    the codes of new records. A possible duplicate is found as the list gives the row, then the officer's
    decision applies: a new record (not for a code stored under another name: a code names one record),
    the stored record it is (whose stored name is kept: a list never renames a record), or left out."""
    spec = BY_NAME[listed.entity]
    model: Any = spec.model
    pending = [r for r in listed.rows if r.status == "pending"]
    codes = {r.code for r in pending if r.code} | {decisions.same_as.get(r.row, "") for r in pending} - {""}
    by_code = _stored_by(session, model, spec, model.code, sorted(codes))
    olds = {r.commune for r in pending if r.map == OLD_MAP and r.commune}
    news = {r.commune for r in pending if r.map == NEW_MAP and r.commune}
    near = _stored_near(session, model, spec, olds, news, pending)
    seen: dict[tuple[str, str, str], ListRow] = {}
    in_commune: dict[tuple[str, str], list[tuple[str, ListRow]]] = defaultdict(list)  # earlier rows by commune
    for r in pending:
        leaving = r.row in decisions.left_out
        here = near.get((r.map, r.commune), []) if r.commune else near.get(("", ""), [])
        name_key = key(r.name)
        stored = by_code.get(r.code) if r.code else next((s for s in here if s.key == name_key), None)
        ident = (r.map, r.commune, name_key)
        if ident in seen and not r.code and not leaving:
            first = seen[ident]
            _bad(r, listed.columns, "name", "lists.same_in_list", {"row": first.row})
            continue
        if ident not in seen and not leaving:
            seen[ident] = r
            in_commune[(r.map, r.commune)].append((name_key, r))
        similar: list[Similar] = []
        if r.code and stored is not None and key(stored.name) != name_key:
            similar.append(Similar(stored.code, stored.name, "same_code"))
        if stored is None:
            similar += [Similar(s.code, s.name, "one_letter") for s in here if _one_letter(s.key, name_key)]
            similar += [
                Similar(o.code or "", o.name, "one_letter_row", o.row)
                for k, o in in_commune[(r.map, r.commune)]
                if o is not r and not o.matched and _one_letter(k, name_key)
            ]
        r.similar = tuple(similar)
        if leaving:
            r.status, r.decided = LEFT_OUT, True
            continue
        if r.row in decisions.same_as:
            code = decisions.same_as[r.row]
            if code not in by_code:
                _bad(r, listed.columns, "code", "lists.no_such_record", {"code": code})
                continue
            stored, r.code, r.decided = by_code[code], code, True
        elif r.row in decisions.new and r.same_code:
            r.problem = ("lists.code_names_one_record", {"code": r.code, "name": stored.name if stored else ""})
        elif r.row in decisions.new and r.similar:
            r.decided = True
        if stored is not None:
            r.code, r.matched = stored.code, True
            merged = dict(stored.cells)
            merged.update(r.cells)
            other = "commune_code_2025_07" if r.map == OLD_MAP else "commune_code"
            if r.commune and stored.cells.get(other) and other not in r.cells:
                pair = (r.commune, stored.cells[other]) if r.map == OLD_MAP else (stored.cells[other], r.commune)
                if not agrees(*pair):
                    merged[other] = ""  # moved: the other map places it again (docs/exchange-files.md)
            r.cells = merged
        elif not r.code:
            r.code = _made_code(listed.entity, r.map, r.commune, name_key)
        r.cells["code"], r.cells["name"] = r.code, r.name
        if stored is not None and " ".join(stored.name.split()) != " ".join(r.name.split()):
            r.cells["name"] = stored.name  # a list never renames a record, not even its case or marks (Hà, Hạ)
            if r.decided or not r.similar:
                r.problem = ("lists.name_kept", {"code": stored.code, "name": stored.name, "listed": r.name})
    for r in listed.rows:
        if r.row in decisions.left_out and r.status != LEFT_OUT:  # an ambiguous, unresolved or invalid row
            r.status, r.decided = LEFT_OUT, True
    _unique_codes(session, model, [r for r in pending if r.status == "pending"], by_code)


def _one_letter(a: str, b: str) -> bool:
    """Whether two keys differ by one letter: one changed, added or left out."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    i = next((i for i, (x, y) in enumerate(zip(short, long_, strict=False)) if x != y), len(short))
    return short[i:] == long_[i + 1 :]


def _made_code(entity: str, on: str, commune: str, name_key: str) -> str:
    digest = hashlib.sha256(f"{on}|{commune}|{name_key}".encode()).hexdigest()[:8].upper()
    return f"{CODE_PREFIX[entity]}-{digest}"


def _unique_codes(session: Session, model: Any, rows: list[ListRow], by_code: dict[str, _Stored]) -> None:
    """A made code already taken by another record (or row) gets a suffix: a new record never updates one."""
    rows = [r for r in rows if not r.matched and r.code not in by_code]
    made = sorted({r.code for r in rows})
    taken: set[str] = set()
    for chunk in chunked(made):
        taken.update(session.execute(sa.select(model.code).where(model.code.in_(chunk))).scalars())
    used: set[str] = set()
    for r in rows:
        code, n = r.code, 1
        while code in taken or code in used:
            n += 1
            code = f"{r.code}-{n}"
        used.add(code)
        r.code = r.cells["code"] = code


def _stored_by(session: Session, model: Any, spec: Entity, column: Any, values: list[str]) -> dict[str, _Stored]:
    found: dict[str, _Stored] = {}
    for chunk in chunked(values):
        for record in session.execute(sa.select(model).where(column.in_(chunk))).scalars():
            found[record.code] = _stored(record, spec)
    return found


def _stored(record: Any, spec: Entity) -> _Stored:
    cells = {c: format_value(getattr(record, c)) for c in spec.column_names}
    return _Stored(record.code, record.name, cells)


def _stored_near(
    session: Session, model: Any, spec: Entity, olds: set[str], news: set[str], rows: list[ListRow]
) -> dict[tuple[str, str], list[_Stored]]:
    """Live stored records by (map, commune) they lie in on that map, for the communes the rows name:
    given there, or given on the other map and placed in exactly that commune. Only their codes and
    names are read for all of them (a name compared, a possible duplicate shown); the whole record
    only for those a row names in its commune, which it becomes."""
    to_old, to_new = placements(NEW_MAP, OLD_MAP), placements(OLD_MAP, NEW_MAP)
    cw = crosswalk()
    want_old = olds | {c for n in news for c in cw.new_to_old.get(n, ())}
    want_new = news | {c for o in olds for c in cw.old_to_new.get(o, ())}
    found: dict[tuple[str, str], list[_Stored]] = defaultdict(list)
    records: dict[str, tuple[str, str | None, str | None]] = {}
    for column, codes in ((model.commune_code, want_old), (model.commune_code_2025_07, want_new)):
        for chunk in chunked(sorted(codes)):
            query = sa.select(model.code, model.name, model.commune_code, model.commune_code_2025_07).where(
                column.in_(chunk), model.archived_at.is_(None)
            )
            for code, name, old, new in session.execute(query):
                records.setdefault(code, (name, old, new))
    for code, (name, old, new) in records.items():
        stored = _Stored(code, name, {})
        on_old = old or (to_old[new].code if new and to_old[new].level == "commune" else None)
        on_new = new or (to_new[old].code if old and to_new[old].level == "commune" else None)
        if on_old in olds:
            found[(OLD_MAP, on_old)].append(stored)
        if on_new in news:
            found[(NEW_MAP, on_new)].append(stored)
    named = {
        s.code
        for r in rows
        if not r.code and r.commune
        for s in found.get((r.map, r.commune), [])
        if s.key == key(r.name)
    }
    whole = _stored_by(session, model, spec, model.code, sorted(named))
    for stored in (s for here in found.values() for s in here if s.code in whole):
        stored.cells = whole[stored.code].cells
    return found


def _table(listed: OfficeList) -> Table:
    spec = BY_NAME[listed.entity]
    header = list(spec.column_names)
    table = Table(listed.entity, listed.file, header)
    for r in listed.rows:
        if r.status not in BLOCKING and r.status != LEFT_OUT:
            table.rows.append((r.row, {c: shield(r.cells.get(c, "")) for c in header}))
    return table


def _check(engine: Engine, listed: OfficeList, actor: Actor) -> None:
    """The rows as the write path sees them (every rule of the exchange files and the actor's rights):
    statuses `new`, `update`, `same`, or `invalid` with the write path's own message."""
    table = _table(listed)
    if not table.rows:
        return
    try:
        report = import_tables(engine, [table], actor, dry_run=True)
    except ImportRefused as refused:
        _mark_problems(listed, refused)
        return
    _mark_kinds(listed, report.kinds)


def _mark_kinds(listed: OfficeList, kinds: dict[tuple[str, int], str]) -> None:
    status = {"create": "new", "update": "update", "same": "same"}
    for r in listed.rows:
        kind = kinds.get((listed.entity, r.row))
        if kind is not None and r.status not in BLOCKING:
            r.status = status[kind]


def _mark_problems(listed: OfficeList, refused: ImportRefused) -> None:
    by_row = {r.row: r for r in listed.rows}
    for problem in refused.problems:
        if problem.row is None or problem.row not in by_row:
            raise ListRefused(listed.file, problem.row, problem.column, "write_refused", detail=problem.message("en"))
        r = by_row[problem.row]
        if r.status == "invalid":
            continue
        r.status, r.column = "invalid", _header_of(listed, problem.column)
        r.problem = (f"import.{problem.code}", dict(problem.params))
    for r in listed.rows:  # the rows the write path did not refuse: what they would have been
        if r.status == "pending":
            r.status = "update" if r.matched else "new"


def _header_of(listed: OfficeList, column: str | None) -> str:
    if column is None:
        return ""
    if column in listed.columns:
        return listed.columns[column]
    if column in ("commune_code", "commune_code_2025_07"):
        return next((listed.columns[f] for f in LOCATION_FIELDS if f in listed.columns), column)
    return column


def candidate_choices(row: ListRow) -> list[tuple[str, str]]:
    """(code, label) of an ambiguous row's candidates: the commune, the unit above it, and what it is
    on the other map (its name there, or the communes it went to), so the officer knows either name."""
    if not row.candidates:
        return []
    other = NEW_MAP if row.map == OLD_MAP else OLD_MAP
    there = map_data(other).communes
    cw = crosswalk()
    found = []
    for code, name, parent in row.candidates:
        linked = cw.old_to_new.get(code, ()) if row.map == OLD_MAP else cw.new_to_old.get(code, ())
        names = ", ".join(there[c].name for c in linked[:3]) + ("…" if len(linked) > 3 else "")
        found.append((code, f"{code} {name} ({parent}) · {other}: {names or '—'}"))
    return found


def preview_rows(listed: OfficeList, lang: str = "en", only_decisions: bool = False) -> list[dict[str, object]]:
    """The rows as the app's table shows them: row, status, name, commune (code and name on its map), message."""
    shown = []
    for r in listed.rows:
        if only_decisions and not r.needs_decision:
            continue
        commune = map_data(r.map).communes[r.commune].name if r.commune else ""
        message = r.message(lang) or (similar_text(r.similar, lang) if r.similar else "")
        shown.append(
            {
                "row": r.row,
                "status": r.status,
                "name": r.name,
                "code": r.code,
                "map": r.map,
                "commune": f"{r.commune} {commune}".strip(),
                "message": message,
            }
        )
    return shown
