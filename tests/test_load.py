"""The load test in short form: concurrent editors and dashboard readers lose no update and meet no
error, on SQLite and PostgreSQL. The full run (longer, more workers) is in docs/benchmarks.md."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bench.load import run
from linkage.demo import generate


def test_concurrent_editors_and_readers_lose_nothing(engine: Engine) -> None:
    generate(engine, scale="province", seed=5)
    result = run(engine.url.render_as_string(hide_password=False), editors=3, readers=1, seconds=4)
    assert result.errors == []
    assert result.saves > 0 and result.reads > 0
    assert result.lost_updates == 0
    assert 1 <= result.reloads <= result.reads  # the first read of each reader loads the facts
