"""Where the user writes: one rounded card holding the attachments' chips, a growing plain-text
editor and a row of controls: "+" and its menu (attach, who answers, tools, Web, Research,
knowledge, Compare, memory, the voice conversation), chips of what is on, and at the far side
the model of the next answer and one round button that sends or stops.

The composer never touches the filesystem or the service. It asks: `send_requested` with the
text and attachments (the window clears it with `clear_after_send()` once the message is
saved), `files_dropped` with local paths and `image_pasted` with pixels (the window has them
read off the GUI thread, shown meanwhile as a pending chip, and calls `settle`),
`stop_requested`, `model_changed`, `assistant_changed`, `tool_toggled` and, debounced,
`draft_changed`.

It is one widget, placed wherever the window puts it (under the conversation, or centred in a
new chat). Its parts: the card (`box.py`) and its drop zone (`drop_zone.py`), the text field
and its height (`editor.py`), the row of controls (`buttons.py`), the choices it holds and the
"+" menu and chips that show them (`choices.py`, `plus_menu.py`, `chips.py`, the Web and
Memory switches), the attachments' chips (`attachments.py`), the slash menu (`slash.py`) and
the model picker (`model_picker.py`). The "+" menu, the chips, the attachments' strip, the
slash menu, the picker's menu and the drop zone are made when first needed (opened, something
switched on, a file added, saved prompts offered, a drag), and the buttons' icons are drawn on
the turns after the first paint: the window's first paint does without them and their modules
(decision 0009, 0093).
"""

from __future__ import annotations

import functools
import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImage
from PySide6.QtWidgets import QPlainTextEdit, QSizePolicy, QVBoxLayout, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.column import ColumnMargins
from chatdesk.ui.composer.box import ComposerBox
from chatdesk.ui.composer.buttons import ComposerRow
from chatdesk.ui.composer.choices import ComposerChoices
from chatdesk.ui.composer.editor import ComposerEditor, EditorHeight, carries_files
from chatdesk.ui.composer.files_dialog import choose_files
from chatdesk.ui.composer.model_picker import ModelPicker
from chatdesk.ui.composer.pending import Pending
from chatdesk.ui.composer.rounded import paint_ground
from chatdesk.ui.theme.scale import SPACE

if TYPE_CHECKING:  # the core's modules load after the first paint, the strip and menu on use
    from collections.abc import Callable, Iterator

    from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent, QKeyEvent, QPaintEvent

    from chatdesk.core.views import AttachmentInput
    from chatdesk.ui.attachments.thumbnails import Thumbnails
    from chatdesk.ui.composer.attachments import AttachmentStrip
    from chatdesk.ui.composer.memory_switch import MemorySwitch
    from chatdesk.ui.composer.model_menu import ModelMenu
    from chatdesk.ui.composer.plus_menu import PlusMenu
    from chatdesk.ui.composer.slash import SlashEntry, SlashMenu
    from chatdesk.ui.composer.web_switch import WebSwitch

DRAFT_DELAY_MS = 500


