"""Desktop: chatdesk beside the user's other programs (`[desktop]`): the keys that open the
quick window from anywhere and where its chats go, chatdesk's icon in the tray, closing the
window to the tray, starting in the tray at login, and system notifications.

Each setting is in use as it changes, as on the other sections. Under the keys, a line says
whether this system let chatdesk take them (`show_shortcut_status`, told by the part that
registers them); it is empty until then.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QSystemTrayIcon,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import mark, tr
from chatdesk.ui.settings.notices import Notice, Tone
from chatdesk.ui.settings.sections import scroll_page

if TYPE_CHECKING:
    from chatdesk.core.settings_outside import DesktopSettings

PORTABLE = QKeySequence.SequenceFormat.PortableText  # as the settings file keeps keys
NATIVE = QKeySequence.SequenceFormat.NativeText  # as the user reads them
# (the `[desktop] quick_chats` value, what the list says)
QUICK_CHATS = (
    # translators: where the quick window's chats are kept, in Preferences ▸ Desktop
    ("project", mark("Kept in the Quick project")),
    # translators: where the quick window's chats are kept, in Preferences ▸ Desktop
    ("temporary", mark("Temporary (nothing is kept)")),
)


class DesktopPage(QWidget):
    def __init__(self, desktop: DesktopSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        layout.addWidget(self._quick_box(desktop))
        layout.addWidget(self._tray_box(desktop))
        layout.addStretch(1)
        scroll_page(self, inner, "desktopScroll")
        self.tray.toggled.connect(lambda _=False: self._follow_tray())
        self._follow_tray()

    def _quick_box(self, desktop: DesktopSettings) -> QGroupBox:
        box = QGroupBox(tr("Quick window"), self)
        self.shortcut = QKeySequenceEdit(QKeySequence.fromString(desktop.quick_shortcut, PORTABLE))
        self.shortcut.setParent(box)
        self.shortcut.setObjectName("desktopShortcut")
        self.shortcut.setAccessibleName(tr("Keys that open the quick window"))
        self.shortcut.setMaximumSequenceLength(1)
        self.shortcut.setClearButtonEnabled(True)
        for field in self.shortcut.findChildren(QLineEdit):  # where the keys are shown
            field.setAccessibleName(tr("Keys that open the quick window"))
        for button in self.shortcut.findChildren(QToolButton):  # the field's clear button
            button.setAccessibleName(tr("No keys for the quick window"))
            button.defaultAction().setToolTip(tr("No keys for the quick window"))
        self.shortcut.setToolTip(
            tr("Press the keys that open the quick window from any program; clear them for none.")
        )
        self.shortcut_status = Notice("desktopShortcutStatus", box)  # filled by the shortcut
        self.shortcut_field = QWidget(box)
        column = QVBoxLayout(self.shortcut_field)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.shortcut)
        column.addWidget(self.shortcut_status)
        self.quick_chats = QComboBox(box)
        self.quick_chats.setObjectName("desktopQuickChats")
        self.quick_chats.setAccessibleName(tr("Where the quick window's chats go"))
        for value, words in QUICK_CHATS:
            self.quick_chats.addItem(tr(words), value)
        self.quick_chats.setCurrentIndex(max(0, self.quick_chats.findData(desktop.quick_chats)))
        form = QFormLayout(box)
        form.addRow(_label(tr("Short&cut:"), self.shortcut, box), self.shortcut_field)
        form.addRow(_label(tr("&Quick chats:"), self.quick_chats, box), self.quick_chats)
        return box

    def _tray_box(self, desktop: DesktopSettings) -> QGroupBox:
        box = QGroupBox(tr("Tray and notifications"), self)
        self.tray = _tick(box, "desktopTray", tr("Show chatdesk in the tra&y"), desktop.tray)
        self.no_tray = Notice("desktopNoTray", box)
        if not QSystemTrayIcon.isSystemTrayAvailable():
            self.no_tray.say(Tone.INFO, tr("This desktop shows no tray icons right now."))
        words = tr("C&lose the window to the tray")
        self.close_to_tray = _tick(box, "desktopCloseToTray", words, desktop.close_to_tray)
        self.close_to_tray.setToolTip(
            tr("chatdesk keeps running when its window is closed; Quit (Ctrl+Q) ends it.")
        )
        words = tr("Start in the tray at lo&gin")
        self.start_at_login = _tick(box, "desktopStartAtLogin", words, desktop.start_at_login)
        words = tr("&Notify when an answer is ready or a tool waits")
        self.notify = _tick(box, "desktopNotify", words, desktop.notify)
        self.notify.setToolTip(tr("While chatdesk's window is hidden or another one is in front."))
        layout = QVBoxLayout(box)
        for widget in (
            self.tray,
            self.no_tray,
            self.close_to_tray,
            self.start_at_login,
            self.notify,
        ):
            layout.addWidget(widget)
        return box

    # -- what it shows ---------------------------------------------------------------------------

    def show_shortcut_status(self, text: str, tone: Tone = Tone.INFO) -> None:
        """The line under the keys: whether this system let chatdesk take them (empty: no
        line)."""
        if text:
            self.shortcut_status.say(tone, text)
        else:
            self.shortcut_status.clear_notice()

    def controls(self) -> list[QWidget]:
        """The settings that apply as they change (the preferences watch them)."""
        return [
            self.shortcut,
            self.quick_chats,
            self.tray,
            self.close_to_tray,
            self.start_at_login,
            self.notify,
        ]

    def desktop(self, base: DesktopSettings) -> DesktopSettings:
        return replace(
            base,
            quick_shortcut=self.shortcut.keySequence().toString(PORTABLE),
            quick_chats=str(self.quick_chats.currentData()),
            tray=self.tray.isChecked(),
            close_to_tray=self.close_to_tray.isChecked(),
            start_at_login=self.start_at_login.isChecked(),
            notify=self.notify.isChecked(),
        )

    def _follow_tray(self) -> None:
        """Close to tray only with the icon in the tray: nothing would bring the window back."""
        self.close_to_tray.setEnabled(self.tray.isChecked())


def _label(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label


def _tick(parent: QWidget, name: str, words: str, checked: bool) -> QCheckBox:
    tick = QCheckBox(words, parent)
    tick.setObjectName(name)
    tick.setAccessibleName(words.replace("&", ""))
    tick.setChecked(checked)
    return tick
