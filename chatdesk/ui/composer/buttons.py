"""The composer's row under the text field: Attach, the assistant and model pickers, Tools,
Knowledge and Compare (each hidden until there is something to offer), then what sending costs,
Stop and Send. The composer (`widget.py`) connects them and fills them in."""

from __future__ import annotations

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QWidget,
)


class ComposerButtons:
    def __init__(self, owner: QWidget) -> None:
        self.attach = QPushButton("Attach file…", owner)
        self.attach.setObjectName("attachButton")
        self.attach.setAccessibleDescription("Choose text files to send with the message")
        self.attach.setToolTip("Attach text files (you can also drop or paste them here)")
        self.assistants = _picker(owner, "assistantPicker", "Assistant")
        self.assistants.setToolTip("Who answers in this chat: an assistant's prompt and model")
        self.assistants.hide()  # shown once there are assistants (set_assistants)
        self.models = _picker(owner, "modelPicker", "Model")
        self.models.setToolTip("Model that writes the next answer")
        self.tools = _menu_button(owner, "toolsButton", "Tools for this chat")
        self.tools.setText("Tools")
        self.tools.setToolTip("Switch tool servers on or off for this chat")
        self.knowledge = _menu_button(owner, "knowledgeButton", "Knowledge bases for this chat")
        self.knowledge.setToolTip("Answer from your knowledge bases, citing their passages")
        self.compare = _menu_button(owner, "compareButton", "Compare models")
        self.compare.setText("Compare")
        self.compare.setCheckable(True)
        self.compare.setToolTip(
            "Send the next message to two to four models at once (choose them from the arrow)"
        )
        self.compare.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.cost = QLabel(owner)
        self.cost.setObjectName("sendCost")
        self.cost.hide()  # shown before a costly send (show_send_cost)
        self.send = QPushButton("Send", owner)
        self.send.setObjectName("sendButton")
        self.send.setProperty("primary", True)
        self.stop = QPushButton("Stop", owner)
        self.stop.setObjectName("stopButton")
        self.stop.setToolTip("Stop the answer (Esc)")
        self.stop.setAccessibleDescription("Stop the answer being written; its text is kept")
        self.row = QHBoxLayout()
        self.row.setSpacing(6)
        for button in (self.attach, self.assistants, self.models, self.tools, self.knowledge):
            self.row.addWidget(button)
        self.row.addWidget(self.compare)
        self.row.addStretch(1)
        self.row.addWidget(self.cost)
        self.row.addWidget(self.stop)
        self.row.addWidget(self.send)

    def tab_chain(self) -> list[QWidget]:
        """The buttons in the order Tab goes through them (Send before Stop)."""
        return [self.attach, self.assistants, self.models, self.tools, self.knowledge,
                self.compare, self.send, self.stop]  # fmt: skip


def _picker(owner: QWidget, name: str, accessible: str) -> QComboBox:
    picker = QComboBox(owner)
    picker.setObjectName(name)
    picker.setAccessibleName(accessible)
    picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return picker


def _menu_button(owner: QWidget, name: str, accessible: str) -> QToolButton:
    """A button that opens a menu of ticks (`fill_ticks`), hidden until there are some."""
    button = QToolButton(owner)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    button.setMenu(QMenu(button))
    button.hide()
    return button


def fill_ticks(
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
