"""The PATH of the user's login shell. An app started from the desktop (the Dock, a launcher,
the application menu) gets a short PATH without the folders where `npx`, `uvx` or `node` live
(nvm, Homebrew, ~/.local/bin), so a stdio server that starts from a terminal would fail with
"command not found". Asked once, from a login and interactive shell, with a time bound; its
folders come first, then the app's own. Windows keeps the app's PATH (it is the user's)."""

from __future__ import annotations

import functools
import logging
import os
import subprocess
import sys
from pathlib import Path

from chatdesk.core.trust.environment import child_environment

log = logging.getLogger("chatdesk.tools")

TIMEOUT = 5.0
_START, _END = "__chatdesk_path_start__", "__chatdesk_path_end__"


@functools.cache
def login_shell_path() -> str | None:
    """The merged PATH, or None where there is nothing to ask (Windows, no shell)."""
    if os.name != "posix":
        return None
    shell = os.environ.get("SHELL") or "/bin/sh"
    script = f'printf "%s%s%s" "{_START}" "$PATH" "{_END}"'
    try:
        done = subprocess.run(
            [shell, "-l", "-i", "-c", script],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT,
            cwd=Path.home(),
            start_new_session=True,  # an interactive shell must not take the terminal
            env=child_environment(os.environ, sys.platform),  # as every child: no keys
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        log.info("could not ask the login shell for its PATH: %s", type(error).__name__)
        return None
    output = done.stdout.decode("utf-8", "replace")
    start, end = output.rfind(_START), output.rfind(_END)
    if start < 0 or end < start:
        return None
    return merged(output[start + len(_START) : end], os.environ.get("PATH", ""))


def merged(first: str, then: str) -> str:
    seen: dict[str, None] = {}
    for folder in (*first.split(os.pathsep), *then.split(os.pathsep)):
        if folder:
            seen.setdefault(folder, None)
    return os.pathsep.join(seen)
