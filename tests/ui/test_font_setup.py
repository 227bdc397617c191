"""Fontconfig set up on a thread of its own as the window starts (chatdesk/ui/font_setup.py).

Each case runs in a new process: this one set fontconfig up long ago, with its QApplication.
"""

from __future__ import annotations

import ctypes.util
import json
import os
import subprocess
import sys

import pytest

from chatdesk.ui import font_setup

FONTCONFIG = sys.platform not in ("win32", "darwin") and ctypes.util.find_library("fontconfig")
needs_fontconfig = pytest.mark.skipif(
    not FONTCONFIG and not os.environ.get("CI"), reason="Qt reads no fontconfig here"
)


def _run(code: str) -> str:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=environment,
    )
    return done.stdout.strip().splitlines()[-1]


_FONTS = (
    "import json, sys; from PySide6.QtWidgets import QApplication, QLabel; "
    "from PySide6.QtGui import QFontDatabase, QFontInfo; app = QApplication(sys.argv); "
    "label = QLabel('chatdesk'); "
    "print(json.dumps([QFontDatabase.families(), QFontInfo(label.font()).family(), "
    "label.sizeHint().width()]))"
)


@needs_fontconfig
def test_qt_sees_the_same_fonts_with_fontconfig_set_up_ahead_as_without() -> None:
    ahead = (
        "import threading; from chatdesk.ui import font_setup; "
        "failed = []; threading.excepthook = lambda args: failed.append(args.exc_value); "
        "thread = font_setup.begin(); import PySide6.QtWidgets; "  # the imports overlap it
        "thread.join(30); assert not thread.is_alive() and not failed, failed; "
    )
    fonts_after_setup = json.loads(_run(ahead + _FONTS))
    fonts_without = json.loads(_run(_FONTS))
    assert fonts_after_setup == fonts_without
    families, body_font, width = fonts_after_setup
    assert body_font in families
    assert width > 0


def test_fontconfig_is_set_up_without_importing_qt_and_once_a_process() -> None:
    """It runs before PySide6 is imported; the CLI's window asks again, for the same thread."""
    code = (
        "import sys; from chatdesk.ui import font_setup; "
        "first = font_setup.begin(); again = font_setup.begin(); "
        "first is None or first.join(30); "
        "print(first is again, first is None or not first.is_alive(), "
        "any(name.startswith('PySide6') for name in sys.modules))"
    )
    assert _run(code) == "True True False"


def test_a_system_without_fontconfig_starts_without_it() -> None:
    code = (
        "import threading; from chatdesk.ui import font_setup; "
        "font_setup.LIBRARY = 'libchatdesk-no-such-library.so.0'; "
        "failed = []; threading.excepthook = lambda args: failed.append(args.exc_value); "
        "thread = font_setup.begin(); thread.join(30); "
        "print(thread.is_alive(), failed)"
    )
    assert _run(code) == "False []"


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_windows_and_macos_have_no_fontconfig_to_set_up(
    monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    monkeypatch.setattr(font_setup, "_begun", [])
    assert font_setup.begin(platform) is None
    assert font_setup._begun == []
