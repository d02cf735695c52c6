"""The `linkage` console script: the command line (`linkage.cli`) run as the short process it is.

Python's cyclic garbage collector walks every live container object at each full collection, and
once more at exit. A `linkage` process creates a few hundred thousand of them while importing
pandas (most commands: SQLAlchemy and the models too) and while reading the facts, none of them
garbage: on the national demo those walks were about a fifth of `linkage coverage`'s whole run. So
the collector is paused while the command line is imported, what exists then is frozen (kept out of
later walks), and at exit the databases a command opened through an engine are closed first (SQLite
folds its write-ahead log back into the file) and what is left is frozen too, so Python does not
walk it once more only to exit.
"""

from __future__ import annotations

import gc
import sys


def main() -> None:
    gc.disable()
    from linkage.cli import main as run  # lazy: imported with the collector paused (start-up)

    gc.freeze()
    gc.enable()
    try:
        code = run()
    finally:
        if (db := sys.modules.get("linkage.db")) is not None:  # a command that used an engine
            db.dispose_all()
        gc.freeze()
    sys.exit(code)
