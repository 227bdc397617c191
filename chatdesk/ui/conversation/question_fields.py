"""A question's field that asks for some of a list: a column of check boxes, one per choice,
each showing the choice's title while its value is what is sent; the server's default ticked,
and under them how many may be picked. Tab goes from box to box, Space ticks.

The titles came from the server: shown as plain text (an "&" in one is a character, not a
keyboard shortcut)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from chatdesk.core.i18n import tr
from chatdesk.core.tools.questions import Field, pick_hint
from chatdesk.ui.conversation.frame import plain_label


class ChoicesBox(QWidget):
    """`changed()` whenever a box is ticked or unticked."""

    changed = Signal()

    def __init__(self, one: Field, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        picked = one.default if isinstance(one.default, tuple) else ()
        hint = pick_hint(one)
        # A box alone says only its title: which question it belongs to is said with it.
        said = tr("{field}: {hint}", field=one.label, hint=hint) if hint else one.label
        self.boxes: dict[str, QCheckBox] = {}
        for value, title in zip(one.options, one.option_titles, strict=False):
            box = QCheckBox(title.replace("&", "&&"))
            box.setAccessibleDescription(said)
            box.setChecked(value in picked)
            box.toggled.connect(self.changed)
            layout.addWidget(box)
            self.boxes[value] = box
        self.hint = plain_label(hint, "toolCaption")
        self.hint.setVisible(bool(self.hint.text()))
        layout.addWidget(self.hint)
        first = next(iter(self.boxes.values()), None)
        if first is not None:
            self.setFocusProxy(first)  # the field's label and the card's first focus land here

    def value(self) -> tuple[str, ...]:
        """The values ticked, in the order the server listed them."""
        return tuple(value for value, box in self.boxes.items() if box.isChecked())
