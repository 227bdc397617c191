"""The composer's row of controls, in its box under the text field: Attach, the assistant and
model pickers, Tools, the Web switch (`web_switch.py`), Knowledge and Compare (each of the last
five hidden until there is something to offer), then what sending costs and the one round
button that sends, or stops the answer being written. The composer (`widget.py`) connects them
and says what to show.

Their icons are drawn after the window's first paint (`draw_icons`, a turn each: drawing the
first loads Qt's SVG plugin); until then each button holds an empty icon of the same size, so
nothing moves when they come.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.ui.composer.row_button import (
    BUTTON_SIZE,
    LabelledButton,
    RowButton,
    show_on,
    withhold_icon,
)
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import Look
from chatdesk.ui.theme.icons import ICON_PROPERTY, icon, set_icon, show_icon
from chatdesk.ui.theme.scale import SPACE

if TYPE_CHECKING:  # its class loads on a turn after the first paint (window/later.py)
    from PySide6.QtGui import QAction, QActionGroup
    from PySide6.QtWidgets import QMenu

    from chatdesk.ui.composer.memory_switch import MemorySwitch
    from chatdesk.ui.composer.web_switch import WebSwitch

_MIDDLE = Qt.AlignmentFlag.AlignVCenter
SEND_TIP = mark("Send ({keys})")
STOP_TIP = mark("Stop the answer (Esc)")


class ComposerButtons:
    """The row's widgets, made in `owner` (the composer's box), and how each shows its state."""

    def __init__(self, owner: QWidget, column: QVBoxLayout) -> None:
        """The row's widgets in `owner`; `column` holds the row last (the Web switch's line
        goes above it)."""
        look = current_look()
        self._owner, self._column = owner, column
        self._web: WebSwitch | None = None  # made when first asked for (`web_switch`)
        self._memory: MemorySwitch | None = None  # made when first asked for (`memory_switch`)
        self._icons_shown = False  # drawn from now on (`draw_icons` began)
        self.model_entries: list[tuple[str, str]] = []  # (key, label) offered
        self.model_key = ""  # the one chosen
        self._compared: list[str] = []  # the labels of Compare's models while it is on
        self._keys = "Enter"
        self.stopping = False  # the send button stops the answer being written
        # translators: the name of the button whose menu attaches files or a server's resource
        self.attach = _icon_button(owner, "attachButton", tr("Attach"), "attach", look)
        self.refuse_files("")
        self.assistants = AssistantPill(owner, look)
        self.assistants.hide()  # shown once there are assistants (show_assistants)
        self.models = _model_pill(owner)
        self.tools = _tools_button(owner, look)
        self.knowledge = _knowledge_button(owner, look)
        self.compare = _compare_button(owner, look)
        self.cost = QLabel(owner)
        self.cost.setObjectName("sendCost")
        self.cost.hide()  # shown before a costly send (show_cost)
        # translators: the button that sends the message
        self.send = _icon_button(owner, "sendButton", tr("Send"), "send", look, "on_accent")
        self._show_mode()
        self.row = self._lay_out()

    def _lay_out(self) -> QHBoxLayout:
        """The row: the controls from the leading side, then what sending costs and Send."""
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(SPACE["xs"])
        for widget in (self.attach, self.assistants, self.models, self.tools, self.knowledge):
            row.addWidget(widget, 0, _MIDDLE)
        row.addWidget(self.compare, 0, _MIDDLE)
        row.addStretch(1)
        row.addWidget(self.cost, 0, _MIDDLE)
        row.addSpacing(SPACE["xs"])
        row.addWidget(self.send, 0, _MIDDLE)
        return row

    def web_switch(self) -> WebSwitch:
        """The Web switch, made the first time it is asked for (by the window's parts, after the
        first paint, which does without it): its pill after Tools, its line above the row."""
        if self._web is None:
            from chatdesk.ui.composer.web_switch import WebSwitch

            look = current_look()
            self._web = web = WebSwitch(self._owner, look)
            at = self.row.indexOf(self.tools) + 1
            self.row.insertWidget(at, web.button, 0, Qt.AlignmentFlag.AlignVCenter)
            self.row.insertWidget(at + 1, web.research, 0, Qt.AlignmentFlag.AlignVCenter)
            column = self._column
            column.insertWidget(column.count() - 1, web.notice)  # the row is the column's last
            if self._icons_shown:
                show_icon(web.button, True, look)
                show_icon(web.research, True, look)
            QWidget.setTabOrder(self.tools, web.button)
            QWidget.setTabOrder(web.button, web.research)
            QWidget.setTabOrder(web.research, self.knowledge)
        return self._web

    def memory_switch(self) -> MemorySwitch:
        """The Memory switch, made when first asked for (after the first paint): after Web."""
        if self._memory is None:
            from chatdesk.ui.composer.memory_switch import MemorySwitch

            look = current_look()
            self._memory = memory = MemorySwitch(self._owner, look)
            web = self.web_switch()
            self.row.insertWidget(self.row.indexOf(web.research) + 1, memory.button, 0, _MIDDLE)
            if self._icons_shown:
                show_icon(memory.button, True, look)
            QWidget.setTabOrder(web.research, memory.button)
            QWidget.setTabOrder(memory.button, self.knowledge)
        return self._memory

    def _switches(self) -> list[LabelledButton]:
        """Web, Research and Memory, those made so far."""
        web = [self._web.button, self._web.research] if self._web is not None else []
        return web + ([self._memory.button] if self._memory is not None else [])

    def tab_chain(self) -> list[QWidget]:
        """The controls in the order Tab goes through them: left to right, send last."""
        return [
            self.attach,
            self.assistants,
            self.models,
            self.tools,
            *self._switches(),
            self.knowledge,
            self.compare,
            self.send,
        ]

    def draw_icons(self) -> Iterator[QToolButton]:
        """Draw the buttons' icons, one a step (the composer takes a turn of the loop for
        each), those of the first frame first; the stop icon is drawn ahead of need."""
        self._icons_shown = True  # a Web switch made from now on shows its icon at once
        first = (self.attach, self.send, self.assistants, self.tools)
        row = (*first, *self._switches(), self.knowledge)
        for button in (*row, self.compare):
            show_icon(button, True, current_look())
            yield button
        other = "send" if self.stopping else "stop"
        icon(other, current_look(), "on_accent", self.send.iconSize().width())  # kept drawn
        yield self.send

    # --- what they show -------------------------------------------------------------------

    def refuse_files(self, reason: str) -> None:
        """Attach disabled, saying `reason` ("": enabled, saying what it does)."""
        self.attach.setEnabled(not reason)
        self.attach.setAccessibleDescription(
            reason or tr("Choose files, or a resource of a tool server, to send with the message")
        )
        self.attach.setToolTip(
            reason
            or tr(
                "Attach files or a resource of a tool server (you can also drop or paste "
                "files here)"
            )
        )

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
        """What the pill says of the chosen model ("mock-1")."""
        return next((label for key, label in self.model_entries if key == self.model_key), "")

    def _show_model(self) -> None:
        """The pill names the model, or Compare's models while it is on."""
        compared = self._compared
        if len(compared) > 2:
            said = ntr("{n} models", "{n} models", len(compared))
        else:
            said = " + ".join(compared) if compared else self.model_label()
        self.models.setText(f"{said}  ▾")
        self.models.setAccessibleDescription(said)

    def show_assistants(self, assistants: list[tuple[str, str, QIcon]], current: str) -> None:
        """Offer `(key, name, badge)` assistants after "No assistant" (key ""), `current`
        chosen; hidden while there are none."""
        self.assistants.offer(assistants, current)
        self.assistants.setVisible(bool(assistants))

    def show_compare(
        self, models: list[tuple[str, str]], chosen: list[str], on: bool, toggled: SignalInstance
    ) -> None:
        """Compare's ticks (`toggled` when the user ticks one), whether it is on, and how
        many models it sends to then; hidden unless there are two models to compare."""
        _fill_ticks(self.compare, models, set(chosen), toggled)
        self.compare.blockSignals(True)  # set here, not by the user
        self.compare.setChecked(on)
        self.compare.blockSignals(False)
        count = len(chosen)
        # translators: the Compare button, with how many models the next message goes to
        said = ntr("Compare · {n}", "Compare · {n}", count) if on and count else tr("Compare")
        self.compare.setText(said)
        labels = dict(models)
        self._compared = [labels.get(key, key) for key in chosen] if on and count > 1 else []
        self._show_model()
        self.compare.setAccessibleDescription(
            ntr(
                "On: the next message goes to {n} model",
                "On: the next message goes to {n} models",
                count,
            )
            if on
            # translators: Compare is switched off
            else tr("Off")
        )
        self.compare.setVisible(len(models) > 1)

    def show_tools(
        self, servers: list[tuple[str, str]], on: set[str], toggled: SignalInstance
    ) -> None:
        """Tool servers as ticks, those in `on` ticked; hidden while there are none. The web's
        tools are the Web switch, on when `on` names `web`, shown from now on."""
        _fill_ticks(self.tools, servers, on, toggled)
        from chatdesk.core.tools.model import WEB

        web = self.web_switch()
        web.button.show()
        web.show_on(WEB in on)  # and Research beside it while it is on
        count = len(on & {name for name, _ in servers})
        # translators: the Tools button, with how many tool servers are on
        said = ntr("Tools · {n}", "Tools · {n}", count) if count else tr("Tools")
        self.tools.setText(said)
        show_on(self.tools, bool(count))
        self.tools.setAccessibleDescription(
            ntr("{n} tool server on for this chat", "{n} tool servers on for this chat", count)
        )
        self.tools.setVisible(bool(servers))

    def show_knowledge(
        self, bases: list[tuple[str, str]], on: set[str], toggled: SignalInstance
    ) -> None:
        """Knowledge bases as ticks, those in `on` ticked; hidden while there are none."""
        _fill_ticks(self.knowledge, bases, on, toggled)
        count = len(on & {key for key, _ in bases})
        # translators: the Knowledge button, with how many knowledge bases are on
        said = ntr("Knowledge · {n}", "Knowledge · {n}", count) if count else tr("Knowledge")
        self.knowledge.setText(said)
        show_on(self.knowledge, bool(count))
        self.knowledge.setAccessibleDescription(
            ntr(
                "{n} knowledge base on for this chat",
                "{n} knowledge bases on for this chat",
                count,
            )
        )
        self.knowledge.setVisible(bool(bases))

    def show_cost(self, said: str, why: str) -> None:
        """What sending would cost ("≈ $0.42 to send"), or nothing ("")."""
        self.cost.setText(said)
        self.cost.setToolTip(why)
        self.cost.setAccessibleName(tr("Sending costs {cost}", cost=said) if said else "")
        self.cost.setVisible(bool(said))


