"""A process to be killed: it starts a write and reports on stdout where it is, then waits.

`import` imports a folder; `edit` saves one cooperative as a form does. With `at=commit` the
worker blocks inside the transaction just before COMMIT (every row written, nothing committed);
with `at=write` it reports as soon as the rows start going in and carries on. The test kills it
with SIGKILL at that point: no clean-up of any kind runs.
"""

import sys
import time
from pathlib import Path

import linkage.store.db
from linkage.accounts.users import SYSTEM, Actor
from linkage.exchange import write
from linkage.records import forms
from linkage.records.importing import import_path
from linkage.store.db import get_engine

url, task, at, target = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
engine = get_engine(url)
apply = write.apply
bump = linkage.store.db.bump_data_version


def announce_write(*args, **kwargs):  # type: ignore[no-untyped-def]
    print("writing", flush=True)
    return apply(*args, **kwargs)


def stop_before_commit(session):  # type: ignore[no-untyped-def]
    bump(session)
    session.flush()
    print("before-commit", flush=True)
    time.sleep(600)


if at == "commit":
    linkage.store.db.bump_data_version = stop_before_commit
else:
    write.apply = announce_write
    import linkage.records.importing

    linkage.records.importing.apply = announce_write  # type: ignore[attr-defined]

if task == "import":
    import_path(engine, Path(target), actor=SYSTEM)
else:
    officer = Actor("crash", "officer", "058")
    original = forms.read(engine, officer, "cooperatives", target)
    forms.save(engine, officer, "cooperatives", {**original.values, "name": "Đã sửa", "members": "999"}, original)
print("committed", flush=True)
