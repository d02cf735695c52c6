"""The server's start-up (serve.py → ui/startup.py): the first user finds today's figures counted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage import i18n
from linkage.counting import coverage
from linkage.counting.coverage import load_facts
from linkage.counting.indicators import ALL_LEVELS, compute
from linkage.geo.maps import map_of
from linkage.store.db import dispose_engine, get_engine, read_session
from ui import engine as ui_engine
from ui import startup


@pytest.fixture(autouse=True)
def own_engine() -> Iterator[None]:
    """`ui.engine` is kept for the process: the start-up reads the database the test names, not the one
    an earlier page test in this worker opened."""
    ui_engine.clear()
    yield
    ui_engine.clear()


def _no_read(*args: object, **kwargs: object) -> None:
    raise AssertionError("the facts were read again: the start-up did not keep them")


def test_after_start_up_todays_figures_need_no_read_and_are_the_counted_ones(
    bac_kan: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKAGE_DATABASE_URL", str(bac_kan.url))
    cache = coverage.FactsCache()  # a new process's empty cache
    monkeypatch.setattr(coverage, "FACTS", cache)
    startup.prepare()
    warmed = cache.get(bac_kan)
    assert (date.today(), ALL_LEVELS, map_of(date.today())) in warmed.computed  # counted, not only read
    with read_session(bac_kan) as session:
        expected = compute(load_facts(session), date.today(), ALL_LEVELS)
    monkeypatch.setattr(coverage, "load_facts", _no_read)
    monkeypatch.setattr(coverage, "patched", _no_read)
    rows = coverage.coverage(bac_kan, date.today())
    assert len(rows) > 0
    assert rows.equals(expected)


def test_start_up_reads_both_catalogs(bac_kan: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKAGE_DATABASE_URL", str(bac_kan.url))
    i18n.catalog.cache_clear()
    startup.prepare()
    assert i18n.catalog.cache_info().currsize == len(i18n.LANGUAGES)


def test_start_up_on_a_database_not_migrated_yet_leaves_it_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    monkeypatch.setenv("LINKAGE_DATABASE_URL", url)
    reads: list[object] = []
    monkeypatch.setattr(coverage, "load_facts", lambda *args: reads.append(args))
    startup.prepare()  # the app's first page says the database is not ready; the start does not fail
    assert reads == []  # not even tried: there is nothing to read
    with get_engine(url).connect() as connection:
        assert sa.inspect(connection).get_table_names() == []
    dispose_engine(url)


def test_a_start_up_that_cannot_count_still_starts_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(engine: Engine) -> None:
        raise ValueError("odd data")

    monkeypatch.setenv("LINKAGE_DATABASE_URL", f"sqlite:///{tmp_path / 'any.db'}")

    monkeypatch.setattr(startup, "warm", broken)
    i18n.catalog.cache_clear()
    startup.prepare()  # the server starts: the pages count, and report, for themselves
    assert "could not be counted at start-up" in caplog.text and "odd data" in caplog.text
    assert i18n.catalog.cache_info().currsize == len(i18n.LANGUAGES)  # the rest was still prepared