def _icon_button(
    owner: QWidget, name: str, accessible: str, picture: str, look: Look, tone: str = "quiet"
) -> RowButton:
    """A button that shows the icon `picture` alone, square."""
    button = RowButton(owner)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    button.setFixedSize(BUTTON_SIZE, BUTTON_SIZE)
    withhold_icon(button, picture, look, tone)
    return button


def _menu_button(
    owner: QWidget, name: str, accessible: str, picture: str, look: Look
) -> LabelledButton:
    """A button with the icon `picture` that opens a menu of ticks (`tick_menu`), hidden until
    there are some."""
    button = LabelledButton(owner)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    button.setFixedHeight(BUTTON_SIZE)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    withhold_icon(button, picture, look)
    button.hide()
    return button


def _model_pill(owner: QWidget) -> RowButton:
    """The pill that names the model of the next answer."""
    pill = RowButton(owner)
    pill.setObjectName("modelPicker")
    # translators: the name of the button that picks the model of the next answer
    pill.setAccessibleName(tr("Model"))
    pill.setToolTip(tr("Model that writes the next answer"))
    pill.setFixedHeight(BUTTON_SIZE)
    return pill


def _tools_button(owner: QWidget, look: Look) -> LabelledButton:
    """Tools: its menu switches the chat's tool servers on or off."""
    button = _menu_button(owner, "toolsButton", tr("Tools for this chat"), "tools", look)
    # translators: a button that opens the list of tool servers to switch on or off
    button.setText(tr("Tools"))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setToolTip(tr("Switch tool servers on or off for this chat"))
    return button


