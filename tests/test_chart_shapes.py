"""Chart shapes kept in the cache directory (`charts.kept`): what is read back is what Altair compiles,
a damaged or unwritable cache costs a compile and nothing else, and a report drawn with its shape kept
does not import Altair."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from linkage.counting import charts

from .helpers import linkage, url

LABELS = {"communes_with_cooperative": "Xã có hợp tác xã", "raw_material_digital": "Liên kết <b>số</b>"}
HISTORY = pd.DataFrame(
    {
        "as_of": ["2024-12-31", "2024-12-31", "2025-12-31", "2025-12-31"],
        "indicator": ["communes_with_cooperative", "raw_material_digital"] * 2,
        "ratio": [0.5, 0.25, 0.75, None],
        "target": [0.7, 0.5, 0.7, 0.5],
        "map": ["2025-01", "2025-01", "2025-07", "2025-07"],
        "numerator": [1, 1, 3, 0],
        "denominator": [2, 4, 4, 0],
    }
)
ARGUMENTS = (tuple(LABELS.values()), ("2024-12-31", "2025-07-01", "2025-12-31"), "Tỉ lệ (%)", "Ngày")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache directory, and no shape kept in this process."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("LINKAGE_CACHE_DIR", str(folder))
    charts._trend.cache_clear()
    charts._ranking.cache_clear()
    yield folder
    charts._trend.cache_clear()
    charts._ranking.cache_clear()


def no_compile(*args: object) -> str:
    """Stands in for a compile: a shape read back from its file must not need one."""
    raise AssertionError("compiled again")


def drawn() -> charts.Spec:
    return charts.inline(charts.trend(HISTORY, LABELS, "Tỉnh Bắc Kạn", "Tỉ lệ (%)", "Ngày", "Sáp nhập"))


def test_a_shape_read_back_is_the_one_altair_compiles(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = drawn()
    (kept,) = cache.glob("chart-*.json")
    assert json.loads(kept.read_text(encoding="utf-8"))["shape"] == json.loads(charts._compile_trend(*ARGUMENTS))
    charts._trend.cache_clear()

    monkeypatch.setattr(charts, "_compile_trend", no_compile)
    assert drawn() == first  # read from the file
    assert first["layer"][0]["title"]["text"] == ["Tỉnh Bắc Kạn"]


def test_other_words_make_another_shape_and_a_ranking_is_read_back_too(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn()
    charts.trend(HISTORY, {k: v.upper() for k, v in LABELS.items()}, "x", "Tỉ lệ (%)", "Ngày", "Sáp nhập")
    rows = HISTORY.assign(unit_code="06", unit_name="Bắc Kạn")
    ranked = charts.inline(charts.ranking(rows, "Xếp hạng", "%", "Tỉnh"))
    assert len(list(cache.glob("chart-*.json"))) == 3
    compiled = json.loads(charts._compile_ranking("Xếp hạng", "%", "Tỉnh"))
    charts._ranking.cache_clear()

    monkeypatch.setattr(charts, "_compile_ranking", no_compile)
    assert charts.inline(charts.ranking(rows, "Xếp hạng", "%", "Tỉnh")) == ranked
    assert json.loads(charts._ranking("Xếp hạng", "%", "Tỉnh")) == compiled


@pytest.mark.parametrize("damage", ['{"layer": [', "[]", "", "{}", '{"key": "another shape", "shape": {}}'])
def test_a_damaged_file_is_compiled_again_and_replaced(cache: Path, damage: str) -> None:
    first = drawn()
    (kept,) = cache.glob("chart-*.json")
    kept.write_text(damage, encoding="utf-8")
    charts._trend.cache_clear()
    assert drawn() == first
    assert json.loads(kept.read_text(encoding="utf-8"))["shape"] == json.loads(charts._compile_trend(*ARGUMENTS))


def test_a_cache_that_cannot_be_written_only_costs_a_compile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("LINKAGE_CACHE_DIR", str(blocked))
    charts._trend.cache_clear()
    try:
        spec = drawn()
    finally:
        charts._trend.cache_clear()
    assert spec["layer"][0]["mark"]["type"] == "line"
    assert blocked.read_text(encoding="utf-8") == "not a folder"


def test_a_report_whose_chart_shape_is_kept_does_not_import_altair(bac_kan: Engine, tmp_path: Path) -> None:
    env = {"LINKAGE_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPROFILEIMPORTTIME": "1"}
    runs = []
    for n in (1, 2):
        out = tmp_path / f"bao-cao-{n}.docx"
        done = linkage(
            "report",
            "06",
            "--map",
            "2025-01",
            "--as-of",
            "2025-12-31",
            "--out",
            str(out),
            "--db",
            url(bac_kan),
            env=env,
        )
        assert done.returncode == 0, done.stderr
        imported = re.search(r"^import time:.*\|\s*altair$", done.stderr, re.M) is not None
        with zipfile.ZipFile(out) as document:
            pictures = [document.read(name) for name in document.namelist() if name.startswith("word/media/")]
        runs.append((imported, pictures))
    assert runs[0][0] and not runs[1][0]  # compiled by the first, read by the second
    assert len(runs[0][1]) == 1 and runs[1][1] == runs[0][1]  # the same chart, to the pixel


def test_a_kept_file_is_whole_whatever_threads_write_it_at_once(tmp_path: Path) -> None:
    import threading

    from linkage.geo.snapshot import keep

    path = tmp_path / "chart-x.json"
    texts = [json.dumps({"key": n, "shape": {"padding": "x" * 200_000}}) for n in range(4)]
    seen: list[str] = []

    def write(text: str) -> None:
        for _ in range(20):
            keep(path, text)

    writers = [threading.Thread(target=write, args=(text,)) for text in texts]
    for writer in writers:
        writer.start()
    while any(writer.is_alive() for writer in writers):
        if path.exists():
            seen.append(path.read_text(encoding="utf-8"))
    assert seen and set(seen) <= set(texts)
    assert path.read_text(encoding="utf-8") in texts
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind
