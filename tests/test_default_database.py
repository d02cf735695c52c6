"""The embedded database keeps the file an installation already has: a release that looked for its
data under another name would open an empty database and the office's records would seem lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkage.store.driver import default_url

ROOT = Path(__file__).resolve().parent.parent


def test_the_default_database_is_linkage_db_in_the_users_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    url = default_url()
    assert url.startswith("sqlite:///")
    path = Path(url.removeprefix("sqlite:///"))
    assert path.name == "linkage.db"
    assert path.parent.name == "linkage-tracker"


def test_the_readme_names_the_file_the_code_opens() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "~/.local/share/linkage-tracker/linkage.db" in readme
