"""The conversation on screen: one widget per message of the model's window, never per message
of the whole thread, in a scroll area that follows a streaming answer until the user scrolls up.
One more widget, the summary divider, sits after the last message the summary in use covers, or
heads the window when that message is above it (decision 0013).

A page shown in place of another (a thread opened) is built newest first from the turn after
the page arrived, each widget made in one turn of the loop and put in place, shown and laid out
in the next, with the view not painting, until they fill the viewport and hold their formatting
(or `FORMAT_WAIT_MS` has passed); the first frame painted shows them laid out and scrolled to
the end, never an empty part of the view. The rest of the page is then built above them the
same way, a turn left to the paint after each one put in place, while what is on screen stays
put (decisions 0078, 0084). Keys and timers are served between turns. Anything that needs
every widget meanwhile (a change from the model, a search hit, the find bar) has the rest built
at once first. What a thread's opening reads beside its page waits until the page is built
(`after_page`, decision 0083).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QScrollArea,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.ui.column import DEFAULT_MEASURE
from chatdesk.ui.conversation.actions_shown import ActionsShown
from chatdesk.ui.conversation.after_page import AfterPage
from chatdesk.ui.conversation.discarded import Discarded
from chatdesk.ui.conversation.divider import SummaryDivider
from chatdesk.ui.conversation.jump import jump_button, place_jump
from chatdesk.ui.conversation.kept_focus import KeptFocus
from chatdesk.ui.conversation.model import ConversationModel
from chatdesk.ui.conversation.wide import ColumnLayout

if TYPE_CHECKING:  # loaded with the first message, after the window's first paint
    from chatdesk.ui.conversation.formatter import Formatter
    from chatdesk.ui.conversation.message import MessageWidget
    from chatdesk.ui.conversation.message_editor import MessageEditor

_EDGE = 300  # pixels from the top/bottom at which the next page is read
_FOLLOW_SLACK = 24  # pixels from the bottom that still count as "at the end"
_REVEAL_MARGIN = 48  # pixels above a revealed message: it is seen with a little of its context
_EDIT_MARGIN = 24  # pixels kept around a message's editor scrolled into sight
STAGE = 1  # message widgets made per turn of the loop before a page is painted
FORMAT_WAIT_MS = 150  # at most, from a page's arrival, for what it paints first to be formatted
READING_WAIT_MS = 500  # at most, for a thread's first page while the page before stays


class ConversationView(QScrollArea):
    """It keeps 38 methods because a page being built, the scroll position that follows the
    end or holds a message in sight, and the widgets' places in the column are one state: each
    step of building a page moves the scroll position, each scroll asks for pages, and what
    a thread's opening reads beside its page waits for that page."""

    older_wanted = Signal()
    newer_wanted = Signal()
    latest_wanted = Signal()  # "jump to latest" while newer pages are not loaded
    blank_changed = Signal(bool)  # it shows a new chat before its first message, or no more
    message_widget_added = Signal(object)  # a MessageWidget, for the window to connect
    page_shown = Signal()  # a page shown in place of another is built and about to be painted
    formatter: Formatter  # set by the window before the model holds any message
    # The assistants' looks by name, (icon, colour), kept current by the window: an answer's
    # head shows the disc of the assistant it came from.
    speakers: dict[str, tuple[str | None, str | None]]

    def __init__(self, model: ConversationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.speakers = {}
        self._focus = KeptFocus()
        self._widgets: list[MessageWidget] = []
        self._unbuilt = 0  # rows at the top of a page being shown whose widgets are not made yet
        self._unpainted = False  # a page being shown is not painted yet (its newest being made)
        self._coming: MessageWidget | None = None  # made in the turn before, placed in this one
        self._paint_turn = False  # the next turn is left to the paint the last one asked for
        self._follow = True  # keep the newest text in sight
        self._restoring = False
        # While older pages arrive above: the message the user looks at and its offset from
        # the top of the viewport, restored after every layout change.
        self._anchor: tuple[MessageWidget, int] | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName(tr("Conversation"))
        self._content = QWidget()
        self._content.setObjectName("conversation")
        self._layout = ColumnLayout(self._content, DEFAULT_MEASURE)  # ui.column_width
        self._layout.setContentsMargins(0, 8, 0, 8)
        self._layout.setSpacing(2)
        self._layout.addStretch(1)
        self.blank = True  # a new chat before its first message: the window shows its welcome
        self.divider = SummaryDivider(self._content)
        self.divider.hide()
        self.setWidget(self._content)
        self._jump = jump_button(self)
        self._jump.clicked.connect(self.jump_to_latest)
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range)
        model.modelReset.connect(self._rebuild)
        model.rowsInserted.connect(self._inserted)
        model.rowsAboutToBeRemoved.connect(self._removed)
        model.rowsRemoved.connect(self._place_divider)
        model.dataChanged.connect(self._changed)
        model.summary_changed.connect(self._place_divider)
        self._discarded = Discarded(self)  # the widgets of pages shown before
        self._after_page = AfterPage(self)
        self._make_timers()
        self._shown = ActionsShown(self._content, lambda: self._widgets, model, self)

    def _make_timers(self) -> None:
        """The turns the view takes its work to, and its waits."""
        self._edge_check = QTimer(self, singleShot=True, interval=0)
        self._edge_check.timeout.connect(self._check_edges)
        self._next_stage = QTimer(self, singleShot=True, interval=0)
        self._next_stage.timeout.connect(self._build_stage)
        self._reveal = QTimer(self, singleShot=True, interval=0)  # once the page is laid out
        self._reveal.timeout.connect(self._reveal_page)
        # Runs while a page's first paint may wait for what it shows to be formatted (its
        # widgets made meanwhile); then what is not shows plain at first.
        self._format_wait = QTimer(self, singleShot=True, interval=FORMAT_WAIT_MS)
        self._format_wait.timeout.connect(self._may_reveal)
        # A thread whose page is being read shows the page before until it comes, or at
        # most this long (a read that fails, or a slow disk): then it shows empty.
        self._reading_wait = QTimer(self, singleShot=True, interval=READING_WAIT_MS)
        self._reading_wait.timeout.connect(self._show_page)

    # -- following the model ---------------------------------------------------------------------

    @property
    def widgets(self) -> list[MessageWidget]:
        """One widget per row of the model, in order (built now if a page was being shown)."""
        self._finish_page()
        return self._widgets

    @property
    def made_widgets(self) -> list[MessageWidget]:
        """The widgets made so far, in order: while a page is being shown, those of its newest
        rows (the rest are made above them, one a turn of the loop once these are painted)."""
        return self._widgets

    def _rebuild(self) -> None:
        self._focus.remember(self._widgets, 0)
        for widget in self._widgets:  # deleted once the new page is painted, one a turn
            self._layout.removeWidget(widget)
        self._discarded.keep(self._widgets)
        self._widgets = []
        self._shown.mark_last()
        if self._coming is not None:  # made for the page before, never placed
            self._coming.deleteLater()
            self._coming = None
        self._paint_turn = False
        self._follow = True
        self._unbuilt = self._model.rowCount()
        self._unpainted = True
        self.setUpdatesEnabled(False)  # until its newest messages are laid out (_reveal_page)
        self._reveal.stop()
        self._after_page.page_changed()
        if self._model.reading:  # what was on screen stays there until the page comes
            self._format_wait.stop()
            self._reading_wait.start()
            return
        self._reading_wait.stop()
        self._format_wait.start()
        if self._unbuilt > STAGE:
            self._set_blank(False)
            self._next_stage.start()  # a turn of its own: the page before was let go in this one
            return
        self._unbuilt = 0
        self._inserted(QModelIndex(), 0, self._model.rowCount() - 1)
        self._check_blank()
        if not self._unformatted():
            self._show_page()

    def _build_stage(self, *, rest: bool = False) -> None:
        """The next step of a page being shown, above the widgets placed (or all the rest):
        a widget made in one turn, put in place, shown and laid out in the next, and once the
        page is painted, the turn after that left to the paint: a third of the work each."""
        if not self._unbuilt:
            return
        if not rest and self._coming is None:
            if not self._paint_turn:
                self._coming = self._new_widget(self._unbuilt - 1)
            self._paint_turn = False
            self._next_stage.start()
            return
        if not self._unpainted and not self._follow and self._anchor is None:
            self._anchor_on_visible()  # what the user looks at stays put as rows come above
        self._place_coming(rest)
        first = self._unbuilt  # 0 when one of them asked for all the widgets
        if not first:
            self._place_divider()
        if not self._unpainted:
            self._paint_turn = bool(first)
            (self._next_stage if first else self._edge_check).start()
            if not first:
                self._after_page.page_built()
        elif first and not self._fills_view():
            self._next_stage.start()
        else:
            self._reveal.start()

    def _place_coming(self, rest: bool) -> None:
        """The widget made in the turn before put in place, shown and laid out now (not in
        the next turn, which makes the next); with `rest`, those of the rows above it too."""
        coming, self._coming = self._coming, None
        last = self._unbuilt - (coming is not None)
        self._unbuilt = first = 0 if rest else last
        made = [(row, self._new_widget(row)) for row in range(first, last)]
        self._put(made + ([(last, coming)] if coming is not None else []), at=0)
        if not rest and coming is not None:
            # Qt shows a widget put in a shown layout in the next turn: in this one instead.
            QCoreApplication.sendPostedEvents(coming, QEvent.Type.MetaCall)
            self._layout.settle(self._content)

    def _fills_view(self) -> bool:
        """The widgets made fill the viewport and a margin above it (their text laid out now
        to know)."""
        self._layout.settle(self._content)
        made = sum(widget.height() for widget in self._widgets)
        return made >= self.viewport().height() + _EDGE

    def _unformatted(self) -> bool:
        """A widget made is still to be formatted, and the page may wait for it."""
        return self._format_wait.isActive() and any(
            widget.rendered is None and widget.message.status.is_final for widget in self._widgets
        )

    def _finish_page(self) -> None:
        if self._unbuilt:
            self._build_stage(rest=True)

    def _may_reveal(self) -> None:
        """A widget was formatted, or the page waited long enough for it."""
        if self._unpainted and not self._model.reading and not self._next_stage.isActive():
            self._reveal.start()

    def _reveal_page(self) -> None:
        if not self._unpainted or self._model.reading or self._next_stage.isActive():
            return  # painted, its page not read yet, or its newest still being made
        if self._unbuilt and not self._fills_view():  # formatted, they take less room
            self._next_stage.start()
        elif not self._unformatted():
            self._show_page()

    def _show_page(self) -> None:
        """Paint the page from here: laid out, at its end (unless a message was revealed)."""
        self._layout.settle(self._content)
        if self._follow:
            bar = self.verticalScrollBar()
            bar.setValue(bar.maximum())
        self._unpainted = False
        self.page_shown.emit()
        self.setUpdatesEnabled(True)
        self._discarded.delete_soon()
        if self._unbuilt:
            self._paint_turn = True  # the paint of this page takes the next turn alone
            self._next_stage.start()  # the rest, above
        else:
            self._edge_check.start()  # a page too short for the view asks for the one before
            self._after_page.page_built()

    def after_page(self, work: Callable[[], None]) -> None:
        """Call `work` once the page being shown is painted and has all its widgets, or now
        when none is being shown: what a thread's opening reads beside its page (the gauge,
        the summary in use, the recent models) would take a core and the interpreter from
        the page's widgets. The page of another thread shown before then takes it over (only
        the latest `work` is called)."""
        self._after_page.wait(work, built=not self._unpainted and not self._unbuilt)

    def drop_after_page(self) -> None:
        """What waits for the page is never called: the window is closing."""
        self._after_page.drop()

    def _inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        self._finish_page()  # rows map to widgets from here on
        if first == 0 and self._widgets and not self._follow:
            self._anchor_on_visible()
        self._put([(row, self._new_widget(row)) for row in range(first, last + 1)], at=first)
        self._check_blank()
        self._place_divider()

    def _new_widget(self, row: int) -> MessageWidget:
        from chatdesk.ui.conversation.message import MessageWidget

        widget = MessageWidget(self._model.message(row), self.formatter, speakers=self.speakers)
        widget.editing.connect(self.show_editor)
        widget.formatted.connect(self._may_reveal)
        return widget

    def _put(self, made: list[tuple[int, MessageWidget]], at: int) -> None:
        """The widgets `made` of their rows, put at `at` in `_widgets` and the layout."""
        self._layout.removeWidget(self.divider)  # widgets map to layout positions without it
        for place, (_row, widget) in enumerate(made, start=at):
            self._widgets.insert(place, widget)
            self._layout.insertWidget(place, widget)
        # Announced once all are in place, rows mapping to widgets: a listener may ask for
        # `widgets` (a question waiting on a call's card), which makes the rest of the page.
        for row, widget in made:
            self.message_widget_added.emit(widget)
            self._focus.placed(row, widget)
        self._shown.mark_last()

    def _place_divider(self) -> None:
        """The divider where the summary in use stands; placed by the page's last stage while
        a page is being built (its rows do not map to widgets yet)."""
        after = self._model.divider_after()
        summary = self._model.summary
        self._layout.removeWidget(self.divider)
        if self._unbuilt or after is None or summary is None or after >= len(self._widgets):
            self.divider.hide()
            return
        self.divider.show_summary(summary, self._model.covered_count)
        # Found by widget, not by row: removed widgets stay in the layout until deleted.
        neighbour = self._widgets[max(after, 0)]
        position = self._layout.indexOf(neighbour) + (1 if after >= 0 else 0)
        self._layout.insertWidget(position, self.divider)
        self.divider.show()

    def _anchor_on_visible(self) -> None:
        top = self.verticalScrollBar().value()
        seen = next((w for w in self._widgets if w.y() + w.height() > top), None)
        self._anchor = (seen, seen.y() - top) if seen is not None else None

    def _removed(self, _parent: QModelIndex, first: int, last: int) -> None:
        self._focus.remember(self._widgets[first : last + 1], first)
        for widget in self.widgets[first : last + 1]:
            widget.deleteLater()
        del self.widgets[first : last + 1]
        self._check_blank()
        self._shown.mark_last()

    def _changed(
        self,
        top: QModelIndex | QPersistentModelIndex,
        bottom: QModelIndex | QPersistentModelIndex,
        _roles: object = None,
    ) -> None:
        for row in range(top.row(), bottom.row() + 1):
            self.widgets[row].update_message(self._model.message(row))

    def _check_blank(self) -> None:
        self._set_blank(not self.widgets and self._model.thread_id is None)

    def _set_blank(self, blank: bool) -> None:
        if blank != self.blank:
            self.blank = blank
            self.blank_changed.emit(blank)

    def widget_for(self, message_id: uuid.UUID) -> MessageWidget | None:
        row = self._model.row_of(message_id)
        return self.widgets[row] if 0 <= row < len(self.widgets) else None

    def refresh_all(self) -> None:
        for widget in self.widgets:
            widget.refresh()

    # -- scrolling -------------------------------------------------------------------------------

    @property
    def following(self) -> bool:
        return self._follow

    def _on_range(self, _low: int, high: int) -> None:
        self._restoring = True
        if self._anchor is not None and self._anchor[0] in self._widgets:
            widget, offset = self._anchor
            self._layout.activate()  # positions are current before they are read
            self.verticalScrollBar().setValue(widget.y() - offset)
        elif self._follow:
            self.verticalScrollBar().setValue(high)
        self._restoring = False
        self._edge_check.start()

    def _on_scrolled(self, value: int) -> None:
        if not self._restoring:
            self._anchor = None
            self._follow = value >= self.verticalScrollBar().maximum() - _FOLLOW_SLACK
        self._show_jump()
        self._edge_check.start()

    def _show_jump(self) -> None:
        """ "Jump to latest" while the end is not in sight (or not even read)."""
        bar = self.verticalScrollBar()
        at_end = self._follow or bar.value() >= bar.maximum() - _FOLLOW_SLACK
        self._jump.setVisible(self._model.has_more_after or not at_end)
        self._place_jump()

    def _check_edges(self) -> None:
        bar = self.verticalScrollBar()
        if not self._widgets or self._unbuilt or self._reveal.isActive():
            return  # a page being built is not laid out yet
        if bar.value() < _EDGE and self._model.has_more_before:
            self.older_wanted.emit()
        elif bar.maximum() - bar.value() < _EDGE and self._model.has_more_after:
            self.newer_wanted.emit()

    def reveal(self, message_id: object) -> None:
        """Scroll a message of the window into view, a little below the top, and flash it. It
        stays there while the messages around it are formatted and older pages arrive above,
        until the user scrolls."""
        widget = self.widget_for(message_id) if isinstance(message_id, uuid.UUID) else None
        if widget is None:
            return
        from chatdesk.ui.conversation.flash import Flash  # only a search hit needs it

        self._follow = False
        self._anchor = (widget, _REVEAL_MARGIN)
        self._layout.activate()
        self._restoring = True
        self.verticalScrollBar().setValue(widget.y() - _REVEAL_MARGIN)
        self._restoring = False
        self._show_jump()
        Flash(widget)
        self._edge_check.start()

    def show_editor(self, editor: MessageEditor) -> None:
        """A message's editor just opened in place of its bubble, in sight with its caret: the
        whole of it when it fits, else its top. The view stays there as the messages around it
        change, until the user scrolls."""
        self._layout.settle(self._content)
        bar, height = self.verticalScrollBar(), self.viewport().height()
        top = editor.mapTo(self._content, editor.rect().topLeft()).y()
        self._restoring = True
        if editor.height() + 2 * _EDIT_MARGIN <= height:
            self.ensureWidgetVisible(editor, 0, _EDIT_MARGIN)
        else:
            bar.setValue(top - _EDIT_MARGIN)
        self.ensureWidgetVisible(editor.box, 0, _EDIT_MARGIN)  # its caret, where Qt puts it
        self._follow = False
        message = next((w for w in self._widgets if w.isAncestorOf(editor)), None)
        if message is not None:
            self._anchor = (message, message.y() - bar.value())
        self._restoring = False
        self._show_jump()

    def jump_to_latest(self) -> None:
        self._follow = True
        self._anchor = None
        if self._model.has_more_after:
            self.latest_wanted.emit()
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())
        self._jump.hide()

    # -- the reading column ----------------------------------------------------------------------

    def set_measure(self, measure: int) -> None:
        """Hold the messages' text to `measure` pixels at most, in a column centred in the view."""
        self._layout.measure = measure
        self._fit_column()
        self._layout.invalidate()

    def column(self) -> tuple[int, int]:
        """The column's left and right edges in the viewport (its text is `EDGE` inside)."""
        margins = self._layout.contentsMargins()
        return margins.left(), self.viewport().width() - margins.right()

    def _fit_column(self) -> None:
        self._layout.fit(self.width(), self.viewport().geometry())
        self._place_jump()

    def _place_jump(self) -> None:
        place_jump(self, self._jump, self.column(), self._layout.has_wide())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_column()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:  # the scroll bar came or went
            self._fit_column()
        return super().viewportEvent(event)
