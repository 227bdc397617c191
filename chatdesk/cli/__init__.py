"""`chatdesk` on the command line; `main` is what the `chatdesk` command runs."""

from chatdesk.cli.main import main

__all__ = ["main"]
