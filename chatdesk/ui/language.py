"""The window's language, chosen once as it starts (decision 0030).

chatdesk's own words come from its catalog (`chatdesk/core/i18n.py`); Qt's own words (a dialog's
standard buttons, a text field's context menu, the file dialog) from the translations Qt ships;
numbers and dates from the language's locale; and a right-to-left language lays the window out
from the right.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication

from chatdesk.core import i18n

if TYPE_CHECKING:  # loaded for a language other than chatdesk's own (English) only
    from PySide6.QtCore import QTranslator

log = logging.getLogger("chatdesk.ui")
QT_CATALOGS = ("qtbase",)  # Qt's words the window can show (QtWidgets' are in qtbase)
_installed: list[QTranslator] = []


def start(app: QApplication, setting: str, system: QLocale | None = None) -> str:
    """Speaks the language `setting` names ("system" follows the system, `system` or the
    one this computer is set to) and returns its code."""
    system = QLocale.system() if system is None else system
    code = i18n.set_language(i18n.choose(setting, list(system.uiLanguages())))
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if code != i18n.SOURCE:
        _install_qt_catalogs(app, code)
    # Numbers and dates as the chosen language writes them; and as the language spoken writes
    # them where the system has no conventions of its own (the C or POSIX locale writes a date
    # "26 11 2026 13:33").
    if setting != "system" or system.language() == QLocale.Language.C:
        QLocale.setDefault(QLocale(code))
    right_to_left = i18n.is_right_to_left(code)
    if right_to_left or app.layoutDirection() != Qt.LayoutDirection.LeftToRight:
        rtl, ltr = Qt.LayoutDirection.RightToLeft, Qt.LayoutDirection.LeftToRight
        app.setLayoutDirection(rtl if right_to_left else ltr)
    return code


def _install_qt_catalogs(app: QApplication, code: str) -> None:
    from PySide6.QtCore import QLibraryInfo, QTranslator

    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in QT_CATALOGS:
        translator = QTranslator(app)
        if translator.load(QLocale(code), name, "_", folder):
            app.installTranslator(translator)
            _installed.append(translator)
        else:
            log.info("Qt has no %s translations for %s in %s", name, code, folder)
