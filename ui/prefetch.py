"""The browser loads the code of the pages' charts, tables and widgets while the user reads or types.

Streamlit's page fetches the code of each kind of element (a JavaScript module of its own) the first
time it shows one. Signing in at a shared coverage link, the page then fetched and compiled about 60
files, 2.7 MB (Vega, the data grid, the date field), after the click: half of what the user waited for
(docs/benchmarks.md), and far longer on an office's slow line. Here the first page a tab opens (the
sign-in page, usually) imports those modules one after another while the browser is idle; the
module map keeps them, so a page that shows a chart or a table later finds its code ready.

Only Streamlit's own files are imported, from the address its page was loaded from: nothing from
any other place. They are found by name in the installed Streamlit (`chunk_files`); a Streamlit whose
files are named otherwise loads them as before, when a page first needs them.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

# The kinds of element the pages show, in the order a first page needs them (the coverage page's first):
# Streamlit's file for each is `NAME.<hash>.js`. `embed` is Vega's, loaded by a chart when it first draws.
ELEMENTS = (
    "Metric",
    "DateInput",
    "Selectbox",
    "Checkbox",
    "Button",
    "ArrowVegaLiteChart",
    "embed",
    "DataFrame",
    "DownloadButton",
    "Radio",
    "TextInput",
    "IFrame",
    "Multiselect",
    "FileUploader",
    "NumberInput",
)
KEY = "prefetch"  # its element's key: the page's stylesheet gives it no room (ui/words.py)
_CHUNK = re.compile(r"^(?P<name>.+)\.[A-Za-z0-9_-]{8}\.js$")

# Imports the files once per page load, each when the browser is idle, so the user's typing is never
# held up; a failed import is left for the page to retry when it needs the module. Streamlit's own entry
# script names the folder the files are served from, under whatever base path the server has.
PREFETCH_JS = """
export default function (component) {
  const { data } = component;
  if (!data || !data.files || window.__linkagePrefetched) return;
  const entry = document.querySelector('script[type="module"][src*="/index."]');
  if (!entry) return;
  window.__linkagePrefetched = true;
  const files = [...data.files];
  const idle = window.requestIdleCallback || ((next) => setTimeout(next, 50));
  const next = () => {
    const file = files.shift();
    if (!file) return;
    import(new URL("./" + file, entry.src).href).catch(() => {}).finally(() => idle(next));
  };
  idle(next);
}
"""


def _folder() -> Path:
    return Path(st.__file__).parent / "static" / "static" / "js"


@cache
def chunk_files(folder: Path | None = None) -> tuple[str, ...]:
    """Streamlit's file for each of ELEMENTS (those it has), in ELEMENTS' order."""
    found: dict[str, str] = {}
    for path in (folder or _folder()).glob("*.js"):
        match = _CHUNK.match(path.name)
        if match and match["name"] in ELEMENTS:
            found[match["name"]] = path.name
    return tuple(found[name] for name in ELEMENTS if name in found)


@cache
def _component() -> Any:
    return st.components.v2.component("linkage_prefetch", js=PREFETCH_JS)


def prefetch_page_code() -> None:
    """Draw the (invisible) prefetcher; the browser runs it once per page load, whatever the reruns."""
    files = chunk_files()
    if files:
        with st.sidebar:
            _component()(key=KEY, data={"files": list(files)})
