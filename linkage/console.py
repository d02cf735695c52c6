"""The `linkage` console script: the command line (`linkage.cli`) run as the short process it is.

Python's cyclic garbage collector walks every live container object at each full collection, and
once more at exit. A `linkage` command creates hundreds of thousands of them (pandas, and for most
commands SQLAlchemy and the models, being imported; records being read and validated) and almost
none of them is cyclic garbage, so the collector is off for the whole command: memory is still
freed as soon as nothing refers to it, only reference cycles wait for the exit (what that saves,
and costs in memory, is in docs/benchmarks.md, "Measured while choosing the design"). At exit, the databases a command
opened through an engine are closed first (SQLite folds its write-ahead log back into the file) and what is left is
frozen, so Python does not walk it once more only to exit.
"""

from __future__ import annotations

import gc
import sys


def main() -> None:
    gc.disable()  # for the whole command: see above
    from linkage.cli import main as run  # lazy: with the collector off from the first import

    try:
        code = run()
    finally:
        if (db := sys.modules.get("linkage.store.db")) is not None:  # a command that used an engine
            db.dispose_all()
        gc.freeze()
    sys.exit(code)
