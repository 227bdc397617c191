"""The web's modules load on first use: starting chatdesk, or any other command, pays nothing
for them."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

WEB_MODULES = ("chatdesk.core.web", "httpx2", "httpcore2", "html.parser")


def test_the_command_line_and_the_composition_root_load_none_of_the_web() -> None:
    probe = (
        "import sys; import chatdesk.launch, chatdesk.app, chatdesk.cli.main; "
        "sys.modules['chatdesk.cli.main']._parser(); "
        f"print(sorted(m for m in sys.modules if m.startswith({WEB_MODULES!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]", "load the web where it is used (chatdesk/cli/web.py)"
