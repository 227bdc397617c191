"""The composer's slash menu: typing `/` at the start of an empty message lists the saved
prompts and the assistants; more letters narrow the list, the arrows move in it, Enter or Tab
takes the one marked, Esc closes it. It sits above the text field, in the composer (no popup
window takes the focus away from the text). Each entry shows, dimmed after its name, the
beginning of the prompt's text or the assistant's description."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.ui.plain_text import plain_tip

MAX_TYPED = 60  # a longer "/…" is a message that starts with a slash, not a search
SHOWN_ROWS = 7
DETAIL_GAP = 24  # pixels between an entry's name and its dimmed detail


@dataclass(frozen=True)
class SlashEntry:
    kind: str  # "prompt", "server_prompt" (a tool server's) or "assistant"
    key: str  # the prompt's name, the assistant's id (hex)
    label: str  # as listed: "Reply to mail", "Tutor"
    detail: str = ""  # the tooltip: the prompt's text, the assistant's description
    icon: QIcon | None = None  # an assistant's badge, a prompt's mark


class SlashMenu(QListWidget):
    chosen = Signal(object)  # the SlashEntry taken
    removal_asked = Signal(object)  # Shift+Delete on a saved prompt

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("slashMenu")
        self.setAccessibleName(tr("Saved prompts and assistants"))
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys come from the text field
        self.setStyleSheet("#slashMenu::item { padding: 3px 6px; }")
        self._detailed = _Detailed(self)
        self.setItemDelegate(self._detailed)
        self.itemClicked.connect(lambda item: self.chosen.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.entries: list[SlashEntry] = []
        self.hide()

    def follow(self, text: str) -> None:
        """Show the entries that match what follows the `/` of `text` (hidden otherwise)."""
        typed = text[1:].strip().lower() if text.startswith("/") else None
        if typed is None or "\n" in text or len(text) > MAX_TYPED or not self.entries:
            self.hide()
            return
        self.clear()
        for entry in self.entries:
            if _matches(entry.label, typed):
                item = QListWidgetItem(entry.label, self)
                if entry.icon is not None:
                    item.setIcon(entry.icon)
                item.setData(Qt.ItemDataRole.UserRole, entry)
                item.setToolTip(plain_tip(entry.detail[:500]))
        if not self.count():
            self.hide()
            return
        self.setCurrentRow(0)
        labels = (self.item(row).text() for row in range(self.count()))
        self._detailed.widest = max(self.fontMetrics().horizontalAdvance(t) for t in labels)
        rows = min(self.count(), SHOWN_ROWS)
        self.setFixedHeight(self.sizeHintForRow(0) * rows + 2 * self.frameWidth() + 2)
        self.show()

    def renew(self, text: str) -> None:
        """`follow(text)` again with entries that changed, the marked one kept where it is
        still listed."""
        marked = self.currentItem()
        entry = marked.data(Qt.ItemDataRole.UserRole) if marked is not None else None
        self.follow(text)
        for row in range(self.count()):
            again = self.item(row).data(Qt.ItemDataRole.UserRole)
            if isinstance(entry, SlashEntry) and (again.kind, again.key) == (entry.kind, entry.key):
                self.setCurrentRow(row)
                return

    def handle_key(self, event: QKeyEvent) -> bool:
        """Act on a key pressed in the text field while the menu shows; True when used."""
        if not self.isVisible():
            return False
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = -1 if key == Qt.Key.Key_Up else 1
            self.setCurrentRow((self.currentRow() + step) % self.count())
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            item = self.currentItem()
            if item is not None:
                self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))
        elif key == Qt.Key.Key_Escape:
            self.hide()
        elif key == Qt.Key.Key_Delete and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            item = self.currentItem()
            entry = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
            if isinstance(entry, SlashEntry) and entry.kind == "prompt":
                self.removal_asked.emit(entry)
        else:
            return False
        return True


class _Detailed(QStyledItemDelegate):
    """An entry as usual, then its detail on one line, dimmed and cut to the row's width; the
    details of the entries shown start level, past the widest name (`widest`, in pixels)."""

    widest = 0

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        entry = index.data(Qt.ItemDataRole.UserRole)
        detail = " ".join(entry.detail.split()) if isinstance(entry, SlashEntry) else ""
        if not detail:
            return
        shown = QStyleOptionViewItem(option)
        self.initStyleOption(shown, index)
        text = shown.widget.style().subElementRect(
            QStyle.SubElement.SE_ItemViewItemText, shown, shown.widget
        )
        name = max(self.widest, shown.fontMetrics.horizontalAdvance(shown.text))
        text.setLeft(text.left() + name + DETAIL_GAP)
        selected = bool(shown.state & QStyle.StateFlag.State_Selected)
        roles = QPalette.ColorRole
        role = roles.HighlightedText if selected else roles.PlaceholderText
        painter.save()
        painter.setPen(shown.palette.color(role))
        elided = shown.fontMetrics.elidedText(detail, Qt.TextElideMode.ElideRight, text.width())
        painter.drawText(text, int(Qt.AlignmentFlag.AlignVCenter), elided)
        painter.restore()


def _matches(label: str, typed: str) -> bool:
    """Whether `typed` begins the label or one of its words ("tu" finds "Tutor", not
    "Careful writer")."""
    words = label.lower()
    return words.startswith(typed) or any(w.startswith(typed) for w in words.split())
