"""Category loggers into a rotating file in the user log folder.

Loggers: `chatdesk.store`, `chatdesk.chat`, `chatdesk.provider`, `chatdesk.ui`, `chatdesk.cli`.
Message text is never logged unless the user turns it on; anything that looks like an API key
or an Authorization header is redacted by a filter on the handler, whatever logged it, and so
is every key value chatdesk has loaded or stored (`register_secret`), whatever its shape.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import threading
from pathlib import Path

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.paths import create_private_file, ensure_private_dir

LOG_FILE = "chatdesk.log"
MAX_BYTES = 2_000_000  # a log file's size before it is set aside as chatdesk.log.1
KEPT_FILES = 5  # chatdesk.log.1 … .5; the oldest goes
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

# Compiled by `re` on first use (and kept in its cache): at the first log record, not at start-up.
_SECRET = (
    r"(?P<key>sk-[A-Za-z0-9_\-]{8,})"
    r"|(?P<bearer>(?i:bearer)\s+)[A-Za-z0-9._\-~+/=]{8,}"
    r"|(?P<field>(?i:api[_-]?key|authorization|password)[\"']?\s*[:=]\s*[\"']?)"
    r"(?i:bearer\s+)?[^\s\"',}]+"
)

_MIN_SECRET_LENGTH = 8  # shorter values would redact ordinary words
_REDACTED = "[redacted]"

# Process-wide, like the log handlers it serves. Readers take the tuple without locking;
# writers swap in a new tuple under the lock, longest first so no value is half-replaced.
_secrets: tuple[str, ...] = ()
_secrets_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Redact `value` from every log line from now on (values under 8 characters are ignored)."""
    global _secrets
    value = value.strip()
    if len(value) < _MIN_SECRET_LENGTH:
        return
    with _secrets_lock:
        if value not in _secrets:
            _secrets = tuple(sorted((*_secrets, value), key=len, reverse=True))


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, _REDACTED)

    def replace(match: re.Match[str]) -> str:
        if match.group("key"):
            return "sk-***"
        prefix = match.group("bearer") or match.group("field") or ""
        return f"{prefix}***"

    return re.sub(_SECRET, replace, text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class RotatingLog(logging.FileHandler):
    """The log file, set aside as `.1` (the older ones moving up to `.5`, the oldest dropped)
    once it holds `max_bytes`; each new file private like the first. What the standard
    library's RotatingFileHandler does, without `logging.handlers`, whose imports (socket,
    pickle, queue) cost start-up ~10 ms before the window's first paint."""

    def __init__(self, path: Path, max_bytes: int = MAX_BYTES, kept: int = KEPT_FILES) -> None:
        super().__init__(path, encoding="utf-8")
        self._max_bytes = max_bytes
        self._kept = kept
        self._failing = False  # records are being refused (said once on stderr)
        self._refused = False  # the record in hand was

    def emit(self, record: logging.LogRecord) -> None:
        self._refused = False
        try:
            self._rotate()
        except OSError:  # what the stream still holds cannot be written either
            self.handleError(record)
        else:
            super().emit(record)  # a failure comes back through handleError
        if not self._refused:
            self._failing = False

    def _rotate(self) -> None:
        stream = self.stream  # `emit` runs under the handler's lock
        if stream is not None and stream.tell() >= self._max_bytes:
            stream.close()
            with contextlib.suppress(OSError):  # another process holds it open (Windows):
                self._set_aside(Path(self.baseFilename))  # go on writing to it
            self.stream = self._open()

    def handleError(self, record: logging.LogRecord) -> None:
        """A record the disk refused (a full disk, a drive gone): said once, not with the
        standard library's traceback on every record, and a warning goes to stderr instead, as
        when the log cannot be opened (`setup_logging`). Any other failure is a bug, reported
        as the standard library does."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handleError(record)
            return
        self._refused = True
        with contextlib.suppress(Exception):  # stderr may be gone too
            if not self._failing:
                from chatdesk.core.i18n import tr

                said = tr(
                    "the log {path} cannot be written ({reason}); its warnings come here until "
                    "it can",
                    path=self.baseFilename,
                    reason=error.strerror or str(error),
                )
                print(tr("chatdesk: warning: {text}", text=said), file=sys.stderr)
            if record.levelno >= logging.WARNING:
                print(self.format(record), file=sys.stderr)
        self._failing = True

    def _set_aside(self, path: Path) -> None:
        for number in range(self._kept - 1, 0, -1):
            older = path.with_name(f"{path.name}.{number}")
            if older.exists():
                os.replace(older, path.with_name(f"{path.name}.{number + 1}"))
        os.replace(path, path.with_name(f"{path.name}.1"))
        create_private_file(path)


_installed: list[logging.Handler] = []


def setup_logging(log_dir: Path, level: str = "INFO") -> Path | None:
    """Log to `log_dir/chatdesk.log`; returns the file, or None if it cannot be written.

    A log folder that cannot be written never stops chatdesk: logs then go nowhere but
    warnings still reach stderr.
    """
    root = logging.getLogger("chatdesk")
    root.setLevel(level)
    while _installed:
        old = _installed.pop()
        root.removeHandler(old)
        old.close()
    handler: logging.Handler
    try:
        ensure_private_dir(log_dir)
        path = log_dir / LOG_FILE
        create_private_file(path)
        handler = RotatingLog(path)
    except (ChatdeskError, OSError):
        path = None
        handler = logging.StreamHandler()
        handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(RedactingFilter())
    _installed.append(handler)
    root.addHandler(handler)
    root.propagate = False
    return path
