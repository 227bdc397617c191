"""The main window's style sheet: the theme's for the window, and its parts' own rules over the
look's colour roles, made again when the look or the font changes."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from chatdesk.ui.conversation.divider_style import DIVIDER_STYLE
from chatdesk.ui.header import header_style
from chatdesk.ui.sync.style import SYNC_STYLE
from chatdesk.ui.theme import current_look, window_sheet
from chatdesk.ui.theme.colours import colours


def window_style() -> str:
    look = current_look()
    own = window_sheet(look, _font_points())
    roles = colours(look)
    return own + DIVIDER_STYLE + header_style(roles) + SYNC_STYLE.substitute(roles)


def _font_points() -> float:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app.font().pointSizeF()
