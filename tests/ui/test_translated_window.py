"""Every word the window shows goes through translation: toured in a pseudo-language that
brackets each translated message (`⟦…⟧`, tests/translation_catalogs.py), the window, its dialogs
and every Preferences page show no English outside the brackets but the user's own data. And a
right-to-left language lays the window out from the right, with the icons that point along the
line turned around."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QModelIndex, Qt, QTranslator
from PySide6.QtGui import QAction, QImage, QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSpinBox,
    QTabBar,
    QTableView,
    QTextEdit,
    QTreeView,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import text as sql

from chatdesk.app import Core
from chatdesk.core import i18n
from chatdesk.core.providers.catalogue import HOSTED
from chatdesk.ui import language
from chatdesk.ui.application import attach_core
from chatdesk.ui.conversation.sources import read_when
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.settings.api_snippets import SNIPPETS
from chatdesk.ui.settings.memory_list import used_text
from chatdesk.ui.sidebar.delegate import text_direction
from chatdesk.ui.theme import icons
from tests.translation_catalogs import CLOSE, OPEN, PseudoCatalog, pseudo
from tests.ui.tour import DATA, WALKED, tour

# Names and values that read the same in every language: products, PostgreSQL's TLS modes
# (sslmode), examples of what a field takes, each language's own name. (The built-in
# assistants are not among them: their words are shown in the user's language.)
NAMES = (
    "Ollama",
    "LM Studio",
    "vLLM",
    "OpenAI",
    "OpenRouter",
    "verify-full",
    "verify-ca",
    "require",
    "prefer",
    "disable",
    "team.example.org",
    "~/.postgresql/root.crt",
    "OPENAI_API_KEY",
    *(entry.name for entry in HOSTED),
    "my-resource",
    "gpt-4o-mini",
    *i18n.LANGUAGES.values(),
    *SNIPPETS,
)
# Labels that show what a model wrote (a summary).
MODEL_TEXT = {"summaryText"}
# Lists of what this computer has (its microphones, its voices), after their "Default".
SYSTEM_LISTS = {"voiceMicrophone", "voiceVoice"}
_BRACKETED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
_CUT_START = re.compile(f"^[^{OPEN}]*{CLOSE}")
_CUT_END = re.compile(f"{OPEN}[^{CLOSE}]*$")
_WORD = re.compile(r"[A-Za-z]{2,}")
# Not words to translate: the product's name, model and provider ids, keys, addresses, files.
_NOT_WORDS = re.compile(
    r"chatdesk|mock-[\w-]+|\bmock\b|\b(Ctrl|Shift|Alt|Meta|Esc|Enter|Del|PgUp|PgDown|Home|End)\b"
    r"|\S+://\S*|\S+\.(txt|md|json|toml|db|log)\b|\bF\d+\b|(^|\s)/\S+"
)


class PseudoQt(QTranslator):
    """Qt's own words in the pseudo-language too (its dialogs' buttons, a field's menu)."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        return pseudo(source) if source else source


def untranslated(text: str) -> str:
    """What is left of `text` once translated messages, data and non-words are taken out."""
    if "<" in text and ">" in text:
        text = QTextDocumentFragment.fromHtml(text).toPlainText()
    while (stripped := _BRACKETED.sub(" ", text)) != text:
        text = stripped
    # A search hit's snippet may start or end inside a translated message: what stands before a
    # close that has no open, or after an open that has no close, is that message cut short.
    text = _CUT_END.sub(" ", _CUT_START.sub(" ", text))
    for data in sorted((*DATA, *NAMES), key=len, reverse=True):
        text = text.replace(data, " ")
    text = _NOT_WORDS.sub(" ", text)
    return text if _WORD.search(text) else ""


