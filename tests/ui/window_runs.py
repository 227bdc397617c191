"""A whole run of the window in a child process, offscreen with the offline demo model, that
exits once the window is started (`CHATDESK_EXIT_AFTER_START`): what a probe printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def window_run(probe: str, home: Path, **environment: str) -> list[str]:
    """Run the Python `probe` (which starts the window) with `CHATDESK_HOME=home` and
    `environment`; the lines it printed, once it is known the window was whole."""
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            CHATDESK_HOME=str(home),
            CHATDESK_EXIT_AFTER_START="1",
            CHATDESK_UI_OFFLINE_DEMO="true",
            **environment,
        ),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("chatdesk: started ") for line in lines)  # the window was whole
    return lines
