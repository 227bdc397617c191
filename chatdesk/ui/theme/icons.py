"""The window's icons: the SVG files in `resources/ui-icons/`, tinted from the current look.

`set_icon(button, "copy")` gives a button its icon and keeps it in the look's colours: the
name and tone are kept on the button, and a change of look tints every such button again.
An icon has the `tone`'s colour at rest, the text colour under the mouse (QIcon's Active mode),
and the disabled text colour when the button cannot be used.

The files are read and drawn on first use (Qt's SVG image plugin: nothing is imported for
it here), once per name, size and pixel ratio; each colour is a fill of that drawing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractButton, QApplication

from chatdesk.core.package_data import package_data
from chatdesk.ui.theme.colours import Look, colours

ICON_PROPERTY = "chatdeskIcon"  # "name tone" on a widget whose icon follows the look
HIDDEN_PROPERTY = "chatdeskIconHidden"  # true while the icon is withheld (`show_icon`)


# Icons that point along the line of text: a right-to-left window draws them turned around.
POINTING = frozenset({"expand", "next", "previous", "continue", "show-sidebar"})


def folder() -> Path:
    return package_data("resources") / "ui-icons"


def names() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in folder().glob("*.svg")))


def icon(
    name: str, look: Look, tone: str = "quiet", size: int = 16, selected: str = "on_accent"
) -> QIcon:
    """`name`'s icon in `look`, `size` pixels square: the colour of `tone` (a colour role of
    colours.py, or "quiet": the quiet text's), the text colour when active, dimmed when
    disabled, and `selected`'s colour on a selected row (the accent's ground, unless the list
    marks its selection otherwise)."""
    ratios = frozenset({1.0, *(screen.devicePixelRatio() for screen in QGuiApplication.screens())})
    return _icon(name, look, tone, size, ratios, _mirrored(name), selected)


@cache
def _icon(
    name: str,
    look: Look,
    tone: str,
    size: int,
    ratios: frozenset[float],
    mirrored: bool,
    selected: str,
) -> QIcon:
    palette = colours(look)
    rest = palette["text_quiet"] if tone == "quiet" else palette[tone]
    active = palette["text"] if tone == "quiet" else rest
    made = QIcon()
    for ratio in sorted(ratios):
        for mode, colour in (
            (QIcon.Mode.Normal, rest),
            (QIcon.Mode.Active, active),
            (QIcon.Mode.Selected, palette[selected]),
            (QIcon.Mode.Disabled, palette["text_disabled"]),
        ):
            made.addPixmap(_pixmap(name, colour, size, ratio, mirrored), mode)
    return made


def set_icon(widget: QAbstractButton, name: str, look: Look, tone: str = "quiet") -> None:
    """Give `widget` the icon `name`, and keep it tinted for the look (`retint`)."""
    widget.setProperty(ICON_PROPERTY, f"{name} {tone}")
    if not widget.property(HIDDEN_PROPERTY):
        widget.setIcon(icon(name, look, tone, widget.iconSize().width()))


def show_icon(widget: QAbstractButton, shown: bool, look: Look) -> None:
    """Draw `widget`'s icon (given by `set_icon`) or withhold it, keeping its place: a button
    that shows only when wanted (a message's actions) stays in the tab order and to a screen
    reader while its icon is withheld."""
    if bool(widget.property(HIDDEN_PROPERTY)) != (not shown):
        widget.setProperty(HIDDEN_PROPERTY, not shown)
        tinted = widget.property(ICON_PROPERTY)
        if shown and isinstance(tinted, str):
            name, tone = tinted.split(" ")
            widget.setIcon(icon(name, look, tone, widget.iconSize().width()))
        elif not shown:
            widget.setIcon(_blank())


def retint(look: Look) -> None:
    """Tint every button's icon for `look` (the look changed)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    for widget in app.allWidgets():
        tinted = widget.property(ICON_PROPERTY)
        hidden = widget.property(HIDDEN_PROPERTY)
        if isinstance(tinted, str) and isinstance(widget, QAbstractButton) and not hidden:
            name, tone = tinted.split(" ")
            widget.setIcon(icon(name, look, tone, widget.iconSize().width()))


def picture(name: str, colour: str, size: int, ratio: float = 1.0) -> QPixmap:
    """`name` drawn `size` pixels square in `colour` ("#rrggbb") at the pixel ratio `ratio`."""
    return _pixmap(name, colour, size, ratio, _mirrored(name))


@cache
def _blank() -> QIcon:
    """An icon that draws nothing: a button shows its text when it has no icon at all."""
    empty = QPixmap(64, 64)
    empty.fill(Qt.GlobalColor.transparent)
    return QIcon(empty)


@cache
def _source(name: str) -> bytes:
    path = folder() / f"{name}.svg"
    if not path.is_file():
        raise KeyError(f"no icon named {name!r} in {folder()}")
    return path.read_bytes()


def _mirrored(name: str) -> bool:
    """Whether `name` points the other way: it points along the line, and the window is laid
    out from the right (a right-to-left language)."""
    right_to_left = QGuiApplication.layoutDirection() is Qt.LayoutDirection.RightToLeft
    return right_to_left and name in POINTING


@cache
def _mask(name: str, pixels: int, mirrored: bool = False) -> QImage:
    """`name` drawn `pixels` square in black: what a tint fills (drawn once per size), turned
    left for right when `mirrored`."""
    # Here: PySide6 makes these classes (and their enums) on first use, after the first paint.
    from PySide6.QtCore import QBuffer
    from PySide6.QtGui import QImageReader

    data = QByteArray(_source(name).replace(b"currentColor", b"#000000"))
    buffer = QBuffer(data)
    reader = QImageReader(buffer, QByteArray(b"svg"))
    reader.setScaledSize(QSize(pixels, pixels))
    image = reader.read()
    if image.isNull():
        raise ValueError(f"icon {name!r} could not be drawn: {reader.errorString()}")
    if mirrored:
        image = image.flipped(Qt.Orientation.Horizontal)
    return image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


@cache
def _pixmap(name: str, colour: str, size: int, ratio: float, mirrored: bool) -> QPixmap:
    image = _mask(name, round(size * ratio), mirrored).copy()
    painter = QPainter(image)
    try:  # the colour where the drawing is, as opaque as it is there
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(image.rect(), QColor(colour))
    finally:
        painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap
