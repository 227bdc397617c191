"""The composer's "+" menu: what goes with the next message besides its text. Attach files or a
tool server's resource; who answers (Assistant ▸); Tools ▸, Web, Research, Knowledge ▸,
Compare ▸ and Memory for the chat; the voice conversation. Each entry is there while it has
something to offer, and shows what is on (a tick, the ticked tools, bases and models); what is
on also shows as a chip in the row (`chips.py`).

Made when first opened (or asked for), after the window's first paint: it reads what to show
from the composer's choices (`choices.py`) each time it opens, and while it is open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.composer.assistant_menu import AssistantMenu
from chatdesk.ui.composer.ticks import TickMenu, fill_ticks
from chatdesk.ui.composer.web_switch import research_tip, web_tip
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.icons import icon
from chatdesk.ui.theme.scale import ICON

if TYPE_CHECKING:
    from chatdesk.ui.composer.chip_words import Entries
    from chatdesk.ui.composer.memory_switch import MemorySwitch
    from chatdesk.ui.composer.web_switch import WebSwitch


class MenuChoices(Protocol):
    """What the menu reads and calls of the composer's choices (`choices.py`, which makes it)."""

    assistants: list[tuple[str, str, QIcon]]
    assistant: str
    servers: Entries
    tools_on: set[str]
    bases: Entries
    knowledge_on: set[str]
    compare_models: Entries
    compare_chosen: list[str]
    compare_on: bool
    files_refused: str
    talk_keys: str | None
    talking: bool
    web: WebSwitch | None
    memory: MemorySwitch | None
    tool_toggled: SignalInstance
    knowledge_toggled: SignalInstance
    compare_model_toggled: SignalInstance
    resources_asked: SignalInstance

    def pick_files(self) -> None: ...
    def choose_assistant(self, key: str) -> None: ...
    def web_switch(self) -> WebSwitch: ...
    def memory_switch(self) -> MemorySwitch: ...
    def switch_compare(self, on: bool) -> None: ...
    def toggle_talk(self) -> None: ...


class PlusMenu(QMenu):
    def __init__(self, parent: QWidget, choices: MenuChoices) -> None:
        super().__init__(parent)
        self._choices = choices
        self._drawn: list[tuple[QAction, str]] = []  # entries with an icon, and its name
        self.setObjectName("plusMenu")
        # translators: the title of the composer's "+" menu, as a screen reader names it
        self.setTitle(tr("Attach and more"))
        self.setToolTipsVisible(True)
        self.files = self._entry(tr("Attach &files…"), "attach", choices.pick_files)
        self.resource = self._entry(
            tr("&Resource from a server…"), "file", choices.resources_asked.emit
        )
        self.addSeparator()
        self.assistants = AssistantMenu(self)
        self.assistants.chosen.connect(choices.choose_assistant)
        tip = tr("Who answers in this chat: an assistant's prompt and model")
        # translators: an entry of the composer's "+" menu: its submenu picks who answers
        self._submenu(self.assistants, tr("&Assistant"), "assistant", tip)
        self.tools = self._ticks(
            # translators: an entry of the composer's "+" menu: tool servers to switch on or off
            tr("&Tools"),
            "tools",
            tr("Switch tool servers on or off for this chat"),
        )
        self.web = self._switch(tr("&Web"), "web", lambda on: choices.web_switch().switch(on))
        self.web.setToolTip(web_tip())
        self.research = self._switch(
            tr("R&esearch"), "search", lambda on: choices.web_switch().research(on)
        )
        self.research.setToolTip(research_tip())
        self.knowledge = self._ticks(
            # translators: an entry of the composer's "+" menu: knowledge bases to answer from
            tr("&Knowledge"),
            "knowledge",
            tr("Answer from your knowledge bases, citing their passages"),
        )
        self.compare = self._ticks(
            # translators: an entry of the composer's "+" menu: models to send the next message to
            tr("&Compare"),
            "compare",
            tr("Send the next message to two to four models at once"),
        )
        self.compare_on = QAction(tr("Compare the models ticked"), self.compare)
        self.compare_on.setCheckable(True)
        self.compare_on.triggered.connect(choices.switch_compare)
        self.compare.addAction(self.compare_on)
        self.compare.addSeparator()
        self.memory = self._switch(
            tr("&Memory"), "pin", lambda on: choices.memory_switch().switch(on)
        )
        self._voice_line = self.addSeparator()
        self.talk = self._entry("", "talk", choices.toggle_talk)
        self.aboutToShow.connect(self.refresh)
        self.refresh()

    def _entry(self, text: str, picture: str, then: Callable[[], object]) -> QAction:
        action = self.addAction(text)
        self._drawn.append((action, picture))
        action.triggered.connect(lambda _=False: then())
        return action

    def _switch(self, text: str, picture: str, then: Callable[[bool], object]) -> QAction:
        """A checkable entry: its icon `picture` while off, a tick in its place while on (a menu
        draws an entry's icon or its tick, not both: `_show_switch`)."""
        action = self.addAction(text)
        action.setData(picture)
        action.setCheckable(True)
        action.triggered.connect(then)
        return action

    def _submenu(self, menu: QMenu, title: str, picture: str, tip: str) -> None:
        menu.setTitle(title)
        self._drawn.append((menu.menuAction(), picture))
        menu.setToolTipsVisible(True)
        self.addMenu(menu)
        menu.menuAction().setToolTip(tip)

    def _ticks(self, title: str, picture: str, tip: str) -> TickMenu:
        menu = TickMenu(self)
        self._submenu(menu, title, picture, tip)
        return menu

    def refresh(self) -> None:
        """Show what the composer's choices hold now, in the look of now."""
        for action, picture in self._drawn:
            action.setIcon(_drawn(picture))
        choices = self._choices
        self._show_files(choices.files_refused)
        self.assistants.menuAction().setVisible(bool(choices.assistants))
        self.assistants.offer(choices.assistants, choices.assistant)
        self.tools.menuAction().setVisible(bool(choices.servers))
        fill_ticks(self.tools, choices.servers, choices.tools_on, choices.tool_toggled)
        web = choices.web
        _show_switch(self.web, web is not None and web.offered, web is not None and web.on)
        researching = web is not None and web.researching
        _show_switch(self.research, web is not None and web.offered, researching)
        self.knowledge.menuAction().setVisible(bool(choices.bases))
        fill_ticks(self.knowledge, choices.bases, choices.knowledge_on, choices.knowledge_toggled)
        self.compare.menuAction().setVisible(len(choices.compare_models) > 1)
        chosen = set(choices.compare_chosen)
        fill_ticks(self.compare, choices.compare_models, chosen, choices.compare_model_toggled)
        self.compare_on.setChecked(choices.compare_on)
        memory = choices.memory
        offered = memory is not None and memory.offered
        _show_switch(self.memory, offered, memory is not None and memory.on)
        if memory is not None:
            self.memory.setEnabled(not memory.fixed)
            self.memory.setToolTip(memory.tip)
        self._show_talk()

    def _show_files(self, refused: str) -> None:
        for action in (self.files, self.resource):
            action.setEnabled(not refused)
        self.files.setToolTip(
            refused or tr("Choose files to send with the message (or drop or paste them here)")
        )
        self.resource.setToolTip(refused or tr("Attach a resource a tool server offers"))

    def _show_talk(self) -> None:
        choices = self._choices
        self._voice_line.setVisible(choices.talk_keys is not None)
        self.talk.setVisible(choices.talk_keys is not None)
        if choices.talking:
            name = tr("End the &voice conversation")
        else:
            # translators: an entry of the composer's "+" menu (Chat ▸ Voice conversation too)
            name = tr("Start a &voice conversation")
        self.talk.setText(f"{name}\t{choices.talk_keys or ''}")
        self.talk.setToolTip(tr("Speak, hear the answer, speak again"))


def _show_switch(action: QAction, shown: bool, on: bool) -> None:
    """A switch's entry shown or not, and ticked while on: its icon makes way for the tick."""
    action.setVisible(shown)
    action.setChecked(on)
    action.setIcon(QIcon() if on else _drawn(str(action.data())))


def _drawn(picture: str) -> QIcon:
    """An entry's icon in the current look (drawn once a look, then kept: `icon`)."""
    return icon(picture, current_look(), "quiet", ICON["m"])
