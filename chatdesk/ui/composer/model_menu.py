"""The model pill's menu: a search field over the models, the ones used last first, then each
provider's under its name, with what is known of each on the right ("images · 8k tokens").
Typing filters as it goes, the arrows move, Enter takes the model, Esc closes. Made when first
opened (the window's first frame does without it)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from chatdesk.core.i18n import tr
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.icons import icon
from chatdesk.ui.theme.scale import ICON, SPACE

KEY_ROLE = Qt.ItemDataRole.UserRole
MARKS_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
VISIBLE_ROWS = 12


@dataclass(frozen=True)
class ModelOffer:
    key: str  # "provider/model"
    label: str  # what the list says: "gpt-4o"
    group: str  # where it is listed: its provider
    marks: str = ""  # what is known of it, already in the user's language


class _Marks(QStyledItemDelegate):
    """A row's label as usual, and its marks right-aligned in the quiet text's colour (the
    selection is a quiet ground, as the mouse's row: the marks stay quiet on it)."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        marks = index.data(MARKS_ROLE)
        if not marks:
            return
        painter.save()
        painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        area = option.rect.adjusted(SPACE["s"], 0, -SPACE["s"], 0)
        align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(area, int(align), str(marks))
        painter.restore()


class ModelMenu(QMenu):
    """The picker. `offer` says what to list; `chosen(key)` when the user takes one."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("modelMenu")
        holder = QWidget(self)
        column = QVBoxLayout(holder)
        column.setContentsMargins(SPACE["xs"], SPACE["xs"], SPACE["xs"], SPACE["xs"])
        column.setSpacing(SPACE["xs"])
        self.search = QLineEdit(holder)
        self.search.setObjectName("modelSearch")
        self.search.setPlaceholderText(tr("Search models"))
        self.search.setAccessibleName(tr("Search models"))
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(holder)
        self.list.setObjectName("modelList")
        # translators: the name of the list of models in the model picker
        self.list.setAccessibleName(tr("Models"))
        self.list.setItemDelegate(_Marks(self.list))
        self.list.setMinimumWidth(320)
        column.addWidget(self.search)
        column.addWidget(self.list)
        action = QWidgetAction(self)
        action.setDefaultWidget(holder)
        self.addAction(action)
        self._offers: list[ModelOffer] = []
        self._recent: list[str] = []
        self._current = ""
        self._ticks: tuple[QIcon, QIcon] | None = None  # the current one's tick, the others' room
        self.search.textChanged.connect(self._fill)
        self.search.installEventFilter(self)
        self.list.itemClicked.connect(self._take)
        self.list.itemActivated.connect(self._take)
        self.aboutToShow.connect(self._opening)

    def offer(self, offers: list[ModelOffer], current: str, recent: list[str]) -> None:
        """List `offers`, `current` chosen, the keys in `recent` first."""
        self._offers, self._current = offers, current
        self._recent = [key for key in recent if any(o.key == key for o in offers)]
        self._fill(self.search.text())

    def _opening(self) -> None:
        self._ticks = None  # drawn again in the look it opens in
        self.search.clear()
        self._fill("")
        self.search.setFocus(Qt.FocusReason.PopupFocusReason)

    def _fill(self, typed: str) -> None:
        wanted = typed.strip().casefold()
        found = [o for o in self._offers if wanted in f"{o.label} {o.key} {o.group}".casefold()]
        self.list.clear()
        if not wanted and self._recent:
            # translators: the models used last, at the top of the model picker
            self._header(tr("Recent"))
            by_key = {o.key: o for o in found}
            for key in self._recent:
                self._row(by_key[key])
        for group in dict.fromkeys(o.group for o in found):
            self._header(group)
            for offer in found:
                if offer.group == group:
                    self._row(offer)
        if not found:
            self._header(tr("No model matches “{typed}”", typed=typed.strip()))
        self._select_first()
        if not wanted:  # typing keeps the size: the menu neither jumps nor leaves a gap
            rows = min(self.list.count(), VISIBLE_ROWS)
            side = 2 * self.list.frameWidth()
            tall = sum(self.list.sizeHintForRow(row) for row in range(rows))  # headings are lower
            self.list.setFixedHeight(tall + side)

    def _header(self, text: str) -> None:
        item = QListWidgetItem(text, self.list)
        item.setFlags(Qt.ItemFlag.NoItemFlags)  # a heading: not chosen, skipped by the arrows
        font = item.font()
        font.setBold(True)
        item.setFont(font)

    def _row(self, offer: ModelOffer) -> None:
        item = QListWidgetItem(offer.label, self.list)
        item.setData(KEY_ROLE, offer.key)
        item.setData(MARKS_ROLE, offer.marks)
        item.setToolTip(f"{offer.key} · {offer.marks}" if offer.marks else offer.key)
        tick, room = self._tick_icons()
        if offer.key == self._current:
            item.setIcon(tick)
            # translators: said by a screen reader of the model in use, in the model picker
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, tr("The current model"))
        else:
            item.setIcon(room)  # the labels stay in line with the current one's

    def _tick_icons(self) -> tuple[QIcon, QIcon]:
        if self._ticks is None:
            size = ICON["s"]
            room = QPixmap(size, size)
            room.fill(Qt.GlobalColor.transparent)
            # the row under the keys is a quiet ground: the tick keeps its colour there
            tick = icon("check", current_look(), "accent", size, selected="accent")
            self._ticks = tick, QIcon(room)
        return self._ticks

    def _rows(self) -> list[QListWidgetItem]:
        items = (self.list.item(i) for i in range(self.list.count()))
        return [item for item in items if item.data(KEY_ROLE)]

    def _select_first(self) -> None:
        rows = self._rows()
        current = [item for item in rows if item.data(KEY_ROLE) == self._current]
        if rows:
            self.list.setCurrentItem(current[0] if current and not self.search.text() else rows[0])

    def _step(self, by: int) -> None:
        rows = self._rows()
        if not rows:
            return
        now = self.list.currentItem()
        place = rows.index(now) if now in rows else -by
        self.list.setCurrentItem(rows[max(0, min(len(rows) - 1, place + by))])

    def _take(self, item: QListWidgetItem | None) -> None:
        key = item.data(KEY_ROLE) if item is not None else None
        if isinstance(key, str) and key:
            self.hide()
            self.chosen.emit(key)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self._step(-1 if key == Qt.Key.Key_Up else 1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._take(self.list.currentItem())
                return True
        return super().eventFilter(watched, event)
