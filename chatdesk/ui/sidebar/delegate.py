"""How sidebar rows look, and the in-place rename editor.

Everything is drawn from the palette so the light and dark themes both work: group headers
in small muted capitals, projects as open/closed folders with a chevron, threads as rounded
rows with their title elided and a pin on pinned ones.
"""

from __future__ import annotations

import unicodedata

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
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette
from PySide6.QtWidgets import (
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.ui.sidebar.roles import API_ROLE, GROUP_KIND_ROLE, PINNED_ROLE, TEAM_ROLE, GroupKind

Index = QModelIndex | QPersistentModelIndex
_STATE = QStyle.StateFlag
_ROLE = QPalette.ColorRole

MARGIN = 4  # between a row's rounded background and the view's edges
PADDING = 10  # between the background and the text
NESTED = 14  # extra indent of a project's threads (the view itself does not indent)
RADIUS = 6
BADGE_MAX = 84  # a team badge's widest, in pixels (the tooltip has the whole name)


class SidebarDelegate(QStyledItemDelegate):
    renamed = Signal(QPersistentModelIndex, str)  # a non-empty new name for a thread/project
    rename_refused = Signal()  # the name was left empty

    def __init__(self, tree: QTreeView) -> None:
        super().__init__(tree)
        self._tree = tree

    # -- sizes -----------------------------------------------------------------------------------

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        line = QFontMetrics(option.font).height()
        kind = index.data(GROUP_KIND_ROLE)
        if kind is None:
            return QSize(0, line + 12)
        if kind is GroupKind.PROJECT:
            return QSize(0, line + 12 + (_caption_height(option) if _opens_projects(index) else 0))
        return QSize(0, _caption_height(option))

    # -- painting --------------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        kind = index.data(GROUP_KIND_ROLE)
        if kind is None:
            self._paint_thread(painter, option, index)
        elif kind is GroupKind.PROJECT:
            self._paint_project(painter, _below_caption(painter, option, index), index)
        else:
            _paint_caption(painter, option, str(index.data()))
            self._paint_focus(painter, option)
        painter.restore()

    def _paint_project(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        self._paint_background(painter, option)
        box = self._row_rect(option)
        muted = option.palette.color(_ROLE.PlaceholderText)
        left = box.left() + PADDING
        _chevron(painter, QPointF(left + 4, box.center().y() + 0.5), self._is_open(index), muted)
        font = QFont(option.font)
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        painter.setPen(option.palette.color(_ROLE.Text))
        area = QRect(left + 14, box.top(), box.right() - left - 14 - PADDING, box.height())
        self._draw_text(painter, font, area, str(index.data()))
        self._paint_focus(painter, option)

    def _paint_thread(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        selected = bool(option.state & _STATE.State_Selected)
        self._paint_background(painter, option)
        box = self._row_rect(option)
        indent = NESTED if _is_nested(index) else 0
        pinned = bool(index.data(PINNED_ROLE))
        colour = option.palette.color(_ROLE.Text)
        if selected and self._tree.hasFocus():
            colour = option.palette.color(_ROLE.HighlightedText)
        pin_room = 16 if pinned else 0
        muted = colour if selected else option.palette.color(_ROLE.PlaceholderText)
        badge_room = 0
        # translators: the mark on a chat made through the local API, in the chat list
        for badge in (tr("API") if index.data(API_ROLE) else None, index.data(TEAM_ROLE)):
            if badge:
                right = box.right() - PADDING - pin_room - badge_room
                badge_room += _badge(painter, option, str(badge), right, box.center().y(), muted)
        left = box.left() + PADDING + indent
        width = box.right() - left - PADDING - pin_room - badge_room
        area = QRect(left, box.top(), width, box.height())
        painter.setPen(colour)
        self._draw_text(painter, option.font, area, str(index.data()))
        if pinned:
            _pin(painter, QPointF(box.right() - PADDING - 5, box.center().y()), muted)
        self._paint_focus(painter, option)

    def _paint_background(self, painter: QPainter, option: QStyleOptionViewItem) -> None:
        palette = option.palette
        if option.state & _STATE.State_Selected:
            fill = QColor(palette.color(_ROLE.Highlight))
            if not self._tree.hasFocus():  # a quieter mark while focus is elsewhere
                fill.setAlphaF(0.28)
        elif option.state & _STATE.State_MouseOver:
            fill = QColor(palette.color(_ROLE.Text))
            fill.setAlphaF(0.07)
        else:
            return
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(self._row_rect(option), RADIUS, RADIUS)

    def _paint_focus(self, painter: QPainter, option: QStyleOptionViewItem) -> None:
        """Keyboard focus gets its own outline, also on rows that cannot be selected."""
        if not (option.state & _STATE.State_HasFocus and self._tree.hasFocus()):
            return
        if option.state & _STATE.State_Selected:
            return  # the strong highlight already shows where focus is
        painter.setPen(option.palette.color(_ROLE.Highlight))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(self._row_rect(option).adjusted(1, 1, -1, -1), RADIUS, RADIUS)

    def _draw_text(self, painter: QPainter, font: QFont, area: QRect, text: str) -> None:
        """A title on the row's leading side, written in its own direction: an English title in
        a right-to-left window keeps its "?" at its end, and is shortened at its end."""
        window = self._tree.layoutDirection()
        right, left = Qt.AlignmentFlag.AlignRight, Qt.AlignmentFlag.AlignLeft
        leading = right if window is Qt.LayoutDirection.RightToLeft else left
        elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, area.width())
        painter.save()
        painter.setLayoutDirection(text_direction(text, window))
        align = leading | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(area, align, elided)
        painter.restore()

    def _row_rect(self, option: QStyleOptionViewItem) -> QRect:
        return option.rect.adjusted(MARGIN, 1, -MARGIN, -1)

    def _is_open(self, index: Index) -> bool:
        if isinstance(index, QPersistentModelIndex):
            index = index.model().index(index.row(), index.column(), index.parent())
        return self._tree.isExpanded(index)

    # -- renaming --------------------------------------------------------------------------------

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
        if _opens_projects(index):
            option = QStyleOptionViewItem(option)
            option.rect = option.rect.adjusted(0, _caption_height(option), 0, 0)
        indent = NESTED if _is_nested(index) else 0
        editor.setGeometry(self._row_rect(option).adjusted(PADDING // 2 + indent, 0, 0, 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        """Renames go to the service, never into the model: the change comes back as an event."""
        if not isinstance(editor, QLineEdit):
            return
        name = " ".join(editor.text().split())
        if not name:
            self.rename_refused.emit()
        elif name != index.data(Qt.ItemDataRole.EditRole):
            self.renamed.emit(QPersistentModelIndex(index), name)


def _opens_projects(index: Index) -> bool:
    """The first project row also carries the "Projects" caption above itself."""
    if index.data(GROUP_KIND_ROLE) is not GroupKind.PROJECT:
        return False
    if index.row() == 0:
        return True
    above = index.model().index(index.row() - 1, 0, index.parent())
    return above.data(GROUP_KIND_ROLE) is not GroupKind.PROJECT


def _caption_font(option: QStyleOptionViewItem) -> QFont:
    font = QFont(option.font)
    font.setCapitalization(QFont.Capitalization.SmallCaps)
    font.setPointSizeF(max(6.0, font.pointSizeF() * 0.92))
    font.setWeight(QFont.Weight.DemiBold)
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 104)
    return font


def text_direction(text: str, otherwise: Qt.LayoutDirection) -> Qt.LayoutDirection:
    """The direction of `text`'s first letter that has one (Unicode's rule), else `otherwise`."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return Qt.LayoutDirection.LeftToRight
        if kind in ("R", "AL"):
            return Qt.LayoutDirection.RightToLeft
    return otherwise


def _caption_height(option: QStyleOptionViewItem) -> int:
    return QFontMetrics(_caption_font(option)).height() + 16  # air above separates sections


def _paint_caption(painter: QPainter, option: QStyleOptionViewItem, text: str) -> None:
    """A section title: small capitals in the muted colour, sitting on the section."""
    font = _caption_font(option)
    painter.setFont(font)
    painter.setPen(option.palette.color(_ROLE.PlaceholderText))
    area = option.rect.adjusted(MARGIN + PADDING, 0, -MARGIN, -4)
    elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, area.width())
    painter.drawText(area, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, elided)


def _below_caption(
    painter: QPainter, option: QStyleOptionViewItem, index: Index
) -> QStyleOptionViewItem:
    """Paint the "Projects" caption if this row carries it; the option for the rest."""
    if not _opens_projects(index):
        return option
    caption = QStyleOptionViewItem(option)
    rect = option.rect
    caption.rect = QRect(rect.left(), rect.top(), rect.width(), _caption_height(option))
    painter.save()
    # translators: the caption over the projects in the chat list
    _paint_caption(painter, caption, tr("Projects"))
    painter.restore()
    rest = QStyleOptionViewItem(option)
    rest.rect = option.rect.adjusted(0, _caption_height(option), 0, 0)
    return rest


def _is_nested(index: Index) -> bool:
    return index.parent().data(GROUP_KIND_ROLE) is GroupKind.PROJECT


def _chevron(painter: QPainter, centre: QPointF, is_open: bool, colour: QColor) -> None:
    path = QPainterPath()
    x, y = centre.x(), centre.y()
    if is_open:  # pointing down
        path.moveTo(x - 4, y - 2)
        path.lineTo(x, y + 2)
        path.lineTo(x + 4, y - 2)
    else:  # pointing right
        path.moveTo(x - 2, y - 4)
        path.lineTo(x + 2, y)
        path.lineTo(x - 2, y + 4)
    painter.setPen(colour)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)


def _pin(painter: QPainter, centre: QPointF, colour: QColor) -> None:
    """A small push pin: a round head over a short needle."""
    x, y = centre.x(), centre.y()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(QPointF(x, y - 2.5), 3.2, 3.2)
    painter.setPen(colour)
    painter.drawLine(QPointF(x, y), QPointF(x, y + 5))


def _badge(
    painter: QPainter,
    option: QStyleOptionViewItem,
    team: str,
    right: int,
    middle: int,
    colour: QColor,
) -> int:
    """A shared thread's team (or "API" on a chat made through the local API) as a small
    outlined pill ending at `right`; its width with the gap before it."""
    font = QFont(option.font)
    font.setPointSizeF(max(6.0, font.pointSizeF() * 0.82))
    metrics = QFontMetrics(font)
    text = metrics.elidedText(team, Qt.TextElideMode.ElideRight, BADGE_MAX - 12)
    width, height = metrics.horizontalAdvance(text) + 12, metrics.height() + 2
    pill = QRect(right - width, middle - height // 2, width, height)
    outline = QColor(colour)
    outline.setAlphaF(0.55)
    painter.save()
    painter.setPen(outline)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(pill.adjusted(0, 0, -1, -1), height / 2, height / 2)
    painter.setFont(font)
    painter.setPen(colour)
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()
    return width + 6