def _knowledge_button(owner: QWidget, look: Look) -> LabelledButton:
    """Knowledge: its menu picks the knowledge bases the chat answers from."""
    name = tr("Knowledge bases for this chat")
    button = _menu_button(owner, "knowledgeButton", name, "knowledge", look)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setToolTip(tr("Answer from your knowledge bases, citing their passages"))
    return button


def _compare_button(owner: QWidget, look: Look) -> LabelledButton:
    """Compare: switched on by a click, its models chosen from the arrow's menu."""
    button = _menu_button(owner, "compareButton", tr("Compare models"), "compare", look)
    button.setCheckable(True)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setToolTip(
        tr("Send the next message to two to four models at once (choose them from the arrow)")
    )
    button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
    return button


def tick_menu(button: QToolButton) -> QMenu:
    """The menu of ticks of a Tools, Knowledge or Compare button, made the first time there is
    something to tick: the first frame does without it (the button is hidden until then)."""
    menu: QMenu | None = button.menu()  # None until made here
    if menu is None:
        from chatdesk.ui.composer.ticks import TickMenu

        menu = TickMenu(button)
        button.setMenu(menu)
    return menu


def _fill_ticks(
    button: QToolButton, entries: list[tuple[str, str]], ticked: set[str], toggled: SignalInstance
) -> None:
    from chatdesk.ui.composer.ticks import fill_ticks

    fill_ticks(tick_menu(button), entries, ticked, toggled)


