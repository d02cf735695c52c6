"""The shell blocks of docs/*.md marked `<!-- tested: NAME -->`, so tests run what the documents say."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

DOCS = Path(__file__).parent.parent / "docs"
DEPLOY = DOCS / "deploy.md"
BLOCK = re.compile(r"<!-- tested: ([\w-]+) -->\s*```bash\n(.*?)```", re.S)


def block(name: str, doc: Path = DEPLOY) -> str:
    found = dict(BLOCK.findall(doc.read_text(encoding="utf-8")))
    assert name in found, f"docs/{doc.name} has no block marked `tested: {name}`"
    return found[name]


def run_block(
    name: str, env: dict[str, str], cwd: Path | None = None, doc: Path = DEPLOY
) -> subprocess.CompletedProcess[str]:
    """Run the documented block with bash, stopping at the first failing command."""
    venv_bin = str(Path(__file__).parent.parent / ".venv" / "bin")
    path = f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block(name, doc)],
        env={**os.environ, "PATH": path, **env},
        cwd=cwd or Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
