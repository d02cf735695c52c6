"""The `linkage` command line (docs/command-line.md): thin, every rule lives in the domain modules.

Exit status 0 on success; 1 with a plain message on stderr when the user's input or data is
refused; 2 for a usage error (argparse). No traceback reaches the user for an expected error.

Each command imports the modules it needs when it runs, to keep start-up fast: `linkage --help`
and the light commands do not load networkx, openpyxl or the graph and coverage code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from linkage.errors import DatabaseProblem, UserFacingError
from linkage.i18n import t, vietnam_time
from linkage.vocabulary import PARTY_TYPES, ROLES, TECHNOLOGIES

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

LANG = os.environ.get("LINKAGE_LANG", "en")


class _Offered(tuple[str, ...]):
    """Choices shown in help (and documented), checked by the command itself rather than argparse, so
    that a wrong value is refused in one plain line naming them instead of a usage dump."""

    def __contains__(self, value: object) -> bool:
        return True


MAP_CHOICES = _Offered(("2025-01", "2025-07"))  # linkage.geo.maps.MAPS, not imported: keeps start-up fast
LEVEL_CHOICES = ("national", "province", "district", "commune")  # every level of either map


class UserError(Exception):
    """A refusal to show as a plain message, never as a traceback."""


class UsageError(UserError):
    """An option value the command cannot use with the others (exit status 2, like argparse's)."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _engine(args: argparse.Namespace) -> Engine:
    from linkage.store.db import get_engine, schema_is_current

    engine = get_engine(args.db)
    if args.command != "init" and not schema_is_current(engine):
        from linkage.store.driver import not_ready

        raise not_ready(args.db)
    return engine


def cmd_init(args: argparse.Namespace) -> int:
    from linkage.records.catalog import init

    added = init(_engine(args))
    print(t("cli.init_done", LANG, url=_shown_url(args.db), **added))
    return 0


def _shown_url(url: str | None) -> str:
    from linkage.store.driver import shown_url

    return shown_url(url)


def _report_line(report: object, key: str) -> str:
    counts = report.counts.values()  # type: ignore[attr-defined]
    return t(
        key,
        LANG,
        rows=report.rows,  # type: ignore[attr-defined]
        inserted=sum(c.inserted for c in counts),
        updated=sum(c.updated for c in counts),
        unchanged=sum(c.unchanged for c in counts),
    )


def cmd_import(args: argparse.Namespace) -> int:
    from linkage.exchange import ImportRefused
    from linkage.records.importing import import_path

    try:
        report = import_path(_engine(args), Path(args.path), dry_run=args.dry_run)
    except ImportRefused as refused:
        for problem in refused.problems:
            print(problem.line(LANG), file=sys.stderr)
        print(t("cli.import_refused", LANG, count=len(refused.problems)), file=sys.stderr)
        return 1
    print(_report_line(report, "cli.import_dry_run" if args.dry_run else "cli.import_done"))
    return 0


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """`FIELD=HEADER` or `ROW=CODE` options as a mapping, refused in one line when malformed."""
    found: dict[str, str] = {}
    for value in values or []:
        left, sep, right = value.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise UserError(f"{option} {value!r}: write {option} NAME=VALUE")
        found[left.strip()] = right.strip()
    return found


def _rows(values: dict[str, str] | list[str], option: str) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise UserError(f"{option}: a row is the spreadsheet's row number, such as 5") from None


def cmd_import_list(args: argparse.Namespace) -> int:
    from linkage.lists.problems import ListRefused
    from linkage.lists.service import Decisions, import_list

    path = Path(args.file)
    picks, same = _pairs(args.pick, "--pick"), _pairs(args.same, "--same")
    decisions = Decisions(
        communes=dict(zip(_rows(list(picks), "--pick"), picks.values(), strict=True)),
        new=set(_rows(args.new or [], "--new")),
        same_as=dict(zip(_rows(list(same), "--same"), same.values(), strict=True)),
        left_out=set(_rows(args.leave_out or [], "--leave-out")),
    )
    try:
        listed = import_list(
            _engine(args),
            path.name,
            path.read_bytes(),
            args.entity,
            map_name=args.map,
            sheet=args.sheet,
            chosen=_pairs(args.column, "--column"),
            decisions=decisions,
            dry_run=args.dry_run,
        )
    except ListRefused as refused:
        print(refused.line(LANG), file=sys.stderr)
        return 1
    counts = listed.counts()
    shown = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(t("lists.read", LANG, file=path.name, header_row=listed.header_row, rows=len(listed.rows), counts=shown))
    print(t("lists.columns", LANG, columns=", ".join(f"{h} → {f}" for f, h in listed.columns.items())))
    if listed.ignored:
        print(t("lists.ignored", LANG, columns=", ".join(h or "—" for h in listed.ignored)))
    if args.report:
        Path(args.report).write_text(listed.report_csv(LANG), encoding="utf-8-sig", newline="")
        print(t("lists.report_written", LANG, path=args.report))
    numbers = {k: counts.get(k, 0) for k in ("new", "update", "same")}
    if listed.blocked:
        for line in listed.problem_lines(LANG):
            print(line, file=sys.stderr)
        print(t("lists.refused", LANG, count=len(listed.blocked)), file=sys.stderr)
        return 1
    print(
        t("lists.written", LANG, file=path.name, **numbers) if listed.written else t("lists.dry_run", LANG, **numbers)
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from linkage.accounts.users import SYSTEM
    from linkage.records.exporting import export_folder
    from linkage.store.db import read_session

    with read_session(_engine(args)) as session:
        written = export_folder(session, Path(args.folder), args.format, actor=SYSTEM)
    print(t("cli.export_done", LANG, count=len(written), folder=args.folder))
    return 0


def _map(args: argparse.Namespace, day: date) -> str:
    """The map asked for (refused in one line naming the maps when unknown), else the map of `day`."""
    from linkage.geo.maps import UnknownMap, check_map, map_of

    if args.map is None:
        return map_of(day)
    try:
        return check_map(args.map)
    except UnknownMap as exc:
        raise UserError(str(exc)) from exc


def cmd_coverage(args: argparse.Namespace) -> int:
    from linkage.counting.printed import json_ready, write_csv
    from linkage.counting.rules import ALL_LEVELS, COLUMNS, reported_levels

    day = args.as_of or date.today()
    on = _map(args, day)
    if args.level and args.level not in reported_levels(on):
        has = ", ".join(reported_levels(on))
        raise UsageError(t("cli.maps.level_not_on_map", LANG, map=on, level=args.level, levels=has))
    levels = (args.level,) if args.level else ALL_LEVELS
    if args.verified_only:  # records as last verified: read through the models (`coverage.load_facts`)
        from linkage.counting.coverage import coverage

        table = coverage(_engine(args), day, levels, verified_only=True, map_name=on)
        rows = list(zip(*(table[column].tolist() for column in COLUMNS), strict=True))
    else:  # the live records through the driver alone, counted over plain rows: no SQLAlchemy or pandas to load
        from linkage.counting.live import read_inputs
        from linkage.counting.rules import rows as counted
        from linkage.store.driver import reading

        with reading(args.db) as connection:
            inputs = read_inputs(connection)
        rows = counted(inputs, day.toordinal(), levels, on)
    if args.format == "json":
        json.dump(json_ready(dict(zip(COLUMNS, row, strict=True)) for row in rows), sys.stdout, ensure_ascii=False)
        print()
    elif args.format == "csv":
        write_csv(rows, sys.stdout)
    else:
        import pandas as pd

        shown = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
        shown["ratio"] = shown["ratio"].map(lambda r: "" if r != r else f"{r:.1%}")
        print(shown.to_string(index=False))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from linkage.accounts.demo_accounts import WARNING, create_demo_accounts
    from linkage.demo import generate

    engine = _engine(args)
    summary = generate(engine, scale=args.scale, seed=args.seed)
    print(summary.describe())
    accounts = create_demo_accounts(engine)
    if accounts:
        print(f"\n{WARNING}")
        for account in accounts:
            print(
                f"  {account.username:<17} {account.role:<12} password {account.password:<18}"
                f" scope {account.scope_shown}"
            )
    return 0


MAP_INDICATORS = _Offered(
    ("communes_with_cooperative", "districts_with_key_product_linkage", "raw_material_linkages_with_digital_tech")
)


def cmd_map(args: argparse.Namespace) -> int:
    day = args.as_of or date.today()
    on = _map(args, day)
    out = Path(args.out)
    kind = out.suffix.lower().lstrip(".")
    if kind not in ("svg", "png"):
        raise UserError(f"{args.out}: the map is written as .svg or .png")
    from linkage.counting.coverage_map import description, map_indicators
    from linkage.geo.maps import map_data
    from linkage.records.unplaced import UnknownUnit, resolve

    levels = ("province", "district", "commune") if on == "2025-01" else ("province", "commune")
    try:
        unit = resolve(args.unit, on, levels)
    except UnknownUnit as exc:
        raise UserError(str(exc)) from exc
    if unit.level == "commune" and on == "2025-01":  # no indicator counts communes there: their district
        place = map_data(on).communes[unit.code]
        print(
            t("cli.map_commune_district", LANG, commune=unit.name, district=map_data(on).districts[place.district].name)
        )
        unit = map_data(on).districts[place.district].unit
    available = map_indicators(unit)
    indicator = args.indicator or available[0]
    if indicator not in available:
        raise UserError(f"{indicator!r} is not drawn for {unit.name} on map {on}: choose one of {', '.join(available)}")
    from linkage.counting import map_chart
    from linkage.counting.coverage import unit_map

    found = unit_map(_engine(args), day, unit, indicator)
    try:
        out.write_bytes(map_chart.picture(map_chart.chart(found, LANG), kind))
    except OSError as exc:
        raise UserError(f"{args.out}: cannot write the file ({exc.strerror})") from exc
    print(t("cli.map_done", LANG, file=str(out), description=description(found, LANG)))
    if found.unplaced:
        print(t("coverage_map.unplaced", LANG, count=found.unplaced, unit=found.area.name))
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    day = args.as_of or date.today()
    on = _map(args, day) if args.map else "2025-01"  # without --map: the programme's map, as before
    from linkage.records.unplaced import resolve

    levels = ("province", "district") if on == "2025-01" else ("province", "commune")
    unit = resolve(args.unit, on, levels)  # a short code naming several units is refused, naming them
    if unit.level == "national":
        raise UserError(f"{args.unit!r}: a graph is drawn for a province or a {levels[1]} of map {on}, not the country")
    from linkage.graphs.graph_file import write_graph_file

    summary = write_graph_file(
        _engine(args),
        unit,
        day,
        Path(args.out),
        products=args.product,
        technologies=args.technology,
        party_types=args.party_type,
        map_name=on,
        layout=args.layout,
    )
    print(summary.describe())
    return 0


def cmd_unplaced(args: argparse.Namespace) -> int:
    from linkage.geo.typed_codes import described
    from linkage.records.unplaced import resolve, unplaced, unplaced_csv

    on = _map(args, date.today())
    unit = resolve(args.unit, on, ("province", "district", "commune")) if args.unit else None
    if unit is not None and unit.level != "national":
        print(f"Unit: {described(unit)}", file=sys.stderr)  # the unit the code was read as, named
    text = unplaced_csv(unplaced(_engine(args), on, unit), on)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8-sig", newline="")  # the mark spreadsheets look for
        print(
            f"Wrote {text.count(chr(10)) - 1} record(s) placed above the commune on map {on} to {args.out}."
            f" Fill the missing column with one of the candidates, then: linkage import {args.out}"
        )
    else:
        sys.stdout.write(text)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Refusals here exit with status 2 (docs/command-line.md): the request itself cannot be met."""
    from linkage.reports.content import ReportRefused, check_date, issuing_heading, issuing_office, read_unit

    today = date.today()
    day = args.as_of or today
    out = Path(args.out)
    try:
        on = _map(args, day)
        check_date(day, today)
        unit = read_unit(args.unit, on)
        if not out.parent.is_dir() or not os.access(out.parent, os.W_OK):  # before counting anything
            raise ReportRefused("not_writable", path=args.out, reason=t("report.refused.no_folder", LANG))
        from linkage.accounts.users import SYSTEM
        from linkage.reports.document import make, save

        office = args.office or issuing_office(unit, args.lang)
        issuer = ("", args.office) if args.office else issuing_heading(unit, args.lang)  # as typed: one line
        report, written = make(
            _engine(args),
            unit,
            day,
            lang=args.lang,
            office=office,
            actor=SYSTEM,
            verified_only=args.verified_only,
            issuer=issuer,
        )
        save(written, out)
    except (ReportRefused, UserError) as exc:
        message = exc.message(LANG) if isinstance(exc, ReportRefused) else str(exc)
        print(f"linkage report: {message}", file=sys.stderr)
        return 2
    words = {"unit": unit.name, "date": day.strftime("%d/%m/%Y"), "map": on, "path": args.out}
    print(t("report.written", LANG, **words))
    if not report.has_figures:
        print(t("report.written_no_rural", LANG, unit=unit.name))
    return 0


def _password(args: argparse.Namespace) -> str:
    """The new password: the first line of stdin when it is not a terminal (or with
    --password-stdin), else typed twice at a prompt that does not echo. Never printed."""
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise UserError("the two passwords differ; nothing was changed")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from linkage.accounts.users import SYSTEM, add_user, scope_named

    engine = _engine(args)
    on = _map(args, date.today())  # a unit code is read on today's map unless --map names another
    account = add_user(engine, SYSTEM, args.username, _password(args), args.role, args.unit, args.cooperative, on)
    if args.email or args.oidc_subject:  # sign-in through the office's identity provider
        from linkage.accounts.identity import link

        link(engine, SYSTEM, account.username, email=args.email, subject=args.oidc_subject)
    scope = scope_named(account.unit_code, account.unit_map, account.cooperative_code) or "—"
    print(f"Added {account.role} account {account.username} (scope {scope}).")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from linkage.accounts.users import SYSTEM, list_users

    for user in list_users(_engine(args), SYSTEM):
        scope = user.unit_code or user.cooperative_code or "—"
        on = user.unit_map if user.unit_code and user.unit_code != "VN" else "—"  # a code is read on its map
        state = "disabled" if user.disabled else "active"
        named = user.scope_shown if user.unit_code else ""  # the unit's name, province and map
        print(f"{user.username}\t{user.role}\t{scope}\t{on}\t{state}\t{named}")
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    from linkage.accounts.users import SYSTEM, set_disabled

    set_disabled(_engine(args), SYSTEM, args.username)
    print(f"Disabled {args.username}; the account can no longer sign in and its open sessions end.")
    return 0


def cmd_user_enable(args: argparse.Namespace) -> int:
    from linkage.accounts.users import SYSTEM, set_disabled

    set_disabled(_engine(args), SYSTEM, args.username, False)
    print(f"Enabled {args.username}; the account can sign in again.")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from linkage.accounts.users import SYSTEM, change_password

    change_password(_engine(args), SYSTEM, args.username, _password(args))
    print(f"New password set for {args.username}.")
    return 0


HISTORY_KINDS = {
    "cooperative": "cooperatives",
    "producer": "producers",
    "buyer": "buyers",
    "raw_material_area": "raw_material_areas",
    "linkage": "linkages",
    "linkage_party": "linkage_parties",
    "digital_adoption": "digital_adoptions",
    "product": "products",
    "province_key_product": "province_key_products",
}


def cmd_history(args: argparse.Namespace) -> int:
    from linkage.accounts.users import SYSTEM
    from linkage.records.forms import history

    if args.kind == "account":
        from linkage.accounts.users import account_history

        steps = account_history(_engine(args), SYSTEM, args.code)
    else:
        steps = history(_engine(args), SYSTEM, HISTORY_KINDS[args.kind], args.code)
    if not steps:
        print(t("cli.no_history", LANG, kind=args.kind, code=args.code))
    for entry in steps:
        changes = "; ".join(f"{f}: {old or '—'} → {new or '—'}" for f, (old, new) in entry.changes.items())
        comment = f" — {entry.comment}" if entry.comment else ""
        print(f"{vietnam_time(entry.at)}\t{entry.actor}\t{entry.action}\t{changes}{comment}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from linkage.store.backup import backup, require_sqlite
    from linkage.store.db import get_engine

    require_sqlite(get_engine(args.db))  # PostgreSQL: say pg_dump, before any schema check
    print(t("cli.backup_done", LANG, summary=backup(_engine(args), Path(args.file)).describe()))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from linkage.store.backup import restore
    from linkage.store.db import get_engine

    summary, saved = restore(get_engine(args.db), Path(args.file))
    if saved is None:
        print(t("cli.restore_done_empty", LANG, summary=summary.describe()))
    else:
        print(t("cli.restore_done", LANG, summary=summary.describe(), saved=saved))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linkage", description="Linkage Tracker: value-chain linkages and the Decision 924 targets."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "--db", metavar="URL", help="database URL (default: $LINKAGE_DATABASE_URL, else embedded SQLite)"
        )
        p.set_defaults(handler=handler)
        return p

    command("init", cmd_init, "create or migrate the schema and load the geography and catalogs")
    p = command("import", cmd_import, "validate exchange files, then write all of them or nothing")
    p.add_argument("path", help="a folder of exchange files, one file, or one workbook")
    p.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
    p = command(
        "import-list",
        cmd_import_list,
        "read a list in an office's own layout (names and addresses), then write all of it or nothing",
    )
    p.add_argument("file", metavar="FILE", help="a CSV or XLSX list: title rows, STT, Vietnamese headers, addresses")
    p.add_argument(
        "--as", dest="entity", required=True, choices=("cooperatives", "producers", "buyers", "raw_material_areas")
    )
    p.add_argument(
        "--map",
        choices=MAP_CHOICES,
        metavar="2025-01|2025-07",
        help="the map of every row (default: a row naming a district is on 2025-01, any other on 2025-07)",
    )
    p.add_argument("--sheet", metavar="NAME", help="the workbook's sheet to read (default: the first)")
    p.add_argument("--column", action="append", metavar="FIELD=HEADER", help="read HEADER as FIELD (repeatable)")
    p.add_argument("--report", metavar="OUT.csv", help="write one line per row: status, code, commune, candidates")
    p.add_argument("--dry-run", action="store_true", help="read and check everything, write nothing")
    p.add_argument("--pick", action="append", metavar="ROW=COMMUNE", help="the commune of an ambiguous row")
    p.add_argument(
        "--new", action="append", metavar="ROW", help="a possible duplicate is a new record (not for a stored number)"
    )
    p.add_argument(
        "--same", action="append", metavar="ROW=CODE", help="a possible duplicate row is that stored record (name kept)"
    )
    p.add_argument("--leave-out", action="append", metavar="ROW", help="do not write this row (repeatable)")
    p = command("export", cmd_export, "write every exchange file into FOLDER")
    p.add_argument("folder")
    p.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    p = command("coverage", cmd_coverage, "the three Decision 924 indicators for every in-scope unit")
    p.add_argument("--level", choices=LEVEL_CHOICES, help="default: every level of the map")
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="evaluation date (default: today)")
    p.add_argument(
        "--map", choices=MAP_CHOICES, metavar="2025-01|2025-07", help="the map counted on (default: that of the date)"
    )
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--verified-only", action="store_true", help="count records as officers last verified them")
    p = command("demo", cmd_demo, "fill the database with generated demonstration data on the real geography")
    p.add_argument("--scale", choices=("province", "national"), default="province")
    p.add_argument("--seed", type=int, default=1)
    p = command("graph", cmd_graph, "write a district's or province's linkage graph as one offline HTML file")
    p.add_argument("unit", metavar="UNIT_CODE")
    p.add_argument("--out", required=True, metavar="FILE.html")
    p.add_argument(
        "--map",
        choices=MAP_CHOICES,
        metavar="2025-01|2025-07",
        help="the map UNIT_CODE is on: a district or province of 2025-01 (default), a commune or province of 2025-07",
    )
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="evaluation date (default: today)")
    p.add_argument("--product", action="append", metavar="CODE", help="only linkages of this product (repeatable)")
    p.add_argument("--technology", action="append", choices=TECHNOLOGIES, help="only linkages applying it (repeatable)")
    p.add_argument("--party-type", action="append", choices=PARTY_TYPES, help="only these parties (repeatable)")
    p.add_argument(
        "--layout",
        choices=("chains", "map"),
        default="chains",
        help="chains: each chain drawn as rings (default); map: every record at its commune's point",
    )
    p = command("map", cmd_map, "draw a unit's coverage map as one SVG or PNG picture, offline")
    p.add_argument("unit", metavar="UNIT", help="VN, a province, a district (2025-01) or a commune of the map")
    p.add_argument("--out", required=True, metavar="FILE.svg", help="the picture: FILE.svg or FILE.png")
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="evaluation date (default: today)")
    p.add_argument(
        "--map", choices=MAP_CHOICES, metavar="2025-01|2025-07", help="the map UNIT is on (default: that of the date)"
    )
    p.add_argument(
        "--indicator",
        choices=MAP_INDICATORS,
        metavar="INDICATOR",
        help="communes_with_cooperative (default), districts_with_key_product_linkage (2025-01: the country or a "
        "province), raw_material_linkages_with_digital_tech",
    )
    p = command("unplaced", cmd_unplaced, "list the records placed above the commune on a map, with their candidates")
    p.add_argument("--map", choices=MAP_CHOICES, metavar="2025-01|2025-07", help="the map (default: that of today)")
    p.add_argument("--unit", metavar="CODE", help="only records in this unit of the map or with a candidate in it")
    p.add_argument("--out", metavar="FILE.csv", help="write the list there (default: print it)")
    p = command("report", cmd_report, "write a unit's figures as a report in the state's format (Word, Decree 30/2020)")
    p.add_argument("unit", metavar="UNIT", help="VN, a province, or a district of 2025-01 / a commune of 2025-07")
    p.add_argument("--out", required=True, metavar="FILE.docx", help="the document, written whole or not at all")
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="evaluation date (default: today)")
    p.add_argument(
        "--map", choices=MAP_CHOICES, metavar="2025-01|2025-07", help="the map counted on (default: that of the date)"
    )
    p.add_argument("--verified-only", action="store_true", help="count records as officers last verified them")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="the document's language (default: vi)")
    p.add_argument("--office", metavar="TEXT", help="the issuing office (default: the office keeping the unit)")
    users = sub.add_parser("user", help="manage accounts").add_subparsers(dest="user_command", required=True)
    p = users.add_parser("add", help="create an account (password from a prompt or --password-stdin)")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument(
        "--unit",
        help="planner: VN or a province code; officer: a district (map 2025-01), a commune or province (map 2025-07)",
    )
    p.add_argument(
        "--map", choices=MAP_CHOICES, metavar="2025-01|2025-07", help="the map --unit is on (default: that of today)"
    )
    p.add_argument("--cooperative", help="cooperative account: the cooperative's code")
    p.add_argument("--email", help="signs in through the identity provider (OpenID Connect) with this e-mail")
    p.add_argument("--oidc-subject", help="signs in through the identity provider with this subject (`sub`)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.add_argument("--db", metavar="URL")
    p.set_defaults(handler=cmd_user_add)
    p = users.add_parser("list", help="list accounts")
    p.add_argument("--db", metavar="URL")
    p.set_defaults(handler=cmd_user_list)
    p = users.add_parser("disable", help="stop an account from signing in")
    p.add_argument("username")
    p.add_argument("--db", metavar="URL")
    p.set_defaults(handler=cmd_user_disable)
    p = users.add_parser("enable", help="let a disabled account sign in again")
    p.add_argument("username")
    p.add_argument("--db", metavar="URL")
    p.set_defaults(handler=cmd_user_enable)
    p = users.add_parser(
        "passwd", help="set a new password (from a prompt that does not echo, or the first line of stdin)"
    )
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.add_argument("--db", metavar="URL")
    p.set_defaults(handler=cmd_user_passwd)
    p = command("history", cmd_history, "every recorded change of one record")
    kinds = sorted([*HISTORY_KINDS, "account"])
    p.add_argument("kind", choices=kinds, metavar="KIND", help=", ".join(kinds))
    p.add_argument(
        "code", help="the record's code (parties and adoptions: the key columns joined by |; accounts: the user name)"
    )
    p = command("backup", cmd_backup, "copy the embedded SQLite database to a new FILE, safe while the app runs")
    p.add_argument("file", metavar="FILE")
    p = command(
        "restore", cmd_restore, "replace the SQLite database by a backup FILE (the current data is saved first)"
    )
    p.add_argument("file", metavar="FILE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except UsageError as exc:
        return _fail(args, str(exc), status=2)
    except UserError as exc:
        return _fail(args, str(exc))
    except UserFacingError as exc:
        return _fail(args, exc.message(LANG))
    except DatabaseProblem as exc:
        return _fail(args, str(exc))
    except BrokenPipeError:  # `linkage coverage | head`: the reader has what it wanted
        sys.stderr.close()
        return 0
    except OSError as exc:
        return _fail(args, f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
    except Exception as exc:
        message = _database_refusal(args, exc)
        if message is None:
            raise
        return _fail(args, message)


def _database_refusal(args: argparse.Namespace, exc: Exception) -> str | None:
    """What a database error raised through SQLAlchemy means for the user; None for any other error.
    SQLAlchemy is looked up, not imported: a command that never loaded it cannot have raised its errors."""
    sa = sys.modules.get("sqlalchemy")
    if isinstance(exc, ImportError) or (sa and isinstance(exc, (sa.exc.ArgumentError, sa.exc.NoSuchModuleError))):
        from linkage.store.driver import not_a_url

        return str(not_a_url(args.db))
    if sa is None or not isinstance(exc, sa.exc.DBAPIError):
        return None
    if isinstance(exc, sa.exc.OperationalError):
        return f"cannot use the database {_shown_url(args.db)}: {exc.orig}"
    if isinstance(exc, sa.exc.ProgrammingError):
        return f"the database is not ready ({exc.orig}); run `linkage init` first"
    return f"the database refused the change, nothing was written: {exc.orig}"


def _fail(args: argparse.Namespace, message: str, status: int = 1) -> int:
    print(f"linkage {args.command}: {message}", file=sys.stderr)
    return status
