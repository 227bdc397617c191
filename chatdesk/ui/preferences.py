"""Preferences: one tab per topic (Appearance, Chat; Providers comes later).

The dialog only edits a copy of the settings. After `accept()`, `result_settings()` returns the
edited copy; the window applies it and asks the core to save it. Nothing here writes files.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.config import Settings, UiSettings

THEME_CHOICES = (("System", "system"), ("Light", "light"), ("Dark", "dark"))
# The spin box shows "Default" one step below the smallest size: 0 in the settings.
_DEFAULT_STEP = 7
_LARGEST_FONT = 32
_PREVIEW_TEXT = "The quick brown fox jumps over the lazy dog."


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(460)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("preferencesTabs")
        self.tabs.addTab(self._appearance_tab(settings.ui), "&Appearance")
        self.tabs.addTab(self._chat_tab(settings.ui), "C&hat")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    def result_settings(self) -> Settings:
        """The edited settings once accepted; the settings it was given otherwise."""
        if self.result() != QDialog.DialogCode.Accepted:
            return self._settings
        ui = replace(
            self._settings.ui,
            theme=self._theme.currentData(),
            font_size=self.font_size(),
            enter_sends=self._enter_sends.isChecked(),
        )
        return replace(self._settings, ui=ui)

    def font_size(self) -> int:
        value = self._font_size.value()
        return 0 if value == _DEFAULT_STEP else value

    def _appearance_tab(self, ui: UiSettings) -> QWidget:
        page = QWidget(self)
        self._theme = QComboBox(page)
        self._theme.setObjectName("themeChoice")
        for label, key in THEME_CHOICES:
            self._theme.addItem(label, key)
        self._theme.setCurrentIndex(max(self._theme.findData(ui.theme), 0))
        self._theme.setAccessibleName("Theme")
        self._theme.setToolTip("System follows your desktop's light or dark mode")
        self._font_size = QSpinBox(page)
        self._font_size.setObjectName("fontSize")
        self._font_size.setRange(_DEFAULT_STEP, _LARGEST_FONT)
        self._font_size.setSpecialValueText("Default")
        self._font_size.setSuffix(" pt")
        self._font_size.setValue(ui.font_size or _DEFAULT_STEP)
        self._font_size.setAccessibleName("Font size")
        self._font_size.setAccessibleDescription("Text size in points; Default uses the system's")
        self._preview = QLabel(_PREVIEW_TEXT, page)
        self._preview.setObjectName("fontPreview")
        self._preview.setWordWrap(True)
        self._font_size.valueChanged.connect(self._show_font_size)
        self._show_font_size()
        form = QFormLayout(page)
        form.addRow("&Theme:", self._theme)
        form.addRow("&Font size:", self._font_size)
        form.addRow("Preview:", self._preview)
        return page

    def _show_font_size(self) -> None:
        font = self.font()
        if self.font_size():
            font.setPointSize(self.font_size())
        self._preview.setFont(font)

    def _chat_tab(self, ui: UiSettings) -> QWidget:
        page = QWidget(self)
        self._enter_sends = QRadioButton("&Enter sends, Shift+Enter starts a new line", page)
        self._enter_sends.setObjectName("enterSends")
        self._ctrl_enter_sends = QRadioButton("Ctrl+Enter &sends, Enter starts a new line", page)
        self._ctrl_enter_sends.setObjectName("ctrlEnterSends")
        group = QButtonGroup(page)
        group.addButton(self._enter_sends)
        group.addButton(self._ctrl_enter_sends)
        (self._enter_sends if ui.enter_sends else self._ctrl_enter_sends).setChecked(True)
        form = QFormLayout(page)
        form.addRow(QLabel("Sending messages:", page))
        form.addRow(self._enter_sends)
        form.addRow(self._ctrl_enter_sends)
        return page
