"""The exchange files (docs/exchange-files.md): read them, check them against what is stored, plan and
apply the upsert, and write them back.

- `spec`: every file described once (columns, value kinds, keys, references, which need a location).
- `read`: CSV (UTF-8, with or without the byte-order mark) and XLSX into text rows with spreadsheet
  row numbers, the quote exports put before formula-like text taken off; the filled settlement list
  of `linkage unplaced` is read as update-only tables of the two commune columns.
- `values`: one cell parsed, formula-like text shielded for spreadsheets and unshielded.
- `validate`: columns a file leaves out filled from the stored record, then values (lengths from the
  schema), keys, references (archived ones named as such), leads and locations (each commune on its
  own map, both agreeing with the crosswalk), reading through the session only the records and units
  the rows name, in chunked IN lists.
- `write`: `plan` (a change per row, create / update / same) and `apply` (the rows written inside the
  caller's transaction, updates guarded by `version`).
- `export`: every file as CSV or one workbook; `keys`: how a record is named (`record_key`) and
  loaded by key; `problems`: the problem value (file, row, column, message key, parameters).

Whether rows may be written, in which order and with what history, is the import service's decision
(`linkage.records.importing`); whose records an export holds is `linkage.records.exporting`'s.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from linkage.exchange.problems import ImportRefused, Problem
from linkage.exchange.read import Table, read_path

__all__ = ["ImportRefused", "Problem", "Table", "read_path", "read_uploads"]


def read_uploads(files: list[tuple[str, bytes]]) -> tuple[list[Table], list[Problem]]:
    """Exchange tables from uploaded (file name, content) pairs, as `read_path` reads a folder."""
    with tempfile.TemporaryDirectory(prefix="linkage-upload-") as folder:
        for name, data in files:
            (Path(folder) / Path(name).name).write_bytes(data)
        return read_path(Path(folder))
