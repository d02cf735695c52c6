"""Every question of a role is asked of the permission module (ARCHITECTURE.md): a role compared
anywhere else in the domain, the pages, the page helpers or the entry scripts is a rule that escaped
the gate, whether it is written `actor.role == "admin"`, `role in ("planner", "officer")`,
`if kind != "officer"` or `match who.role:`. Only `linkage/records/permissions.py` and the actor's own
property (`linkage/actor.py`) compare roles. Whether a word names a role at all (`role in ROLES`, the
vocabulary's list) is a check of a value, not a decision, and is allowed."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent
ALLOWED = {"linkage/records/permissions.py", "linkage/actor.py"}  # the gate, and the actor's own property
ROLE_WORDS = {"admin", "planner", "officer", "cooperative"}
UNMISTAKABLE = {"admin", "planner", "officer"}  # role words no party type or entity shares
COMPARING = (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Is, ast.IsNot)


def is_role(node: ast.AST) -> bool:
    """`role`, `actor.role`, `new_role`, `account.user_role`: an expression holding a role."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return name == "role" or name.endswith("_role")


def words_in(node: ast.AST) -> set[str]:
    """The string constants an operand holds: itself, or the items of a literal tuple, list or set."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return {w for item in node.elts for w in words_in(item)}
    return set()


def is_vocabulary_check(operands: list[ast.AST]) -> bool:
    """`role in ROLES` / `role not in ROLES`: whether a word is a role at all."""
    return len(operands) == 2 and isinstance(operands[1], ast.Name) and operands[1].id == "ROLES"


def role_decisions(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(isinstance(op, COMPARING) for op in node.ops):
            operands = [node.left, *node.comparators]
            words = {w for o in operands for w in words_in(o)}
            by_role = any(is_role(o) for o in operands) and not is_vocabulary_check(operands)
            if by_role or words & UNMISTAKABLE:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Match) and (
            is_role(node.subject)
            or any(words_in(getattr(case.pattern, "value", ast.Constant(None))) & ROLE_WORDS for case in node.cases)
        ):
            found.append((node.lineno, f"match {ast.unparse(node.subject)}"))
    return found


def sources() -> list[Path]:
    found = [*(ROOT / "linkage").rglob("*.py"), *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]
    return sorted([*found, ROOT / "streamlit_app.py", ROOT / "serve.py"])


def test_every_role_check_is_asked_of_the_permission_module() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in sources()
        if path.relative_to(ROOT).as_posix() not in ALLOWED
        for line, text in role_decisions(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_gate_itself_is_read_and_does_compare_roles() -> None:
    gate = ROOT / "linkage" / "records" / "permissions.py"
    assert gate in sources() and len(role_decisions(gate.read_text(encoding="utf-8"))) >= 5


def test_the_check_catches_every_form_of_a_role_decision() -> None:
    caught = [
        'if actor.role == "admin": pass',
        "if who.role != 'x': pass",
        'if a.role in ("planner",): pass',
        "if x.role not in y: pass",
        'if role == "cooperative": pass',  # a bare role
        "ok = role in PLANNING_ROLES",
        'if new_role is "officer": pass',
        'if kind != "officer": pass',  # a role's name compared, whatever holds it
        'ok = level in ("admin", "district")',
        'match actor.role:\n    case "admin": pass',
        'match kind:\n    case "planner": pass',
    ]
    for line in caught:
        assert role_decisions(line), line
    passed = [
        'Refused("x", role=actor.role, scope="")',  # a role named, not compared
        'if party_type == "cooperative": pass',  # a party type, not a role
        "if role not in ROLES: raise ValueError(role)",  # whether a word is a role at all
        'if entity == "cooperatives": pass',
    ]
    for line in passed:
        assert not role_decisions(line), line
