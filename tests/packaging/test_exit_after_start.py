"""CHATDESK_EXIT_AFTER_START: the real `chatdesk` opens its window, says when it painted and
when its core was attached, and closes itself cleanly (what packaging/smoke.py relies on)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from chatdesk.ui.exit_after_start import PREFIX, VARIABLE


def test_the_window_opens_reports_and_closes_itself(chatdesk_home: Path) -> None:
    env = {**os.environ, VARIABLE: "1", "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "chatdesk"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [line] = [line for line in done.stdout.splitlines() if line.startswith(PREFIX)]
    marks = json.loads(line[len(PREFIX) :])
    assert marks["painted"] is not None
    assert marks["painted"] <= marks["attached"]
    assert (chatdesk_home / "data" / "chatdesk.db").is_file()  # the core really opened


def test_without_the_variable_nothing_is_reported() -> None:
    from chatdesk.ui.exit_after_start import wanted

    assert not wanted({})
    assert not wanted({VARIABLE: "0"})
    assert wanted({VARIABLE: "1"})
