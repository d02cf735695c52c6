"""The documents in docs/ stay true: the exchange files' columns are the spec's, the command line's
commands and options are the parser's, the indicator rules are the code's, and the examples run."""

from __future__ import annotations

import argparse
import csv
import re
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from linkage.cli import build_parser
from linkage.counting.coverage import coverage
from linkage.counting.indicators import COLUMNS, INDICATORS, MAP_INDICATOR_LEVELS, TARGETS
from linkage.exchange.spec import ENTITIES
from linkage.geo.maps import MAPS, OLD_MAP
from linkage.records.importing import import_path

from .documented import DOCS, run_block
from .helpers import sign_in_limit

ROOT = DOCS.parent
TICKED = re.compile(r"`([^`]+)`")


def sections(doc: str) -> dict[str, str]:
    """`## heading` → the text under it, up to the next `## ` heading."""
    parts = re.split(r"^## (.+)$", (DOCS / doc).read_text(encoding="utf-8"), flags=re.M)
    return {heading.strip(): body for heading, body in zip(parts[1::2], parts[2::2], strict=True)}


def table(text: str) -> list[dict[str, str]]:
    """The first Markdown table in `text`, as rows keyed by the header's words."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    assert lines, "no table"
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    body = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in re.split(r"(?<!`)\|(?!`)", line.strip().strip("|"))]
        body.append(dict(zip(header, cells, strict=True)))
    return body


# --- docs/exchange-files.md -----------------------------------------------------------------------


def test_every_exchange_file_is_documented_with_exactly_its_columns_keys_and_choices() -> None:
    found = sections("exchange-files.md")
    documented = {h.strip("`") for h in found if h.startswith("`") and h.endswith(".csv`")}
    assert documented == {f"{e.name}.csv" for e in ENTITIES}
    for entity in ENTITIES:
        text = found[f"`{entity.name}.csv`"]
        rows = table(text)
        assert [r["column"].strip("`") for r in rows] == list(entity.column_names), entity.name
        required = {r["column"].strip("`") for r in rows if r["required"] == "yes"}
        assert required == {c.name for c in entity.columns if c.required}, entity.name
        key = re.search(r"^\*\*Key:\*\* (.+)$", text, re.M)
        assert key and TICKED.findall(key.group(1)) == list(entity.key), entity.name
        for row, column in zip(rows, entity.columns, strict=True):
            if column.kind == "enum":
                words = TICKED.findall(row["meaning"])
                assert set(words) == set(column.choices) | ({column.default} if column.default else set())
                if column.default:
                    assert f"default `{column.default}`" in row["meaning"], column.name


EXAMPLE = re.compile(r"<!-- example: (\w+\.csv) -->\s*```csv\n(.*?)```", re.S)


def write_examples(folder: Path) -> list[str]:
    examples = EXAMPLE.findall((DOCS / "exchange-files.md").read_text(encoding="utf-8"))
    for name, text in examples:
        (folder / name).write_text(text, encoding="utf-8")
    return [name for name, _ in examples]


def test_the_documented_example_files_import_and_give_the_documented_figures(engine: Engine, tmp_path: Path) -> None:
    assert len(write_examples(tmp_path)) == 6
    report = import_path(engine, tmp_path)
    assert sum(c.inserted for c in report.counts.values()) == 8  # 4 records, 3 parties, 1 adoption
    rows = coverage(engine, date(2025, 12, 31), map_name=OLD_MAP).set_index(["indicator", "level", "unit_code"])
    documented = table(sections("indicators.md")["An example"])
    assert len(documented) == 4
    for line in documented:
        row = rows.loc[(line["indicator"].strip("`"), line["level"], line["unit_code"].strip("`"))]
        met = {"yes": True, "no": False, "—": None}[line["met"]]
        assert (row["numerator"], row["denominator"], row["met"]) == (
            int(line["numerator"]),
            int(line["denominator"]),
            met,
        ), line


# --- docs/indicators.md ---------------------------------------------------------------------------


def documented_levels(cell: str) -> set[str]:
    """`commune (rural communes), province, national` → its levels; `not reported (…)` → none."""
    words = re.sub(r"\(.*?\)", "", cell)
    return set() if words.startswith("not reported") else {level.strip() for level in words.split(",")}


def test_the_documented_indicators_have_the_codes_targets_and_levels_of_both_maps() -> None:
    rows = table(sections("indicators.md")["The indicators"])
    assert [r["indicator"].strip("`") for r in rows] == list(INDICATORS)
    for row in rows:
        indicator = row["indicator"].strip("`")
        assert Fraction(int(row["target"].removesuffix(" %")), 100) == TARGETS[indicator]
        for map_name in MAPS:
            assert documented_levels(row[f"on `{map_name}`"]) == set(MAP_INDICATOR_LEVELS[map_name][indicator])


def test_the_documented_coverage_columns_are_the_ones_written() -> None:
    figures = sections("indicators.md")["How figures are shown"]
    listed = figures[figures.index("with the columns") :]
    assert TICKED.findall(listed)[: len(COLUMNS)] == COLUMNS
    command = sections("command-line.md")["`linkage coverage`"]
    listed = command[command.index("has the columns") :]
    assert TICKED.findall(listed)[: len(COLUMNS)] == COLUMNS


# --- docs/command-line.md ---------------------------------------------------------------------------


def parser_commands() -> dict[str, argparse.ArgumentParser]:
    """Every runnable command of the parser by its words (`coverage`, `user add`)."""
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, words: list[str]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found[" ".join(words)] = parser
        for sub in subs:
            for name, child in sub.choices.items():
                walk(child, [*words, name])

    walk(build_parser(), [])
    return found


def shape(parser: argparse.ArgumentParser) -> tuple[list[str], dict[str, tuple[bool, frozenset[str]]]]:
    """A command's positionals (as written in usage) and options: takes a value?, its choices."""
    positionals = [str(a.metavar or a.dest).upper() for a in parser._actions if not a.option_strings]
    options = {
        a.option_strings[-1]: (a.nargs != 0, frozenset(a.choices or ()))
        for a in parser._actions
        if a.option_strings and not isinstance(a, argparse._HelpAction)
    }
    return positionals, options


