"""The exchange page's validation preview: done once per uploaded content, again after any write."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from linkage.accounts.users import SYSTEM, Actor
from linkage.records.importing import import_path
from linkage.store.db import data_version
from tests.conftest import statements
from tests.helpers import FIXTURE
from ui.uploads import checked_uploads


def upload(*names: str) -> list[tuple[str, bytes]]:
    return [(name, (FIXTURE / name).read_bytes()) for name in names]


def checks(engine: Engine, store: dict[str, object], files: list[tuple[str, bytes]], who: Actor = SYSTEM) -> int:
    """How many SQL statements one run of the page's preview sends."""
    with statements(engine) as sent:
        checked_uploads(store, engine, who, files)
    return len(sent)


def version_read(engine: Engine) -> int:
    """What reading the data version alone sends (SQLite adds its BEGIN IMMEDIATE)."""
    with statements(engine) as sent:
        data_version(engine)
    return len(sent)


def test_a_rerun_with_the_same_files_only_reads_the_data_version_however_many_files_and_rows(engine: Engine) -> None:
    one = upload("cooperatives.csv")
    every = upload(*sorted(p.name for p in FIXTURE.glob("*.csv")))
    for files in (one, every):
        store: dict[str, object] = {}
        first = checks(engine, store, files)
        assert first > version_read(engine)  # read and checked against the database
        # every click on the page runs it again: only the data version is read
        assert [checks(engine, store, files) for _ in range(3)] == [version_read(engine)] * 3


def test_the_preview_is_checked_again_after_a_write_that_changes_its_answer(engine: Engine, tmp_path: Path) -> None:
    store: dict[str, object] = {}
    producers = upload("producers.csv")  # P2 belongs to cooperative C3, not there yet
    problems = checked_uploads(store, engine, SYSTEM, producers).problems
    assert any(p.column == "cooperative_code" for p in problems)
    folder = tmp_path / "coops"
    folder.mkdir()
    (folder / "cooperatives.csv").write_bytes((FIXTURE / "cooperatives.csv").read_bytes())
    import_path(engine, folder)  # someone imports the cooperatives meanwhile
    assert checks(engine, store, producers) > version_read(engine)
    assert checked_uploads(store, engine, SYSTEM, producers).problems == []


def test_other_content_or_another_account_is_checked_again(engine: Engine) -> None:
    store: dict[str, object] = {}
    files = upload("cooperatives.csv")
    checks(engine, store, files)
    edited = [("cooperatives.csv", files[0][1].replace(b"HTX D", b"HTX E"))]
    assert checks(engine, store, edited) > version_read(engine)
    officer = Actor("lan", "officer", "058")
    assert checks(engine, store, edited, officer) > version_read(engine)
    assert checks(engine, store, edited, officer) == version_read(engine)
