"""The look of the whole app: light and dark palettes, a small stylesheet, the font size.

`apply_theme(app, "system" | "light" | "dark", font_size)` always uses the Fusion style with one
of our two palettes, so both look designed; "system" picks the one matching the OS colour scheme
and follows it when the user switches (Qt's `QStyleHints.colorSchemeChanged`).

Reacting to a change: widgets that paint with palette colours need nothing, Qt repaints them.
Anything that bakes colours or fonts into content it caches (rendered markdown, highlighted
code) connects to `ThemeWatcher.of(app).changed`, which fires once per change with whether the
look is dark now. (Every widget also receives `QEvent.PaletteChange`, but once per widget and
before the stylesheet is re-applied, so it is the wrong hook for re-rendering content.)
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

log = logging.getLogger("chatdesk.ui")

THEMES = ("system", "light", "dark")
_WATCHER_NAME = "chatdeskThemeWatcher"

R = QPalette.ColorRole
# role: (light, dark). Mid is the colour of borders and scroll handles, Midlight of hovered
# buttons, PlaceholderText of hovered scroll handles: the stylesheet relies on these meanings.
_COLOURS = {
    R.Window: ("#f3f3f3", "#2b2d30"),
    R.WindowText: ("#1e1e1e", "#e6e6e6"),
    R.Base: ("#ffffff", "#1e1f22"),
    R.AlternateBase: ("#f7f7f7", "#26282b"),
    R.Text: ("#1e1e1e", "#e6e6e6"),
    R.Button: ("#fbfbfb", "#3a3d41"),
    R.ButtonText: ("#1e1e1e", "#e6e6e6"),
    R.Light: ("#ffffff", "#55585e"),
    R.Midlight: ("#ececec", "#45484d"),
    R.Mid: ("#c4c4c4", "#54575d"),
    R.Dark: ("#a0a0a0", "#1a1b1d"),
    R.Shadow: ("#7a7a7a", "#101112"),
    R.ToolTipBase: ("#ffffff", "#3a3d41"),
    R.ToolTipText: ("#1e1e1e", "#e6e6e6"),
    R.PlaceholderText: ("#6e6e6e", "#9a9a9a"),
    R.Highlight: ("#2f6fca", "#3d7ad6"),
    R.HighlightedText: ("#ffffff", "#ffffff"),
    R.Accent: ("#2f6fca", "#3d7ad6"),
    R.Link: ("#1f5fb8", "#7fb0ff"),
    R.LinkVisited: ("#6a3fb5", "#b99cff"),
}
_DISABLED_TEXT = ("#9a9a9a", "#6f7277")

# Colours come only from palette(...) so one sheet serves both palettes. Every control keeps a
# visible keyboard focus: buttons and editable text areas draw a 2 px ring (padding shrinks by
# 1 px so nothing moves); Fusion draws none on text areas. Line edits, combo boxes, spin boxes,
# check boxes and tabs keep Fusion's own focus frame. Read-only text (the conversation) gets no
# frame: it is content, not a field.
STYLESHEET = """
QPushButton, QToolButton {
    background: palette(button);
    border: 1px solid palette(mid);
    border-radius: 6px;
    padding: 4px 12px;
    outline: none; /* the ring below shows focus; no dotted box around the label too */
}
QToolButton { padding: 3px 6px; }
QPushButton:hover, QToolButton:hover { background: palette(midlight); }
QPushButton:pressed, QToolButton:pressed, QToolButton:checked { background: palette(mid); }
QPushButton:focus { border: 2px solid palette(highlight); padding: 3px 11px; }
QToolButton:focus { border: 2px solid palette(highlight); padding: 2px 5px; }
QPushButton:disabled, QToolButton:disabled {
    background: palette(window);
    border-color: palette(midlight);
}
QPushButton[primary="true"]:enabled {
    background: palette(accent);
    border-color: palette(accent);
    color: palette(highlighted-text);
}
QPushButton[primary="true"]:enabled:hover { border-color: palette(highlighted-text); }
QPushButton[primary="true"]:enabled:focus { border: 2px solid palette(text); }

QPlainTextEdit[readOnly="false"], QTextEdit[readOnly="false"] {
    background: palette(base);
    border: 1px solid palette(mid);
    border-radius: 6px;
    padding: 2px;
}
QPlainTextEdit[readOnly="false"]:focus, QTextEdit[readOnly="false"]:focus {
    border: 2px solid palette(highlight);
    padding: 1px;
}

QFrame#attachmentChip {
    background: palette(alternate-base);
    border: 1px solid palette(mid);
    border-radius: 11px;
}
QToolButton#chipRemove {
    background: transparent;
    border: 2px solid transparent;
    border-radius: 9px;
    padding: 0 2px;
}
QToolButton#chipRemove:hover { background: palette(midlight); }
QToolButton#chipRemove:focus { border-color: palette(highlight); }
QToolButton#chipAction {
    background: transparent;
    border: 1px solid palette(mid);
    border-radius: 9px;
    padding: 0 6px;
}
QToolButton#chipAction:hover { background: palette(midlight); }
QToolButton#chipAction:focus { border: 2px solid palette(highlight); padding: 0 5px; }

QSplitter::handle { background: palette(window); }
QSplitter::handle:horizontal { width: 4px; }
QSplitter::handle:vertical { height: 4px; }
QSplitter::handle:hover { background: palette(highlight); }