def texts(widget: QWidget) -> Iterator[tuple[str, str]]:
    """(what, text) for each piece of text `widget` shows, speaks or tips."""
    yield "tooltip", widget.toolTip()
    yield "accessible name", widget.accessibleName()
    yield "accessible description", widget.accessibleDescription()
    yield "status tip", widget.statusTip()
    if widget.isWindow():
        yield "title", widget.windowTitle()
    if isinstance(widget, QLabel) and widget.objectName() in MODEL_TEXT:
        pass
    elif isinstance(widget, QLabel | QAbstractButton):
        yield "text", widget.text()
    elif isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        yield "placeholder", widget.placeholderText()
    elif isinstance(widget, QGroupBox):
        yield "title", widget.title()
    elif isinstance(widget, QComboBox):
        shown = 1 if widget.objectName() in SYSTEM_LISTS else widget.count()
        for row in range(min(shown, widget.count())):
            yield "item", widget.itemText(row)
    elif isinstance(widget, QTabBar):
        for tab in range(widget.count()):
            yield "tab", widget.tabText(tab)
            yield "tab tip", widget.tabToolTip(tab)
    elif isinstance(widget, QAbstractSpinBox):
        yield "special value", widget.specialValueText()
        if isinstance(widget, QSpinBox):  # one message may hold the number: "at {n} % of …"
            yield "prefix and suffix", widget.prefix() + "0" + widget.suffix()
    elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
        model = widget.model()
        header = widget.horizontalHeader() if isinstance(widget, QTableView) else None
        header = widget.header() if isinstance(widget, QTreeView) else header
        for column in range(header.count() if header is not None else 0):
            yield "header", str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        for row in range(min(model.rowCount(QModelIndex()), 50)):
            index = model.index(row, 0)
            yield "row", str(index.data(Qt.ItemDataRole.DisplayRole) or "")
            yield "row tip", str(index.data(Qt.ItemDataRole.ToolTipRole) or "")


def actions(menu: QMenu | QWidget) -> Iterator[QAction]:
    for action in menu.actions():
        yield action
        inner = action.menu()
        if isinstance(inner, QMenu):
            yield from actions(inner)


class Look:
    """Gathers, over the tour, every English text left in the visible windows and menus."""

    def __init__(self) -> None:
        self.english: dict[str, set[str]] = {}
        self.windows: set[str] = set()

    def __call__(self) -> None:
        for top in QApplication.topLevelWidgets():
            if not top.isVisible():
                continue
            self.windows.add(type(top).__name__)
            for widget in [top, *top.findChildren(QWidget)]:
                if widget.isVisible():
                    for what, text in texts(widget):
                        self._check(
                            text, f"{what} of {type(widget).__name__}#{widget.objectName()}"
                        )
            for action in actions(top):
                self._check(action.text(), "action")
                self._check(action.toolTip(), "action tooltip")

    def _check(self, text: str, where: str) -> None:
        if text and untranslated(text):
            self.english.setdefault(text, set()).add(where)

    def forgive(self, answers: list[str]) -> None:
        """Drop texts that are only a model's words around translated ones: a search hit's
        snippet of an answer ("…the details on “the question”. Nothing here needs…")."""
        written = [" ".join(answer.split()) for answer in answers]

        def only_written(shown: str) -> bool:
            if "<" in shown and ">" in shown:
                shown = QTextDocumentFragment.fromHtml(shown).toPlainText()
            if "…" not in shown:
                return False  # a whole label is the window's, whatever an answer says
            pieces = (" ".join(piece.split()) for piece in shown.split("…"))
            rest = " ".join(p for p in pieces if p and not any(p in w for w in written))
            return not untranslated(rest)

        self.english = {t: w for t, w in self.english.items() if not only_written(t)}

    def report(self) -> str:
        return "\n".join(
            f"  {t!r}: {', '.join(sorted(w))}" for t, w in sorted(self.english.items())
        )


