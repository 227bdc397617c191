"""Preferences ▸ Web, with real widgets offscreen: the engine and the limits chosen are in use at
once (the web's tools read them on their next call) and in the settings file after, the SearXNG
address is asked for only with SearXNG, and Brave's and Tavily's keys are kept (here in the
session's keys, as without a keyring) and said to be."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QPushButton, QSpinBox
from pytestqt.qtbot import QtBot

from chatdesk.core.secrets import LookupReason, SessionKeys
from chatdesk.core.settings_outside import WebSettings
from chatdesk.core.tools.model import Policy
from chatdesk.core.tools.web_tools import READ_PAGE
from chatdesk.core.web.searching import key_name
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.web_page import WebPage
from tests.ui.test_preferences import child, show_tab
from tests.ui.test_settings_live import OpenWindow, _preferences, _saved
from tests.ui.test_settings_live import open_window as open_window


def _choose(combo: QComboBox, value: str) -> None:
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    combo.setCurrentIndex(combo.findData(value))  # as picking it from the list does


def test_the_engine_and_limits_chosen_are_in_use_at_once_and_saved(
    qtbot: QtBot, open_window: OpenWindow
) -> None:
    window = open_window()
    service = window._service
    assert service is not None
    dialog = _preferences(qtbot, window)
    show_tab(dialog, "Web")
    engine = child(dialog, QComboBox, "webEngine")
    address = child(dialog, QLineEdit, "webSearxngUrl")
    assert engine.currentData() == "duckduckgo"
    assert not address.isEnabled()  # only SearXNG has an address to give
    assert not child(dialog, QLineEdit, "webKey").isVisible()  # DuckDuckGo needs no key

    _choose(engine, "searxng")
    assert address.isEnabled()
    address.setFocus()
    qtbot.keyClicks(address, "http://localhost:8888")
    qtbot.keyClick(address, Qt.Key.Key_Return)
    allowed = child(dialog, QLineEdit, "webAllowPrivate")
    allowed.setFocus()
    qtbot.keyClicks(allowed, "localhost:8888")
    qtbot.keyClick(allowed, Qt.Key.Key_Return)
    assert service.tools.policy_for(READ_PAGE) is Policy.ALLOW
    qtbot.keyClick(dialog.web.ask_first, Qt.Key.Key_Space)
    pages = child(dialog, QSpinBox, "webResearchPages")
    pages.setFocus()
    pages.selectAll()
    qtbot.keyClicks(pages, "12")
    qtbot.keyClick(pages, Qt.Key.Key_Return)

    web = service.tools.settings.web  # what the web's tools use on their next call
    assert (web.engine, web.searxng_url) == ("searxng", "http://localhost:8888")
    assert (web.allow_private, web.ask_first) == ("localhost:8888", True)
    assert service.tools.policy_for(READ_PAGE) is Policy.ASK
    assert web.research_pages == 12
    qtbot.waitUntil(lambda: _saved(window).get("web", {}).get("ask_first") is True)
    assert _saved(window)["web"]["engine"] == "searxng"
    assert _saved(window)["web"]["searxng_url"] == "http://localhost:8888"
    dialog.close()


def test_a_key_is_saved_off_the_gui_thread_and_said_to_be_kept(
    qtbot: QtBot, runner: Runner, qapp: QApplication
) -> None:
    keys = SessionKeys()
    page = WebPage(WebSettings(engine="brave"), keys, runner)
    qtbot.addWidget(page)
    page.show()
    key, save = child(page, QLineEdit, "webKey"), child(page, QPushButton, "webSaveKey")
    note = child(page, QLabel, "webKeyNote")
    assert key.isVisible()
    assert key.echoMode() == QLineEdit.EchoMode.Password
    qtbot.waitUntil(lambda: note.text() == "Brave Search needs a key to search.")

    key.setFocus()
    qtbot.keyClicks(key, "  brave-secret ")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    kept = "A key for Brave Search is kept; type a new one to replace it."
    qtbot.waitUntil(lambda: note.text() == kept)
    found = keys.lookup(key_name("brave"), "https://api.search.brave.com")
    assert (found.reason, found.key) == (LookupReason.FOUND, "brave-secret")
    assert key.text() == ""  # never shown again

    _choose(child(page, QComboBox, "webEngine"), "tavily")  # another engine, its own key
    qtbot.waitUntil(lambda: note.text() == "Tavily needs a key to search.")
    _choose(child(page, QComboBox, "webEngine"), "duckduckgo")
    assert not key.isVisible()
    assert not note.isVisible()
    _choose(child(page, QComboBox, "webEngine"), "brave")
    qtbot.waitUntil(lambda: note.text() == kept)
