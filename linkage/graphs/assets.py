"""vis-network, the library every graph is drawn with, from the copy inside the installed pyvis package.

The graph file of `linkage graph` inlines the script and stylesheet (`vis_tag` with no address), so it
loads nothing from any network; the app serves its own copy instead (`publish_assets` into `static/`,
served by Streamlit under `app/static/`), so each graph view sends kilobytes, not the whole library.
"""

from __future__ import annotations

import html
import importlib.util
import os
import tempfile
from functools import cache
from pathlib import Path

VIS_VERSION = "9.1.2"  # the vis-network release shipped inside pyvis 0.3.2
ASSETS = {  # the file in pyvis's copy → the name the app serves it under (versioned, so never stale)
    "vis-network.min.js": f"vis-network-{VIS_VERSION}.min.js",
    "vis-network.css": f"vis-network-{VIS_VERSION}.css",
}


def asset_path(name: str) -> Path:
    """The file in the installed pyvis package, found without importing pyvis (and the jinja2 it
    loads), for two files it only carries."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("pyvis is not installed: it carries the vis-network library graphs are drawn with")
    return Path(spec.origin).parent / "templates" / "lib" / f"vis-{VIS_VERSION}" / name


@cache
def asset(name: str) -> str:
    return asset_path(name).read_text(encoding="utf-8")


def publish_assets(folder: Path) -> bool:
    """Copy vis-network's script and stylesheet from the installed pyvis into `folder` (the app's
    `static/` folder), so the app serves them once instead of inlining them into every graph view.

    Written to a temporary file and renamed, so app processes starting together never serve half a
    file. False (and nothing served) if the folder cannot be written, e.g. a read-only install:
    the caller then inlines the library as the graph file does.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for source_name, served_name in ASSETS.items():
            source, target = asset_path(source_name), folder / served_name
            if target.is_file() and target.stat().st_size == source.stat().st_size:
                continue
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".part")
            with os.fdopen(handle, "wb") as out:
                out.write(source.read_bytes())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
    except OSError:
        return False
    return True


def vis_tag(name: str, assets_url: str | None) -> str:
    """The stylesheet or script of vis-network: inlined, or linked to the app's served copy."""
    is_script = name.endswith(".js")
    if assets_url is None:
        return f"<script>{asset(name)}</script>" if is_script else f"<style>{asset(name)}</style>"
    url = html.escape(f"{assets_url.rstrip('/')}/{ASSETS[name]}")
    return f'<script src="{url}"></script>' if is_script else f'<link rel="stylesheet" href="{url}">'
