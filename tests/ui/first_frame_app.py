"""chatdesk started as the `chatdesk` command starts its window (`chatdesk.app.run_window`:
`chatdesk.ui.application.run`), with its core held back until a line is read on stdin: "before
the core attaches" is a state a test on a real X server holds for as long as it needs
(tests/ui/test_minimum_size_x11.py), not a race it hopes to win.

    python tests/ui/first_frame_app.py      (CHATDESK_HOME says where its data goes)
"""

from __future__ import annotations

import sys

from chatdesk.app import Core, build_core
from chatdesk.configuration import Configuration, WindowStart
from chatdesk.core.paths import Paths


def held_core(config: Configuration) -> Core:
    """The core, built once the test writes a line (on the worker thread that builds it, while
    the window's loop runs)."""
    sys.stdin.readline()
    return build_core(config)


def main() -> int:
    from chatdesk.ui import font_setup
    from chatdesk.ui.qt_workarounds import import_pyside

    font_setup.begin()
    import_pyside()
    from chatdesk.ui.application import run

    return run(WindowStart(Paths.resolve(None)), held_core)


if __name__ == "__main__":
    sys.exit(main())
