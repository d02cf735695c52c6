"""`linkage coverage --level` on a map that reports nothing at that level is refused in one sentence
that names the levels the map does report (docs/command-line.md, `linkage coverage`), in English or,
with LINKAGE_LANG=vi, in Vietnamese; nothing is printed on the standard output."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine

from tests.helpers import linkage, url

# The levels each map reports an indicator at, as docs/indicators.md ("On which map") writes them.
LEVELS = {"2025-01": ("national", "province", "district"), "2025-07": ("national", "province", "commune")}


@pytest.mark.parametrize(("map_name", "level"), [("2025-07", "district"), ("2025-01", "commune")])
def test_a_level_the_map_does_not_report_is_refused_naming_the_levels_it_has(
    engine: Engine, map_name: str, level: str
) -> None:
    done = linkage("coverage", "--map", map_name, "--level", level, "--format", "json", "--db", url(engine))
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line == (
        f"linkage coverage: Map {map_name} reports no indicator at the {level} level: "
        f"its levels are {', '.join(LEVELS[map_name])}."
    )


def test_the_refusal_reads_in_vietnamese(engine: Engine) -> None:
    vietnamese = {"LINKAGE_LANG": "vi"}
    done = linkage("coverage", "--map", "2025-07", "--level", "district", "--db", url(engine), env=vietnamese)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == (
        "linkage coverage: Bản đồ 2025-07 không báo cáo chỉ tiêu nào ở cấp district: "
        "các cấp của bản đồ này là national, province, commune."
    )


@pytest.mark.parametrize("map_name", sorted(LEVELS))
def test_every_level_the_map_reports_still_gives_its_rows(engine: Engine, map_name: str) -> None:
    for level in LEVELS[map_name]:
        done = linkage(
            "coverage",
            "--map",
            map_name,
            "--level",
            level,
            "--as-of",
            "2025-12-31",
            "--format",
            "json",
            "--db",
            url(engine),
        )
        assert done.returncode == 0, done.stderr
        rows = json.loads(done.stdout)
        assert rows and {r["level"] for r in rows} == {level} and {r["map"] for r in rows} == {map_name}
