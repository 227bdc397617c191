"""Voice costs nothing until it is used: neither the window's start nor the command line's
parser imports any of it (its engines, PyAV, PortAudio, the voice activity detector)."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import sys
import chatdesk.launch
chatdesk.launch._import_window()
import importlib
import chatdesk.app
importlib.import_module("chatdesk.cli.main")._parser()
engines = {"av", "faster_whisper", "ctranslate2", "sounddevice", "webrtcvad"}
print(" ".join(sorted(
    m for m in sys.modules if m.split(".")[0] in engines or m.startswith("chatdesk.core.voice")
)))
"""


def test_the_windows_start_and_the_commands_import_nothing_of_voice() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.stdout.strip() == ""
