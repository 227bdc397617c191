"""Compare in the composer: switched on, the next message goes to two to four models at once
(`ChatService.comparisons`); the models are ticked in its menu ("+" ▸ Compare) and remembered
in the settings (`ui.compare_models`) for next time. Ticking a second model switches it on,
leaving fewer than two switches it off; the menu's own switch turns it on or off with the
models ticked, and the chip's ✕ turns it off."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from chatdesk.core.config import Settings
from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.core.kinds import MAX_COMPARED, MIN_COMPARED
from chatdesk.ui.composer import Composer

TOO_FEW = mark(
    "Compare is on, and it needs two to four models: tick them in + ▸ Compare, or switch "
    "Compare off. Nothing was sent."
)


class SettingsHolder(Protocol):
    current: Settings

    def apply(self, settings: Settings) -> None: ...


class CompareChoice:
    def __init__(
        self,
        composer: Composer,
        settings: SettingsHolder,
        say: Callable[[str], None] = lambda _: None,
    ) -> None:
        self._composer = composer
        self._settings = settings
        self._say = say  # a word in the status bar
        self.on = False
        self._offered: list[tuple[str, str]] = []
        composer.compare_toggled.connect(self.toggle)
        composer.compare_model_toggled.connect(self.tick)

    def chosen(self) -> list[str]:
        """The models chosen ("provider/model"), as remembered."""
        text = self._settings.current.ui.compare_models
        return [key for key in (k.strip() for k in text.split(",")) if "/" in key]

    def models(self) -> list[tuple[str, str]]:
        """What the next message goes to: the chosen (provider, model)s when Compare is on and
        two or more are chosen; none otherwise."""
        chosen = self.chosen()
        if not self.on or len(chosen) < MIN_COMPARED:
            return []
        return [(key.partition("/")[0], key.partition("/")[2]) for key in chosen]

    @property
    def too_few(self) -> bool:
        """Compare is on with fewer than two models chosen: nothing can be sent as it is."""
        return self.on and len(self.chosen()) < MIN_COMPARED

    def show(self, models: list[tuple[str, str]]) -> None:
        """Offer `(key, label)` models in the menu."""
        self._offered = models
        self._composer.set_compare(models, self.chosen(), self.on)

    def toggle(self, on: bool) -> None:
        self.on = on
        self._composer.set_compare(self._offered, self.chosen(), on)
        if on and self.too_few:
            self._say(tr("Choose two to four models to compare"))
            self._composer.open_compare()

    def tick(self, key: str, on: bool) -> None:
        """A model ticked (`on`) or not: two or more ticked switch Compare on, fewer off."""
        chosen = [k for k in self.chosen() if k != key] + ([key] if on else [])
        if len(chosen) > MAX_COMPARED:
            self._say(
                ntr(
                    "Compare takes at most {n} model",
                    "Compare takes at most {n} models",
                    MAX_COMPARED,
                )
            )
            chosen = chosen[:MAX_COMPARED]
        current = self._settings.current
        self._settings.apply(
            replace(current, ui=replace(current.ui, compare_models=",".join(chosen)))
        )
        self.on = len(chosen) >= MIN_COMPARED
        self._composer.set_compare(self._offered, chosen, self.on)
