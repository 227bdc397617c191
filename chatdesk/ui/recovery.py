"""The damaged-database dialog, shown at start before the window gets its core.

Opening the core raised `DatabaseDamaged`: the damaged files were already moved aside,
untouched. The user chooses: put back the newest verified backup, build a new database from
what can still be read, or quit (nothing changes; the next start asks again). The choice is
carried out by `Repair.run` on the core's worker thread, and the core is built again.

This runs before the asyncio loop (phase 1 of application.py), so the dialog may be modal.
"""

from __future__ import annotations

import enum
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCommandLinkButton,
    QDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.paths import Paths
from chatdesk.ui.settings.backup_list import when
from chatdesk.ui.settings.notices import Notice, Tone, notice_style
from chatdesk.ui.theme import is_dark

if TYPE_CHECKING:
    from chatdesk.core.database import DatabaseDamaged

log = logging.getLogger("chatdesk.ui")


class Choice(enum.Enum):
    RESTORE = "restore"
    RECOVER = "recover"
    QUIT = "quit"


def damage_of(error: BaseException) -> DatabaseDamaged | None:
    """`error` if it says the database is damaged (its module is loaded by then: it raised)."""
    from chatdesk.core.database import damage_of as damage

    return damage(error)


class DamagedDialog(QDialog):
    def __init__(
        self, damage: DatabaseDamaged, failure: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("damagedDatabase")
        self.setWindowTitle(tr("chatdesk: the database is damaged"))
        self.setMinimumWidth(560)
        self.choice = Choice.QUIT
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        heading = QLabel(tr("Your chats database is damaged"), self)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        layout.addWidget(self._text(_what_happened(damage), "damageDetails"))
        self.failure = Notice("repairFailure", self)
        if failure:
            self.failure.say(Tone.ERROR, tr("That did not work: {reason}", reason=failure))
        layout.addWidget(self.failure)
        self.restore = self._choice(
            tr("&Restore the newest backup"), _backup_note(damage), Choice.RESTORE, "restoreChoice"
        )
        self.restore.setEnabled(damage.backup is not None)
        self.recover = self._choice(
            tr("R&ecover what can still be read"),
            tr(
                "Builds a new database from the damaged one. Most chats come back; messages on "
                "damaged parts of the disk are missing."
            ),
            Choice.RECOVER,
            "recoverChoice",
        )
        self.quit = self._choice(
            tr("&Quit"),
            tr(
                "Changes nothing: chatdesk asks again when it starts. From a terminal, "
                "“chatdesk db restore” and “chatdesk db recover” do the same."
            ),
            Choice.QUIT,
            "quitChoice",
        )
        for button in (self.restore, self.recover, self.quit):
            layout.addWidget(button)
        (self.restore if damage.backup is not None else self.recover).setDefault(True)
        app = QApplication.instance()
        self.setStyleSheet(notice_style(isinstance(app, QApplication) and is_dark(app)))

    def _text(self, text: str, name: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _choice(self, text: str, note: str, choice: Choice, name: str) -> QCommandLinkButton:
        button = QCommandLinkButton(text, note, self)
        button.setObjectName(name)
        button.clicked.connect(lambda: self._choose(choice))
        return button

    def _choose(self, choice: Choice) -> None:
        self.choice = choice
        self.accept()


def _what_happened(damage: DatabaseDamaged) -> str:
    problem = damage.problems[0] if damage.problems else tr("unknown damage")
    if len(damage.problems) > 1:
        found = ntr(
            "The check at start-up found: {problem} (and {n} more problem).",
            "The check at start-up found: {problem} (and {n} more problems).",
            len(damage.problems) - 1,
            problem=problem,
        )
    else:
        found = tr("The check at start-up found: {problem}.", problem=problem)
    if damage.damaged_dir:
        where = tr(
            "The damaged files were moved, untouched, to {folder}.", folder=damage.damaged_dir
        )
    else:
        where = tr(
            "Another chatdesk window or command has the database open, so it was left in "
            "place: close it before you choose."
        )
    return f"{found}\n\n{where}"


def _backup_note(damage: DatabaseDamaged) -> str:
    if damage.backup is None:
        return tr("There is no backup yet.")
    return tr(
        "From {when}. Chats written after it was made are not in it.",
        when=when(damage.backup.created_at),
    )


def ask(damage: DatabaseDamaged, failure: str | None, parent: QWidget | None) -> Choice:
    dialog = DamagedDialog(damage, failure, parent)
    try:
        dialog.exec()  # no asyncio loop runs yet: a modal dialog is safe here
        return dialog.choice
    finally:
        dialog.deleteLater()


class Repair:
    """The user's choice, carried out on the core's worker thread before the core is built."""

    def __init__(self, choice: Choice, paths: Paths) -> None:
        self.choice = choice
        self._paths = paths
        self.failure: str | None = None

    def run(self) -> None:
        from chatdesk.core.database import Database

        database = Database(self._paths)
        try:
            if self.choice is Choice.RESTORE:
                database.restore()
            elif self.choice is Choice.RECOVER:
                log.info("recovered: %s", database.recover().describe())
        except ChatdeskError as error:  # shown in the dialog, which is asked again
            log.error("%s failed: %s", self.choice.value, error)
            self.failure = str(error)
