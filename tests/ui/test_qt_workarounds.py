"""The None reference-count reserve keeps PySide6 6.12 on CPython 3.11 from aborting."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

LOOP = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QObject
    {guard}
    o = QObject()
    for _ in range(50_000):  # ten times what aborts an unprotected 3.11 interpreter
        o.setObjectName("x")
    print("alive")
    """
)


def _run(guard: str) -> subprocess.CompletedProcess[str]:
    code = LOOP.format(guard=guard)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_many_void_qt_calls_do_not_abort_the_interpreter() -> None:
    guard = "from chatdesk.ui.qt_workarounds import protect_none_refcount; protect_none_refcount()"
    result = _run(guard)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "alive"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from CPython 3.12 on")
def test_the_defect_is_still_there_without_the_reserve() -> None:
    """When this fails, the bindings are fixed and the work-around can go."""
    assert _run("").returncode != 0