def documented_shape(usage: str) -> tuple[list[str], dict[str, tuple[bool, frozenset[str]]]]:
    words = usage.replace("[", " ").replace("]", " ").split()
    positionals = [w for w in words if w.isupper() or re.fullmatch(r"[A-Z_]+(\.[a-z]+)?", w)]
    options: dict[str, tuple[bool, frozenset[str]]] = {}
    for i, word in enumerate(words):
        if word.startswith("--"):
            value = words[i + 1] if i + 1 < len(words) and not words[i + 1].startswith("--") else None
            choices = frozenset(value.split("|")) if value and "|" in value else frozenset()
            options[word] = (value is not None, choices)
            if value is not None and value in positionals:
                positionals.remove(value)
    return positionals, options


def test_every_command_and_option_is_documented_as_the_parser_has_it() -> None:
    found = sections("command-line.md")
    usages = {}
    for heading, body in found.items():
        if heading.startswith("`linkage "):
            usage = re.search(r"```\n(linkage [^\n]+)\n```", body)
            assert usage, heading
            usages[heading.strip("`").removeprefix("linkage ")] = usage.group(1)
    commands = parser_commands()
    assert sorted(usages) == sorted(commands)
    for name, usage in usages.items():
        assert usage.startswith(f"linkage {name} ") or usage == f"linkage {name}", usage
        assert documented_shape(usage.removeprefix(f"linkage {name}")) == shape(commands[name]), name


def test_the_documented_trial_runs_as_written(tmp_path: Path) -> None:
    done = run_block("try-it", {}, cwd=tmp_path, doc=DOCS / "command-line.md")
    assert done.returncode == 0, done.stderr
    with (tmp_path / "coverage.csv").open(encoding="utf-8") as figures:
        rows = list(csv.DictReader(figures))
    assert list(rows[0]) == COLUMNS and {r["level"] for r in rows} == {"province"}
    assert "Dry run, nothing was written" in done.stdout and "0 updated" in done.stdout
    assert (tmp_path / "dak-lak.html").stat().st_size > 0
    assert "lan.tran\tofficer\t643\t2025-01\tactive" in done.stdout


# --- README.md ------------------------------------------------------------------------------------


@pytest.mark.parametrize("doc", ["exchange-files.md", "indicators.md", "command-line.md"])
def test_the_readme_points_to_the_documents_in_the_repository(doc: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"(docs/{doc})" in readme
    assert "../shared" not in readme


def test_the_office_list_guide_runs_as_written(tmp_path: Path) -> None:
    done = run_block("office-list", {}, cwd=tmp_path, doc=DOCS / "office-lists.md")
    assert done.returncode == 0, done.stderr
    assert "dry run, nothing written: 2 new" in done.stdout
    with (tmp_path / "bao_cao.csv").open(encoding="utf-8-sig") as report:
        rows = [(r["row"], r["status"], r["commune_code"]) for r in csv.DictReader(report)]
    assert rows == [("3", "new", "24207"), ("4", "new", "24427")]  # the guide's promise, from the GSO list


def test_the_deployment_guide_offers_no_plain_http_on_the_network() -> None:
    """Every documented way to start the app leaves it on 127.0.0.1 (the office reaches it through
    nginx over HTTPS); nothing the repository ships names every interface."""
    guide = (DOCS / "deploy.md").read_text(encoding="utf-8")
    starts = [body for body in re.findall(r"```bash\n(.*?)```", guide, re.S) if "streamlit run" in body]
    assert starts
    for body in starts:
        assert "STREAMLIT_SERVER_ADDRESS" not in body, body
        assert re.findall(r"--server\.address\s+(\S+)", body) in ([], ["127.0.0.1"]), body
    shipped = [*DOCS.glob("*.md"), ROOT / "README.md", ROOT / "tasks.py", ROOT / "deploy" / "nginx.conf"]
    shipped.append(ROOT / ".streamlit" / "config.toml")
    for path in shipped:
        assert "0.0.0.0" not in path.read_text(encoding="utf-8"), path
    assert 'address = "127.0.0.1"' in (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")


def test_the_documented_sign_in_limit_is_the_proxys() -> None:
    """The rate and burst docs/deploy.md promises per address are nginx.conf's own, and leave room
    for an office's colleagues behind one NAT address signing in together."""
    rate, burst = sign_in_limit()
    assert rate >= 60 and burst >= 60
    guide = " ".join((DOCS / "deploy.md").read_text(encoding="utf-8").split())
    assert f"limited to {rate} a minute per address, with a burst of {burst} answered at once" in guide
