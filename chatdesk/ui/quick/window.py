"""The quick window's widgets: a small frameless window over whatever the user is doing, on the
screen with the pointer. Keyboard first: the question's field has the focus when it shows;
Enter asks, Shift+Enter starts a new line, Alt+C adds the offered text (`context.py`) or takes
it out, Ctrl+Enter opens the chat in chatdesk's window, Esc hides it. The answer streams in
formatted as the main window formats answers (`formatted`; as plain text without a
formatter), with Stop and Copy answer.
What it does is `asking.py`'s; this shows it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QCursor,
    QGuiApplication,
    QHideEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPaintEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import isolated, tr
from chatdesk.ui.conversation.browser import MessageBrowser
from chatdesk.ui.quick.context import ContextChip, shortened
from chatdesk.ui.theme import ThemeWatcher, current_look
from chatdesk.ui.theme.icons import set_icon
from chatdesk.ui.theme.scale import SPACE
from chatdesk.ui.theme.sheet import quick_sheet

WIDTH = 620  # pixels, at most the screen's width less a margin
ANSWER_HEIGHT = 300  # the answer's area at most; it scrolls past that


class QuestionField(QPlainTextEdit):
    """The question: Enter asks, Shift+Enter starts a new line, Ctrl+Enter opens in chatdesk."""

    ask_pressed = Signal()
    open_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            super().keyPressEvent(event)
            return
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers == Qt.KeyboardModifier.ControlModifier:
            self.open_pressed.emit()
        elif modifiers == Qt.KeyboardModifier.ShiftModifier:
            self.textCursor().insertText("\n")
        elif modifiers == Qt.KeyboardModifier.NoModifier:
            self.ask_pressed.emit()
        else:
            super().keyPressEvent(event)


class FormattedAnswer(QScrollArea):
    """The answer formatted as the conversation shows it, as it is written and once it ended
    (its `MessageBrowser`, fed by the conversation's `MessageText`: only the renderer's own
    images, links reported and not followed), scrolling past ANSWER_HEIGHT."""

    def __init__(self, parent: QWidget, height: int) -> None:
        """`height`: the room it asks for while its answer is short (the plain answer's)."""
        super().__init__(parent)
        self._height = height
        self.setObjectName("quickFormatted")
        self.setWidgetResizable(True)
        self.setMaximumHeight(ANSWER_HEIGHT)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.browser = MessageBrowser()
        self.browser.setObjectName("quickFormattedText")
        self.browser.setAccessibleName(tr("Answer"))
        self.setWidget(self.browser)
        self.hide()

        self._following = False
        self.verticalScrollBar().rangeChanged.connect(self._follow)

    def sizeHint(self) -> QSize:
        """Room for an answer from its first words: the window is sized as a question goes,
        and does not grow with the answer (it scrolls)."""
        return QSize(super().sizeHint().width(), self._height)

    def follow(self, on: bool) -> None:
        """Keep the end of the answer in sight as it grows (while it is written)."""
        self._following = on
        if on:
            self._follow(0, self.verticalScrollBar().maximum())

    def _follow(self, _least: int, most: int) -> None:
        if self._following:
            self.verticalScrollBar().setValue(most)

    def text(self) -> str:
        return self.browser.toPlainText()


class QuickWindow(QFrame):
    """The window. `ask_requested(question)`, `stop_requested`, `open_requested` (Ctrl+Enter,
    Open in chatdesk) and `hidden` (Esc, or hidden otherwise) say what the user wants."""

    ask_requested = Signal(str)
    stop_requested = Signal()
    open_requested = Signal()
    hidden = Signal()
    painted = Signal()  # after each paint (the benchmark waits for the first)

    def __init__(self) -> None:
        flags = (
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        super().__init__(None, flags)
        self.setObjectName("quickWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        # macOS hides a tool window while its application is not the active one: this one is
        # opened over other programs.
        self.setAttribute(Qt.WidgetAttribute.WA_MacAlwaysShowToolWindow, True)
        self.setWindowTitle(tr("Quick ask — chatdesk"))
        self.setAccessibleName(tr("Quick ask"))
        self.setAccessibleDescription(
            tr(
                "Ask chatdesk one question. Enter asks, Alt+C adds the selected or copied "
                "text, Ctrl+Enter opens the chat in chatdesk, Esc hides this window."
            )
        )
        self._build()
        QShortcut(QKeySequence("Alt+C"), self, self.chip.toggle)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.hide)
        self._restyle()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        ThemeWatcher.of(app).changed.connect(self._restyle)

    def _build(self) -> None:
        column = QVBoxLayout(self)
        column.setContentsMargins(SPACE["l"], SPACE["m"], SPACE["l"], SPACE["l"])
        column.setSpacing(SPACE["s"])
        self.head = QHBoxLayout()
        self.head.setSpacing(SPACE["xs"])
        title = QLabel(tr("Ask chatdesk"), self)
        title.setObjectName("quickTitle")
        self.head.addWidget(title)
        self.head.addStretch(1)  # the pickers come here (`place_pickers`)
        column.addLayout(self.head)
        self.chip = ContextChip(self)
        column.addWidget(self.chip)
        self.question = QuestionField(self)
        self.question.setObjectName("quickQuestion")
        self.question.setAccessibleName(tr("Question"))
        self.question.setPlaceholderText(
            tr("Ask anything · Enter asks, Ctrl+Enter opens in chatdesk, Esc hides")
        )
        self.question.setTabChangesFocus(True)
        self.question.setFixedHeight(self.question.fontMetrics().lineSpacing() * 3 + SPACE["l"])
        self.question.ask_pressed.connect(self._ask)
        self.question.open_pressed.connect(self.open_requested)
        column.addWidget(self.question)
        self.asked_line = QLabel(self)
        self.asked_line.setObjectName("quickAsked")
        self.asked_line.setTextFormat(Qt.TextFormat.PlainText)
        self.asked_line.setMinimumWidth(1)
        self.asked_line.hide()
        column.addWidget(self.asked_line)
        self.answer = QPlainTextEdit(self)
        self.answer.setObjectName("quickAnswer")
        self.answer.setReadOnly(True)
        self.answer.setAccessibleName(tr("Answer"))
        self.answer.setTabChangesFocus(True)
        self.answer.setMaximumHeight(ANSWER_HEIGHT)
        self.answer.hide()
        column.addWidget(self.answer, 1)
        self.formatted = FormattedAnswer(self, self.answer.sizeHint().height())
        column.addWidget(self.formatted, 1)
        column.addLayout(self._actions())

    def _actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(SPACE["s"])
        self.status = QLabel(self)
        self.status.setObjectName("quickStatus")
        self.status.setWordWrap(True)
        row.addWidget(self.status, 1)
        look = current_look()
        # translators: stops the answer being written in the quick window
        self.stop = QPushButton(tr("Stop"), self)
        self.stop.setAccessibleName(tr("Stop the answer"))
        set_icon(self.stop, "stop", look)
        self.copy = QPushButton(tr("Copy answer"), self)
        set_icon(self.copy, "copy", look)
        self.open = QPushButton(tr("Open in chatdesk"), self)
        self.open.setObjectName("quickOpen")
        self.open.setToolTip(tr("Continue this chat in chatdesk's window (Ctrl+Enter)"))
        set_icon(self.open, "external", look, "on_accent")
        self.stop.clicked.connect(self.stop_requested)
        self.copy.clicked.connect(self.copy_answer)
        self.open.clicked.connect(self.open_requested)
        for button in (self.stop, self.copy, self.open):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            row.addWidget(button)
        self.show_state(streaming=False, answered=False)
        return row

    def place_pickers(self, *pickers: QWidget) -> None:
        """The assistant and model pills, in the head row after the title."""
        for picker in pickers:
            self.head.addWidget(picker)

    # -- what it shows ---------------------------------------------------------------------------

    def present(self, offered: str) -> None:
        """Show it over everything, on the screen with the pointer, the question focused and
        `offered` text on the chip (not added)."""
        if not self.isVisible():
            self.chip.offer(offered)
            self._place()
        self.show()
        self.raise_()
        self.activateWindow()
        self.question.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
        QAccessible.updateAccessibility(
            QAccessibleAnnouncementEvent(self, tr("Quick ask: type a question, Enter asks."))
        )

    def _place(self) -> None:
        pointer = QCursor.pos()
        screen = QGuiApplication.screenAt(pointer) or QGuiApplication.primaryScreen()
        room = screen.availableGeometry()
        width = min(WIDTH, room.width() - 2 * SPACE["xl"])
        self.setFixedWidth(width)
        self.adjustSize()
        left = room.left() + (room.width() - width) // 2
        top = room.top() + room.height() // 5
        self.move(QRect(QPoint(left, top), self.size()).topLeft())

    def clear(self) -> None:
        """A new question: nothing typed, no answer."""
        self.question.clear()
        self.answer.clear()
        self.answer.hide()
        self.formatted.hide()
        self.asked_line.hide()
        self.status.clear()
        self.show_state(streaming=False, answered=False)
        self.adjustSize()

    def asked(self, question: str, *, formats: bool) -> None:
        """The question went: it leaves the field for the line over the answer's place, where
        the answer comes formatted (`formats`) or as plain text."""
        self.question.clear()
        asked = isolated(shortened(question))  # its own direction: a "?" stays at its end
        # translators: over the answer in the quick window: the question it answers
        self.asked_line.setText(tr("You asked: {question}", question=asked))
        self.asked_line.show()
        self.answer.clear()
        self.formatted.browser.show_plain("")
        self.answer.setVisible(not formats)
        self.formatted.setVisible(formats)
        self.formatted.follow(True)
        self.chip.offer("")  # used, or left out on purpose: not offered again for this chat
        self.status.setText(tr("Writing…"))
        self.show_state(streaming=True, answered=False)
        self.adjustSize()

    def show_answer(self, text: str) -> None:
        """The answer so far (or whole) as plain text, kept scrolled to its end: what Copy
        takes, and what is shown when it is not formatted."""
        self.answer.setPlainText(text)
        bar = self.answer.verticalScrollBar()
        bar.setValue(bar.maximum())

    def show_state(self, *, streaming: bool, answered: bool, said: str = "") -> None:
        """Stop while an answer is written; Copy once there is one; `said` in the status."""
        self.stop.setVisible(streaming)
        self.copy.setVisible(answered)
        self.open.setEnabled(streaming or answered)
        if not streaming:
            self.status.setText(said)

    def finished(self, text: str, said: str) -> None:
        """The answer ended: all of it shown, `said` ("" when complete) announced."""
        self.show_answer(text)
        self.formatted.follow(False)  # the reader's place stays as its final form comes
        self.show_state(streaming=False, answered=bool(text), said=said)
        words = said or tr("The answer is written.")
        shown = self.formatted.browser if self.formatted.isVisible() else self.answer
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(shown, words))

    def failed(self, said: str) -> None:
        """The question was refused, or the answer failed: said, the question kept."""
        self.show_state(streaming=False, answered=bool(self.answer.toPlainText()), said=said)
        self.status.setProperty("state", "error")
        self.status.style().polish(self.status)

    def copy_answer(self) -> None:
        QGuiApplication.clipboard().setText(self.answer.toPlainText())
        # translators: said in the quick window once the answer is on the clipboard
        self.status.setText(tr("Copied."))

    # -- Qt --------------------------------------------------------------------------------------

    def _ask(self) -> None:
        text = self.question.toPlainText()
        if text.strip():
            self.status.setProperty("state", None)
            self.ask_requested.emit(text)

    def _restyle(self, _dark: bool = False) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.setStyleSheet(quick_sheet(current_look(), app.font().pointSizeF()))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Without a title bar, the window moves by dragging any empty part of it."""
        handle = self.windowHandle()
        if event.button() == Qt.MouseButton.LeftButton and handle is not None:
            handle.startSystemMove()
        super().mousePressEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.hidden.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted.emit()
