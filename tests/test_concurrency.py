"""No lost updates: a save carries the version it read; someone else's newer save is never overwritten."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage.errors import StaleEdit
from linkage.records import forms

from .helpers import COOP_C1, OFFICER_058, WORKER


def test_the_second_of_two_editors_is_told_what_the_first_changed(bac_kan: Engine) -> None:
    first = forms.read(bac_kan, OFFICER_058, "cooperatives", "C1")
    second = forms.read(bac_kan, COOP_C1, "cooperatives", "C1")
    forms.save(bac_kan, OFFICER_058, "cooperatives", {**first.values, "members": "30"}, first)
    with pytest.raises(StaleEdit) as stale:
        forms.save(bac_kan, COOP_C1, "cooperatives", {**second.values, "name": "HTX Dương Quang mới"}, second)
    assert stale.value.changed == {"members": ("20", "30")}
    assert "Members: 20 → 30" in stale.value.message()
    assert "Số thành viên: 20 → 30" in stale.value.message("vi")
    now = forms.read(bac_kan, OFFICER_058, "cooperatives", "C1")
    assert (now.values["members"], now.values["name"], now.version) == ("30", "HTX Dương Quang", first.version + 1)


def test_archiving_a_record_someone_just_changed_is_refused(bac_kan: Engine) -> None:
    stale_copy = forms.read(bac_kan, OFFICER_058, "cooperatives", "C1")
    fresh = forms.read(bac_kan, OFFICER_058, "cooperatives", "C1")
    forms.save(bac_kan, OFFICER_058, "cooperatives", {**fresh.values, "members": "22"}, fresh)
    with pytest.raises(StaleEdit):
        forms.archive(bac_kan, OFFICER_058, stale_copy)
    assert not forms.read(bac_kan, OFFICER_058, "cooperatives", "C1").archived


def test_creating_a_code_that_already_exists_is_refused_not_merged(bac_kan: Engine) -> None:
    with pytest.raises(StaleEdit, match="already exists"):
        forms.save(bac_kan, OFFICER_058, "cooperatives", {"code": "C1", "name": "HTX khác", "commune_code": "01849"})


def test_several_processes_writing_at_once_lose_no_update(bac_kan: Engine) -> None:
    url = bac_kan.url.render_as_string(hide_password=False)
    start = int(forms.read(bac_kan, OFFICER_058, "cooperatives", "C1").values["members"])
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, "4", f"writer{i}"], stdout=subprocess.PIPE, text=True, env=env
        )
        for i in range(4)
    ]
    results = [json.loads(w.communicate(timeout=120)[0]) for w in workers]
    assert [r["error_count"] for r in results] == [0, 0, 0, 0], [r["errors"] for r in results]
    saved = sum(r["saved"] for r in results)
    assert saved > 0
    assert sum(r["stale"] for r in results) > 0  # the writers really collided, and were told
    final = forms.read(bac_kan, OFFICER_058, "cooperatives", "C1")
    assert int(final.values["members"]) == start + saved  # every acknowledged save is in the record
    history = forms.history(bac_kan, OFFICER_058, "cooperatives", "C1")
    assert sum(1 for e in history if e.action == "update") == saved


def test_two_creations_of_one_code_at_the_same_moment_end_in_words_not_a_crash(
    bac_kan: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL plans without a lock: another session may create the same code in between."""
    if bac_kan.dialect.name != "postgresql":
        pytest.skip("SQLite takes its write lock before planning, so the race cannot happen there")
    import linkage.records.importing as importing
    from linkage.accounts.users import SYSTEM
    from linkage.store.db import write_session

    real_apply = importing.apply

    def meanwhile(session, plan):  # type: ignore[no-untyped-def]
        with write_session(bac_kan) as other:  # the other cooperative's save commits first
            other.execute(
                sa.text(
                    "INSERT INTO buyer (code, name, kind, created_at, updated_at, version)"
                    " VALUES ('B77', 'Đại lý khác', 'trader', now(), now(), 1)"
                )
            )
        return real_apply(session, plan)

    monkeypatch.setattr(importing, "apply", meanwhile)
    with pytest.raises(StaleEdit, match="at the same moment"):
        forms.save(bac_kan, SYSTEM, "buyers", {"code": "B77", "name": "Đại lý mới", "kind": "trader"})
    monkeypatch.setattr(importing, "apply", real_apply)
    assert forms.read(bac_kan, SYSTEM, "buyers", "B77").values["name"] == "Đại lý khác"


@pytest.fixture
def writers_db(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite file of its own (its engine closed afterwards: no pool outlives the test)."""
    from linkage.store.db import dispose_engine, get_engine, migrate

    url = f"sqlite:///{tmp_path / 'writers.db'}"
    migrate(get_engine(url))
    yield get_engine(url)
    dispose_engine(url)


def test_a_writer_waiting_for_sqlites_lock_tries_again_until_the_other_commits(
    writers_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second writer tries for the lock again and again (not one long wait in SQLite's busy
    handler) while the first holds it, then writes; both changes are stored, and its statements wait
    for locks as before."""
    import threading
    import time
    from types import SimpleNamespace

    from linkage.store import db

    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(db, "time", SimpleNamespace(monotonic=time.monotonic, sleep=pause))
    before = db.data_version(writers_db)
    holding, release, done = threading.Event(), threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def first() -> None:
        try:
            with db.write_session(writers_db) as session:
                session.execute(sa.text("UPDATE data_version SET counter = counter + 100"))
                holding.set()
                release.wait(10)
        except BaseException as error:  # shown by the test, not lost in the thread
            failures.append(error)

    def second() -> None:
        try:
            with db.write_session(writers_db) as session:
                waits = session.execute(sa.text("PRAGMA busy_timeout")).scalar_one()
                if waits != db.BUSY_MS:  # statements inside wait for locks as before
                    failures.append(AssertionError(f"busy timeout {waits} ms inside the transaction"))
            done.set()
        except BaseException as error:
            failures.append(error)

    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(10)
    two = threading.Thread(target=second)
    two.start()
    assert not done.wait(0.3)  # the lock is held: it waits, and is not refused either
    assert len(pauses) > 10  # it kept trying, a millisecond apart
    release.set()
    one.join(10)
    two.join(10)
    assert failures == [] and done.is_set()
    assert db.data_version(writers_db) == before + 100 + 1 + 1  # the first writer's +100, and one version each


def test_a_writer_that_never_gets_sqlites_lock_is_refused_in_sqlalchemys_words_once_the_wait_is_over(
    writers_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from linkage.store import db

    monkeypatch.setattr(db, "BUSY_MS", 300)
    blocker = sa.create_engine(str(writers_db.url), connect_args={"isolation_level": None})
    with blocker.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(sa.exc.OperationalError, match="locked"), db.write_session(writers_db) as session:
            session.execute(sa.text("SELECT 1"))
        waited = time.monotonic() - started
        conn.exec_driver_sql("ROLLBACK")
    blocker.dispose()
    assert waited < 10  # refused after its own wait, not after a second one in SQLite's busy handler (30 s)
