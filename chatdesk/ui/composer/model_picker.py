"""The composer's model picker: the menu of models (model_menu.py) above the row's model pill,
made when first opened (the window's first paint does without it), over the models offered,
what is known of each and those used last."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

if TYPE_CHECKING:
    from chatdesk.ui.composer.buttons import ComposerRow
    from chatdesk.ui.composer.model_menu import ModelMenu


class ModelPicker:
    """`chosen` hears the key ("provider/model") chosen, `opening` that the menu opens."""

    def __init__(
        self,
        row: ComposerRow,
        chosen: Callable[[str], None],
        opening: Callable[[], None],
    ) -> None:
        self._row = row
        self._chosen = chosen
        self._opening = opening
        self._menu: ModelMenu | None = None
        self._marks: dict[str, str] = {}  # what is known of each model, by key
        self._recent: list[str] = []

    def show_models(
        self,
        models: list[tuple[str, str]],
        current: str,
        marks: dict[str, str] | None,
        recent: list[str] | None,
    ) -> None:
        self._row.show_models(models, current)
        self._marks = marks if marks is not None else self._marks
        self._recent = recent if recent is not None else self._recent
        if self._menu is not None and self._menu.isVisible():
            self._offer(self._menu)

    @property
    def menu(self) -> ModelMenu:
        if self._menu is None:
            from chatdesk.ui.composer.model_menu import ModelMenu

            self._menu = ModelMenu(self._row.models)
            self._menu.chosen.connect(self._model_chosen)
        return self._menu

    def open(self) -> None:
        menu = self.menu
        self._offer(menu)
        self._opening()
        from chatdesk.ui.composer.above import popup_above

        pill = self._row.models
        pill.setFocus(Qt.FocusReason.OtherFocusReason)
        popup_above(menu, pill, self._row.owner)

    def _offer(self, menu: ModelMenu) -> None:
        from chatdesk.ui.composer.model_menu import ModelOffer

        marks = self._marks
        offers = [
            ModelOffer(key, label, key.partition("/")[0], marks.get(key, ""))
            for key, label in self._row.model_entries
        ]
        menu.offer(offers, self._row.model_key, self._recent)

    def _model_chosen(self, key: str) -> None:
        self._row.show_models(self._row.model_entries, key)
        self._chosen(key)
