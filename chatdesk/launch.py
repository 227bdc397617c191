"""The `chatdesk` command's entry point.

It imports nothing at module level but `sys` (not even `__future__`: an annotation naming a
type it does not import is a string): a start should not pay for the CLI, SQLAlchemy and the
service it may never use (the children do not import it either:
chatdesk/core/trust/children.py).

`chatdesk` with no arguments, or with only the window's own options (`--show`, `--quick`,
`--tray`, `--open URL|FILE`, `--data-dir DIR`), first hands its request to the chatdesk running
on that data folder, if one is (chatdesk/core/handover.py): that costs a bare Python start and
a few milliseconds, nothing of Qt. Else it opens the window without importing the CLI: its
commands load SQLAlchemy and the service, which the window loads behind its first paint instead
(decision 0009). Anything else (a command, `--help`) goes to the CLI, which opens the window too
when no command is given.
"""

import sys

TYPE_CHECKING = False  # as typing's, which a start does not import

if TYPE_CHECKING:
    from chatdesk.core.handover import Request

EXIT_INTERRUPTED = 130  # as the CLI
EXIT_BAD_REQUEST = 2  # as the CLI
_REQUEST_FLAGS = {"--show": "show", "--quick": "quick", "--tray": "tray"}


def main() -> int:
    wanted = window_request(sys.argv[1:])
    if wanted is None:
        from chatdesk.cli import main as cli_main

        code = cli_main(None, start_window)
        _leave_quickly()
        return code
    return start_window(*wanted)


def _leave_quickly() -> None:
    """What is left is kept for the interpreter's exit, which then frees it without a last
    pass of the collector: after a command that spoke to a tool server, that pass walks the
    `mcp` SDK's million objects for 0.7–1 s between Ctrl+C and the shell. Everything chatdesk
    writes is closed and flushed by now (the core's `aclose`, the streams after this)."""
    import gc

    gc.freeze()


def start_window(kind: str, argument: str, data_dir: str | None) -> int:
    """Hand the request (`show`, `quick`, `tray`, or `open` with its argument) to the chatdesk
    running on the data folder, or open the window doing it."""
    from chatdesk.core import handover

    if kind == "open":
        kind, argument = _opened(argument)
        if not argument:
            return EXIT_BAD_REQUEST
    request = handover.Request(kind, argument)
    where = handover.address(data_dir)
    try:
        handover.send(where, request)
        return 0
    except handover.NoInstance:
        return open_window(data_dir, request, where)
    except handover.HandoverFailed as failure:
        from chatdesk.core.i18n import tr

        said = tr("the running chatdesk did not take the request: {reason}", reason=failure)
        print(tr("chatdesk: error: {text}", text=said), file=sys.stderr)
        return 1


def window_request(argv: list[str]) -> tuple[str, str, str | None] | None:
    """(request, its argument, the data folder given) when `argv` holds only the window's
    options, each once; None for anything else (the CLI parses it, and explains)."""
    kind, argument, data_dir = "", "", None
    rest = iter(argv)
    for arg in rest:
        name, equals, value = arg.partition("=")
        if name in _REQUEST_FLAGS and not equals and not kind:
            kind = _REQUEST_FLAGS[name]
        elif name in ("--open", "--data-dir"):
            value = value if equals else next(rest, "")
            if not value and name == "--open":  # the desktop entry's `--open %u`, without a link
                kind = kind or "show"
                continue
            if not value:
                return None
            if name == "--data-dir" and data_dir is None:
                data_dir = value
            elif name == "--open" and not kind:
                kind, argument = "open", value
            else:
                return None
        else:
            return None
    return kind or "show", argument, data_dir


def _opened(target: str) -> tuple[str, str]:
    """`chatdesk --open`'s target: a link (any URL: the running chatdesk follows only its own
    and says why not for the others) or a file to import, as an absolute path ("" when there is
    no such file, said on stderr)."""
    import os

    scheme, colon, _ = target.partition(":")
    is_url = bool(colon) and len(scheme) > 1 and scheme[0].isascii() and scheme[0].isalpha()
    if is_url and all(c.isascii() and (c.isalnum() or c in "+-.") for c in scheme):
        return "link", target
    path = os.path.abspath(os.path.expanduser(target))
    if os.path.isfile(path):
        return "import", path
    from chatdesk.core.i18n import tr

    print(tr("chatdesk: error: no such file: {path}", path=target), file=sys.stderr)
    return "import", ""


def open_window(
    data_dir: str | None = None, request: "Request | None" = None, where: str = ""
) -> int:
    """What `chatdesk.cli.main([])` does, with only the window's imports; `request` (a
    `handover.Request`) is what this start was asked, and `where` the address the running
    chatdesk listens at."""
    import gc

    from chatdesk.ui import font_setup

    font_setup.begin()  # fontconfig is set up on another core while the modules below load

    # Start-up allocates much and frees little, so the collector's passes only cost time
    # (~15 ms before the first paint); the window turns it back on once the core is open.
    gc.disable()
    from chatdesk.app import run_window
    from chatdesk.configuration import WindowStart
    from chatdesk.core.errors import ChatdeskError
    from chatdesk.core.i18n import tr
    from chatdesk.core.paths import Paths

    _import_window()

    try:
        # The first frame's settings now; the others (and their warnings) once it has painted.
        start = WindowStart(Paths.resolve(data_dir))
        return run_window(start, request, where)
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