@pytest.fixture
def pseudo_language(qapp: QApplication) -> Iterator[None]:
    qt = PseudoQt(qapp)
    qapp.installTranslator(qt)
    i18n.set_language("xx", catalog=PseudoCatalog())
    yield
    i18n.set_language(i18n.SOURCE)
    qapp.removeTranslator(qt)


def test_the_window_shows_no_untranslated_words(
    pseudo_language: None, attached_window: tuple[MainWindow, Core], qtbot: QtBot, finish: Any
) -> None:
    main, core = attached_window
    look = Look()
    tour(main, core, qtbot, finish, look)
    assert look.windows >= WALKED, "some windows were not on screen to be looked at"
    look.forgive(_answers(core))
    assert not look.english, "English left in the pseudo-language:\n" + look.report()


def _answers(core: Core) -> list[str]:
    """What the mock wrote: its demo answers are English text of a model, not of the window."""
    query = sql("SELECT content FROM messages WHERE role = 'assistant'")
    return core.insides.store.read_now(lambda s: [content for (content,) in s.execute(query)])


def _left_to_right(draw: Callable[[], QImage]) -> QImage:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    try:
        return draw()
    finally:
        app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)


def test_a_right_to_left_language_lays_the_window_out_from_the_right(
    arabic: str, make_core: Any, finish: Any, qtbot: QtBot
) -> None:
    assert arabic == "ar"
    core: Core = make_core()
    main = MainWindow()
    attach_core(main, core)
    main.resize(1000, 700)
    with qtbot.waitExposed(main):
        main.show()
    main.start()
    try:
        assert main.layoutDirection() is Qt.LayoutDirection.RightToLeft
        sidebar = main.sidebar.mapTo(main, main.sidebar.rect().center())
        composer = main.composer.mapTo(main, main.composer.rect().center())
        assert sidebar.x() > main.width() / 2 > composer.x()
        pointing = icons.picture("next", "#000000", 16).toImage()
        assert pointing == _left_to_right(
            lambda: icons.picture("next", "#000000", 16).toImage()
        ).flipped(Qt.Orientation.Horizontal)
        menus = [a.text() for a in main.menuBar().actions()]
        assert menus
        assert not any(_WORD.search(m.replace("&", "")) for m in menus), menus
    finally:
        main.close()
        finish(main.aclose())
        main.deleteLater()


def test_a_title_is_written_in_its_own_direction_in_any_window() -> None:
    """An English chat title in an Arabic window keeps its "?" at its end, and the other way."""
    ltr, rtl = Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft
    assert text_direction("What is a good name for a cat?", rtl) is ltr
    assert text_direction("«ما اسم جيد لقطة؟»", ltr) is rtl
    assert text_direction("42 — ?", rtl) is rtl


@pytest.fixture
def default_locale(qapp: QApplication) -> Iterator[None]:
    before = QLocale()
    yield
    language.start(qapp, "en")
    QLocale.setDefault(before)


@pytest.mark.parametrize(("setting", "shown"), [("system", "11/26/26"), ("de", "26.11.26")])
def test_under_the_c_locale_dates_are_written_as_the_language_spoken_writes_them(
    qapp: QApplication, default_locale: None, setting: str, shown: str
) -> None:
    """A system set to C (or POSIX) has no conventions of its own: its "26 11 2026" reads as
    no language writes a date."""
    code = language.start(qapp, setting, system=QLocale.c())
    assert code == ("en" if setting == "system" else setting)
    moment = datetime(2026, 11, 26, 13, 33, tzinfo=UTC)
    assert used_text(moment) == shown
    assert read_when("2026-11-26T13:33:00").startswith(shown)


def test_a_system_with_conventions_keeps_them_when_its_language_is_followed(
    qapp: QApplication, default_locale: None
) -> None:
    QLocale.setDefault(QLocale("en_GB"))  # as the system's would be
    assert language.start(qapp, "system", system=QLocale("en_GB")) == "en"
    assert used_text(datetime(2026, 11, 26, 13, 33, tzinfo=UTC)) == "26/11/2026"
