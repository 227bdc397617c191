"""The status bar's warning about work the user relies on without watching it: automatic
backups and the purge of old deleted chats. Hidden while everything works; while something
fails it says what stopped, with why and what to do in the tooltip, until a later run
succeeds."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

from chatdesk.core.i18n import ntr, tr

if TYPE_CHECKING:  # the core's events load with the core, after the first paint
    from chatdesk.core.chat.events import Event


class BackgroundStatus(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backgroundStatus")
        self.setAccessibleName(tr("Background work"))
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
        # "Automatic backups stopped: <why>", with the colon the language writes ("：", " : ")
        headline = _COLON.split(lines[-1], maxsplit=1)[0]
        if len(lines) > 1:
            more = len(lines) - 1
            self.setText(
                ntr("⚠ {headline} (+{n} more)", "⚠ {headline} (+{n} more)", more, headline=headline)
            )
        else:
            self.setText(f"⚠ {headline}")
        self.setToolTip("\n".join(lines))
        self.show()


_COLON = re.compile(r"\s?:\s|：")


def _sentence(detail: str) -> str:
    return detail[:1].upper() + detail[1:]
