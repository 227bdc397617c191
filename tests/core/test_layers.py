"""The core runs without Qt: importing every core module must not load PySide6 or qasync."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

CODE = """
import pkgutil, importlib, sys
import chatdesk.core
for info in pkgutil.walk_packages(chatdesk.core.__path__, "chatdesk.core."):
    importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "qasync", "shiboken6"))
loaded += sorted(m for m in sys.modules if m.startswith("chatdesk.ui"))
print(",".join(loaded))
"""


def test_core_imports_no_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == ""
