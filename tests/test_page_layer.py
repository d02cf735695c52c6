"""Pages are widgets and layout (ARCHITECTURE.md): no page or page helper holds SQL or reaches the
tables, and none builds HTML from text: `unsafe_allow_html` is never used, and `st.html` is given only
`html_table.text_table`'s escaped table (or, in `ui/words.py`, the stylesheet of the catalog's words)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b[^\n]*\b(FROM|INTO|SET|WHERE)\b")
STYLESHEET_ONLY = {"ui/words.py"}


def page_sources() -> list[Path]:
    return sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"), ROOT / "streamlit_app.py"])


def imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return found


def sql_and_html(path: Path, root: Path = ROOT) -> list[str]:
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    name = path.relative_to(root).as_posix()
    wrong = [f"{name} imports {m}" for m in sorted(imports(tree)) if m.startswith(("sqlmodel", "linkage.store.models"))]
    wrong += [
        f"{name} imports {m}"
        for m in sorted(imports(tree))
        if m.startswith("sqlalchemy")
        and m not in ("sqlalchemy.engine", "sqlalchemy.engine.Engine")
        and not m.startswith("sqlalchemy.exc")
    ]
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            wrong.append(f"{name}:{node.lineno}: SQL in a string")
        if isinstance(node, ast.keyword) and node.arg == "unsafe_allow_html":
            wrong.append(f"{name}:{node.lineno}: unsafe_allow_html")
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "st.html" and name not in STYLESHEET_ONLY:
            given = node.args[0] if node.args else None
            if not (isinstance(given, ast.Call) and ast.unparse(given.func) == "text_table"):
                wrong.append(f"{name}:{node.lineno}: st.html given {ast.unparse(given) if given else 'nothing'}")
    return wrong


def test_pages_hold_no_sql_and_make_no_html_from_text() -> None:
    assert [problem for path in page_sources() for problem in sql_and_html(path)] == []


def test_the_check_finds_what_it_forbids(tmp_path: Path) -> None:
    source = (
        "import streamlit as st\nfrom sqlmodel import select\nimport sqlalchemy as sa\n"
        'rows = "SELECT code FROM cooperative WHERE 1"\n'
        'st.markdown(name, unsafe_allow_html=True)\nst.html(f"<b>{name}</b>")\nst.html(text_table(h, r))\n'
    )
    probe = tmp_path / "pages" / "probe.py"
    probe.parent.mkdir()
    probe.write_text(source, encoding="utf-8")
    assert sorted(sql_and_html(probe, tmp_path)) == [
        "pages/probe.py imports sqlalchemy",
        "pages/probe.py imports sqlmodel",
        "pages/probe.py imports sqlmodel.select",
        "pages/probe.py:4: SQL in a string",
        "pages/probe.py:5: unsafe_allow_html",
        "pages/probe.py:6: st.html given f'<b>{name}</b>'",
    ]
