"""The look of the whole app: its palette, style sheet, icons and the reading size, kept
current.

`apply_theme(app, theme, font_size, zoom)` takes a theme ("system", "light", "dark" or
"high-contrast") and always uses the Fusion style with one of chatdesk's looks (colours.py), so
each looks designed; "system" picks light or dark to match the OS colour scheme and follows it
when the user switches (Qt's `QStyleHints.colorSchemeChanged`). `font_size` and `zoom` size the
conversation's text (`reading_font`, reading.py); the controls keep the platform's font.

Reacting to a change: widgets that paint with palette colours need nothing, Qt repaints them;
icons given by `icons.set_icon` are tinted again here. Anything that bakes colours or fonts
into content it caches (rendered markdown, highlighted code, the window's own style sheet)
connects to `ThemeWatcher.of(app).changed`, which fires once per change (of the look or the
reading size) with whether the look is dark now. (Every widget also receives
`QEvent.PaletteChange`, but once per widget and before the stylesheet is re-applied, so it is
the wrong hook for re-rendering content.)
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from chatdesk.ui.theme.colours import Look, colours
from chatdesk.ui.theme.reading import reading_font
from chatdesk.ui.theme.sheet import app_sheet

log = logging.getLogger("chatdesk.ui")

THEMES = ("system", "light", "dark", "high-contrast")
_WATCHER_NAME = "chatdeskThemeWatcher"

R = QPalette.ColorRole
# QPalette's roles from chatdesk's (colours.py). Mid is the colour of frames and Midlight of
# hovered buttons for Fusion; PlaceholderText is the quiet text everywhere.
_ROLES = {
    R.Window: "window",
    R.WindowText: "text",
    R.Base: "surface",
    R.AlternateBase: "surface_alt",
    R.Text: "text",
    R.Button: "raised",
    R.ButtonText: "text",
    R.Light: "raised",
    R.Midlight: "hover",
    R.Mid: "border_strong",
    R.Dark: "border_strong",
    R.Shadow: "border_strong",
    R.ToolTipBase: "tooltip",
    R.ToolTipText: "on_tooltip",
    R.PlaceholderText: "text_quiet",
    R.Highlight: "accent",
    R.HighlightedText: "on_accent",
    R.Accent: "accent",
    R.Link: "link",
    R.LinkVisited: "link_visited",
}


def palette_for(look: Look) -> QPalette:
    named = colours(look)
    # Start from a palette derived from window and button colours so the remaining roles match.
    palette = QPalette(QColor(named["raised"]), QColor(named["window"]))
    for role, name in _ROLES.items():
        palette.setColor(role, QColor(named[name]))
    for role in (R.Text, R.WindowText, R.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(named["text_disabled"]))
    return palette


def is_dark(app: QGuiApplication) -> bool:
    """Whether the app looks dark now, whoever set its palette (for dark code styles etc.)."""
    return app.palette().color(R.Window).lightness() < 128


def current_look(app: QApplication | None = None) -> Look:
    """The look the app shows now (light when no theme was applied)."""
    app = app or _application()
    found = app.findChild(QObject, _WATCHER_NAME)
    return found.look if isinstance(found, ThemeWatcher) else "light"


def new_application(argv: list[str]) -> QApplication:
    """The app, in the Fusion style from the start: named on Qt's command line rather than
    set by `setStyle`, which hands the style to Python and so makes PySide's QStyle class
    (~5 ms before the window's first paint)."""
    app = QApplication([*argv, "-style", "Fusion"])
    ThemeWatcher.of(app)._styled = True
    return app


def apply_theme(app: QApplication, theme: str, font_size: int = 0, zoom: int = 100) -> None:
    """Use `theme` (one of THEMES; empty means "system") for the whole app, and the reading
    size `font_size` in points (0: chatdesk's own) at `zoom` percent for its conversations,
    now and until the next call."""
    ThemeWatcher.of(app).apply(theme, font_size, zoom)


def current_reading_font(app: QApplication | None = None) -> QFont:
    """The font the conversation's text is set in now (`reading_font` of the settings applied
    last; chatdesk's own size before any)."""
    found = (app or _application()).findChild(QObject, _WATCHER_NAME)
    return found.reading if isinstance(found, ThemeWatcher) else reading_font()


class ThemeWatcher(QObject):
    """Keeps the app on the chosen theme and announces changes; one per app (`of(app)`)."""

    changed = Signal(bool)  # dark

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._theme = "system"
        self._font_size = 0
        self._zoom = 100
        self._styled = False
        self.look: Look = "light"
        self._reading: QFont | None = None  # made when first asked for: not for a first frame
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

    @property
    def reading(self) -> QFont:
        """The font the conversation's text is set in (reading.py)."""
        if self._reading is None:
            self._reading = reading_font(self._font_size, self._zoom)
        return QFont(self._reading)

    def apply(self, theme: str, font_size: int, zoom: int = 100) -> None:
        theme = theme.strip().lower() or "system"
        if theme not in THEMES:
            log.warning("theme %r is not one of %s; following the system", theme, THEMES)
            theme = "system"
        resized = (font_size, zoom) != (self._font_size, self._zoom)
        self._theme, self._font_size, self._zoom = theme, font_size, zoom
        if resized:
            self._reading = None
        self._show(self._wanted(self._app.styleHints().colorScheme()), resized)

    def _follow_system(self, scheme: Qt.ColorScheme) -> None:
        if self._theme == "system":
            self._show(self._wanted(scheme))

    def _wanted(self, scheme: Qt.ColorScheme) -> Look:
        if self._theme == "system":  # Unknown (no desktop setting): light
            return "dark" if scheme == Qt.ColorScheme.Dark else "light"
        return (
            "contrast"
            if self._theme == "high-contrast"
            else "dark"
            if self._theme == "dark"
            else "light"
        )

    def _show(self, look: Look, resized: bool = False) -> None:
        before = (self.look, QFont(self._app.font()))
        self.look = look
        dark = look != "light"
        if not self._styled:  # once: setStyle re-polishes every widget
            self._app.setStyle("Fusion")
            self._styled = True
        palette = palette_for(look)
        self._app.setPalette(palette)
        for boxed in _BOXED:  # set in both themes: a class's palette outlives a theme change
            # PySide6's stub wants bytes; at run time it takes the class name as text only.
            self._app.setPalette(_with_box_edges(palette, dark), boxed)  # type: ignore[arg-type]
        self._app.setPalette(_menu_palette(palette, dark), "QMenu")  # type: ignore[arg-type]
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
        self._app.setFont(font)
        # Set again even when unchanged: palette(...) references are resolved when a sheet is
        # applied, so only this re-colours styled widgets after a palette change.
        self._app.setStyleSheet(app_sheet(look, font.pointSizeF()))
        if resized or before != (look, self._app.font()):
            if before[0] != look:
                from chatdesk.ui.theme.icons import retint

                retint(look)
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


def _application() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app
