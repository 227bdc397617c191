"""chatdesk's icon in the system tray (`[desktop] tray`), where the system has one: a click
shows the window; its menu offers New chat, Quick ask, Show chatdesk, Pause team sync (while
team sync is set up) and Quit. Each entry asks the `Desktop` (`hub.py`), never the window.

Where there is no tray (some Wayland desktops without the StatusNotifier extension, a session
without a panel) nothing is shown, and closing the window ends chatdesk as before. On X11 the
icon is made all the same: a panel that comes later (at login chatdesk may start before it), or
comes back after a crash, takes it in (`shown` is whether one holds it now).
"""

from __future__ import annotations

import sys
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QIcon, QMouseEvent
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from chatdesk.core.i18n import tr
from chatdesk.core.package_data import package_data

MESSAGE_MS = 10_000  # how long a message of the tray's own stays up, where the system obeys


def tray_available() -> bool:
    """Whether this session shows tray icons (none offscreen, nor on a desktop without one)."""
    return QSystemTrayIcon.isSystemTrayAvailable()


def tray_may_come() -> bool:
    """Whether an icon made now would go to a tray that appears later: on X11, Qt docks a
    shown icon in the tray of a panel started (or started again) after it."""
    return QApplication.platformName() == "xcb"


class TrayHub(Protocol):
    """What the tray's entries ask of the running chatdesk (`Desktop`, `hub.py`)."""

    @property
    def team_sync_set_up(self) -> bool: ...

    @property
    def team_sync_paused(self) -> bool: ...

    def new_chat(self) -> None: ...

    def quick_ask(self) -> None: ...

    def show_window(self) -> None: ...

    def pause_team_sync(self, paused: bool) -> object: ...

    def quit(self) -> None: ...


class Tray(QObject):
    def __init__(self, desktop: TrayHub, parent: QObject) -> None:
        super().__init__(parent)
        self._desktop = desktop
        self.menu = QMenu()  # the tray's own: no window is its parent
        self.menu.setObjectName("trayMenu")
        self.new_chat = self.menu.addAction(tr("&New chat"), desktop.new_chat)
        self.quick_ask = self.menu.addAction(tr("Quick &ask"), desktop.quick_ask)
        self.show_window = self.menu.addAction(tr("&Show chatdesk"), desktop.show_window)
        self.menu.addSeparator()
        self.pause_sync = self.menu.addAction(tr("&Pause team sync"))
        self.pause_sync.setCheckable(True)
        self.pause_sync.toggled.connect(desktop.pause_team_sync)
        self.menu.addSeparator()
        self.quit = self.menu.addAction(tr("&Quit"), desktop.quit)
        self.menu.aboutToShow.connect(self.refresh)
        self.refresh()
        self.icon: QSystemTrayIcon | None = None
        if tray_available() or tray_may_come():
            self.icon = QSystemTrayIcon(_app_icon(), self)
            self.icon.setToolTip("chatdesk")
            self.icon.setContextMenu(self.menu)
            self.icon.activated.connect(self._activated)
            self.icon.show()

    @property
    def shown(self) -> bool:
        """Whether the icon is in a tray now (closing the window may then leave it there)."""
        return self.icon is not None and self.icon.isVisible() and tray_available()

    def refresh(self) -> None:
        """Pause team sync: there while it is set up, ticked while paused."""
        desktop = self._desktop
        self.pause_sync.setVisible(desktop.team_sync_set_up)
        self.pause_sync.blockSignals(True)
        self.pause_sync.setChecked(desktop.team_sync_paused)
        self.pause_sync.blockSignals(False)

    def show_message(self, title: str, body: str) -> bool:
        """A message from the tray's icon (the system's notification where it has one);
        False when there is no icon to show it."""
        if not self.shown or not QSystemTrayIcon.supportsMessages():
            return False
        assert self.icon is not None
        self.icon.showMessage(title, body, _app_icon(), MESSAGE_MS)
        return True

    def close(self) -> None:
        if self.icon is not None:
            self.icon.hide()
            self.icon.deleteLater()
            self.icon = None
        self.menu.deleteLater()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # A click shows the window, and so does a double click, which Windows users give tray
        # icons (Qt reports a second click soon after one as a double click only: the window
        # hidden in between would stay hidden). macOS opens the menu on a click: the window
        # is its "Show chatdesk".
        clicks = (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        )
        if reason in clicks and sys.platform != "darwin":
            self._desktop.show_window()
        elif reason == QSystemTrayIcon.ActivationReason.Context:
            self._watch_second_right_clicks()

    def _watch_second_right_clicks(self) -> None:
        """In an X11 tray of the XEmbed kind (no StatusNotifier host: trayer, stalonetray,
        i3bar and the like), Qt's icon is a widget of its own (`QSystemTrayIconSys`) that
        opens the menu on a press; a second press within the double-click interval (400 ms
        by default) reaches it as a double click, which it hands on for the left button only,
        so a right click soon after the menu closed opened nothing. The icon's widget is known
        once it was right-clicked: its double clicks with the right button open the menu from
        then on. Other trays (D-Bus, Windows, macOS) show the menu themselves and never make
        that widget."""
        for widget in QApplication.topLevelWidgets():
            if widget.metaObject().className() == "QSystemTrayIconSys" and not widget.property(
                _WATCHED
            ):
                widget.setProperty(_WATCHED, True)
                widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.MouseButtonDblClick
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.RightButton
        ):
            self.menu.popup(event.globalPosition().toPoint())
            return True
        return super().eventFilter(watched, event)


_WATCHED = "chatdeskRightClicks"  # the icon's widget whose right double clicks open the menu


def _app_icon() -> QIcon:
    return QIcon(str(package_data("resources") / "icons" / "chatdesk.svg"))