QScrollBar:vertical { background: transparent; width: 10px; margin: 0; }
QScrollBar:horizontal { background: transparent; height: 10px; margin: 0; }
QScrollBar::handle { background: palette(mid); border-radius: 3px; margin: 2px; }
QScrollBar::handle:vertical { min-height: 24px; }
QScrollBar::handle:horizontal { min-width: 24px; }
QScrollBar::handle:hover, QScrollBar::handle:pressed { background: palette(placeholder-text); }
QScrollBar::add-line, QScrollBar::sub-line { width: 0; height: 0; border: none; }
QScrollBar::add-page, QScrollBar::sub-page { background: none; }

QToolTip {
    background: palette(tooltip-base);
    color: palette(tooltip-text);
    border: 1px solid palette(mid);
    padding: 4px;
}
"""


def palette_for(dark: bool) -> QPalette:
    i = 1 if dark else 0
    # Start from a palette derived from window and button colours so the remaining roles match.
    palette = QPalette(QColor(_COLOURS[R.Button][i]), QColor(_COLOURS[R.Window][i]))
    for role, colours in _COLOURS.items():
        palette.setColor(role, QColor(colours[i]))
    for role in (R.Text, R.WindowText, R.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DISABLED_TEXT[i]))
    return palette


def is_dark(app: QGuiApplication) -> bool:
    """Whether the app looks dark now, whoever set its palette (for dark code styles etc.)."""
    return app.palette().color(R.Window).lightness() < 128


def new_application(argv: list[str]) -> QApplication:
    """The app, in the Fusion style from the start: named on Qt's command line rather than
    set by `setStyle`, which hands the style to Python and so makes PySide's QStyle class
    (~5 ms before the window's first paint)."""
    app = QApplication([*argv, "-style", "Fusion"])
    ThemeWatcher.of(app)._styled = True
    return app


def apply_theme(app: QApplication, theme: str, font_size: int = 0) -> None:
    """Use `theme` ("system", "light" or "dark"; empty means "system") and `font_size` in
    points (0: the system's size) for the whole app, now and until the next call."""
    ThemeWatcher.of(app).apply(theme, font_size)


class ThemeWatcher(QObject):
    """Keeps the app on the chosen theme and announces changes; one per app (`of(app)`)."""

    changed = Signal(bool)  # dark

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._theme = "system"
        self._font_size = 0
        self._styled = False
        self.setObjectName(_WATCHER_NAME)
        app.styleHints().colorSchemeChanged.connect(self._follow_system)

    @classmethod
    def of(cls, app: QApplication) -> ThemeWatcher:
        # Found by its name: a search by class makes Python objects of all the app's children,
        # its style among them, and PySide's QStyle class takes ~5 ms to make.
        found = app.findChild(QObject, _WATCHER_NAME)
        return found if isinstance(found, cls) else cls(app)

    @property
    def theme(self) -> str:
        return self._theme

    def apply(self, theme: str, font_size: int) -> None:
        theme = theme.strip().lower() or "system"
        if theme not in THEMES:
            log.warning("theme %r is not one of %s; following the system", theme, THEMES)
            theme = "system"
        self._theme, self._font_size = theme, font_size
        self._show(self._wants_dark(self._app.styleHints().colorScheme()))

    def _follow_system(self, scheme: Qt.ColorScheme) -> None:
        if self._theme == "system":
            self._show(self._wants_dark(scheme))

    def _wants_dark(self, scheme: Qt.ColorScheme) -> bool:
        if self._theme == "system":
            return scheme == Qt.ColorScheme.Dark  # Unknown (no desktop setting): light
        return self._theme == "dark"

    def _show(self, dark: bool) -> None:
        before = (is_dark(self._app), QFont(self._app.font()))
        if not self._styled:  # once: setStyle re-polishes every widget
            self._app.setStyle("Fusion")
            self._styled = True
        palette = palette_for(dark)
        self._app.setPalette(palette)
        for boxed in _BOXED:  # set in both themes: a class's palette outlives a theme change
            # PySide6's stub wants bytes; at run time it takes the class name as text only.
            self._app.setPalette(_with_box_edges(palette, dark), boxed)  # type: ignore[arg-type]
        self._app.setPalette(_menu_palette(palette, dark), "QMenu")  # type: ignore[arg-type]
        self._app.setFont(_font(self._font_size))
        # Set again even when unchanged: palette(...) references are resolved when a sheet is
        # applied, so only this re-colours styled widgets after a palette change.
        self._app.setStyleSheet(STYLESHEET)
        if before != (dark, self._app.font()):
            self.changed.emit(dark)


_BOXED = ("QAbstractItemView", "QCheckBox", "QRadioButton")


def _with_box_edges(palette: QPalette, dark: bool) -> QPalette:
    """The palette of the widgets that draw check boxes (lists, check boxes, radio buttons).
    Fusion draws a box's edge a shade darker than the window colour, which in the dark theme
    is the colour of the base it sits on: an unticked box in a list showed nothing at all. A
    lighter window colour for those widgets alone makes the edge show; they paint no window
    background of their own."""
    if not dark:
        return palette
    edged = QPalette(palette)
    edged.setColor(R.Window, palette.color(R.Mid).lighter(170))
    return edged


def _menu_palette(palette: QPalette, dark: bool) -> QPalette:
    """The palette of menus. Fusion paints a menu in its base colour, and an unticked box in
    it (Compare's models, the tools) in that colour too, edged a shade darker than the window:
    in the dark theme the box showed nothing. A menu on the buttons' colour shows the edge
    (and stands off the window). Not the window colour, as for lists: a combo box's list is
    drawn with the menus' palette and fills its rows with it."""
    if not dark:
        return palette
    lifted = QPalette(palette)
    lifted.setColor(R.Base, palette.color(R.Button))
    return lifted


def _font(points: int) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
    if points > 0:
        font.setPointSize(points)
    return font
