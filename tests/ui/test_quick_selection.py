"""The quick window's offered text on a real X11 server (Xvfb): another program owns the
primary selection (the text highlighted last) and the clipboard, and chatdesk, a second X11
client, is offered the selection first, and the clipboard's text when nothing is selected.
Both programs are real processes on the xcb platform. With CI=true a missing Xvfb fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.ui.desktop_parts import xvfb

OWNER = """
import sys
from PySide6.QtCore import QSocketNotifier
from PySide6.QtGui import QClipboard
from PySide6.QtWidgets import QApplication

app = QApplication([])
clipboard = app.clipboard()
clipboard.setText(sys.argv[1], QClipboard.Mode.Clipboard)
if sys.argv[2]:
    clipboard.setText(sys.argv[2], QClipboard.Mode.Selection)
# Serves the selection's and the clipboard's text until its standard input closes.
watch = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
watch.activated.connect(app.quit)
print("ready", flush=True)
app.exec()
"""

READER = """
import json
from PySide6.QtWidgets import QApplication
from chatdesk.ui.quick.context import offered_text

app = QApplication([])
print(json.dumps([app.clipboard().supportsSelection(), offered_text()]))
"""


@pytest.fixture
def display() -> Iterator[str]:
    """A fresh Xvfb's display name (":N")."""
    if sys.platform != "linux":
        pytest.skip("the X11 selection: Linux")
    with xvfb() as where:
        yield where


def _offered(display: str, copied: str, selected: str) -> tuple[bool, str]:
    """What a chatdesk process is offered while another program holds `copied` on the
    clipboard and `selected` as the selection ("": none)."""
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    with subprocess.Popen(
        [sys.executable, "-c", OWNER, copied, selected],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as owner:
        assert owner.stdin is not None
        assert owner.stdout is not None
        assert owner.stdout.readline().strip() == "ready"
        try:
            reader = subprocess.run(
                [sys.executable, "-c", READER], env=env, capture_output=True, text=True, check=True
            )
        finally:
            owner.stdin.close()  # the owner quits (the `with` waits for it)
    supported, offered = json.loads(reader.stdout)
    return supported, offered


def test_the_selection_is_offered_before_the_clipboard(display: str) -> None:
    supported, offered = _offered(display, "words copied", "words selected in another program")
    assert supported
    assert offered == "words selected in another program"


def test_the_clipboard_is_offered_when_nothing_is_selected(display: str) -> None:
    assert _offered(display, "words copied", "") == (True, "words copied")
