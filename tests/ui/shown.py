"""Finding what a click put on screen, and waiting until it is there."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

W = TypeVar("W", bound=QWidget)


def shown(qtbot: QtBot, parent: QWidget, kind: type[W], name: str = "") -> W:
    """The one `kind` (named `name`, if given) under `parent` on screen, once it is.

    A dialog closed a moment ago stays a child until Qt deletes it on a later turn of the event
    loop, so "the first child of this type" may be the old one; the one on screen is the new one.
    """

    def on_screen() -> list[W]:
        found = parent.findChildren(kind, name) if name else parent.findChildren(kind)
        return [w for w in found if w.isVisible()]

    qtbot.waitUntil(lambda: len(on_screen()) == 1)
    [widget] = on_screen()
    return widget


def wait_exposed(qtbot: QtBot, widget: QWidget) -> None:
    """Wait until `widget`'s window is on screen (after a click opened it)."""
    qtbot.waitUntil(lambda: (handle := widget.windowHandle()) is not None and handle.isExposed())
