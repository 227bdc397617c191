"""How commands print: plain lines for people, `--json` for scripts, errors on stderr."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from chatdesk.core.i18n import tr


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
    print(tr("chatdesk: error: {text}", text=" ".join(text.split())), file=sys.stderr)
