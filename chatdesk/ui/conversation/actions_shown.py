"""Which messages show their actions besides the one under the mouse (message.py): the one the
keyboard focus is in, and the conversation's last, always.

The focus is followed through the application's one `focusChanged` signal, not a filter on
every message's widgets; the last message is marked again whenever the view's widgets change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:  # loaded with the first message, after the window's first paint
    from chatdesk.ui.conversation.message import MessageWidget
    from chatdesk.ui.conversation.model import ConversationModel


class ActionsShown(QObject):
    def __init__(
        self,
        content: QWidget,
        widgets: Callable[[], list[MessageWidget]],
        model: ConversationModel,
        parent: QObject | None = None,
    ) -> None:
        """`content`: the widget the messages are laid out in; `widgets()`: the messages made,
        in order, of the rows of `model`."""
        super().__init__(parent)
        self._content, self._widgets, self._model = content, widgets, model
        self._last: MessageWidget | None = None
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_moved)

    def mark_last(self) -> None:
        """Show the last message's actions always: the last widget, once the model holds the
        thread's end (no newer page to read)."""
        widgets = self._widgets()
        last = widgets[-1] if widgets and not self._model.has_more_after else None
        if last is self._last:
            return
        if self._last is not None and self._last in widgets:
            self._last.set_last(False)
        self._last = last
        if last is not None:
            last.set_last(True)

    def _focus_moved(self, old: QWidget | None, new: QWidget | None) -> None:
        left, came = self._message_of(old), self._message_of(new)
        if left is not None and left is not came:
            left.show_focus(None)
        if came is not None:
            came.show_focus(new)

    def _message_of(self, widget: QWidget | None) -> MessageWidget | None:
        """The message `widget` is in, if it is in one of the view's."""
        while widget is not None and widget.parentWidget() is not self._content:
            widget = widget.parentWidget()
        widgets = self._widgets()
        return next((w for w in widgets if w is widget), None) if widget is not None else None
