"""Where the user writes: a growing plain-text editor, attachment chips, Attach/Send/Stop, model.

The composer never touches the filesystem or the service. It asks: `send_requested` with the
text and attachments (the window clears it with `clear_after_send()` once the message is
saved), `files_dropped` with local paths and `image_pasted` with pixels (the window has them
read off the GUI thread, shown meanwhile as a pending chip, and calls `settle`),
`stop_requested`, `model_changed`, `assistant_changed`, `tool_toggled` and, debounced,
`draft_changed`.

Its parts: the text field and its height (`editor.py`), the attachments' chips (`attachments.py`).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRegularExpression, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QIcon, QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.ui.composer.attachments import AttachmentStrip, Pending
from chatdesk.ui.composer.editor import ComposerEditor, EditorHeight
from chatdesk.ui.composer.slash import MAX_TYPED, SlashEntry, SlashMenu

if TYPE_CHECKING:  # the core's modules load after the first paint
    from chatdesk.core.chat.views import AttachmentInput
    from chatdesk.ui.attachments.thumbnails import Thumbnails

DRAFT_DELAY_MS = 500


class Composer(QWidget):
    """Where a message is written: the editor, its attachment chips, the model picker and the
    send/stop button. Past 30 methods because the slots of those children and Qt's key and
    drop overrides live here, a few lines each; what has substance is in editor.py and
    attachments.py."""

    send_requested = Signal(str, list)  # text, list[AttachmentInput]
    stop_requested = Signal()
    draft_changed = Signal()  # user edits, at most every DRAFT_DELAY_MS
    files_dropped = Signal(list)  # list[Path]: dropped, pasted or picked files to read
    image_pasted = Signal(QImage)  # an image pasted or dropped as pixels, not as a file
    pages_requested = Signal(object)  # a scanned PDF's AttachmentInput: add its pages as images
    model_changed = Signal(str)  # "provider/model"
    assistant_changed = Signal(str)  # an assistant's id (hex), or "" for none
    slash_taken = Signal(object)  # a SlashEntry chosen from the slash menu
    save_prompt_asked = Signal(str)  # "Save as prompt…" in the text field's context menu
    compare_toggled = Signal(bool)  # Compare switched on or off
    compare_model_toggled = Signal(str, bool)  # "provider/model", chosen or not for Compare
    tool_toggled = Signal(str, bool)  # a tool server's name, switched on or off for the chat
    knowledge_toggled = Signal(str, bool)  # a knowledge base's id (hex), on or off for the chat

    def __init__(self, parent: QWidget | None = None, *, enter_sends: bool = True) -> None:
        super().__init__(parent)
        self._attachments: list[AttachmentInput] = []
        self._pending: list[Pending] = []  # files being read, shown as chips
        self._streaming = False
        self._busy = False
        self._loading = False  # set while the text is changed by code, not by the user
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.draft_changed)
        self._build()
        self.setAcceptDrops(True)  # drops on the chips or buttons count as drops on the editor
        self.set_enter_sends(enter_sends)
        self._update_controls()

    # --- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self._strip = AttachmentStrip(self)
        self._strip.removed.connect(self._attachment_removed)
        self._strip.pages_requested.connect(self.pages_requested)
        self._editor = ComposerEditor(self)
        self._editor.setAccessibleName("Message")
        self._editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._editor.send_pressed.connect(self._send)
        self._editor.large_text_given.connect(self._add_pasted_text)
        self._editor.files_given.connect(self.files_dropped)
        self._editor.image_given.connect(self.image_pasted)
        self._editor.save_prompt_asked.connect(self.save_prompt_asked)
        self._editor.textChanged.connect(self._text_changed)
        self.editor_height = EditorHeight(self._editor, self)
        self.slash = SlashMenu(self)
        self._editor.key_hook = self.slash.handle_key
        self.slash.chosen.connect(self._slash_chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addStretch(1)  # spare height goes above, so the composer sits at the bottom
        layout.addWidget(self.slash)
        layout.addWidget(self._strip)
        layout.addWidget(self._editor)
        layout.addLayout(self._build_buttons())
        self._update_tab_order()

    def _build_buttons(self) -> QHBoxLayout:
        self._attach = QPushButton("Attach file…", self)
        self._attach.setObjectName("attachButton")
        self._attach.setAccessibleDescription("Choose text files to send with the message")
        self._attach.setToolTip("Attach text files (you can also drop or paste them here)")
        self._attach.clicked.connect(self._choose_files)
        self._assistants = QComboBox(self)
        self._assistants.setObjectName("assistantPicker")
        self._assistants.setAccessibleName("Assistant")
        self._assistants.setToolTip("Who answers in this chat: an assistant's prompt and model")
        self._assistants.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._assistants.activated.connect(self._assistant_chosen)
        self._assistants.hide()  # shown once there are assistants (set_assistants)
        self._models = QComboBox(self)
        self._models.setObjectName("modelPicker")
        self._models.setAccessibleName("Model")
        self._models.setToolTip("Model that writes the next answer")
        self._models.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._models.activated.connect(self._model_chosen)
        self._tools = QToolButton(self)
        self._tools.setObjectName("toolsButton")
        self._tools.setText("Tools")
        self._tools.setAccessibleName("Tools for this chat")
        self._tools.setToolTip("Switch tool servers on or off for this chat")
        self._tools.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._tools.setMenu(QMenu(self._tools))
        self._tools.hide()  # shown once there are tools to offer (set_tools)
        self._knowledge = QToolButton(self)
        self._knowledge.setObjectName("knowledgeButton")
        self._knowledge.setAccessibleName("Knowledge bases for this chat")
        self._knowledge.setToolTip("Answer from your knowledge bases, citing their passages")
        self._knowledge.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._knowledge.setMenu(QMenu(self._knowledge))
        self._knowledge.hide()  # shown once there are knowledge bases (set_knowledge)
        self._compare = QToolButton(self)
        self._compare.setObjectName("compareButton")
        self._compare.setText("Compare")
        self._compare.setCheckable(True)
        self._compare.setAccessibleName("Compare models")
        self._compare.setToolTip(
            "Send the next message to two to four models at once (choose them from the arrow)"
        )
        self._compare.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self._compare.setMenu(QMenu(self._compare))
        self._compare.toggled.connect(self.compare_toggled)
        self._compare.hide()  # shown once two models or more are offered (set_compare)
        self._cost = QLabel(self)
        self._cost.setObjectName("sendCost")
        self._cost.hide()  # shown before a costly send (show_send_cost)
        self._send_button = QPushButton("Send", self)
        self._send_button.setObjectName("sendButton")
        self._send_button.setProperty("primary", True)
        self._send_button.clicked.connect(self._send)
        self._stop = QPushButton("Stop", self)
        self._stop.setObjectName("stopButton")
        self._stop.setToolTip("Stop the answer (Esc)")
        self._stop.setAccessibleDescription("Stop the answer being written; its text is kept")
        self._stop.clicked.connect(self.stop_requested)
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self._attach)
        row.addWidget(self._assistants)
        row.addWidget(self._models)
        row.addWidget(self._tools)
        row.addWidget(self._knowledge)
        row.addWidget(self._compare)
        row.addStretch(1)
        row.addWidget(self._cost)
        row.addWidget(self._stop)
        row.addWidget(self._send_button)
        return row

    def _update_tab_order(self) -> None:
        chain = [
            self._editor,
            *(chip.remove_button for chip in self._strip.chips),
            self._attach,
            self._assistants,
            self._models,
            self._tools,
            self._knowledge,
            self._compare,
            self._send_button,
            self._stop,
        ]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    # --- public API -----------------------------------------------------------------------

    @property
    def editor(self) -> QPlainTextEdit:
        return self._editor

    def text(self) -> str:
        return self._editor.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the text (not a user edit: no draft_changed)."""
        self._loading = True
        try:
            self._editor.setPlainText(text)
        finally:
            self._loading = False
        self._editor.moveCursor(self._editor.textCursor().MoveOperation.End)
        self._update_controls()

    def attachments(self) -> list[AttachmentInput]:
        return list(self._attachments)

    def add_attachment(self, attachment: AttachmentInput) -> None:
        self._attachments.append(attachment)
        self._strip.add(attachment)
        self._update_tab_order()
        self._user_changed()

    def add_pending(self, name: str) -> Pending:
        """A chip for a file being read; `settle` it with what it became (or None)."""
        item = Pending(name)
        self._pending.append(item)
        self._strip.add(item)
        self._update_tab_order()
        self._update_controls()  # nothing is sent while a file is being read
        return item

    def settle(self, item: Pending, attachment: AttachmentInput | None) -> bool:
        """Replace the chip of a file that was being read with what it became (None: it was
        not attached). False when the chip is gone: the draft was replaced meanwhile (another
        thread shown), and the attachment is the caller's to keep."""
        if item not in self._pending:
            return False
        self._pending.remove(item)
        if attachment is not None and self._strip.replace(item, attachment):
            # In the order of the chips: the order they were given, not the order they were read.
            self._attachments = [
                chip.attachment for chip in self._strip.chips
                if not isinstance(chip.attachment, Pending)
            ]  # fmt: skip
            self._user_changed()
        else:
            self._strip.drop(item)
            self._update_controls()
        self._update_tab_order()
        return True

    @property
    def thumbnails(self) -> Thumbnails | None:
        return self._strip.thumbnails

    @thumbnails.setter
    def thumbnails(self, thumbnails: Thumbnails) -> None:
        self._strip.thumbnails = thumbnails

    def set_draft(self, text: str, attachments: list[AttachmentInput]) -> None:
        """Show a saved draft (switching threads). A pending draft_changed is dropped, so call
        `flush_draft()` first while the old thread is still current."""
        self._draft_timer.stop()
        self._attachments = list(attachments)
        self._pending = []
        self._strip.clear()
        for attachment in attachments:
            self._strip.add(attachment)
        self._update_tab_order()
        self.set_text(text)

    def flush_draft(self) -> None:
        """Emit a pending draft_changed now instead of after the delay."""
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self.draft_changed.emit()

    def clear_after_send(self) -> None:
        self.set_draft("", [])

    def set_streaming(self, streaming: bool) -> None:
        self._streaming = streaming
        self._update_controls()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_controls()

    def set_enter_sends(self, enter_sends: bool) -> None:
        self._editor.enter_sends = enter_sends
        keys = "Enter" if enter_sends else "Ctrl+Enter"
        newline = "Shift+Enter" if enter_sends else "Enter"
        self._editor.setPlaceholderText(f"Message · {keys} sends, {newline} starts a new line")
        self._editor.setAccessibleDescription(
            f"Type a message. {keys} sends it, {newline} starts a new line."
        )
        self._send_button.setToolTip(f"Send the message ({keys})")

    def set_models(self, models: list[tuple[str, str]], current: str) -> None:
        """Offer `(key, label)` models; `current` is shown even when it is not offered."""
        self._models.clear()
        for key, label in models:
            self._models.addItem(label, key)
        if current and self._models.findData(current) < 0:
            self._models.addItem(current, current)
        self._models.setCurrentIndex(max(self._models.findData(current), 0))

    def set_assistants(self, assistants: list[tuple[str, str, QIcon]], current: str) -> None:
        """Offer `(key, name, badge)` assistants after "No assistant" (key ""), `current`
        chosen."""
        self._assistants.clear()
        blank = QPixmap(self._assistants.iconSize())
        blank.fill(Qt.GlobalColor.transparent)  # its name lines up with the badged ones
        self._assistants.addItem(QIcon(blank), "No assistant", "")
        for key, label, badge in assistants:
            self._assistants.addItem(badge, label, key)
        self._assistants.setCurrentIndex(max(self._assistants.findData(current), 0))
        self._assistants.setVisible(bool(assistants))

    def set_compare(self, models: list[tuple[str, str]], chosen: list[str], on: bool) -> None:
        """Offer `(key, label)` models for Compare, those in `chosen` ticked; `on`: it is."""
        _fill_ticks(self._compare.menu(), models, set(chosen), self.compare_model_toggled)
        self._compare.blockSignals(True)  # set here, not by the user
        self._compare.setChecked(on)
        self._compare.blockSignals(False)
        count = len(chosen)
        self._compare.setText(f"Compare · {count}" if on else "Compare")
        self._compare.setAccessibleDescription(
            f"On: the next message goes to {count} models" if on else "Off"
        )
        self._compare.setVisible(len(models) > 1)

    def show_send_cost(self, said: str, why: str = "") -> None:
        """What sending would cost ("≈ $0.42 to send"), or nothing ("")."""
        self._cost.setText(said)
        self._cost.setToolTip(why)
        self._cost.setAccessibleName(f"Sending costs {said}" if said else "")
        self._cost.setVisible(bool(said))

    def open_compare(self) -> None:
        """Open the list of models to compare."""
        self._compare.setFocus(Qt.FocusReason.OtherFocusReason)
        below = self._compare.mapToGlobal(self._compare.rect().bottomLeft())
        self._compare.menu().popup(below)  # not showMenu(): no nested event loop

    def set_tools(self, servers: list[tuple[str, str]], on: set[str]) -> None:
        """Offer `(name, label)` tool servers, those in `on` ticked; none: no Tools button."""
        _fill_ticks(self._tools.menu(), servers, on, self.tool_toggled)
        count = len(on & {name for name, _ in servers})
        self._tools.setText(f"Tools · {count}" if count else "Tools")
        self._tools.setAccessibleDescription(f"{count} tool servers on for this chat")
        self._tools.setVisible(bool(servers))

    def set_knowledge(self, bases: list[tuple[str, str]], on: set[str]) -> None:
        """Offer `(id hex, name)` knowledge bases, those in `on` ticked; none: no button."""
        _fill_ticks(self._knowledge.menu(), bases, on, self.knowledge_toggled)
        count = len(on & {key for key, _ in bases})
        self._knowledge.setText(f"Knowledge · {count}" if count else "Knowledge")
        self._knowledge.setAccessibleDescription(f"{count} knowledge bases on for this chat")
        self._knowledge.setVisible(bool(bases))

    def open_models(self) -> None:
        """Open the model list, to choose the model of the next answer."""
        self._models.setFocus(Qt.FocusReason.OtherFocusReason)
        self._models.showPopup()

    def focus_editor(self) -> None:
        self._editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- behaviour ------------------------------------------------------------------------

    def can_send(self) -> bool:
        if self._streaming or self._busy or self._pending:
            return False
        return bool(self._attachments) or self._has_visible_text()

    def _has_visible_text(self) -> bool:
        # Stops at the first non-space character instead of copying the whole text.
        found = self._editor.document().find(QRegularExpression(r"\S"))
        return not found.isNull()

    def _send(self) -> None:
        if self.can_send():
            self.send_requested.emit(self.text(), self.attachments())

    def _update_controls(self) -> None:
        self._send_button.setEnabled(self.can_send())
        self._stop.setEnabled(self._streaming)

    def _text_changed(self) -> None:
        self.slash.follow(
            self._editor.toPlainText()
            if self._editor.document().characterCount() <= MAX_TYPED + 1
            else ""
        )
        if self._loading:
            self._update_controls()
        else:
            self._user_changed()

    def _user_changed(self) -> None:
        self._update_controls()
        self._draft_timer.start()

    def _add_pasted_text(self, text: str) -> None:
        from chatdesk.core.chat.views import AttachmentInput

        self.add_attachment(AttachmentInput("Pasted text", text, kind="paste"))

    def _attachment_removed(self, attachment: AttachmentInput | Pending) -> None:
        self._attachments = [a for a in self._attachments if a is not attachment]
        self._pending = [p for p in self._pending if p is not attachment]
        self._update_tab_order()
        self._user_changed()
        self.focus_editor()  # the ✕ that had focus is gone

    def _assistant_chosen(self, index: int) -> None:
        key = self._assistants.itemData(index)
        if isinstance(key, str):
            self.assistant_changed.emit(key)

    def _slash_chosen(self, entry: SlashEntry) -> None:
        self.slash.hide()
        self.start_with("")  # the "/…" typed to find it goes
        self.slash_taken.emit(entry)

    def start_with(self, text: str) -> None:
        """Put `text` in the editor to finish (as if typed: the draft keeps it)."""
        self._editor.setPlainText(text)  # a user edit: the draft keeps it
        self._editor.moveCursor(self._editor.textCursor().MoveOperation.End)
        self.focus_editor()

    def _model_chosen(self, index: int) -> None:
        key = self._models.itemData(index)
        if isinstance(key, str):
            self.model_changed.emit(key)

    def _choose_files(self) -> None:
        # open(), not exec(): no nested event loop under qasync.
        dialog = QFileDialog(self, "Attach files")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(
            lambda names: self.files_dropped.emit([Path(n) for n in names])
        )
        dialog.open()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Esc reaches here from the editor and the buttons, which do not use it.
        if event.key() == Qt.Key.Key_Escape and self._streaming:
            self.stop_requested.emit()
        else:
            super().keyPressEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._editor.canInsertFromMimeData(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self._editor.insertFromMimeData(event.mimeData())
        event.acceptProposedAction()


def _fill_ticks(
    menu: QMenu, entries: list[tuple[str, str]], ticked: set[str], toggled: SignalInstance
) -> None:
    """`(key, label)` entries as ticks of `menu`, those in `ticked` ticked; a tick the user
    sets emits `toggled(key, ticked)`. The entries are made anew only when they changed (never
    while one of them is emitting)."""
    if [a.data() for a in menu.actions()] != [key for key, _ in entries]:
        menu.clear()
        for key, label in entries:
            action = menu.addAction(label)
            action.setData(key)
            action.setCheckable(True)
            action.toggled.connect(lambda on, k=key: toggled.emit(k, on))
    for action in menu.actions():
        action.blockSignals(True)  # ticks set here are not the user's
        action.setChecked(action.data() in ticked)
        action.blockSignals(False)
