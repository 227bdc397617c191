"""How commands print: plain lines for people, `--json` for scripts, errors on stderr."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from chatdesk.core.i18n import tr

EXIT_INTERRUPTED = 130  # stopped with Ctrl+C (or a SIGTERM)
_BREAKS = re.compile(r"[^\S\u00a0\u2007\u202f]+")  # white space, but for the no-break spaces


def report(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    if args.json:
        print_json(data)
    else:
        print(text)


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def note(text: str) -> None:
    print(text, file=sys.stderr)


def warn(text: str) -> None:
    print(tr("chatdesk: warning: {text}", text=text), file=sys.stderr)


def fail(text: str) -> None:
    """`text` on one line; a no-break space (between a number's groups of digits, "12 345",
    or before French punctuation) stays one."""
    line = _BREAKS.sub(" ", text).strip()
    print(tr("chatdesk: error: {text}", text=line), file=sys.stderr)
