"""tasks.py, the README's one entry point: it makes .venv anew when it was made by another Python."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import tasks


def test_a_venv_made_by_python_3_11_is_made_anew(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    venv = tmp_path / ".venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n", encoding="utf-8")
    (venv / ".installed").write_text("stale", encoding="utf-8")
    monkeypatch.setattr(tasks, "VENV", venv)
    monkeypatch.setattr(tasks, "BIN", venv / "bin")
    monkeypatch.setattr(tasks, "STAMP", venv / ".installed")
    created: list[Path] = []
    commands: list[tuple[object, ...]] = []
    monkeypatch.setattr(tasks.venv, "create", lambda path, with_pip: (created.append(path), path.mkdir()))
    monkeypatch.setattr(tasks, "run", lambda *cmd, env=None: commands.append(cmd))
    assert tasks.venv_version() == "3.11"
    tasks.setup()
    assert created == [venv]  # the 3.11 environment was removed and a new one created
    assert not (venv / "pyvenv.cfg").exists()
    assert any("constraints.txt" in map(str, cmd) for cmd in commands)


def test_a_venv_of_the_running_python_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    venv = tmp_path / ".venv"
    venv.mkdir()
    running = f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    (venv / "pyvenv.cfg").write_text(f"version = {running}\n", encoding="utf-8")
    monkeypatch.setattr(tasks, "VENV", venv)
    assert tasks.venv_version() == running.rsplit(".", 1)[0]
    monkeypatch.setattr(tasks, "BIN", venv / "bin")
    monkeypatch.setattr(tasks, "STAMP", venv / ".installed")
    monkeypatch.setattr(tasks, "run", lambda *cmd, env=None: None)
    monkeypatch.setattr(tasks.venv, "create", lambda path, with_pip: pytest.fail("a matching .venv was remade"))
    (venv / "bin").mkdir()
    (venv / "bin" / "python").write_text("", encoding="utf-8")
    tasks.setup()
    assert (venv / "pyvenv.cfg").exists()
