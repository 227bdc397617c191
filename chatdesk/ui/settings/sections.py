"""The preferences' sections: a list on the left (icon and name each) and the chosen section's
page on the right, with a search field above the list.

Typing in the search field keeps in the list only the sections with a setting whose words
(its label, its text, its tooltip) contain every word typed; Enter (or picking a section while
a search is on) shows that page and puts the focus on the first setting that matched. Each
section's Alt+letter shows it from anywhere in the window, as a tab's did.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.icons import icon

_PAGE = Qt.ItemDataRole.UserRole
_ICON = Qt.ItemDataRole.UserRole + 1  # the name of a section's icon, tinted again per look


def _words(widget: QWidget) -> str:
    """What a user reads on `widget` and in its tooltip, lower-cased, without `&` marks."""
    parts = [widget.toolTip(), widget.accessibleName()]
    if isinstance(widget, (QLabel, QAbstractButton)):
        parts.append(widget.text())
    elif isinstance(widget, QGroupBox):
        parts.append(widget.title())
    elif isinstance(widget, QComboBox):
        parts.extend(widget.itemText(i) for i in range(widget.count()))
    return " ".join(parts).replace("&", "").lower()


def _focus_target(widget: QWidget) -> QWidget:
    """The control a matching label stands for (its buddy), or the widget itself."""
    buddy = widget.buddy() if isinstance(widget, QLabel) else None
    return widget if buddy is None else buddy


def scroll_page(page: QWidget, content: QWidget, name: str = "") -> QScrollArea:
    """`content` as all of `page`, scrolling rather than squeezed when it is taller than the
    dialog (which keeps one size for every section)."""
    scroll = QScrollArea(page)
    scroll.setObjectName(name)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(content)
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scroll)
    return scroll


class SettingsSections(QWidget):
    """Sections by name and icon; `tabText`, `tabIcon`, `widget` and `setCurrentWidget` read as
    a tab widget's do, so the pages are reached the same way."""

    currentChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setObjectName("settingsSearch")
        self.search.setPlaceholderText(tr("Search settings"))
        self.search.setAccessibleName(tr("Search settings"))
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setObjectName("settingsSections")
        self.list.setAccessibleName(tr("Sections"))
        self.list.setIconSize(QSize(18, 18))
        self.list.setSpacing(2)  # rows a finger's breadth apart, as a tab bar's were
        self.pages = QStackedWidget(self)
        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.list)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left)
        layout.addWidget(self.pages, 1)
        self._titles: list[str] = []
        self.list.currentItemChanged.connect(self._show_item)
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)  # Enter goes to a setting, not to the OK button

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        enter = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if watched is self.search and isinstance(event, QKeyEvent) and event.key() in enter:
            if event.type() == QEvent.Type.KeyPress:
                self.focus_first_hit()
            return True
        return super().eventFilter(watched, event)

    def addTab(self, page: QWidget, title: str) -> int:
        index = self.pages.addWidget(page)
        self._titles.append(title)
        item = QListWidgetItem(title.replace("&", ""), self.list)
        item.setData(_PAGE, index)
        key = title.replace("&&", "").partition("&")[2][:1]
        if key:
            shortcut = QShortcut(QKeySequence(f"Alt+{key.upper()}"), self)
            shortcut.activated.connect(lambda: self.setCurrentWidget(page))
        if self.list.currentItem() is None:
            self.list.setCurrentItem(item)
        width = self.list.sizeHintForColumn(0) + 2 * self.list.frameWidth() + 24
        # The search field above is as wide: its words ("Einstellungen durchsuchen") not cut.
        hint = self.search.fontMetrics().horizontalAdvance(self.search.placeholderText()) + 40
        self.list.setFixedWidth(max(width, hint, 160))
        return index

    def setTabIcon(self, index: int, tab_icon: QIcon) -> None:
        self.list.item(index).setIcon(tab_icon)

    def set_section_icon(self, index: int, name: str) -> None:
        """Section `index`'s icon `name` (resources/ui-icons/), in the look's text colour now
        and after each change of look."""
        item = self.list.item(index)
        item.setData(_ICON, name)
        item.setIcon(icon(name, current_look(), "text"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # the look changed: tint the icons again
            look = current_look()
            for row in range(self.list.count()):
                item = self.list.item(row)
                if isinstance(name := item.data(_ICON), str):
                    item.setIcon(icon(name, look, "text"))
        super().changeEvent(event)

    def tabIcon(self, index: int) -> QIcon:
        return self.list.item(index).icon()

    def tabText(self, index: int) -> str:
        return self._titles[index]

    def count(self) -> int:
        return self.pages.count()

    def widget(self, index: int) -> QWidget:
        page = self.pages.widget(index)
        assert page is not None
        return page

    def currentWidget(self) -> QWidget:
        return self.widget(self.pages.currentIndex())

    def currentIndex(self) -> int:
        return self.pages.currentIndex()

    def setCurrentIndex(self, index: int) -> None:
        item = self.list.item(index)
        item.setHidden(False)
        self.list.setCurrentItem(item)

    def setCurrentWidget(self, page: QWidget) -> None:
        self.setCurrentIndex(self.pages.indexOf(page))

    def _show_item(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        index = int(item.data(_PAGE))
        self.pages.setCurrentIndex(index)
        self.currentChanged.emit(index)
        if self.search.text().strip() and self.list.hasFocus():  # picked, not typed for
            self._focus_hit(self.widget(index))

    def hits(self, page: QWidget) -> list[QWidget]:
        """The settings on `page` whose words hold every word of the search."""
        wanted = self.search.text().lower().split()
        if not wanted:
            return []
        found = []
        for widget in page.findChildren(QWidget):
            words = _words(widget)
            if words and all(word in words for word in wanted):
                found.append(widget)
        return found

    def _filter(self) -> None:
        searching = bool(self.search.text().strip())
        first: QListWidgetItem | None = None
        for row in range(self.list.count()):
            item = self.list.item(row)
            page = self.widget(int(item.data(_PAGE)))
            name = item.text().lower()
            shown = not searching or bool(self.hits(page)) or self._names(name)
            item.setHidden(not shown)
            if shown and first is None:
                first = item
        if searching and first is not None:
            current = self.list.currentItem()
            if current is None or current.isHidden():
                self.list.setCurrentItem(first)

    def _names(self, name: str) -> bool:
        return all(word in name for word in self.search.text().lower().split())

    def focus_first_hit(self) -> None:
        """Show the first section left by the search and focus its first matching setting."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            if not item.isHidden():
                self.list.setCurrentItem(item)
                self._focus_hit(self.widget(int(item.data(_PAGE))))
                return

    def _focus_hit(self, page: QWidget) -> None:
        for widget in self.hits(page):
            target = _focus_target(widget)
            if target.isEnabled() and target.focusPolicy() != Qt.FocusPolicy.NoFocus:
                reveal = getattr(page, "reveal", None)  # a page's folded part unfolds for it
                if callable(reveal):
                    reveal(target)
                target.setFocus(Qt.FocusReason.OtherFocusReason)
                return
