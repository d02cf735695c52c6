"""One writer process for the lost-update test: increments a cooperative's members for a while.

Each round reads the record, adds one and saves with the version it read; a StaleEdit means another
process won that round, and the worker reads again. Prints a JSON summary; any other error is
reported, not raised, so the test can count it.
"""

import json
import sys
import time

from linkage.accounts.users import Actor
from linkage.errors import StaleEdit
from linkage.records import forms
from linkage.store.db import get_engine

url, seconds, who = sys.argv[1], float(sys.argv[2]), sys.argv[3]
engine = get_engine(url)
actor = Actor(who, "officer", "058")
saved = stale = 0
errors: list[str] = []
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    try:
        original = forms.read(engine, actor, "cooperatives", "C1")
        members = int(original.values["members"]) + 1
        forms.save(engine, actor, "cooperatives", {**original.values, "members": str(members)}, original)
        saved += 1
    except StaleEdit:
        stale += 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
print(json.dumps({"saved": saved, "stale": stale, "errors": errors[:5], "error_count": len(errors)}))
