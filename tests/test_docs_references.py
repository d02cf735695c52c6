"""Every document a reader meets (README.md, ARCHITECTURE.md, docs/*.md) stays true about what exists:
no sentence says the release knows one map only, every `linkage` command and option it writes is one
the command line's parser has, and every repository path it names is in the repository."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from linkage.cli import build_parser

ROOT = Path(__file__).parent.parent
DOCUMENTS = sorted([ROOT / "README.md", ROOT / "ARCHITECTURE.md", *(ROOT / "docs").glob("*.md")])
IDS = [str(path.relative_to(ROOT)) for path in DOCUMENTS]

ONE_MAP = re.compile(  # "One map only, today", "This release knows no other map" (but not "given on one map only")
    r"\bone map only,|\b(?:knows?|has|offers?|counts? on) (?:no other|only one|just one|a single|one) map\b", re.I
)
CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+(?:\n[^`\n]+)?)`", re.S)  # fenced blocks, inline spans
INVOCATION = re.compile(r"(?<![\w.-])linkage(?=[ \t]|$)(.*)", re.M)  # `linkage …`, `.venv/bin/linkage …`
END_OF_COMMAND = {"|", "||", "&&", ";", "#", ">", "<", "/", "or"}
PATH = re.compile(r"(?<![\w./~-])((?:linkage|tests|docs|pages|ui|bench|data|deploy|static)/[\w./*-]*[\w*])")


def code_texts(text: str) -> list[str]:
    """The text of every fenced code block and inline code span: where commands are written."""
    return [block or span for block, span in CODE.findall(text)]


def invocations(text: str) -> list[list[str]]:
    """The words after each `linkage` written in code, up to the end of that command (a pipe, a
    comment, a redirection), brackets of optional parts taken off."""
    found = []
    for code in code_texts(text):
        for rest in INVOCATION.findall(code):
            words = []
            for word in rest.split():
                if word in END_OF_COMMAND or word.startswith("#"):
                    break
                words.append(word.strip("[]"))
            found.append(words)
    return found


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return {
        name: child
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name, child in action.choices.items()
    }


def options_of(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


def unknown_in(words: list[str]) -> list[str]:
    """What in one written command the parser does not have: a command word or an option."""
    parser = build_parser()
    words = [w for w in words if w]
    while words and re.fullmatch(r"[a-z][a-z-]*", words[0]) and subcommands(parser):
        child = subcommands(parser).get(words[0])
        if child is None:
            return [words[0]]
        parser, words = child, words[1:]
    written = [piece.split("=")[0].rstrip(",.") for w in words if w.startswith("--") for piece in w.split("/")]
    return [option for option in written if option not in options_of(parser)]


@pytest.mark.parametrize("path", DOCUMENTS, ids=IDS)
def test_no_document_says_the_release_knows_one_map_only(path: Path) -> None:
    assert ONE_MAP.findall(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", DOCUMENTS, ids=IDS)
def test_every_command_and_option_a_document_writes_is_the_parsers(path: Path) -> None:
    written = invocations(path.read_text(encoding="utf-8"))
    wrong = sorted({f"linkage {' '.join(words)}: {unknown_in(words)}" for words in written if unknown_in(words)})
    assert wrong == []


@pytest.mark.parametrize("path", DOCUMENTS, ids=IDS)
def test_every_repository_path_a_document_names_exists(path: Path) -> None:
    named = set(PATH.findall(path.read_text(encoding="utf-8")))
    missing = sorted(p for p in named if not (any(ROOT.glob(p)) if "*" in p else (ROOT / p).exists()))
    assert missing == []


# The checks above would pass vacuously if they read nothing: each is shown to catch what it is for.


def test_the_checks_find_what_they_look_for() -> None:
    text = (
        "This release knows no other map.\n"
        "```\nlinkage coverage --level province --weekly\nprintf 'x' | linkage user add lan --role officer\n```\n"
        "Run `linkage import-lists lists/ --dry-run` or `.venv/bin/linkage graph 06 --out g.html`; "
        "see `linkage/geo/atlas.py` and tests/test_maps.py."
    )
    assert ONE_MAP.findall(text) and ONE_MAP.findall("One map only, today.")
    assert not ONE_MAP.findall("A record given on one map only is placed on the other.")
    found = invocations(text)
    assert found[:2] == [["coverage", "--level", "province", "--weekly"], ["user", "add", "lan", "--role", "officer"]]
    assert [unknown_in(words) for words in found] == [["--weekly"], [], ["import-lists"], []]
    named = PATH.findall(text)
    assert named == ["linkage/geo/atlas.py", "tests/test_maps.py"]
    assert not (ROOT / named[0]).exists() and (ROOT / named[1]).exists()


def test_every_document_is_read() -> None:
    assert {"README.md", "ARCHITECTURE.md", "docs/command-line.md", "docs/exchange-files.md"} <= set(IDS)
    assert sum(len(invocations(path.read_text(encoding="utf-8"))) for path in DOCUMENTS) > 30


# What a reader of the repository cannot open: the specification's sections (it lives outside the
# repository; docs/ is its form here) and the tracker's issue numbers. Built from parts so this file
# does not match itself.
UNREADABLE = re.compile("CONTRACT" + r"(?:\.md)? ?§|\b" + "[Ii]ssue" + r" #?\d+")
SOURCES = sorted(
    path
    for folder in ("linkage", "ui", "pages", "bench", "tests", "data")
    for path in (ROOT / folder).rglob("*")
    if path.suffix in {".py", ".toml"} and "fixtures" not in path.parts
)


def test_code_and_catalogs_cite_only_what_the_repository_holds() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in SOURCES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if UNREADABLE.search(line)
    ]
    assert SOURCES and not found, "\n".join(found)
