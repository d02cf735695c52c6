"""The shell blocks of docs/deploy.md marked `<!-- tested: NAME -->`, so tests run what the document says."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

DEPLOY = Path(__file__).parent.parent / "docs" / "deploy.md"
BLOCK = re.compile(r"<!-- tested: ([\w-]+) -->\s*```bash\n(.*?)```", re.S)


def block(name: str) -> str:
    found = dict(BLOCK.findall(DEPLOY.read_text(encoding="utf-8")))
    assert name in found, f"docs/deploy.md has no block marked `tested: {name}`"
    return found[name]


def run_block(name: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the documented block with bash, stopping at the first failing command."""
    venv_bin = str(Path(__file__).parent.parent / ".venv" / "bin")
    path = f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block(name)],
        env={**os.environ, "PATH": path, **env},
        cwd=cwd or Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
