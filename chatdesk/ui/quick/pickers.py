"""Who answers in the quick window: the composer's own assistant pill (`AssistantPill`) and
model pill with its searchable menu (`ModelMenu`), filled as the composer's are
(`chatdesk/ui/composer/model_offers.py`, the assistants' badges). What is chosen is for the quick
window's next new chat, or, once its chat exists, changes that chat from the next answer on
(as the main window's pickers do). The model shown follows the main window's rule: the one
chosen, else the assistant's, else the default."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.badges import assistant_badge
from chatdesk.ui.composer.assistant_pill import AssistantPill
from chatdesk.ui.composer.model_offers import model_offers
from chatdesk.ui.composer.row_button import BUTTON_SIZE, RowButton
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.icons import show_icon

if TYPE_CHECKING:
    from chatdesk.core.assistants.model import AssistantView
    from chatdesk.core.config import Settings
    from chatdesk.core.service import ChatService
    from chatdesk.ui.composer.model_menu import ModelMenu
    from chatdesk.ui.runner import Runner

Model = tuple[str, str]  # provider, model


class QuickPickers(QObject):
    """The two pills, made in `owner`; `assistant_chosen` / `model_chosen` when the user picks."""

    assistant_chosen = Signal(object)  # uuid.UUID | None
    model_chosen = Signal(str, str)  # provider, model

    def __init__(self, owner: QWidget, settings: Callable[[], Settings]) -> None:
        super().__init__(owner)
        self._settings = settings
        self._service: ChatService | None = None
        self._known: dict[uuid.UUID, AssistantView] = {}
        self.assistant: uuid.UUID | None = None  # chosen for the quick chats
        self.model: Model | None = None  # chosen (None: the assistant's, else the default)
        self.assistants = AssistantPill(owner, current_look())
        show_icon(self.assistants, True, current_look())
        self.assistants.hide()  # shown once there are assistants
        self.assistants.chosen.connect(self._assistant_picked)
        self.models = RowButton(owner)
        self.models.setObjectName("modelPicker")
        # translators: the name of the button that picks the model of the next answer
        self.models.setAccessibleName(tr("Model"))
        self.models.setToolTip(tr("Model that writes the next answer"))
        self.models.setFixedHeight(BUTTON_SIZE)
        self.models.clicked.connect(self.open_models)
        self._menu: ModelMenu | None = None  # made when first opened

    def attach(self, service: ChatService, runner: Runner) -> None:
        """Read the assistants (again on `reload`) from `service` through `runner`."""
        self._service, self._runner = service, runner
        self.reload()
        self.show()

    def reload(self) -> None:
        if self._service is not None:
            call = self._service.assistants.list()
            self._runner.run(call, done=self._loaded, owner=self.assistants, quiet=True)

    def _loaded(self, found: list[AssistantView]) -> None:
        self._known = {a.id: a for a in found}
        if self.assistant not in self._known:
            self.assistant = None
        self.show()

    def current(self) -> Model:
        """The model of the next answer in a new quick chat."""
        general = self._settings().general
        if self.model is not None:
            return self.model
        assistant = self._known.get(self.assistant) if self.assistant else None
        if assistant is not None and assistant.fields.model:
            return assistant.fields.provider or general.default_provider, assistant.fields.model
        return general.default_provider, general.default_model

    def show(self) -> None:
        """The pills say what is chosen."""
        choices = [(a.id.hex, a.name, assistant_badge(a)) for a in self._known.values()]
        self.assistants.offer(choices, self.assistant.hex if self.assistant else "")
        self.assistants.setVisible(bool(choices))
        entries, _, _ = model_offers(self._service, self.current())
        key = "/".join(self.current())
        label = next((words for entry, words in entries if entry == key), key)
        self.models.setText(f"{label}  ▾")
        self.models.setAccessibleDescription(label)

    def open_models(self) -> None:
        """The model menu, under the model pill."""
        menu = self._model_menu()
        entries, marks, _ = model_offers(self._service, self.current())
        from chatdesk.ui.composer.model_menu import ModelOffer

        offers = [
            ModelOffer(k, words, k.partition("/")[0], marks.get(k, "")) for k, words in entries
        ]
        menu.offer(offers, "/".join(self.current()), [])
        self.models.setFocus(Qt.FocusReason.OtherFocusReason)
        menu.popup(self.models.mapToGlobal(self.models.rect().bottomLeft()))  # no nested loop

    def _model_menu(self) -> ModelMenu:
        if self._menu is None:
            from chatdesk.ui.composer.model_menu import ModelMenu

            self._menu = ModelMenu(self.models)
            self._menu.chosen.connect(self.choose_model)
        return self._menu

    def choose_model(self, key: str) -> None:
        """The model `key` ("provider/model") answers from now on."""
        provider, _, model = key.partition("/")
        self.model = (provider, model)
        self.show()
        self.model_chosen.emit(provider, model)

    def _assistant_picked(self, key: str) -> None:
        self.assistant = uuid.UUID(hex=key) if key else None
        self.show()
        self.assistant_chosen.emit(self.assistant)
