"""The composer's chips of what is switched on: small rounded labels in its row after "+" (the
assistant, tools, Web, Research, knowledge, Compare, memory switched off), each with a ✕ that
switches it off and a tooltip that says what it does; the words of one with choices (which
tools, which models) open them. They wrap onto another line when the row is too narrow, so
none is ever cut short, and start from the right in a right-to-left language.

Made with the first chip (after the window's first paint): the first frame holds only the
empty place they take (`ComposerRow.chips_slot`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFrame, QHBoxLayout, QWidget

from chatdesk.ui.composer.row_button import LabelledButton, RowButton
from chatdesk.ui.flow_layout import FlowLayout
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.icons import ICON_PROPERTY, set_icon
from chatdesk.ui.theme.scale import CONTROL, ICON, SPACE

TONE = "on_accent_tint"  # a chip's words, icon and ✕ (`PAIRS` checks them on its ground)


@dataclass(frozen=True)
class ChipSpec:
    """What one chip shows and says."""

    kind: str  # what is on: "assistant", "tools", "web", "research", "knowledge", … (its key)
    text: str  # its words: "Web", "Tools · 2"
    tip: str  # its tooltip and description: what is on, what it does
    icon: str | QIcon  # an icon's name (resources/ui-icons/), or a picture of its own
    off_name: str  # the spoken name and tooltip of its ✕: "Switch Web off"
    choices: bool = False  # its words open a menu of choices (`ChoiceChips.opened`)


class Chip(QFrame):
    """One chip: its words (a button when they open choices) and its ✕."""

    def __init__(self, parent: QWidget, kind: str) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName("composerChip")
        self.setFixedHeight(CONTROL["s"])
        self.label = LabelledButton(self)
        self.label.setObjectName("chipLabel")
        self.label.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.label.setIconSize(QSize(ICON["s"], ICON["s"]))
        self.off = RowButton(self)
        self.off.setObjectName("chipOff")
        self.off.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.off.setIconSize(QSize(ICON["s"] - SPACE["xxs"], ICON["s"] - SPACE["xxs"]))
        self.off.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        set_icon(self.off, "close", current_look(), TONE)
        row = QHBoxLayout(self)
        row.setContentsMargins(SPACE["xs"], 0, SPACE["xxs"], 0)
        row.setSpacing(0)
        row.addWidget(self.label, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.off, 0, Qt.AlignmentFlag.AlignVCenter)

    def show_spec(self, spec: ChipSpec) -> None:
        label = self.label
        label.setText(spec.text.replace("&", "&&"))  # words of its own, never an Alt+letter
        label.setToolTip(spec.tip)
        label.setAccessibleName(spec.text)
        label.setAccessibleDescription(spec.tip)
        # Words that open nothing are a label: the keyboard goes to the ✕ alone.
        label.setFocusPolicy(Qt.FocusPolicy.StrongFocus if spec.choices else Qt.FocusPolicy.NoFocus)
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, not spec.choices)
        if isinstance(spec.icon, str):
            set_icon(label, spec.icon, current_look(), TONE)
        else:  # its own colours, whatever the look
            label.setProperty(ICON_PROPERTY, None)
            label.setIcon(spec.icon)
        self.setToolTip(spec.tip)
        self.off.setAccessibleName(spec.off_name)
        self.off.setAccessibleDescription(spec.tip)
        self.off.setToolTip(spec.off_name)

    def focusables(self) -> list[QWidget]:
        """What Tab reaches in it, in order: its words when they open choices, its ✕."""
        words = [self.label] if self.label.focusPolicy() != Qt.FocusPolicy.NoFocus else []
        return [*words, self.off]


class ChoiceChips(QObject):
    """The chips, laid out in `slot`, which `fit(width)` places in the row while one line of
    them (`width` px) fits there, else on a line of its own (False), again whenever the card's
    width or the chips change. `removed(kind)` when a ✕ is pressed, `opened(kind)` when the
    words of a chip with choices are."""

    removed = Signal(str)
    opened = Signal(str)

    def __init__(self, slot: QWidget, fit: Callable[[int], bool]) -> None:
        super().__init__(slot)
        self._layout = FlowLayout(slot, SPACE["xs"])
        self._slot, self._fit = slot, fit
        self._chips: dict[str, Chip] = {}
        self._order: list[str] = []
        card = slot.parentWidget()
        assert card is not None  # the composer's card, whose width decides
        card.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        chips = self.chips()
        line = sum(chip.sizeHint().width() for chip in chips)
        self._fit(line + SPACE["xs"] * max(0, len(chips) - 1))

    def show_chips(self, specs: list[ChipSpec]) -> None:
        """Show a chip for each of `specs`, in their order; the others go."""
        wanted = [spec.kind for spec in specs]
        for kind in [k for k in self._chips if k not in wanted]:
            gone = self._chips.pop(kind)
            gone.hide()
            gone.deleteLater()
        for spec in specs:
            if spec.kind not in self._chips:
                self._chips[spec.kind] = self._made(spec.kind)
            self._chips[spec.kind].show_spec(spec)
        while self._layout.takeAt(0) is not None:
            pass
        self._order = wanted
        for at, kind in enumerate(wanted):
            self._layout.insert(at, self._chips[kind])
            self._chips[kind].show()
        self._place()

    def _made(self, kind: str) -> Chip:
        chip = Chip(self._slot, kind)
        chip.off.clicked.connect(lambda _=False: self.removed.emit(kind))
        chip.label.clicked.connect(lambda _=False: self.opened.emit(kind))
        return chip

    def chip(self, kind: str) -> Chip | None:
        return self._chips.get(kind)

    def chips(self) -> list[Chip]:
        """The chips shown, in their order."""
        return [self._chips[kind] for kind in self._order]

    def focusables(self) -> list[QWidget]:
        return [widget for chip in self.chips() for widget in chip.focusables()]
