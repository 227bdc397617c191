"""A file being read before it can be attached: its chip says "reading…" (attachments.py). Its
own module: the composer holds these from the first paint, before the chips' module loads."""

from __future__ import annotations


class Pending:
    """A file being read (in the reading child) before it can be attached; each is itself
    alone (compared by identity). A plain class, not a dataclass: the code a dataclass
    generates is compiled at import, before the window's first paint."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Pending(name={self.name!r})"
