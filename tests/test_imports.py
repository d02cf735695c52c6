"""linkage/ stays layered: no module imports Streamlit, and no two modules import each other,
however the import is hidden (inside a function, under TYPE_CHECKING, through a package's
`__init__`). An import inside a function is there only to keep start-up fast, and says so."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

import linkage

PACKAGE = Path(linkage.__file__).parent
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.relative_to(PACKAGE).parts)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in SOURCES}


def imported(path: Path) -> list[tuple[str, ast.stmt]]:
    """Every module an import statement anywhere in the file names (`from a import b` names `a.b`
    when that is a module of ours), with the statement."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: list[tuple[str, ast.stmt]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.append((base, node))
            found += [(f"{base}.{alias.name}", node) for alias in node.names if f"{base}.{alias.name}" in MODULES]
    return found


def graph() -> nx.DiGraph:
    """Module → module it makes Python run. Importing `linkage.exchange.spec` from outside that
    package also runs `linkage/exchange/__init__.py`, so that is an edge too."""
    edges = nx.DiGraph()
    edges.add_nodes_from(MODULES)
    for name, path in MODULES.items():
        for target, _ in imported(path):
            if target not in MODULES:
                continue
            parts = target.split(".")
            for depth in range(2, len(parts) + 1):
                ancestor = ".".join(parts[:depth])
                inside = name == ancestor or name.startswith(ancestor + ".")
                if ancestor != name and not (inside and ancestor != target):
                    edges.add_edge(name, ancestor)
    return edges


def test_the_module_graph_sees_hidden_imports() -> None:
    """The checks below would pass vacuously if the graph missed imports."""
    edges = graph()
    assert ("linkage.records.importing", "linkage.records.history") in edges.edges  # a plain import
    assert ("linkage.records.history", "linkage.exchange") in edges.edges  # the package run for its submodule
    assert ("linkage.cli", "linkage.graphs.graph_file") in edges.edges  # an import inside a function


def test_linkage_has_no_import_cycle() -> None:
    cycles = sorted(" → ".join([*c, c[0]]) for c in nx.simple_cycles(graph()))
    assert cycles == []


def test_a_cycle_hidden_in_a_function_would_be_found() -> None:
    edges = graph()
    edges.add_edge("linkage.actor", "linkage.accounts.users")  # as if Actor imported accounts inside a method
    assert not nx.is_directed_acyclic_graph(edges)


def test_nothing_in_linkage_imports_streamlit() -> None:
    users = sorted(
        f"{module_name(path)} imports {target}"
        for path in SOURCES
        for target, _ in imported(path)
        if target == "streamlit" or target.startswith("streamlit.")
    )
    assert users == []


def _inner_imports(path: Path) -> list[ast.stmt]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [n for n in ast.walk(function) if isinstance(n, ast.Import | ast.ImportFrom)]
    return found


@pytest.mark.parametrize("path", SOURCES, ids=module_name)
def test_an_import_inside_a_function_says_it_keeps_start_up_fast(path: Path) -> None:
    """Either the import's own line says why it is lazy, or the module's docstring says that its
    functions import what they need to keep start-up fast (the command line, the benchmark)."""
    text = path.read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(text)) or ""
    if "start-up fast" in " ".join(docstring.split()):
        return
    lines = text.splitlines()
    silent = [
        f"{path.name}:{node.lineno}: {lines[node.lineno - 1].strip()}"
        for node in _inner_imports(path)
        if "start-up" not in lines[node.lineno - 1] and "lazy" not in lines[node.lineno - 1]
    ]
    assert silent == []


# Lowest first. A module may import its own layer and those below it, never one above: the words
# everything says, then storage, the maps, the exchange files, the record rules and write path,
# counting, graphs, accounts, the filed reports, and the commands on top.
LAYERS = [
    {"linkage", "linkage.i18n", "linkage.errors", "linkage.vocabulary", "linkage.actor", "linkage.frames"},
    {"linkage.store"},
    {"linkage.geo"},
    {"linkage.exchange"},
    {"linkage.records"},
    {"linkage.lists"},
    {"linkage.counting"},
    {"linkage.graphs"},
    {"linkage.accounts"},
    {"linkage.reports"},
    {"linkage.demo", "linkage.cli", "linkage.console", "linkage.__main__"},
]


def layer_of(module: str) -> int | None:
    """The layer of the module's nearest named package (or of the module itself)."""
    for depth in range(module.count(".") + 1, 0, -1):
        prefix = ".".join(module.split(".")[:depth])
        for index, members in enumerate(LAYERS):
            if prefix in members:
                return index
    return None


def upward(edges: nx.DiGraph) -> list[str]:
    return sorted(f"{a} → {b}" for a, b in edges.edges if (layer_of(b) or 0) > (layer_of(a) or 0))


def test_every_module_has_a_layer() -> None:
    assert [name for name in MODULES if layer_of(name) is None] == []


def test_no_module_imports_a_layer_above_its_own() -> None:
    assert upward(graph()) == []


def test_an_upward_import_would_be_found() -> None:
    edges = graph()
    edges.add_edge("linkage.geo.maps", "linkage.counting.indicators")
    assert upward(edges) == ["linkage.geo.maps → linkage.counting.indicators"]
