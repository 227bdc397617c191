"""Appearance: the language, the theme, the size of the conversation's text (with a preview of
the size; the controls keep the platform's, chatdesk/ui/theme/reading.py), the width of the
conversation's column of text, and the offer to draw formulas when the `formulas` extra is not
installed (decision 0075)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QSizePolicy, QSpinBox, QWidget

from chatdesk.core import i18n
from chatdesk.core.config import UiSettings
from chatdesk.core.extras import FORMULAS
from chatdesk.core.i18n import mark, tr
from chatdesk.ui.settings.extra_offer import ExtraOffer
from chatdesk.ui.settings.notices import Tone
from chatdesk.ui.theme.reading import reading_font

if TYPE_CHECKING:
    from chatdesk.core.extras import Extras
    from chatdesk.ui.runner import Runner

THEME_CHOICES = (
    # translators: a theme that follows the desktop's light or dark mode
    (mark("System"), "system"),
    # translators: a theme: dark text on a light background
    (mark("Light"), "light"),
    # translators: a theme: light text on a dark background
    (mark("Dark"), "dark"),
    (mark("High contrast"), "high-contrast"),
)
# The spin box shows "Default" one step below the smallest size: 0 in the settings.
_DEFAULT_STEP = 7
_LARGEST_FONT = 32
# The bounds of ui.column_width (chatdesk/core/settings_start.py).
_NARROWEST_COLUMN = 400
_WIDEST_COLUMN = 4000
# translators: a sample sentence showing the chosen text size (any pangram of your language)
_PREVIEW_TEXT = mark("The quick brown fox jumps over the lazy dog.")
FORMULAS_READY = mark("Installed: formulas are drawn from now on.")


class AppearancePage(QWidget):
    def __init__(
        self, ui: UiSettings, parent: QWidget | None = None, *, running_language: str | None = None
    ) -> None:
        super().__init__(parent)
        self._language = QComboBox(self)
        self._language.setObjectName("languageChoice")
        # translators: the language choice that follows the system's language
        self._language.addItem(tr("Same as the system"), "system")
        for code, name in i18n.LANGUAGES.items():  # each in its own language, as menus show them
            self._language.addItem(name, code)
        self._language.setCurrentIndex(max(self._language.findData(ui.language), 0))
        self._language.setAccessibleName(tr("Language"))
        self._restart = QLabel(tr("Applies when chatdesk next starts."), self)
        self._restart.setObjectName("languageRestart")
        self._restart.setWordWrap(True)
        self._restart.setProperty("tone", Tone.INFO.value)
        self._in_use = ui.language if running_language is None else running_language
        self._language.currentIndexChanged.connect(self._show_restart)
        self._show_restart()
        self._theme = QComboBox(self)
        self._theme.setObjectName("themeChoice")
        for label, key in THEME_CHOICES:
            self._theme.addItem(tr(label), key)
        self._theme.setCurrentIndex(max(self._theme.findData(ui.theme), 0))
        self._theme.setAccessibleName(tr("Theme"))
        self._theme.setToolTip(tr("System follows your desktop's light or dark mode"))
        self._font_size = self._text_size_field(ui)
        self._preview = QLabel(tr(_PREVIEW_TEXT), self)
        self._preview.setObjectName("fontPreview")
        self._preview.setWordWrap(True)
        self._preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._font_size.valueChanged.connect(self._show_font_size)
        self._show_font_size()
        self._column_width = _column_width_field(ui.column_width, self)
        form = QFormLayout(self)
        # Short choices keep short fields; the preview takes the width it needs to wrap.
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(tr("&Language:"), self._language)
        form.addRow("", self._restart)
        form.addRow(tr("Th&eme:"), self._theme)
        # translators: the label of the field sizing the conversation's text
        form.addRow(tr("Te&xt size:"), self._font_size)
        form.addRow(tr("Preview:"), self._preview)
        form.addRow(tr("Text &column:"), self._column_width)
        self.formulas = ExtraOffer(FORMULAS, FORMULAS_READY, self)  # shown when not installed
        self.formulas.setObjectName("formulasPreference")
        form.addRow(self.formulas)

    def _text_size_field(self, ui: UiSettings) -> QSpinBox:
        """The field sizing the conversation's text, in points, at the size `ui` holds."""
        field = QSpinBox(self)
        field.setObjectName("fontSize")
        field.setRange(_DEFAULT_STEP, _LARGEST_FONT)
        # translators: the text size field's value that leaves the size to chatdesk
        field.setSpecialValueText(tr("Default"))
        # translators: the font size field's suffix after a number of points (keep the space)
        field.setSuffix(tr(" pt"))
        field.setValue(ui.font_size or _DEFAULT_STEP)
        # translators: a screen reader's name of the field sizing the conversation's text
        field.setAccessibleName(tr("Text size"))
        about = tr(
            "The conversation's text, in points; Default is chatdesk's own size. Menus and"
            " buttons keep the system's size"
        )
        field.setAccessibleDescription(about)
        field.setToolTip(about)
        return field

    def offer_formulas(self, runner: Runner, extras: Callable[[], Extras]) -> None:
        """Let the page offer the formulas extra, through the window's `runner`: it looks at
        once, and shows the offer when formulas cannot be drawn."""
        self.formulas.attach(runner, extras)
        self.formulas.check()

    def controls(self) -> list[QWidget]:
        """The settings of this page, each in use as soon as it changes."""
        return [self._language, self._theme, self._font_size, self._column_width]

    def language(self) -> str:
        key = self._language.currentData()
        return key if isinstance(key, str) else "system"

    def _show_restart(self) -> None:
        self._restart.setVisible(self.language() != self._in_use)

    def theme(self) -> str:
        key = self._theme.currentData()
        return key if isinstance(key, str) else "system"

    def font_size(self) -> int:
        value = self._font_size.value()
        return 0 if value == _DEFAULT_STEP else value

    def column_width(self) -> int:
        return self._column_width.value()

    def _show_font_size(self) -> None:
        self._preview.setFont(reading_font(self.font_size()))


def _column_width_field(value: int, parent: QWidget) -> QSpinBox:
    """The widest line of the conversation (ui.column_width), in steps of 20 px."""
    field = QSpinBox(parent)
    field.setObjectName("columnWidth")
    field.setRange(_NARROWEST_COLUMN, _WIDEST_COLUMN)
    field.setSingleStep(20)
    # translators: the column width field's suffix after a number of pixels (keep the space)
    field.setSuffix(tr(" px"))
    field.setValue(value)
    field.setAccessibleName(tr("Text column width"))
    about = tr("The widest line of the conversation, in pixels; the message box is as wide")
    field.setAccessibleDescription(about)
    field.setToolTip(about)
    return field
