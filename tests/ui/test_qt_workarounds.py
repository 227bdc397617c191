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
import builtins, linecache
{pyside}
import sqlalchemy.orm
print(sum("sqlalchemy" in name for name in linecache.cache), builtins.__import__.__name__)
"""


def _sqlalchemy_sources_kept(pyside: str) -> tuple[int, str]:
    """How many of SQLAlchemy's files `linecache` holds once it is imported after `pyside`,
    and which `__import__` is in place then."""
    result = subprocess.run(
        [sys.executable, "-c", SOURCES_KEPT.format(pyside=pyside)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    kept, importer = result.stdout.split()
    return int(kept), importer


def test_after_import_pyside_modules_import_as_if_pyside6_were_not_loaded() -> None:
    # SQLAlchemy keeps some generated code in linecache itself; PySide6's hook adds the rest.
    without_pyside, _ = _sqlalchemy_sources_kept("")
    setting_aside = "from chatdesk.ui.qt_workarounds import import_pyside; import_pyside()"
    kept, importer = _sqlalchemy_sources_kept(setting_aside)
    assert kept == without_pyside
    assert importer != "__feature_import__"


def test_pyside6_keeps_the_sources_of_what_it_imports() -> None:
    """When this fails, the bindings stopped doing it and `import_pyside` can import PySide6
    and leave its hook alone."""
    without_pyside, _ = _sqlalchemy_sources_kept("")
    kept, importer = _sqlalchemy_sources_kept("import PySide6.QtWidgets")
    assert kept > without_pyside
    assert importer == "__feature_import__"


def test_the_chatdesk_command_keeps_no_source_of_its_window_or_its_core() -> None:
    """The core's modules load after the window's, on the thread that opens the core."""
    probe = (
        "import linecache, os, chatdesk, chatdesk.launch; chatdesk.launch._import_window(); "
        "import chatdesk.core.service, sqlalchemy; "
        "folders = [os.path.dirname(m.__file__) for m in (chatdesk, sqlalchemy)]; "
        "print(sorted(n for n in linecache.cache if n.startswith(tuple(folders))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
