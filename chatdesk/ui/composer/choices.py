"""What the next message goes with, besides its text: who answers, the chat's tools, Web and
Research, knowledge bases, Compare's models, memory, and the voice conversation. The window's
parts say what there is and what is on (`show_*`); the user changes it from the "+" menu
(`plus_menu.py`) or a chip's ✕ (`chips.py`), and the composer says so with its signals
(`assistant_changed`, `tool_toggled`, …) for those parts to change the chat; what comes back
is shown again.

The menu and the chips are made when first needed, after the window's first paint: the first
frame holds the "+" button and the empty place of the chips alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, SignalInstance
from PySide6.QtWidgets import QVBoxLayout, QWidget

if TYPE_CHECKING:  # made on first use, after the first paint
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QMenu

    from chatdesk.ui.composer.buttons import ComposerRow
    from chatdesk.ui.composer.chip_words import Entries
    from chatdesk.ui.composer.chips import ChipSpec, ChoiceChips
    from chatdesk.ui.composer.memory_switch import MemorySwitch
    from chatdesk.ui.composer.plus_menu import PlusMenu
    from chatdesk.ui.composer.web_switch import WebSwitch


class Holder(Protocol):
    """What the choices use of the composer that holds them (`widget.py`): the signals by which
    it says what the user changed, and where the keys and Tab go."""

    @property
    def assistant_changed(self) -> SignalInstance: ...
    @property
    def tool_toggled(self) -> SignalInstance: ...
    @property
    def knowledge_toggled(self) -> SignalInstance: ...
    @property
    def compare_toggled(self) -> SignalInstance: ...
    @property
    def compare_model_toggled(self) -> SignalInstance: ...
    @property
    def resources_asked(self) -> SignalInstance: ...
    def focus_editor(self) -> None: ...
    def update_tab_order(self) -> None: ...


class ComposerChoices(QObject):
    """It keeps the choices' state, and makes the menu and the chips that show it. Past 30
    methods for a reason: each choice has a setter, a chip and a way to switch it off, a few
    lines each."""

    def __init__(
        self,
        composer: Holder,
        row: ComposerRow,
        column: QVBoxLayout,
        files: Callable[[], object],
    ) -> None:
        """`row`: the composer's row of controls, `column` the box's (the Web switch's line goes
        above the row); `files` opens the file dialog."""
        super().__init__(row.owner)
        self._composer, self._row, self._column, self._files = composer, row, column, files
        self.assistant_changed = composer.assistant_changed
        self.tool_toggled = composer.tool_toggled
        self.knowledge_toggled = composer.knowledge_toggled
        self.compare_toggled = composer.compare_toggled
        self.compare_model_toggled = composer.compare_model_toggled
        self.resources_asked = composer.resources_asked
        self.assistants: list[tuple[str, str, QIcon]] = []
        self.assistant = ""  # the chosen one's key ("": none)
        self.servers: Entries = []  # the tool servers offered (the web's is the Web switch)
        self.tools_on: set[str] = set()
        self.bases: Entries = []
        self.knowledge_on: set[str] = set()
        self.compare_models: Entries = []
        self.compare_chosen: list[str] = []
        self.compare_on = False
        self.files_refused = ""  # why nothing can be attached now ("": it can)
        self.talk_keys: str | None = None  # the voice conversation's keys, once offered
        self.talking = False
        self._talk: Callable[[], object] = lambda: None
        self.web: WebSwitch | None = None  # made when first asked for (`web_switch`)
        self.memory: MemorySwitch | None = None  # made when first asked for
        self._menu: PlusMenu | None = None
        self._chips: ChoiceChips | None = None

    # --- made when first asked for --------------------------------------------------------

    def web_switch(self) -> WebSwitch:
        """The Web switch (its line under the text field, above the row)."""
        if self.web is None:
            from chatdesk.ui.composer.web_switch import WebSwitch

            self.web = WebSwitch(self._row.owner)
            self._column.insertWidget(self._column.count() - 1, self.web.notice)
            self.web.changed.connect(self.show)
        return self.web

    def memory_switch(self) -> MemorySwitch:
        if self.memory is None:
            from chatdesk.ui.composer.memory_switch import MemorySwitch

            self.memory = MemorySwitch(self)
            self.memory.changed.connect(self.show)
        return self.memory

    @property
    def menu(self) -> PlusMenu:
        """The "+" menu; made now if it was not yet."""
        if self._menu is None:
            from chatdesk.ui.composer.plus_menu import PlusMenu

            self._menu = PlusMenu(self._row.plus, self)
        return self._menu

    def _made_chips(self) -> ChoiceChips:
        if self._chips is None:
            from chatdesk.ui.composer.chips import ChoiceChips

            row, column = self._row, self._column
            self._chips = ChoiceChips(row.chips_slot, lambda width: row.fit_chips(width, column))
            self._chips.removed.connect(self.remove)
            self._chips.opened.connect(self.open_choices)
        return self._chips

    # --- what there is, and what is on ---------------------------------------------------

    def show_assistants(self, assistants: list[tuple[str, str, QIcon]], current: str) -> None:
        self.assistants = list(assistants)
        self.assistant = current if any(key == current for key, _, _ in assistants) else ""
        self.show()

    def show_tools(self, servers: Entries, on: set[str]) -> None:
        """The web's tools are the Web switch, on when `on` names `web`, offered from now on."""
        from chatdesk.core.tools.model import WEB

        self.servers, self.tools_on = list(servers), set(on)
        web = self.web_switch()
        web.offer()
        web.show_on(WEB in on)  # and shown
        self.show()

    def show_knowledge(self, bases: Entries, on: set[str]) -> None:
        self.bases, self.knowledge_on = list(bases), set(on)
        self.show()

    def show_compare(self, models: Entries, chosen: list[str], on: bool) -> None:
        self.compare_models, self.compare_chosen, self.compare_on = list(models), list(chosen), on
        self.show()

    def refuse_files(self, reason: str) -> None:
        self.files_refused = reason
        self.show()

    def offer_talk(self, toggle: Callable[[], object], keys: str) -> None:
        self._talk, self.talk_keys = toggle, keys
        self.show()

    def show_talking(self, talking: bool) -> None:
        self.talking = talking
        self.show()

    # --- what the user does ---------------------------------------------------------------

    def pick_files(self) -> None:
        self._files()

    def choose_assistant(self, key: str) -> None:
        self.assistant = key
        self.show()
        self.assistant_changed.emit(key)

    def switch_compare(self, on: bool) -> None:
        self.compare_toggled.emit(on)  # what Compare becomes comes back by show_compare

    def toggle_talk(self) -> None:
        self._talk()

    def remove(self, kind: str) -> None:
        """A chip's ✕: what it shows is switched off (memory switched back on)."""
        self._composer.focus_editor()  # the ✕ that had the focus goes
        if kind == "assistant":
            self.choose_assistant("")
        elif kind == "tools":
            for name in sorted(self.tools_on & {name for name, _ in self.servers}):
                self.tool_toggled.emit(name, False)
        elif kind == "knowledge":
            for key in sorted(self.knowledge_on & {key for key, _ in self.bases}):
                self.knowledge_toggled.emit(key, False)
        elif kind == "compare":
            self.switch_compare(False)
        elif kind == "web" and self.web is not None:
            self.web.switch(False)
        elif kind == "research" and self.web is not None:
            self.web.research(False)
        elif kind == "memory" and self.memory is not None:
            self.memory.switch(True)

    def open_menu(self) -> None:
        """The "+" menu, over the card from the "+" button."""
        self._popup(self.menu, self._row.plus)

    def open_choices(self, kind: str) -> None:
        """The menu of choices `kind` names ("tools", "compare", …), from its chip if it shows
        one, else from "+"."""
        menus: dict[str, QMenu] = {
            "assistant": self.menu.assistants,
            "tools": self.menu.tools,
            "knowledge": self.menu.knowledge,
            "compare": self.menu.compare,
        }
        chip = self._chips.chip(kind) if self._chips is not None else None
        self._popup(menus[kind], chip if chip is not None and chip.isVisible() else self._row.plus)

    def _popup(self, menu: QMenu, under: QWidget) -> None:
        """`menu` above the card, from the leading edge of `under` (a button or a chip of its
        row), its entries refreshed to be measured as they will show."""
        from chatdesk.ui.composer.above import popup_above

        under.setFocus(Qt.FocusReason.OtherFocusReason)
        self.menu.refresh()
        popup_above(menu, under, self._row.owner)

    # --- showing --------------------------------------------------------------------------

    def show(self) -> None:
        """The chips, the menu (once made) and the model's words, as the choices are now."""
        labels = dict(self.compare_models)
        compared = self.compare_chosen if self.compare_on and len(self.compare_chosen) > 1 else []
        self._row.show_compared([labels.get(key, key) for key in compared])
        specs = self.chip_specs()
        if specs or self._chips is not None:
            self._made_chips().show_chips(specs)
        if self._menu is not None:
            self._menu.refresh()
        self._composer.update_tab_order()

    def focusables(self) -> list[QWidget]:
        """What Tab reaches among the chips, in their order."""
        return self._chips.focusables() if self._chips is not None else []

    def chip_specs(self) -> list[ChipSpec]:
        """A chip for each thing on, in the order of the "+" menu."""
        from chatdesk.ui.composer import chip_words

        made = (
            chip_words.assistant(self.assistants, self.assistant),
            chip_words.tools(self.servers, self.tools_on),
            *chip_words.web(self.web),
            chip_words.knowledge(self.bases, self.knowledge_on),
            chip_words.compare(self.compare_models, self.compare_chosen, self.compare_on),
            chip_words.memory(self.memory),
        )
        return [spec for spec in made if spec is not None]
