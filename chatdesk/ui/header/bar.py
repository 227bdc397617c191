"""The bar above the conversation: the thread's title and model, and beside them, quietly, the
context ring (ring.py) and, once the window has its core, the temporary chat's switch
(chatdesk/ui/window/temporary.py)."""

from __future__ import annotations

from string import Template
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QTextOption
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.header.ring import ContextRing
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.icons import set_icon, show_icon
from chatdesk.ui.theme.scale import ICON, RADIUS, SPACE

if TYPE_CHECKING:  # the views load with the core, behind the window's first paint
    from chatdesk.core.chat.usage import UsageTotals
    from chatdesk.core.views import ContextUsage, ThreadView


# The ring is a quiet button like the sidebar's; from 80 % its share beside it takes the ring's
# colour, as do the breakdown's figures.
_STYLE = Template("""
#contextRing { background: transparent; border: 1px solid transparent;
    border-radius: ${radius}px; padding: 2px 3px; color: $text_quiet; }
#contextRing:hover { background: $hover; }
#contextRing:focus { border: 2px solid $focus; padding: 1px 2px; }
#contextRing[level="warn"], #breakdownFigures[level="warn"] { color: $warning; font-weight: 600; }
#contextRing[level="full"], #breakdownFigures[level="full"] { color: $danger; font-weight: 600; }
#contextBreakdown { background: $window; border: 1px solid $border_strong; }
#breakdownFigures { font-weight: 600; }
#breakdownParts, #breakdownSpent { color: $text_quiet; }
#breakdownRule { border: none; border-top: 1px solid $border; max-height: 1px; }
""")


def header_style(roles: dict[str, str]) -> str:
    """The header's own rules, in the look whose colour `roles` are given."""
    return _STYLE.substitute(roles, radius=RADIUS["m"])


ORIGIN_STYLE = """
QLabel#threadOrigin {
    color: palette(placeholder-text);
    border: 1px solid palette(mid);
    border-radius: 7px;
    padding: 0 6px;
}
"""


def _origin_mark() -> QLabel:
    """The mark of a chat made through the local API (hidden on the others)."""
    # translators: the mark on a chat made through the local API, in the chat's header
    mark = QLabel(tr("API"))
    mark.setObjectName("threadOrigin")
    mark.setStyleSheet(ORIGIN_STYLE)
    said = tr("Made through the local API")
    mark.setToolTip(said)
    mark.setAccessibleName(said)
    mark.hide()
    return mark


def thread_title(thread: ThreadView | None) -> str:
    """The title the header and the window's title show for `thread` (None: the new chat)."""
    # translators: the title of the new chat, not sent yet (in the header and the window's title)
    return thread.title if thread else tr("New chat")


class ThreadHeader(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("threadHeader")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        # Shown while the sidebar is hidden (the window is narrow, or Ctrl+B hid it).
        self.show_side = QToolButton()
        self.show_side.setObjectName("showSidebar")
        self.show_side.setAutoRaise(True)
        self.show_side.setIconSize(QSize(ICON["m"], ICON["m"]))
        show_icon(self.show_side, False, current_look())  # drawn after the first paint
        set_icon(self.show_side, "show-sidebar", current_look())
        self.show_side.setAccessibleName(tr("Show the sidebar"))
        self.show_side.setToolTip(tr("Show the sidebar (Ctrl+B)"))
        self.show_side.hide()
        self.title = ElidedLabel(thread_title(None))
        self.title.setObjectName("threadTitle")
        self.title.setAccessibleName(tr("Thread title"))
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.origin = _origin_mark()
        self.model = QLabel()
        self.model.setObjectName("threadModel")
        # translators: the header's label of the model that answers in the thread shown
        self.model.setAccessibleName(tr("Model"))
        self.gauge = ContextRing()
        # What is said of the thread shown, hidden while a page stands in its place.
        self.facts = QWidget(self)
        facts = QHBoxLayout(self.facts)
        facts.setContentsMargins(0, 0, 0, 0)
        facts.setSpacing(SPACE["xs"])
        facts.addWidget(self.model)
        facts.addSpacing(SPACE["xs"])
        facts.addWidget(self.gauge)
        layout.addWidget(self.show_side)
        layout.addWidget(self.title, 1)
        layout.addWidget(self.origin)
        layout.addWidget(self.facts)
        self._thread_title = self.title.text()
        self._page: str | None = None
        self.show_usage(None)
        self.show_spent(None)

    def draw_icons(self) -> None:
        """Draw the button's icon (after the window's first paint: the first icon drawn loads
        Qt's SVG plugin)."""
        show_icon(self.show_side, True, current_look())

    def show_thread(
        self, title: str, model: str, thread: ThreadView | None = None, *, cut: str = ""
    ) -> None:
        """`thread`: the one shown, marked when it was made through the local API. `cut`: the
        part of `title` to shorten when it does not fit (the thread's own title, when `title`
        says more of it, as a temporary chat's does); empty: the end of it."""
        self._thread_title = title
        self.title.cut = cut
        self.model.setText(model)
        self.origin.setVisible(thread is not None and thread.through_api)
        if self._page is None:
            self._show_title(title)

    def show_page(self, title: str | None) -> None:
        """Name the page shown in place of the conversation ("Connect a model"), without the
        thread's model and figures; None: the thread's again."""
        self._page = title
        self.title.cut = "" if title is not None else self.title.cut
        self._show_title(title if title is not None else self._thread_title)
        self.facts.setHidden(title is not None)

    def _show_title(self, title: str) -> None:
        self.title.setText(title)
        self.title.setToolTip(title)

    def show_usage(self, usage: ContextUsage | None) -> None:
        """The next message's context: the ring, its breakdown on demand."""
        self.gauge.show_usage(usage)

    def show_spent(self, totals: UsageTotals | None) -> None:
        """What the thread's answers used and cost so far, every branch included: in the
        ring's breakdown."""
        self.gauge.show_spent(totals)


class ElidedLabel(QLabel):
    """A one-line label whose text ends in "…" where it is cut (`text()` is the whole); when
    `cut` is a part of the text, only that part is shortened, so what the rest says stays."""

    cut = ""

    def paintEvent(self, _event: QPaintEvent) -> None:
        area = self.contentsRect()
        shown = self.shown_text(area.width())
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        side = Qt.AlignmentFlag.AlignRight if self.isRightToLeft() else Qt.AlignmentFlag.AlignLeft
        option = QTextOption(side | Qt.AlignmentFlag.AlignVCenter)
        option.setWrapMode(QTextOption.WrapMode.NoWrap)
        # An English title reads left to right in an Arabic window: its "?" stays at its end.
        option.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
        painter.drawText(QRectF(area), shown, option)

    def shown_text(self, width: int) -> str:
        text, metrics, elide = self.text(), self.fontMetrics(), Qt.TextElideMode.ElideRight
        if not self.cut or self.cut not in text or metrics.horizontalAdvance(text) <= width:
            return metrics.elidedText(text, elide, width)
        rest = metrics.horizontalAdvance(text.replace(self.cut, "", 1))
        shortened = metrics.elidedText(self.cut, elide, max(0, width - rest))
        return text.replace(self.cut, shortened or "…", 1)
