"""No lost updates: a save carries the version it read; someone else's newer save is never overwritten."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from linkage import records
from linkage.errors import StaleEdit

from .test_permissions import COOP_C1, OFFICER_058

WORKER = Path(__file__).parent / "concurrency_worker.py"


def test_the_second_of_two_editors_is_told_what_the_first_changed(bac_kan: Engine) -> None:
    first = records.read(bac_kan, OFFICER_058, "cooperatives", "C1")
    second = records.read(bac_kan, COOP_C1, "cooperatives", "C1")
    records.save(bac_kan, OFFICER_058, "cooperatives", {**first.values, "members": "30"}, first)
    with pytest.raises(StaleEdit) as stale:
        records.save(bac_kan, COOP_C1, "cooperatives", {**second.values, "name": "HTX Dương Quang mới"}, second)
    assert stale.value.changed == {"members": ("20", "30")}
    assert "Members: 20 → 30" in stale.value.message()
    assert "Số thành viên: 20 → 30" in stale.value.message("vi")
    now = records.read(bac_kan, OFFICER_058, "cooperatives", "C1")
    assert (now.values["members"], now.values["name"], now.version) == ("30", "HTX Dương Quang", first.version + 1)


def test_archiving_a_record_someone_just_changed_is_refused(bac_kan: Engine) -> None:
    stale_copy = records.read(bac_kan, OFFICER_058, "cooperatives", "C1")
    fresh = records.read(bac_kan, OFFICER_058, "cooperatives", "C1")
    records.save(bac_kan, OFFICER_058, "cooperatives", {**fresh.values, "members": "22"}, fresh)
    with pytest.raises(StaleEdit):
        records.archive(bac_kan, OFFICER_058, stale_copy)
    assert not records.read(bac_kan, OFFICER_058, "cooperatives", "C1").archived


def test_creating_a_code_that_already_exists_is_refused_not_merged(bac_kan: Engine) -> None:
    with pytest.raises(StaleEdit, match="already exists"):
        records.save(bac_kan, OFFICER_058, "cooperatives", {"code": "C1", "name": "HTX khác", "commune_code": "01849"})


def test_several_processes_writing_at_once_lose_no_update(bac_kan: Engine) -> None:
    url = bac_kan.url.render_as_string(hide_password=False)
    start = int(records.read(bac_kan, OFFICER_058, "cooperatives", "C1").values["members"])
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
    final = records.read(bac_kan, OFFICER_058, "cooperatives", "C1")
    assert int(final.values["members"]) == start + saved  # every acknowledged save is in the record
    history = records.history(bac_kan, OFFICER_058, "cooperatives", "C1")
    assert sum(1 for e in history if e.action == "update") == saved


def test_two_creations_of_one_code_at_the_same_moment_end_in_words_not_a_crash(
    bac_kan: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL plans without a lock: another session may create the same code in between."""
    if bac_kan.dialect.name != "postgresql":
        pytest.skip("SQLite takes its write lock before planning, so the race cannot happen there")
    import linkage.importing as importing
    from linkage.accounts import SYSTEM
    from linkage.db import write_session

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
        records.save(bac_kan, SYSTEM, "buyers", {"code": "B77", "name": "Đại lý mới", "kind": "trader"})
    monkeypatch.setattr(importing, "apply", real_apply)
    assert records.read(bac_kan, SYSTEM, "buyers", "B77").values["name"] == "Đại lý khác"


def _sqlite(tmp_path: Path) -> Engine:
    from linkage.catalog import init
    from linkage.db import get_engine

    engine = get_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    init(engine)
    return engine


def test_a_writer_waiting_for_sqlites_lock_writes_once_the_other_commits(tmp_path: Path) -> None:
    """The second writer waits (polling, not SQLite's busy handler) while the first holds the lock,
    then writes; both changes are stored, and its statements wait for locks as before."""
    import threading

    from linkage.db import BUSY_MS, data_version, write_session

    engine = _sqlite(tmp_path)
    before = data_version(engine)
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with write_session(engine) as session:
            session.execute(sa.text("UPDATE data_version SET counter = counter + 100"))
            holding.set()
            release.wait(10)

    def second() -> None:
        with write_session(engine) as session:
            waits = session.execute(sa.text("PRAGMA busy_timeout")).scalar_one()
            assert waits == BUSY_MS
        done.set()

    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(10)
    two = threading.Thread(target=second)
    two.start()
    assert not done.wait(0.3)  # the lock is held: it waits, and is not refused either
    release.set()
    one.join(10)
    two.join(10)
    assert done.is_set()
    assert data_version(engine) == before + 100 + 1 + 1  # the first writer's +100, and one version each


def test_a_writer_that_never_gets_sqlites_lock_is_refused_in_sqlalchemys_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from linkage import db

    engine = _sqlite(tmp_path)
    monkeypatch.setattr(db, "BUSY_MS", 200)
    blocker = sa.create_engine(str(engine.url), connect_args={"isolation_level": None})
    with blocker.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        with pytest.raises(sa.exc.OperationalError, match="locked"), db.write_session(engine) as session:
            session.execute(sa.text("SELECT 1"))
        conn.exec_driver_sql("ROLLBACK")
    blocker.dispose()
