"""Appearance: the theme and the font size, with a preview of the size."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QSizePolicy, QSpinBox, QWidget

from chatdesk.core.config import UiSettings

THEME_CHOICES = (
    ("System", "system"),
    ("Light", "light"),
    ("Dark", "dark"),
    ("High contrast", "high-contrast"),
)
# The spin box shows "Default" one step below the smallest size: 0 in the settings.
_DEFAULT_STEP = 7
_LARGEST_FONT = 32
_PREVIEW_TEXT = "The quick brown fox jumps over the lazy dog."


class AppearancePage(QWidget):
    def __init__(self, ui: UiSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = QComboBox(self)
        self._theme.setObjectName("themeChoice")
        for label, key in THEME_CHOICES:
            self._theme.addItem(label, key)
        self._theme.setCurrentIndex(max(self._theme.findData(ui.theme), 0))
        self._theme.setAccessibleName("Theme")
        self._theme.setToolTip("System follows your desktop's light or dark mode")
        self._font_size = QSpinBox(self)
        self._font_size.setObjectName("fontSize")
        self._font_size.setRange(_DEFAULT_STEP, _LARGEST_FONT)
        self._font_size.setSpecialValueText("Default")
        self._font_size.setSuffix(" pt")
        self._font_size.setValue(ui.font_size or _DEFAULT_STEP)
        self._font_size.setAccessibleName("Font size")
        self._font_size.setAccessibleDescription("Text size in points; Default uses the system's")
        self._preview = QLabel(_PREVIEW_TEXT, self)
        self._preview.setObjectName("fontPreview")
        self._preview.setWordWrap(True)
        self._preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._font_size.valueChanged.connect(self._show_font_size)
        self._show_font_size()
        form = QFormLayout(self)
        # Short choices keep short fields; the preview takes the width it needs to wrap.
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("&Theme:", self._theme)
        form.addRow("&Font size:", self._font_size)
        form.addRow("Preview:", self._preview)

    def theme(self) -> str:
        key = self._theme.currentData()
        return key if isinstance(key, str) else "system"

    def font_size(self) -> int:
        value = self._font_size.value()
        return 0 if value == _DEFAULT_STEP else value

    def _show_font_size(self) -> None:
        font = self.font()
        if self.font_size():
            font.setPointSize(self.font_size())
        self._preview.setFont(font)
