"""No two controls a user can reach at once share an Alt+letter, in English and in every
catalogue, on the parts of the window tests/ui/tour_more.py tours: what a tool server, the web,
the local API and memory bring, and the dialogs they open (tests/ui/test_mnemonics.py tours the
rest)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.ui.application import attach_core
from chatdesk.ui.main_window import MainWindow
from tests.ports import free_port
from tests.ui.test_mnemonics import Clashes, speaking  # noqa: F401  (a fixture)
from tests.ui.tour_more import ENVIRONMENT, tour_more

# Every window and dialog the tour opens, by class.
WALKED = {
    "MainWindow",
    "ShortcutsDialog",
    "FactsDialog",
    "RememberDialog",
    "ServerPromptForm",
    "ResourceBrowser",
    "PreferencesDialog",
    "ServerForm",
    "FolderPatterns",
    "AssistantEditor",
}


@pytest.fixture
def serving_window(make_core: Any, finish: Any) -> Iterator[tuple[MainWindow, Core]]:
    """The window as the application attaches it to a core serving its local API, with a web
    engine set."""
    core: Core = make_core(CHATDESK_API_PORT=str(free_port()), **ENVIRONMENT)
    window = MainWindow(settings=core.config.settings)
    attach_core(window, core)
    window.show()
    window.start()
    yield window, core
    window.close()
    finish(window.aclose())
    window.deleteLater()


# The slash menu's popup and the resource browser's, offscreen.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_no_two_controls_reachable_at_once_share_a_letter_on_the_parts_tools_and_web_bring(
    speaking: str,  # noqa: F811
    serving_window: tuple[MainWindow, Core],
    qtbot: QtBot,
    finish: Any,
) -> None:
    main, core = serving_window
    found = Clashes()
    tour_more(main, core, qtbot, finish, found)
    assert found.windows >= WALKED
    assert not found.found, f"letters used twice in {speaking}:\n" + found.report()
