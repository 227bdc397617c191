"""A test that means to wait must wait: pytest-qt's context-manager waits do nothing when called.

`qtbot.waitExposed(dialog)` as a statement makes a context manager and drops it, so the test
goes on at once and reads whatever widget is there, perhaps one closed a moment ago.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent

# qtbot methods that return a context manager (or a blocker) and wait only inside `with`
CONTEXT_WAITS = frozenset(
    {"waitExposed", "waitActive", "waitSignal", "waitSignals", "assertNotEmitted", "waitCallback"}
)


def dropped_waits(source: str) -> list[int]:
    """The lines where a context-manager wait is called as a statement and so never waits."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and node.value.func.attr in CONTEXT_WAITS
    ]


def test_no_wait_is_called_outside_a_with() -> None:
    found = [
        f"{path.relative_to(TESTS)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in dropped_waits(path.read_text(encoding="utf-8"))
    ]
    assert not found, "a qtbot wait called as a statement waits for nothing: " + ", ".join(found)


def test_a_dropped_wait_is_named_and_a_with_is_not() -> None:
    dropped = "def f(qtbot, d):\n    d.open()\n    qtbot.waitExposed(d)\n"
    kept = "def f(qtbot, d):\n    with qtbot.waitExposed(d):\n        d.open()\n"
    blocker = "def f(qtbot, s):\n    b = qtbot.waitSignal(s)\n    b.wait()\n"
    assert dropped_waits(dropped) == [3]
    assert dropped_waits(kept) == []
    assert dropped_waits(blocker) == []
