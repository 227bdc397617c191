"""In an answer's tool area, the tool servers its chat has on that it had to go without
("secure needs you to sign in: its tools were left out"), each with the way to its fix: Sign
in… for a server that asks for a sign-in, Remove from this chat for one no longer set up, Tool
settings… for the others. Said while the answer is written; not kept with it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import is_right_to_left, tr
from chatdesk.ui.conversation.frame import plain_label

if TYPE_CHECKING:  # the views load with the core, behind the window's first paint
    from chatdesk.core.views import LeftOutWhy, ServerLeftOut


class LeftOutNotice(QFrame):
    fix_asked = Signal(str, str)  # the server, and why it was left out (a `LeftOutWhy`)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("leftOutNotice")
        # translators: a screen reader's name of the lines above an answer naming the tool
        # servers it could not use
        self.setAccessibleName(tr("Tool servers left out"))
        self.setProperty("mirrored", is_right_to_left())  # its bar on the leading side
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(0, 2, 0, 2)  # the sheet's padding is beside its bar
        self._rows.setSpacing(2)
        self.lines: list[QLabel] = []
        self.buttons: list[QPushButton] = []
        self._shown: tuple[ServerLeftOut, ...] = ()
        self._made: list[QWidget] = []

    def show_servers(self, servers: tuple[ServerLeftOut, ...]) -> None:
        if servers == self._shown:
            return
        self._shown = servers
        for row in self._made:
            self._rows.removeWidget(row)
            row.deleteLater()
        self.lines, self.buttons, self._made = [], [], []
        for left in servers:
            self._made.append(self._row(left))
            self._rows.addWidget(self._made[-1])
        self.setVisible(bool(servers))

    def _row(self, left: ServerLeftOut) -> QWidget:
        from chatdesk.core.views import LeftOutWhy

        said = left.said()
        # Right to left, the sentence reads so even when it starts with a Latin server name.
        line = plain_label(f"\u200f{said}" if is_right_to_left() else said, "leftOutLine")
        button = QPushButton(_fix_words(left, LeftOutWhy))
        button.setObjectName("leftOutFix")
        button.setAccessibleName(_fix_name(left, LeftOutWhy))
        button.clicked.connect(lambda: self.fix_asked.emit(left.server, str(left.why)))
        self.lines.append(line)
        self.buttons.append(button)
        row = QWidget()
        beside = QHBoxLayout(row)
        beside.setContentsMargins(0, 0, 0, 0)
        beside.addWidget(line, 1)
        beside.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        return row


def shown_left_out(
    layout: QBoxLayout,
    before: QWidget,
    servers: tuple[ServerLeftOut, ...],
    asked: Callable[[str, str], None],
) -> LeftOutNotice | None:
    """The notice among `layout`'s widgets showing `servers`, made just above `before` when
    there was none and there is something to show."""
    found = (item.widget() for i in range(layout.count()) if (item := layout.itemAt(i)))
    notice = next((w for w in found if isinstance(w, LeftOutNotice)), None)
    if notice is None and servers:
        notice = LeftOutNotice()
        notice.fix_asked.connect(asked)
        layout.insertWidget(layout.indexOf(before), notice)
    if notice is not None:
        notice.show_servers(servers)
    return notice


def _fix_words(left: ServerLeftOut, why: type[LeftOutWhy]) -> str:
    if left.why is why.SIGN_IN:
        return tr("Sign in…")
    if left.why is why.UNKNOWN:
        return tr("Remove from this chat")
    return tr("Tool settings…")


def _fix_name(left: ServerLeftOut, why: type[LeftOutWhy]) -> str:
    """What a screen reader says of the button: which server it acts on."""
    if left.why is why.SIGN_IN:
        return tr("Sign in to {server}", server=left.server)
    if left.why is why.UNKNOWN:
        return tr("Remove {server} from this chat", server=left.server)
    return tr("Open the settings of {server}", server=left.server)
