"""Text from outside shown on a terminal as text, never as the terminal's commands.

An answer, a title, a web page's name or a server's message may hold a terminal's control
characters: escape sequences that clear the screen, set the window's title, move the cursor
over what was printed, or write to the clipboard (OSC 52), and a carriage return or backspaces
that print over a line. On a terminal `chatdesk` drops them from everything it writes, keeping
the words: line breaks and tabs stay, and only its own few sequences pass (the bold of search
hits on stdout; on stderr, the progress line written over with a carriage return and wiped
with an erase). That holds for a command's errors, and for the report of a bug (a traceback
quotes what it was given: a server's message, a page's words). Written to a file or a pipe, the
text goes out exactly as it is.
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from chatdesk.core.errors import ChatdeskError

# C0 controls but tab and line feed, DEL, and C1 controls (U+0080–U+009F; CSI among them).
_CONTROLS = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
BOLD, PLAIN = "\x1b[1m", "\x1b[0m"  # chatdesk's own, around search hits
ERASE_LINE = "\x1b[K"  # chatdesk's own, wiping the progress line
_OUT = re.compile(rf"({re.escape(BOLD)}|{re.escape(PLAIN)})|{_CONTROLS}")
_ERR = re.compile(rf"({re.escape(ERASE_LINE)}|\r)|{_CONTROLS}")


def shown(text: str, pattern: re.Pattern[str] = _OUT) -> str:
    """`text` as a terminal may be given it: the controls dropped, chatdesk's own kept."""
    return pattern.sub(lambda match: match.group(1) or "", text)


class Guarded:
    """A terminal's stream, every write passed through `shown` first."""

    def __init__(self, stream: TextIO, pattern: re.Pattern[str]) -> None:
        self._stream = stream
        self._pattern = pattern

    def write(self, text: str) -> int:
        self._stream.write(shown(text, self._pattern))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding, buffer …
        return getattr(self._stream, name)


@contextmanager
def guarded() -> Iterator[None]:
    """While it lasts, stdout and stderr that are terminals drop what is not text. A bug
    raised within is reported there too, as Python would report it, and ends the command with
    Python's status for it (1): left to Python, its report would reach the terminal after the
    streams are given back."""
    saved = sys.stdout, sys.stderr
    if _is_terminal(sys.stdout):
        sys.stdout = Guarded(sys.stdout, _OUT)
    if _is_terminal(sys.stderr):
        sys.stderr = Guarded(sys.stderr, _ERR)
    try:
        yield
    except Exception as error:
        if sys.stderr is saved[1] or isinstance(error, ChatdeskError):
            raise
        traceback.print_exc()
        raise SystemExit(1) from None
    finally:
        sys.stdout, sys.stderr = saved


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except ValueError:  # a closed stream
        return False
