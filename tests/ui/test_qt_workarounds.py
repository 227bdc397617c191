"""The reference-count reserve keeps PySide6 6.12 on CPython 3.11 from aborting."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# Ten times what aborts an unprotected 3.11 interpreter, for each defect.
LOOPS = {
    "void calls": """
        o = QObject()
        for _ in range(50_000):
            o.setObjectName("x")
    """,
    "signal emits": """
        class Emitter(QObject):
            changed = Signal()
        o = Emitter()
        for _ in range(10_000):
            o.changed.emit()
    """,
}
PROGRAM = """
import sys
from PySide6.QtCore import QObject, Signal
{guard}
{loop}
print("alive")
"""
GUARD = (
    "from chatdesk.ui.qt_workarounds import protect_singleton_refcounts; "
    "protect_singleton_refcounts()"
)


def _run(guard: str, loop: str) -> subprocess.CompletedProcess[str]:
    code = PROGRAM.format(guard=guard, loop=textwrap.dedent(loop))
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("loop", LOOPS.values(), ids=LOOPS.keys())
def test_many_qt_calls_do_not_abort_the_interpreter(loop: str) -> None:
    result = _run(GUARD, loop)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "alive"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="immortal singletons from CPython 3.12")
@pytest.mark.parametrize("loop", LOOPS.values(), ids=LOOPS.keys())
def test_the_defect_is_still_there_without_the_reserve(loop: str) -> None:
    """When this fails, the bindings are fixed and the work-around can go."""
    assert _run("", loop).returncode != 0


SOURCES_KEPT = """
import linecache
{pyside}
from chatdesk.ui.qt_workarounds import python_imports
{wrap}
    import sqlalchemy.orm
print(sum("sqlalchemy" in name for name in linecache.cache))
"""


def _sqlalchemy_sources_kept(*, pyside: bool, wrap: bool) -> int:
    code = SOURCES_KEPT.format(
        pyside="import PySide6.QtWidgets" if pyside else "",
        wrap="with python_imports():" if wrap else "if True:",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return int(result.stdout)


def test_the_core_imports_as_if_pyside6_were_not_loaded() -> None:
    # SQLAlchemy keeps some generated code in linecache itself; PySide6's hook adds the rest.
    without_pyside = _sqlalchemy_sources_kept(pyside=False, wrap=False)
    assert _sqlalchemy_sources_kept(pyside=True, wrap=True) == without_pyside


def test_pyside6_keeps_the_sources_of_what_it_imports() -> None:
    """When this fails, the bindings stopped doing it and `python_imports` can go."""
    without_pyside = _sqlalchemy_sources_kept(pyside=False, wrap=False)
    assert _sqlalchemy_sources_kept(pyside=True, wrap=False) > without_pyside
