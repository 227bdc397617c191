"""The row under the composer's text field: "+" (its menu, `plus_menu.py`, holds attach, who
answers, tools, Web, Research, knowledge, Compare, memory and the voice conversation), the chips
of what is on (`chips.py`, in `chips_slot`), then at the far side what sending costs, the model
of the next answer (a flat chip with a chevron), what the window adds before Send (the
microphone) and the round button that sends, or stops the answer being written. The composer
(`widget.py`) connects them and says what to show.

Their icons are drawn after the window's first paint (`draw_icons`, a turn each: drawing the
first loads Qt's SVG plugin); until then each button holds an empty icon of the same size, so
nothing moves when they come.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.ui.composer.row_button import RowButton, withhold_icon
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import Look, colours
from chatdesk.ui.theme.icons import icon, picture, set_icon, show_icon
from chatdesk.ui.theme.scale import CONTROL, ICON, SPACE

_MIDDLE = Qt.AlignmentFlag.AlignVCenter
SEND_TIP = mark("Send ({keys})")
STOP_TIP = mark("Stop the answer (Esc)")


class ComposerRow:
    """The row's widgets, made in `owner` (the composer's box), and how each shows its state."""

    def __init__(self, owner: QWidget) -> None:
        look = current_look()
        self.owner = owner
        self.model_entries: list[tuple[str, str]] = []  # (key, label) offered
        self.model_key = ""  # the one chosen
        self._compared: list[str] = []  # the labels of Compare's models while it is on
        self._keys = "Enter"
        self._before_send: list[QWidget] = []  # what the window added (the microphone)
        self.stopping = False  # the send button stops the answer being written
        # translators: the name of the composer's "+" button, whose menu attaches files and more
        self.plus = _round_button(owner, "plusButton", tr("Attach and more"), "plus", look)
        self.plus.setToolTip(
            tr(
                "Attach files; choose who answers; switch tools, Web, Research, knowledge "
                "or Compare on (you can also drop or paste files here)"
            )
        )
        self.chips_slot = QWidget(owner)  # the chips of what is on, when there are some
        self.chips_slot.setObjectName("composerChips")
        self.cost = QLabel(owner)
        self.cost.setObjectName("sendCost")
        self.cost.hide()  # shown before a costly send (show_cost)
        self.models = ModelChip(owner)
        # translators: the button that sends the message
        self.send = _round_button(owner, "sendButton", tr("Send"), "send", look, "on_accent")
        self.send.setFixedSize(CONTROL["l"], CONTROL["l"])
        self._show_mode()
        self.row = self._lay_out()

    def _lay_out(self) -> QHBoxLayout:
        """ "+", the chips taking the room there is, then what sending costs, the model, Send."""
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(SPACE["xs"])
        row.addWidget(self.plus, 0, _MIDDLE)
        row.addWidget(self.chips_slot, 1, _MIDDLE)
        row.addStretch(0)  # the room the chips leave, or all of it once they have a line
        row.addWidget(self.cost, 0, _MIDDLE)
        row.addWidget(self.models, 0, _MIDDLE)
        row.addWidget(self.send, 0, _MIDDLE)
        return row

    def fit_chips(self, needed: int, column: QVBoxLayout) -> bool:
        """The chips in the row while one line of them (`needed` px) fits beside the other
        controls, else on a line of their own above it in the card's `column`, where they wrap:
        "+" and Send keep the card's corners. True when they are in the row."""
        controls = [self.plus, self.cost, self.models, *self._before_send, self.send]
        shown = [w for w in controls if not w.isHidden()]
        taken = sum(w.sizeHint().width() for w in shown) + self.row.spacing() * len(shown)
        fits = needed <= self.row.contentsRect().width() - taken
        in_row = self.row.indexOf(self.chips_slot) >= 0
        if fits != in_row:
            (column if in_row else self.row).removeWidget(self.chips_slot)
            if fits:
                self.row.insertWidget(1, self.chips_slot, 1, _MIDDLE)
            else:
                column.insertWidget(column.count() - 1, self.chips_slot)  # the row is last
        return fits

    def add_before_send(self, widget: QWidget) -> None:
        self.row.insertWidget(self.row.indexOf(self.send), widget, 0, _MIDDLE)
        self._before_send.append(widget)

    def draw_icons(self) -> Iterator[QWidget]:
        """Draw the buttons' icons, one a step (the composer takes a turn of the loop for
        each), those of the first frame first; the stop icon is drawn ahead of need."""
        look = current_look()
        for button in (self.plus, self.send):
            show_icon(button, True, look)
            yield button
        self.models.show_chevron()
        yield self.models
        other = "send" if self.stopping else "stop"
        icon(other, look, "on_accent", self.send.iconSize().width())  # kept drawn
        yield self.send

    # --- what they show -------------------------------------------------------------------

    def set_keys(self, keys: str) -> None:
        """The keys that send ("Enter", "Ctrl+Enter"), as the send button's tooltip says."""
        self._keys = keys
        self._show_mode()

    def show_sending(self, *, stopping: bool, enabled: bool) -> None:
        """The round button sends, or (`stopping`) stops the answer; greyed unless `enabled`."""
        if stopping != self.stopping:
            self.stopping = stopping
            self._show_mode()
        self.send.setEnabled(enabled)

    def _show_mode(self) -> None:
        stopping = self.stopping
        set_icon(self.send, "stop" if stopping else "send", current_look(), "on_accent")
        # translators: the round button that sends, or stops the answer being written
        self.send.setAccessibleName(tr("Stop") if stopping else tr("Send"))
        self.send.setToolTip(tr(STOP_TIP) if stopping else tr(SEND_TIP, keys=self._keys))
        self.send.setAccessibleDescription(
            tr("Stop the answer being written; its text is kept")
            if stopping
            else tr("Send the message ({keys})", keys=self._keys)
        )

    def show_models(self, models: list[tuple[str, str]], current: str) -> None:
        """Offer `(key, label)` models; `current` is shown even when it is not offered."""
        self.model_entries = list(models)
        if current and all(key != current for key, _ in models):
            self.model_entries.append((current, current.partition("/")[2] or current))
        self.model_key = current or (models[0][0] if models else "")
        self._show_model()

    def model_label(self) -> str:
        """What the chip says of the chosen model ("mock-1")."""
        return next((label for key, label in self.model_entries if key == self.model_key), "")

    def show_compared(self, labels: list[str]) -> None:
        """Compare's models (two or more while it is on; none: the model chosen)."""
        if labels != self._compared:
            self._compared = labels
            self._show_model()

    def _show_model(self) -> None:
        """The chip names the model, or Compare's models while it is on."""
        compared = self._compared
        if len(compared) > 2:
            said = ntr("{n} models", "{n} models", len(compared))
        else:
            said = " + ".join(compared) if compared else self.model_label()
        self.models.setText(said.replace("&", "&&"))
        self.models.setAccessibleDescription(said)

    def show_cost(self, said: str, why: str) -> None:
        """What sending would cost ("≈ $0.42 to send"), or nothing ("")."""
        self.cost.setText(said)
        self.cost.setToolTip(why)
        self.cost.setAccessibleName(tr("Sending costs {cost}", cost=said) if said else "")
        self.cost.setVisible(bool(said))


