#!/usr/bin/env python3
"""One entry point for set-up, the app, the tests and the benchmark; needs only Python 3.12.

    python3.12 tasks.py app     # set up, load the province demo on first run, open the app
    python3.12 tasks.py test    # set up (Chromium included), then ruff, mypy and the whole test suite
    python3.12 tasks.py bench   # the national-scale benchmark and the browser's, written to docs/benchmarks.md
    python3.12 tasks.py bench --no-load   # only the national figures, without the load runs (any options: only those)

Set-up is a virtual environment in .venv with the versions in constraints.txt; it is skipped
when pyproject.toml and constraints.txt have not changed since the last install. A .venv made by
another Python version (the project needed 3.11 before it read both maps) is made anew.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".installed"


def run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, env={**os.environ, **(env or {})})


def venv_version() -> str | None:
    """The `major.minor` Python version .venv was made with, or None when there is no .venv."""
    config = VENV / "pyvenv.cfg"
    if not config.exists():
        return None
    for line in config.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version", "version_info"):
            return ".".join(value.strip().split(".")[:2])
    return ""


def setup() -> None:
    """Create .venv and install the project with the pinned versions, once per change of pins or Python."""
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if sys.version_info < (3, 12):  # noqa: UP036 -- tasks.py is what an older python3 runs first
        sys.exit(f"Linkage Tracker needs Python 3.12 or newer (this is {running}): run `python3.12 tasks.py ...`.")
    have = venv_version()
    if have is not None and have != running:
        print(f"+ .venv was made with Python {have or 'unknown'}; making it anew with {running}", flush=True)
        shutil.rmtree(VENV)
    wanted = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + (ROOT / "constraints.txt").read_bytes()
    ).hexdigest()
    if not (STAMP.exists() and STAMP.read_text() == wanted):
        if not (BIN / "python").exists():
            venv.create(VENV, with_pip=True)
        run(BIN / "python", "-m", "pip", "install", "-q", "--upgrade", "pip")
        run(BIN / "python", "-m", "pip", "install", "-q", "-c", "constraints.txt", "-e", ".[dev]")
        STAMP.write_text(wanted)
    compile_sources()


def compile_sources() -> None:
    """Bytecode for the project's own modules, as pip writes it for the packages it installs: an
    editable install has none, and where PYTHONDONTWRITEBYTECODE is set every `linkage` process would
    compile the modules it imports anew (docs/benchmarks.md). Up to date after the first run: cheap."""
    run(BIN / "python", "-m", "compileall", "-q", "linkage", "ui", "bench", "serve.py", "streamlit_app.py")


DEBIAN_PACKAGES = {
    "chromium": "chromium",  # the browser tests (a browser download is impossible here)
    "nginx": "nginx-light",  # the tested reverse-proxy configuration of docs/deploy.md
}


def ensure_debian_packages() -> None:
    """Debian packages the tests drive, installed once per machine."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    missing = [package for command, package in DEBIAN_PACKAGES.items() if not shutil.which(command, path=search)]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit(f"The tests need Debian's {', '.join(missing)}: run `apt-get install {' '.join(missing)}` as root.")
    run("apt-get", "update", "-qq")
    run("apt-get", "install", "-y", "-qq", *missing, env={"DEBIAN_FRONTEND": "noninteractive"})


def app() -> None:
    setup()
    run(BIN / "linkage", "init")
    probe = subprocess.run(
        [
            BIN / "python",
            "-c",
            "from linkage.demo import is_empty; from linkage.store.db import get_engine; "
            "raise SystemExit(0 if is_empty(get_engine()) else 1)",
        ],
        cwd=ROOT,
    )
    if probe.returncode == 0:
        run(BIN / "linkage", "demo", "--scale", "province")
    run(
        BIN / "streamlit",
        "run",
        "serve.py",  # streamlit_app.py plus the session-cookie route; settings in .streamlit/config.toml
        env={"LINKAGE_DEMO_MODE": "1"},  # the sign-in page lists the demo accounts; a deployment never sets it
    )


def test() -> None:
    setup()
    ensure_debian_packages()
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "mypy")
    run(BIN / "pytest", "-q", "-n", "2", *sys.argv[2:])


BROWSER_BENCH = ("--browser", "--scale", "national", "--repeats", "5")


def bench() -> None:
    """The whole benchmark: the national figures and load, then what users wait for in Chromium, both
    into docs/benchmarks.md. With arguments, only `python -m bench` with them."""
    setup()
    if len(sys.argv) > 2:
        run(BIN / "python", "-m", "bench", *sys.argv[2:])
        return
    ensure_debian_packages()
    run(BIN / "python", "-m", "bench")
    run(BIN / "python", "-m", "bench", *BROWSER_BENCH)


if __name__ == "__main__":
    tasks = {"app": app, "test": test, "bench": bench}
    if len(sys.argv) < 2 or sys.argv[1] not in tasks:
        sys.exit(f"usage: python3.12 tasks.py {{{'|'.join(tasks)}}}")
    try:
        tasks[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
