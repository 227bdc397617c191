"""The status bar's warning about work the user relies on without watching it: automatic
backups and the purge of old deleted chats. Hidden while everything works; while something
fails it says what stopped, with why and what to do in the tooltip, until a later run
succeeds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:  # the core's events load with the core, after the first paint
    from chatdesk.core.chat.events import Event


class BackgroundStatus(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backgroundStatus")
        self.setAccessibleName("Background work")
        self._problems: dict[str, str] = {}
        self.hide()

    def apply(self, event: Event) -> None:
        from chatdesk.core.chat.events import BackgroundProblem

        if not isinstance(event, BackgroundProblem):
            return
        if event.detail is None:
            self._problems.pop(event.job, None)
        else:
            self._problems[event.job] = event.detail
        self._show()

    def _show(self) -> None:
        if not self._problems:
            self.clear()
            self.setToolTip("")
            self.hide()
            return
        lines = [_sentence(detail) for detail in self._problems.values()]
        more = f" (+{len(lines) - 1} more)" if len(lines) > 1 else ""
        headline = lines[-1].split(": ", 1)[0]  # "Automatic backups stopped: <why>"
        self.setText(f"⚠ {headline}{more}")
        self.setToolTip("\n".join(lines))
        self.show()


def _sentence(detail: str) -> str:
    return detail[:1].upper() + detail[1:]
