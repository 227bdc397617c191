"""The `chatdesk` command's entry point.

It imports nothing of chatdesk at module level: a start should not pay for the CLI, SQLAlchemy
and the service it may never use (the children do not import it either:
chatdesk/core/trust/children.py).

`chatdesk` with no arguments opens the window without importing the CLI: its commands load
SQLAlchemy and the service, which the window loads behind its first paint instead (decision 0009).
Anything else (a command, `--data-dir`, `--help`) goes to the CLI, which opens the window too
when no command is given.
"""

import sys

EXIT_INTERRUPTED = 130  # as the CLI


def main() -> int:
    if sys.argv[1:]:
        from chatdesk.cli import main as cli_main

        return cli_main()
    return open_window()


def open_window() -> int:
    """What `chatdesk.cli.main([])` does, with only the window's imports."""
    import gc

    from chatdesk.ui import font_setup

    font_setup.begin()  # fontconfig is set up on another core while the modules below load

    # Start-up allocates much and frees little, so the collector's passes only cost time
    # (~15 ms before the first paint); the window turns it back on once the core is open.
    gc.disable()
    from chatdesk.app import WindowStart, run_window
    from chatdesk.core.errors import ChatdeskError
    from chatdesk.core.i18n import tr
    from chatdesk.core.paths import Paths

    _import_window()

    try:
        # The first frame's settings now; the others (and their warnings) once it has painted.
        return run_window(WindowStart(Paths.resolve(None)))
    except ChatdeskError as error:
        print(tr("chatdesk: error: {text}", text=" ".join(str(error).split())), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _import_window() -> None:
    """The window's modules, imported before the settings are read. PySide6 comes first, and
    its import hook is set aside for good (`chatdesk.ui.qt_workarounds.import_pyside`)."""
    from chatdesk.ui.qt_workarounds import import_pyside

    import_pyside()
    import chatdesk.ui.application  # noqa: F401
