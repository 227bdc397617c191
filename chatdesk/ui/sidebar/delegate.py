"""How sidebar rows look, and the in-place rename editor.

Flat rows, drawn from the palette and the look's colours so every theme works: headings in
small quiet words, projects as folders that open and close with a chevron, threads with their
title elided on the leading side and their short age ("46m") at the end, a pin on pinned ones
and the badges of shared ones. A window laid out from the right draws each row mirrored.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.ui.sidebar.painting import (
    CAPTION_AIR,
    Texts,
    badge_width,
    caption_height,
    caption_line,
    chevron,
    paint_badge,
    paint_caption,
    paint_icon,
    small_font,
    text_direction,
    visual,
)
from chatdesk.ui.sidebar.roles import (
    AGE_ROLE,
    API_ROLE,
    GROUP_KIND_ROLE,
    PINNED_ROLE,
    TEAM_ROLE,
    GroupKind,
)
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.theme.scale import ICON, RADIUS, SPACE

__all__ = ["SidebarDelegate", "heading_button_place", "text_direction"]

Index = QModelIndex | QPersistentModelIndex
_STATE = QStyle.StateFlag
_ROLE = QPalette.ColorRole

MARGIN = SPACE["xs"]  # between a row's rounded background and the view's edges
PADDING = SPACE["s"]  # between the background and what is drawn on it
GAP = SPACE["s"]  # between the things on a row
ROW_AIR = SPACE["m"] + SPACE["xxs"]  # a row's height over its line of text
CHEVRON = SPACE["m"]  # a project's chevron and the room after it
NESTED = CHEVRON  # a project's threads start under its folder (the view does not indent)
FOLDER = ICON["s"]
PIN = ICON["s"] - SPACE["xxs"]
BUTTON = ICON["m"] + SPACE["s"]  # the button at the end of the Projects heading
_HEADINGS = (GroupKind.PINNED, GroupKind.PROJECTS, GroupKind.DATE)


class SidebarDelegate(QStyledItemDelegate):
    renamed = Signal(QPersistentModelIndex, str)  # a non-empty new name for a thread/project
    rename_refused = Signal()  # the name was left empty

    def __init__(self, tree: QTreeView) -> None:
        super().__init__(tree)
        self._tree = tree
        self._texts = Texts()

    # -- sizes -----------------------------------------------------------------------------------

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        if index.data(GROUP_KIND_ROLE) in _HEADINGS:
            return QSize(0, caption_height(option))
        return QSize(0, QFontMetrics(option.font).height() + ROW_AIR)

    # -- painting --------------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        kind = index.data(GROUP_KIND_ROLE)
        if kind is None:
            self._paint_thread(painter, option, index)
        elif kind is GroupKind.PROJECT:
            self._paint_project(painter, option, index)
        else:
            muted = option.palette.color(_ROLE.PlaceholderText)
            paint_caption(painter, option, str(index.data()), MARGIN + PADDING, muted)
            self._paint_focus(painter, option, caption_line(option))
        painter.restore()

    def _paint_project(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        box = self._row_rect(option)
        self._paint_background(painter, option, box)
        direction = self._tree.layoutDirection()
        lead, middle = box.left() + PADDING, box.center().y()
        is_open = self._is_open(index)
        mark = visual(direction, box, QRect(lead, middle - 4, 8, 8))
        muted = option.palette.color(_ROLE.PlaceholderText)
        chevron(painter, QPointF(mark.center()) + QPointF(0.5, 0.5), is_open, muted, direction)
        folder = QRect(lead + CHEVRON, middle - FOLDER // 2, FOLDER, FOLDER)
        paint_icon(
            painter, "project-open" if is_open else "project", visual(direction, box, folder)
        )
        start = folder.right() + 1 + GAP
        area = visual(
            direction, box, QRect(start, box.top(), box.right() - PADDING - start, box.height())
        )
        painter.setPen(option.palette.color(_ROLE.Text))
        self._texts.draw_title(painter, option.font, area, str(index.data()), direction)
        self._paint_focus(painter, option, box)

    def _paint_thread(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        box = self._row_rect(option)
        selected = self._paint_background(painter, option, box)
        direction = self._tree.layoutDirection()
        text = option.palette.color(_ROLE.Text)
        muted = text if selected else option.palette.color(_ROLE.PlaceholderText)
        trail = box.right() - PADDING + 1  # things at the end are laid from here inwards
        age = index.data(AGE_ROLE)
        if isinstance(age, str) and age:
            font = small_font(option)
            width = self._texts.width(age, font, direction)
            place = visual(direction, box, QRect(trail - width, box.top(), width, box.height()))
            painter.setPen(muted)
            self._texts.draw_centred(painter, font, place, age, direction)
            trail -= width + GAP
        if index.data(PINNED_ROLE):
            pin = QRect(trail - PIN, box.center().y() - PIN // 2, PIN, PIN)
            paint_icon(painter, "pin", visual(direction, box, pin))
            trail -= PIN + GAP
        # translators: the mark on a chat made through the local API, in the chat list
        for badge in (tr("API") if index.data(API_ROLE) else None, index.data(TEAM_ROLE)):
            if badge:
                width = badge_width(option, str(badge))
                place = visual(direction, box, QRect(trail - width, box.top(), width, box.height()))
                paint_badge(painter, option, str(badge), place, muted)
                trail -= width + SPACE["xs"]
        lead = box.left() + PADDING + (NESTED if _is_nested(index) else 0)
        area = visual(direction, box, QRect(lead, box.top(), trail - lead, box.height()))
        painter.setPen(text)
        self._texts.draw_title(painter, option.font, area, str(index.data()), direction)
        self._paint_focus(painter, option, box)

    def _paint_background(
        self, painter: QPainter, option: QStyleOptionViewItem, box: QRect
    ) -> bool:
        """The row's ground: the chosen thread's, or the one under the mouse. Whether chosen."""
        if option.state & _STATE.State_Selected:
            fill = QColor(colours(current_look())["pressed"])
        elif option.state & _STATE.State_MouseOver:
            fill = option.palette.color(_ROLE.Midlight)  # the look's hover colour
        else:
            return False
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(box, RADIUS["m"], RADIUS["m"])
        return bool(option.state & _STATE.State_Selected)

    def _paint_focus(self, painter: QPainter, option: QStyleOptionViewItem, box: QRect) -> None:
        """Keyboard focus gets its ring, on every kind of row."""
        if not (option.state & _STATE.State_HasFocus and self._tree.hasFocus()):
            return
        painter.setPen(QPen(option.palette.color(_ROLE.Highlight), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(box.adjusted(1, 1, -1, -1), RADIUS["m"], RADIUS["m"])

    def _row_rect(self, option: QStyleOptionViewItem) -> QRect:
        return option.rect.adjusted(MARGIN, 1, -MARGIN, -1)

    def _is_open(self, index: Index) -> bool:
        if isinstance(index, QPersistentModelIndex):
            index = index.model().index(index.row(), index.column(), index.parent())
        return self._tree.isExpanded(index)

    # -- renaming ---------------------------------------------------------------------------------

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QLineEdit(parent)
        editor.setAccessibleName(tr("New name"))
        editor.setAccessibleDescription(tr("Enter keeps the new name, Escape cancels."))
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QLineEdit):
            editor.setText(str(index.data(Qt.ItemDataRole.EditRole)))
            editor.selectAll()

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        """The rename editor over the row's title."""
        box = self._row_rect(option)
        lead = box.left() + PADDING // 2
        if index.data(GROUP_KIND_ROLE) is GroupKind.PROJECT:
            lead += CHEVRON + FOLDER + GAP // 2
        elif _is_nested(index):
            lead += NESTED
        place = QRect(lead, box.top(), box.right() + 1 - lead, box.height())
        editor.setGeometry(visual(self._tree.layoutDirection(), box, place))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        """Renames go to the service, never into the model: the change comes back as an event."""
        if not isinstance(editor, QLineEdit):
            return
        name = " ".join(editor.text().split())
        if not name:
            self.rename_refused.emit()
        elif name != index.data(Qt.ItemDataRole.EditRole):
            self.renamed.emit(QPersistentModelIndex(index), name)


def heading_button_place(row: QRect, direction: Qt.LayoutDirection) -> QRect:
    """Where the New project button goes on the Projects heading's row `row`: at its end, on
    the heading's line."""
    box = row.adjusted(MARGIN, 0, -MARGIN, 0)
    side = min(BUTTON, row.height())
    middle = row.top() + CAPTION_AIR + (row.height() - CAPTION_AIR - SPACE["xs"]) // 2
    top = max(row.top(), min(middle - side // 2, row.bottom() + 1 - side))
    return visual(direction, box, QRect(box.right() + 1 - side, top, side, side))


def _is_nested(index: Index) -> bool:
    return index.parent().data(GROUP_KIND_ROLE) is GroupKind.PROJECT
