"""The offer to draw formulas, over the messages (decision 0075): the first message of a run
whose formulas are shown as their source because the `formulas` extra is not installed brings
it, once; Install fetches it (pip, through the core's `Extras`), and the messages are formatted
again with their formulas drawn. Not now hides it until chatdesk next starts; Preferences ▸
Appearance offers it too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QVBoxLayout

from chatdesk.core.extras import FORMULAS
from chatdesk.ui.settings.appearance_page import FORMULAS_READY
from chatdesk.ui.settings.extra_offer import ExtraOffer

if TYPE_CHECKING:
    from chatdesk.core.extras import Extras
    from chatdesk.ui.conversation.formatter import Formatter
    from chatdesk.ui.runner import Runner


class FormulasOffer(ExtraOffer):
    """The offer atop `column`, brought once by `formatter`'s first message with formulas it
    could not draw; `redraw` formats the shown messages again once the extra is installed."""

    def __init__(
        self,
        column: QVBoxLayout,
        formatter: Formatter,
        redraw: Callable[[], None],
        runner: Runner,
        extras: Callable[[], Extras],
    ) -> None:
        super().__init__(FORMULAS, FORMULAS_READY, column.parentWidget(), dismissable=True)
        self.setObjectName("formulasOffer")
        column.insertWidget(0, self)
        # In from the column's edges as the header's title below it (chatdesk/ui/header/bar.py),
        # and apart from the menu bar: flush, its first button met the sidebar's edge.
        layout = self.layout()
        assert layout is not None
        layout.setContentsMargins(14, 8, 14, 0)
        self.attach(runner, extras)
        self._formatter = formatter
        self._redraw = redraw
        self._asked = False
        formatter.formulas_missing.connect(self.missing)
        self.installed.connect(self._drawn)

    def missing(self) -> None:
        """A message's formulas could not be drawn: the offer, if the extra is still missing."""
        if self._asked:  # said once a run
            return
        self._asked = True
        self.check()

    def _drawn(self) -> None:
        self._formatter.clear()
        self._redraw()
