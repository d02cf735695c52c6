"""Reads one uploaded file as the exchange page does, in a process of its own, and says how much memory
that took: `python -m tests.upload_worker DATABASE_URL FILE` prints one JSON object with the problems
found, the rows read and the process's peak resident memory (`ru_maxrss`, MB)."""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from linkage.actor import SYSTEM
from linkage.store.db import get_engine
from ui.uploads import checked_uploads


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory (Linux reports kB)."""
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def main(url: str, file: str) -> None:
    path = Path(file)
    store: dict[str, object] = {}
    preview = checked_uploads(store, get_engine(url), SYSTEM, [(path.name, path.read_bytes())])
    codes = sorted({p.code for p in preview.problems})
    print(json.dumps({"codes": codes, "rows": preview.rows, "peak_mb": peak_mb(), "held": repr(store)[:2000]}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
