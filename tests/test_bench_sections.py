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


def test_the_national_and_browser_runs_keep_the_office_lists_section() -> None:
    from bench.office_lists import SECTION as OFFICE_LISTS
    from bench.office_lists import replace_section

    doc = replace_section(DOC, OFFICE_LISTS + "\n\nlists table\n")
    assert section_of(doc, OFFICE_LISTS) == OFFICE_LISTS + "\n\nlists table\n"
    assert "lists table" in keep_other_sections(doc)
    again = replace_section(doc, OFFICE_LISTS + "\n\nnew lists table\n")
    assert "new lists table" in again and "\nlists table" not in again and "browser table" in again


def test_the_benchmark_list_resolves_every_row_to_the_commune_it_was_written_from_or_flags_it(engine) -> None:  # type: ignore[no-untyped-def]
    """A small list of the benchmark's generator, on an empty database: its truth is the commune each
    address was written from, not the resolver's answer."""
    from bench.office_lists import STYLES, address_list, outcomes
    from linkage.lists.service import import_list

    data, truths = address_list(80, seed=7)
    assert {t.style for t in truths} == set(STYLES)
    listed = import_list(engine, "bench.xlsx", data, "cooperatives", dry_run=True)
    found = outcomes(listed, truths)
    assert found["wrong"] == 0 and sum(found.values()) == 80
    assert found["right"] >= 60  # flagged rows are names several communes share: rare at random
