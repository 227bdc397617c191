"""Light and dark: CHATDESK_THEME=light|dark forces one (Fusion + palette); unset follows the OS."""

from __future__ import annotations

import logging

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

log = logging.getLogger("chatdesk.ui")

R = QPalette.ColorRole
# role: (light, dark)
_COLOURS = {
    R.Window: ("#efefef", "#2b2d30"),
    R.Button: ("#e4e4e4", "#3a3d41"),
    R.Base: ("#ffffff", "#1e1f22"),
    R.AlternateBase: ("#f5f5f5", "#26282b"),
    R.ToolTipBase: ("#ffffdc", "#3a3d41"),
    R.Text: ("#1e1e1e", "#e6e6e6"),
    R.WindowText: ("#1e1e1e", "#e6e6e6"),
    R.ButtonText: ("#1e1e1e", "#e6e6e6"),
    R.ToolTipText: ("#1e1e1e", "#e6e6e6"),
    R.PlaceholderText: ("#6e6e6e", "#9a9a9a"),
    R.Highlight: ("#2f6fca", "#3d7ad6"),
    R.HighlightedText: ("#ffffff", "#ffffff"),
    R.Link: ("#1f5fb8", "#7fb0ff"),
}
_DISABLED_TEXT = ("#9a9a9a", "#6f7277")


def apply_theme(app: QApplication, name: str) -> None:
    """Force "light" or "dark"; an empty name leaves the system's look alone."""
    name = name.strip().lower()
    if not name:
        return
    if name not in ("light", "dark"):
        log.warning("CHATDESK_THEME=%r is neither light nor dark; following the system", name)
        return
    i = 1 if name == "dark" else 0
    # Start from a palette derived from window and button colours so the bevel roles match.
    palette = QPalette(QColor(_COLOURS[R.Button][i]), QColor(_COLOURS[R.Window][i]))
    for role, colours in _COLOURS.items():
        palette.setColor(role, QColor(colours[i]))
    for role in (R.Text, R.WindowText, R.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DISABLED_TEXT[i]))
    app.setStyle("Fusion")
    app.setPalette(palette)