def _round_button(
    owner: QWidget, name: str, accessible: str, drawing: str, look: Look, tone: str = "quiet"
) -> RowButton:
    """A round button that shows the icon `drawing` alone."""
    button = RowButton(owner)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    button.setFixedSize(CONTROL["m"], CONTROL["m"])
    withhold_icon(button, drawing, look, tone)
    return button


class ModelChip(RowButton):
    """The model of the next answer: a flat chip with its name and a chevron, which opens the
    model picker (`model_picker.py`). The chevron is painted after the name, on the side the
    text ends (the sheet keeps room for it there), once the icons are drawn."""

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self.setObjectName("modelPicker")
        # translators: the name of the button that picks the model of the next answer
        self.setAccessibleName(tr("Model"))
        self.setToolTip(tr("Model that writes the next answer"))
        self.setFixedHeight(CONTROL["m"])
        # The sheet keeps the chevron's room on the side the words end: a sheet's padding is
        # not turned around for a right-to-left language (the language is set before this is
        # made, and lasts while chatdesk runs).
        self.setProperty("mirrored", self.isRightToLeft())
        self._chevron = False  # drawn from now on (`show_chevron`)

    def show_chevron(self) -> None:
        self._chevron = True
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._chevron:
            return
        side, inset = ICON["s"], SPACE["s"]
        colour = colours(current_look())["text_quiet"]  # drawn once per look, then kept
        chevron = picture("chevron", colour, side, self.devicePixelRatioF())
        x = inset if self.isRightToLeft() else self.width() - inset - side
        painter = QPainter(self)
        painter.drawPixmap(QPoint(x, (self.height() - side) // 2), chevron)
        painter.end()
