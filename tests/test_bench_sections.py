"""docs/benchmarks.md holds sections written by different runs: each run replaces only its own."""

from __future__ import annotations

from pathlib import Path

from bench.browser import SECTION, browser_section, keep_other_sections, section_of
from bench.national import DESIGN_SECTION

DOC = "# Benchmarks\n\nintro\n\n## Load\n\nload table\n\n" + SECTION + "\n\nbrowser table\n\n## Later\n\nlater\n"


def test_the_browser_run_replaces_its_own_section_and_keeps_the_others() -> None:
    kept = keep_other_sections(DOC)
    assert "browser table" not in kept
    assert all(part in kept for part in ("intro", "## Load", "load table", "## Later", "later"))


def test_the_national_run_finds_the_browser_section_to_keep() -> None:
    assert browser_section(DOC) == SECTION + "\n\nbrowser table\n"
    assert browser_section("# Benchmarks\n\n## Load\n") == ""


def test_the_national_run_finds_the_hand_written_design_figures_to_keep() -> None:
    doc = DOC.replace("## Later\n\nlater\n", DESIGN_SECTION + "\n\n| choice | measured |\n")
    assert section_of(doc, DESIGN_SECTION) == DESIGN_SECTION + "\n\n| choice | measured |\n"
    assert section_of(doc, SECTION) == SECTION + "\n\nbrowser table\n"


def test_the_design_figures_are_in_the_benchmarks_document() -> None:
    text = (Path(__file__).parent.parent / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert section_of(text, DESIGN_SECTION).count("\n| ") >= 3
