"""The exchange files (docs/exchange-files.md): read, check and write them.

`read` turns files into text rows, `validate` checks and types them against what is stored,
`write` plans and applies the upsert, `export` writes the files back. Whether rows may be stored,
and what history they leave, is the import service's decision (`linkage.records.importing`); whose records
an export holds is `linkage.records.exporting`'s.
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