class Composer(QWidget):
    """Where a message is written: the editor, its attachment chips, the "+" menu and the chips
    of what is on, the model picker and the send/stop button. Past 30 methods because the
    slots of those children and Qt's key and drop overrides live here, a few lines each; what
    has substance is in editor.py, buttons.py, choices.py and attachments.py."""

    send_requested = Signal(str, list)  # text, list[AttachmentInput]
    stop_requested = Signal()
    draft_changed = Signal()  # user edits, at most every DRAFT_DELAY_MS
    files_dropped = Signal(list)  # list[Path]: dropped, pasted or picked files to read
    image_pasted = Signal(QImage)  # an image pasted or dropped as pixels, not as a file
    pages_requested = Signal(object)  # a scanned PDF's AttachmentInput: add its pages as images
    model_changed = Signal(str)  # "provider/model"
    models_opened = Signal()  # the model picker opens
    assistant_changed = Signal(str)  # an assistant's id (hex), or "" for none
    slash_taken = Signal(object)  # a SlashEntry chosen from the slash menu
    save_prompt_asked = Signal(str)  # "Save as prompt…" in the text field's context menu
    compare_toggled = Signal(bool)  # Compare switched on or off
    compare_model_toggled = Signal(str, bool)  # "provider/model", chosen or not for Compare
    tool_toggled = Signal(str, bool)  # a tool server's name, switched on or off for the chat
    knowledge_toggled = Signal(str, bool)  # a knowledge base's id (hex), on or off for the chat
    resources_asked = Signal()  # "Resource from a server…" was chosen in the "+" menu

    def __init__(self, parent: QWidget | None = None, *, enter_sends: bool = True) -> None:
        super().__init__(parent)
        self._attachments: list[AttachmentInput] = []
        self._pending: list[Pending] = []  # files being read, shown as chips
        self._streaming = False
        self._busy = False
        self._loading = False  # set while the text is changed by code, not by the user
        self._chips: AttachmentStrip | None = None  # made with the first chip
        self._before_send: list[QWidget] = []  # what add_before_send put there, for Tab
        self._slash: SlashMenu | None = None  # made when first asked for (`slash`)
        self._thumbnails: Thumbnails | None = None  # given once the core is open
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.draft_changed)
        self._build()
        self.setAcceptDrops(True)  # drops on the chips or buttons count as drops on the editor
        self._box.after_first_paint(self._draw_icons)
        self.set_enter_sends(enter_sends)
        self._update_controls()

    # --- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(SPACE["m"], SPACE["s"], SPACE["m"], SPACE["m"])
        self._layout.setSpacing(SPACE["xs"])
        # As wide as the conversation's column, under it (ui.column_width, `column.set_measure`).
        self.column = ColumnMargins(self, self._layout)
        self._layout.addStretch(1)  # spare height goes above, so the composer sits at the bottom
        # The slash menu comes here, above the box, when made.
        self._box = ComposerBox(self)
        self._layout.addWidget(self._box)
        self._editor = ComposerEditor(self._box)
        # translators: the name of the text field where the user writes a message
        self._editor.setAccessibleName(tr("Message"))
        self._editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._editor.send_pressed.connect(self._send)
        self._editor.large_text_given.connect(self._add_pasted_text)
        self._editor.files_given.connect(self.files_dropped)
        self._editor.image_given.connect(self.image_pasted)
        self._editor.save_prompt_asked.connect(self.save_prompt_asked)
        self._editor.textChanged.connect(self._text_changed)
        self._editor.files_dragged.connect(self._box.show_drop_zone)
        self.editor_height = EditorHeight(self._editor, self)
        # The slash menu, once there is one, sees the keys first (arrows, Enter, Esc).
        self._editor.key_hook = lambda key: self._slash is not None and self._slash.handle_key(key)
        # The chips' strip comes first in the box, above the editor, when made.
        self._box.column.addWidget(self._editor)
        self._row = ComposerRow(self._box)
        self._box.column.addLayout(self._row.row)
        # Files…: the keys go back to the message after the file dialog.
        files = functools.partial(choose_files, self, self.files_dropped.emit, self.focus_editor)
        self._choices = ComposerChoices(self, self._row, self._box.column, files)
        self._row.plus.clicked.connect(self._choices.open_menu)
        self._models = ModelPicker(self._row, self.model_changed.emit, self.models_opened.emit)
        self._row.models.clicked.connect(self.open_models)
        self._row.send.clicked.connect(self._send_or_stop)
        self.update_tab_order()

    def _draw_icons(self) -> None:
        """The buttons' icons, one a turn of the loop (the first loads Qt's SVG plugin)."""
        self._next_icon(self._row.draw_icons())

    def _next_icon(self, icons: Iterator[QWidget]) -> None:
        if next(icons, None) is not None:
            QTimer.singleShot(0, self, lambda: self._next_icon(icons))

    @property
    def slash(self) -> SlashMenu:
        """The slash menu (hidden until "/" is typed with entries to offer); made now if it
        was not yet."""
        if self._slash is None:
            from chatdesk.ui.composer.slash import SlashMenu

            self._slash = SlashMenu(self)
            self._slash.chosen.connect(self._slash_chosen)
            self._layout.insertWidget(1, self._slash)  # first above the editor and the chips
        return self._slash

    @property
    def _strip(self) -> AttachmentStrip:
        """The chips (hidden while there are none); made now if it was not yet."""
        if self._chips is None:
            from chatdesk.ui.composer.attachments import AttachmentStrip

            self._chips = AttachmentStrip(self._box)
            self._chips.thumbnails = self._thumbnails
            self._chips.removed.connect(self._attachment_removed)
            self._chips.pages_requested.connect(self.pages_requested)
            self._box.column.insertWidget(0, self._chips)
        return self._chips

    def update_tab_order(self) -> None:
        """Tab's way through the composer (`tab_chain`), again: a chip came or went."""
        for before, after in itertools.pairwise(self.tab_chain()):
            QWidget.setTabOrder(before, after)

    # --- public API -----------------------------------------------------------------------

    def needed_width(self) -> int:
        """The narrowest the composer can be with each control of its row whole."""
        inner, outer = self._box.column.contentsMargins(), self._box.contentsMargins()
        sides = inner.left() + inner.right() + outer.left() + outer.right() + 2 * SPACE["m"]
        chips = self._row.chips_slot.minimumSizeHint().width()  # the widest, on a line of its own
        return max(self._row.row.minimumSize().width(), chips) + sides

    def tab_chain(self) -> list[QWidget]:
        """Where Tab goes in the composer, in order: the editor, each attachment's ✕, "+", the
        chips of what is on, the model, what the window added (the microphone), the send (or
        stop) button last."""
        chips = self._chips.chips if self._chips is not None else []
        removes = [chip.remove_button for chip in chips]
        row = self._row
        switched = self._choices.focusables()
        return [
            self._editor,
            *removes,
            row.plus,
            *switched,
            row.models,
            *self._before_send,
            row.send,
        ]

    @property
    def web(self) -> WebSwitch:  # made when first asked for (`ComposerChoices.web_switch`)
        return self._choices.web_switch()

    @property
    def memory(self) -> MemorySwitch:  # made when first asked for
        return self._choices.memory_switch()

    @property
    def plus_menu(self) -> PlusMenu:
        """The "+" menu; made now if it was not yet."""
        return self._choices.menu

    def open_plus(self) -> None:
        """Open the "+" menu under its button."""
        self._choices.open_menu()

    @property
    def editor(self) -> QPlainTextEdit:
        return self._editor

    def add_before_send(self, widget: QWidget, focus: QWidget) -> None:
        """`widget` in the row of controls just before Send; its `focus` before Send's in Tab's."""
        self._row.add_before_send(widget)
        self._before_send.append(focus)
        self.update_tab_order()

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
        self.update_tab_order()
        self._user_changed()

    def add_pending(self, name: str) -> Pending:
        """A chip for a file being read; `settle` it with what it became (or None)."""
        item = Pending(name)
        self._pending.append(item)
        self._strip.add(item)
        self.update_tab_order()
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
                chip.attachment
                for chip in self._strip.chips
                if not isinstance(chip.attachment, Pending)
            ]
            self._user_changed()
        else:
            self._strip.drop(item)
            self._update_controls()
        self.update_tab_order()
        return True

    @property
    def thumbnails(self) -> Thumbnails | None:
        return self._thumbnails

    @thumbnails.setter
    def thumbnails(self, thumbnails: Thumbnails) -> None:
        self._thumbnails = thumbnails
        if self._chips is not None:
            self._chips.thumbnails = thumbnails

    def set_draft(self, text: str, attachments: list[AttachmentInput]) -> None:
        """Show a saved draft (switching threads). A pending draft_changed is dropped, so call
        `flush_draft()` first while the old thread is still current."""
        self._draft_timer.stop()
        self._attachments = list(attachments)
        self._pending = []
        if self._chips is not None:
            self._chips.clear()
        for attachment in attachments:
            self._strip.add(attachment)
        self.update_tab_order()
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
        self._row.set_keys(self._editor.set_enter_sends(enter_sends))

    def set_models(
        self,
        models: list[tuple[str, str]],
        current: str,
        marks: dict[str, str] | None = None,
        recent: list[str] | None = None,
    ) -> None:
        """Offer `(key, label)` models; `current` is shown even when it is not offered.
        `marks`: what is known of each ("images · 8k tokens"), by key; `recent`: the keys
        used last, listed first."""
        self._models.show_models(models, current, marks, recent)

    def set_recent_models(self, keys: list[str]) -> None:
        """The models used last ("provider/model"), listed first in the picker."""
        self.set_models(self._row.model_entries, self._row.model_key, recent=keys)

    @property
    def model_menu(self) -> ModelMenu:
        """The model picker's menu (a search field over the models); made now if not yet."""
        return self._models.menu

    def set_assistants(self, assistants: list[tuple[str, str, QIcon]], current: str) -> None:
        """Offer `(key, name, badge)` assistants after "No assistant" (key ""), `current`
        chosen."""
        self._choices.show_assistants(assistants, current)

    def set_compare(self, models: list[tuple[str, str]], chosen: list[str], on: bool) -> None:
        """Offer `(key, label)` models for Compare, those in `chosen` ticked; `on`: it is."""
        self._choices.show_compare(models, chosen, on)

    def show_send_cost(self, said: str, why: str = "") -> None:
        """What sending would cost ("≈ $0.42 to send"), or nothing ("")."""
        self._row.show_cost(said, why)

    def open_compare(self) -> None:
        """Open the list of models to compare."""
        self._choices.open_choices("compare")

    def set_tools(self, servers: list[tuple[str, str]], on: set[str]) -> None:
        """Offer `(name, label)` tool servers, those in `on` ticked; none: no Tools entry."""
        self._choices.show_tools(servers, on)

    def set_knowledge(self, bases: list[tuple[str, str]], on: set[str]) -> None:
        """Offer `(id hex, name)` knowledge bases, those in `on` ticked; none: no entry."""
        self._choices.show_knowledge(bases, on)

    def offer_voice_conversation(self, toggle: Callable[[], object], keys: str) -> None:
        """The "+" menu's Voice conversation calls `toggle`; `keys` start it from anywhere."""
        self._choices.offer_talk(toggle, keys)

    def show_talking(self, talking: bool) -> None:
        """A voice conversation runs: its entry ends it."""
        self._choices.show_talking(talking)

    def open_models(self) -> None:
        """Open the model picker, to choose the model of the next answer."""
        self._models.open()

    def focus_editor(self) -> None:
        self._editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def refuse_files(self, reason: str) -> None:
        """Attach nothing (a file, a picture) and say `reason` ("": attach again)."""
        self._choices.refuse_files(reason)
        self._editor.files_refused = reason

    # --- behaviour ------------------------------------------------------------------------

    def can_send(self) -> bool:
        if self._streaming or self._busy or self._pending:
            return False
        return bool(self._attachments) or self._editor.has_visible_text()

    def _send(self) -> None:
        if self.can_send():
            self.send_requested.emit(self.text(), self.attachments())

    def _send_or_stop(self) -> None:
        if self._streaming:
            self.stop_requested.emit()
        else:
            self._send()

    def _update_controls(self) -> None:
        streaming = self._streaming
        usable = streaming or self.can_send()
        if not usable and self._row.send.hasFocus():
            self.focus_editor()  # sent or stopped: the next message, not Qt's next widget
        self._row.show_sending(stopping=streaming, enabled=usable)

    def _text_changed(self) -> None:
        if self._slash is not None:  # without one there is nothing to offer yet
            from chatdesk.ui.composer.slash import MAX_TYPED

            document = self._editor.document()
            typed = document.characterCount() <= MAX_TYPED + 1
            self._slash.follow(self._editor.toPlainText() if typed else "")
        if self._loading:
            self._update_controls()
        else:
            self._user_changed()

    def _user_changed(self) -> None:
        self._update_controls()
        self._draft_timer.start()

    def _add_pasted_text(self, text: str) -> None:
        from chatdesk.core.kinds import AttachmentKind
        from chatdesk.core.views import AttachmentInput

        # translators: the name of a long text pasted into the message box, sent as an attachment
        self.add_attachment(AttachmentInput(tr("Pasted text"), text, kind=AttachmentKind.PASTE))

    def _attachment_removed(self, attachment: AttachmentInput | Pending) -> None:
        self._attachments = [a for a in self._attachments if a is not attachment]
        self._pending = [p for p in self._pending if p is not attachment]
        self.update_tab_order()
        self._user_changed()
        self.focus_editor()  # the ✕ that had focus is gone

    def _slash_chosen(self, entry: SlashEntry) -> None:
        self.slash.hide()
        self.start_with("")  # the "/…" typed to find it goes
        self.slash_taken.emit(entry)

    def start_with(self, text: str) -> None:
        """Put `text` in the editor to finish (as if typed: the draft keeps it)."""
        self._editor.setPlainText(text)  # a user edit: the draft keeps it
        self._editor.moveCursor(self._editor.textCursor().MoveOperation.End)
        self.focus_editor()

    def paintEvent(self, event: QPaintEvent) -> None:
        # The card floats on the conversation's ground, wherever the window puts the composer
        # (painted: a palette's role would have PySide6 make QPalette's enums before the
        # first paint).
        paint_ground(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Esc reaches here from the editor and the buttons, which do not use it.
        if event.key() == Qt.Key.Key_Escape and self._streaming:
            self.stop_requested.emit()
        else:
            super().keyPressEvent(event)

    # Drags over the text field are its own (text lands where it is let go); it shows the
    # drop zone for files too (`files_dragged`).
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._editor.canInsertFromMimeData(event.mimeData()):
            event.acceptProposedAction()
            self._box.show_drop_zone(carries_files(event.mimeData()))

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._box.show_drop_zone(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self._box.show_drop_zone(False)
        self._editor.insertFromMimeData(event.mimeData())
        event.acceptProposedAction()
