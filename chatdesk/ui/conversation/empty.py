"""What a new chat shows before its first message: an invitation with example prompts that send
at once, or, when an assistant will answer, who it is (its badge, name and description) and its
example prompts, which go to the composer to be finished (many end where the user's text
begins: "Translate into French: ")."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from chatdesk.core.i18n import mark, tr
from chatdesk.ui.theme import ThemeWatcher, current_look
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.theme.scale import ICON

EXAMPLE_PROMPTS = (  # shown in the user's language, and sent as shown
    mark("Explain how a hash table works, with a small Python example"),
    mark("Write a table comparing SQLite, PostgreSQL and DuckDB"),
    mark("Prove that the square root of 2 is irrational"),
    mark("Give me a checklist for a calm Monday morning"),
)
_SHOWN_CHARS = 70


class EmptyState(QWidget):
    prompt_chosen = Signal(str)  # a general example: send it
    prompt_started = Signal(str)  # an assistant's example: put it in the composer

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.addStretch(1)
        self.emblem = QLabel()  # an assistant's badge
        self.emblem.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.emblem.hide()
        self.title = QLabel()
        self.title.setObjectName("emptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel()
        self.hint.setObjectName("emptyHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self._layout.addWidget(self.emblem)
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.hint)
        self._layout.addStretch(2)
        self.buttons: list[QPushButton] = []
        self.assistant: str | None = None  # whose examples are shown; None: the general ones
        self._painted = False  # the first paint waits for no icon (its SVG plugin loads later)
        self.installEventFilter(self)
        self.show_general()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            self.removeEventFilter(self)
            ThemeWatcher.of(_app()).changed.connect(self._draw_picture)
            QTimer.singleShot(0, self, self._draw_picture)
        return False

    def _draw_picture(self) -> None:
        """The general invitation's picture: the chat icon in the accent colour."""
        if self.assistant is not None:
            return
        if not self._painted:
            self.emblem.hide()
            return
        from chatdesk.ui.theme.icons import picture

        accent = colours(current_look())["accent"]
        self.emblem.setPixmap(picture("chat", accent, ICON["l"], self.devicePixelRatioF()))
        self.emblem.show()

    def show_general(self) -> None:
        """The invitation and the general examples, which send at once."""
        self.assistant = None
        self._draw_picture()
        self.title.setText(tr("What shall we talk about?"))
        self.hint.setText(tr("Type below, or start with one of these:"))
        prompts = tuple(tr(prompt) for prompt in EXAMPLE_PROMPTS)
        self._fill(prompts, tr("Sends this prompt as a new chat"), self.prompt_chosen.emit)

    def show_assistant(
        self, name: str, description: str | None, examples: tuple[str, ...], emblem: QPixmap
    ) -> None:
        """Who will answer (its badge, name and description), and its examples, which go to
        the composer to finish."""
        self.assistant = name
        self.emblem.setPixmap(emblem)
        self.emblem.show()
        self.title.setText(name)
        hint = description or ""
        if examples:
            hint += ("\n" if hint else "") + tr("Type below, or begin with one of these:")
        self.hint.setText(hint)
        purpose = tr("Puts this prompt in the message box to finish")
        self._fill(examples, purpose, self.prompt_started.emit)

    def _fill(self, prompts: tuple[str, ...], purpose: str, emit: Callable[[str], object]) -> None:
        for button in self.buttons:
            self._layout.removeWidget(button)
            button.deleteLater()
        self.buttons = []
        for index, prompt in enumerate(prompts):
            shown = " ".join(prompt.split())
            if len(shown) > _SHOWN_CHARS:
                shown = shown[: _SHOWN_CHARS - 1].rstrip() + "…"
            button = QPushButton(shown)
            button.setObjectName("examplePrompt")
            button.setAccessibleName(tr("Example prompt: {prompt}", prompt=shown))
            button.setAccessibleDescription(purpose)
            if shown != prompt:
                button.setToolTip(prompt)
            button.clicked.connect(lambda _=False, p=prompt: emit(p))
            self._layout.insertWidget(4 + index, button, 0, Qt.AlignmentFlag.AlignHCenter)
            self.buttons.append(button)


def _app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app