class AssistantPill(LabelledButton):
    """Who answers: a pill with the chosen assistant's badge and name, or the assistant icon
    and "Assistant" while none is (the menu's "No assistant" ticked); its menu lists "No
    assistant" and the assistants, the chosen one ticked. Choosing one says `chosen` (its key,
    "" for none) and shows it at once."""

    chosen = Signal(str)

    def __init__(self, owner: QWidget, look: Look) -> None:
        super().__init__(owner)
        self.setObjectName("assistantPicker")
        # translators: the name of the button that picks which assistant answers
        self.setAccessibleName(tr("Assistant"))
        self.setToolTip(tr("Who answers in this chat: an assistant's prompt and model"))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setFixedHeight(BUTTON_SIZE)  # a pill: its radius is half its height
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._group: QActionGroup | None = None  # with the menu, made when first offered
        self._badges: dict[str, QIcon] = {}
        self.key = ""  # the assistant chosen ("": none)
        withhold_icon(self, "assistant", look)
        self._show()

    def offer(self, assistants: list[tuple[str, str, QIcon]], current: str) -> None:
        """`(key, name, badge)` in the menu after "No assistant", `current` ticked."""
        if self._group is None:  # after the first paint: the assistants are read then
            from PySide6.QtGui import QActionGroup
            from PySide6.QtWidgets import QMenu

            self.setMenu(QMenu(self))
            self._group = QActionGroup(self)  # one ticked at a time
        menu = self.menu()
        menu.clear()
        for action in self._group.actions():
            self._group.removeAction(action)
        self._badges = {key: badge for key, _, badge in assistants}
        self._add(menu, "", tr("No assistant"), QIcon())
        menu.addSeparator()
        for key, name, badge in assistants:
            self._add(menu, key, name, badge)
        self.key = current if current in self._badges else ""
        self._show()

    def entries(self) -> list[tuple[str, str]]:
        """What the menu offers, `(key, words)`, "No assistant" first."""
        return [(a.data(), a.text()) for a in self._actions()]

    def _actions(self) -> list[QAction]:
        return self._group.actions() if self._group is not None else []

    def _add(self, menu: QMenu, key: str, name: str, badge: QIcon) -> None:
        action = menu.addAction(badge, name)
        action.setData(key)
        action.setCheckable(True)
        assert self._group is not None  # made by `offer`
        self._group.addAction(action)
        action.triggered.connect(lambda _on=False, k=key: self._choose(k))

    def _choose(self, key: str) -> None:
        self.key = key
        self._show()
        self.chosen.emit(key)

    def _show(self) -> None:
        for action in self._actions():
            action.setChecked(action.data() == self.key)
            font = action.font()  # a badge takes the tick's place: the chosen one is bold too
            font.setBold(action.isChecked())
            action.setFont(font)
        named = next((a.text() for a in self._actions() if a.data() == self.key), "")
        badge = self._badges.get(self.key)
        if self.key and badge is not None and not badge.isNull():
            self.setProperty(ICON_PROPERTY, None)  # its own colours, whatever the look
            self.setIcon(badge)
        else:
            set_icon(self, "assistant", current_look())
        # translators: the assistant pill while no assistant is chosen
        self.setText(named if self.key else tr("Assistant"))
        self.setAccessibleDescription(named if self.key else tr("No assistant"))
