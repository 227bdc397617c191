""" "Connect a model": the window's first screen while no provider is set up. Against real
parts: a started core on a fresh database, real OpenAI-compatible servers on 127.0.0.1 standing
in for Ollama and a hosted provider, the in-memory keyring at the edge."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.configuration import configure
from chatdesk.core.config import load_settings, save_settings
from chatdesk.core.providers.catalogue import CATALOGUE
from chatdesk.core.providers.discovery import find_local_servers
from chatdesk.core.providers.manager import KeyState
from chatdesk.core.secrets import SERVICE, origin_of
from chatdesk.ui.application import attach_core
from chatdesk.ui.connect.page import ConnectPage
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.notices import Tone
from tests.core.sse_server import FakeOpenAI
from tests.keyrings import MemoryKeyring
from tests.ports import free_port
from tests.ui.test_window import answer_done, send

LEFT = Qt.MouseButton.LeftButton
KEY = "sk-connect-canary-7d2e41b9"


@pytest.fixture
def ollama() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(models=("llama3.2:latest", "qwen2.5:0.5b")).start()
    yield server
    server.close()


@pytest.fixture
def windows(qtbot: QtBot, finish: Any) -> Iterator[list[MainWindow]]:
    made: list[MainWindow] = []
    yield made
    for window in made:
        window.close()
        finish(window.aclose())
        window.deleteLater()


def saving_window(core: Core, windows: list[MainWindow]) -> MainWindow:
    """A window as the application makes it: its settings saved to the core's file."""
    path = core.config.paths.config_file
    window = MainWindow(
        settings=core.config.settings, save_settings=lambda s: save_settings(path, s)
    )
    windows.append(window)
    return window


def shown_page(window: MainWindow) -> ConnectPage | None:
    page = window.connecting.page
    return page if page is not None and page.isVisible() else None


def said_on_screen(window: MainWindow) -> str:
    """Every word shown in the window: its labels' and its buttons' (their mnemonics' "&" left
    out), lower case, one per line."""
    widgets = [*window.findChildren(QLabel), *window.findChildren(QAbstractButton)]
    shown = [widget.text() for widget in widgets if widget.isVisible()]
    return "\n".join(text.replace("&", "").lower() for text in shown)


def test_the_first_start_offers_to_connect_and_the_demo_chosen_is_remembered(
    make_core: Any, windows: list[MainWindow], qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = make_core(first_start=True)
    window = saving_window(core, windows)
    attach_core(window, core)
    window.show()
    window.start()
    page = shown_page(window)
    assert page is not None  # nothing set up, the demo never chosen: the page comes first
    assert not window.view.isVisible()
    assert not window.greeting.isVisible()
    assert not window.suggestions.isVisible()
    assert not window.composer.isVisible()
    # The header says what is shown, not a chat and its model nobody asked for.
    assert window.header.title.text() == "Connect a model"
    assert window.windowTitle() == "Connect a model — chatdesk"
    assert not window.header.model.isVisible()
    assert said_on_screen(window).count("connect a model") == 1  # said once, by the header
    qtbot.waitUntil(lambda: page.local.again.isEnabled())  # looked on this computer

    qtbot.mouseClick(page.demo, LEFT)
    assert shown_page(window) is None
    assert window.greeting.isVisible()  # the new chat's welcome
    assert window.suggestions.isVisible()
    assert window.composer.isVisible()
    assert window.header.title.text() == "New chat"
    assert window.windowTitle() == "New chat — chatdesk"
    qtbot.waitUntil(lambda: window.header.model.isVisible() and bool(window.header.model.text()))
    # What is typed next is the first question: no key goes to a button or the chat list.
    qtbot.waitUntil(window.composer.editor.hasFocus)
    qtbot.keyClicks(QApplication.focusWidget(), "Show me")
    assert window.composer.editor.toPlainText() == "Show me"
    path = core.config.paths.config_file
    qtbot.waitUntil(path.exists)  # saved off the GUI thread
    assert load_settings(path, {}).settings.ui.offline_demo

    monkeypatch.delenv("CHATDESK_UI_OFFLINE_DEMO")  # the next start reads the file alone
    again = MainWindow()
    windows.append(again)
    again.attach(core.service, profiles=core.profiles)
    again.connecting.offer_at_start(configure().settings.ui.offline_demo)
    assert again.connecting.page is None  # never offered at start again

    window.menus.actions["connecting.offer"].trigger()  # but File ▸ Connect a model is there
    assert shown_page(window) is not None
    assert window.header.title.text() == "Connect a model"


def test_a_server_found_on_this_computer_is_connected_and_answers(
    make_core: Any, windows: list[MainWindow], qtbot: QtBot, ollama: FakeOpenAI, finish: Any
) -> None:
    core = make_core(first_start=True)
    window = saving_window(core, windows)
    ports = {"ollama": ollama.port, "lmstudio": free_port()}
    window.attach(
        core.service,
        profiles=core.profiles,
        find_servers=lambda: find_local_servers(ports),
    )
    window.show()
    window.start()
    window.connecting.offer_at_start(demo_chosen=False)
    page = shown_page(window)
    assert page is not None
    qtbot.waitUntil(lambda: len(page.local.rows) == 1)
    [row] = page.local.rows
    assert row.server.name == "Ollama"
    assert [row.models.itemText(i) for i in range(row.models.count())] == [
        "llama3.2:latest",
        "qwen2.5:0.5b",
    ]
    row.models.setCurrentText("qwen2.5:0.5b")
    qtbot.mouseClick(row.use, LEFT)
    qtbot.waitUntil(lambda: window.connecting.page is None)

    [view] = core.profiles.views()
    assert (view.name, view.profile.base_url) == ("ollama", ollama.url)
    general = window.settings.current.general
    assert (general.default_provider, general.default_model) == ("ollama", "qwen2.5:0.5b")
    assert window.composer.isVisible()

    qtbot.waitUntil(lambda: not window.runner.busy)  # the settings are saved
    send(qtbot, window, "hello")  # a new chat answers from the server found
    qtbot.waitUntil(lambda: answer_done(window))
    answer = window.conversation.messages()[-1]
    assert answer.content == "Hello world"
    assert (answer.provider, answer.model) == ("ollama", "qwen2.5:0.5b")
    [asked] = [r for r in ollama.requests if r.path == "/v1/chat/completions"]
    assert asked.body["model"] == "qwen2.5:0.5b"


def test_nothing_running_says_so_and_looks_again(
    make_core: Any, windows: list[MainWindow], qtbot: QtBot, ollama: FakeOpenAI
) -> None:
    core = make_core(first_start=True)
    window = MainWindow()
    windows.append(window)
    ports = {"ollama": free_port(), "lmstudio": free_port()}
    window.attach(
        core.service, profiles=core.profiles, find_servers=lambda: find_local_servers(ports)
    )
    window.connecting.offer()
    page = window.connecting.page
    assert page is not None
    qtbot.waitUntil(lambda: page.local.again.isEnabled())
    assert page.local.rows == []
    assert page.local.status.text().startswith("No model server found on this computer.")

    ports["ollama"] = ollama.port  # Ollama started meanwhile
    qtbot.mouseClick(page.local.again, LEFT)
    qtbot.waitUntil(lambda: len(page.local.rows) == 1)


@pytest.fixture
def hosted_server() -> Iterator[FakeOpenAI]:
    """A hosted provider's API, refusing requests without its key."""
    server = FakeOpenAI(models=("grok-4", "grok-3-mini"), key=KEY).start()
    yield server
    server.close()


def test_a_hosted_providers_key_goes_to_the_keyring_and_nowhere_else(
    make_core: Any,
    qtbot: QtBot,
    runner: Runner,
    hosted_server: FakeOpenAI,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
) -> None:
    core = make_core(first_start=True)
    xai = dataclasses.replace(CATALOGUE["xai"], base_url=hosted_server.url)
    page = ConnectPage(
        core.profiles, runner, lambda: find_local_servers({}, entries=()), hosted=[xai]
    )
    qtbot.addWidget(page)
    page.show()
    page.choose("xai")
    form = page.form
    assert "https://console.x.ai" in form.key_page.text()  # where to get a key, as text
    assert not form.resource.isVisible()
    qtbot.keyClicks(form.key, "sk-wrong")
    qtbot.mouseClick(form.check, LEFT)
    qtbot.waitUntil(lambda: form.status.tone is Tone.WARNING)  # refused; its usual models
    assert "You can still connect it" in form.status.text()

    form.key.clear()
    qtbot.keyClicks(form.key, KEY)
    assert not form.connect_.isEnabled()  # a new key is checked again
    qtbot.mouseClick(form.check, LEFT)
    qtbot.waitUntil(lambda: form.status.tone is Tone.SUCCESS)
    assert [form.models.itemText(i) for i in range(form.models.count())] == [
        "grok-3-mini",
        "grok-4",
    ]
    form.models.setCurrentText("grok-3-mini")
    with qtbot.waitSignal(page.connected) as connected:
        qtbot.mouseClick(form.connect_, LEFT)
    assert connected.args == ["xai", "grok-3-mini"]

    stored = memory_keyring.passwords[SERVICE, "xai"]
    assert KEY in stored
    assert origin_of(hosted_server.url) in stored
    assert core.profiles.view("xai").key_state is KeyState.KEYRING
    assert [p for p in tmp_path.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()] == []


def test_azure_asks_for_its_resource_and_deployment(
    make_core: Any, qtbot: QtBot, runner: Runner
) -> None:
    core = make_core(first_start=True)
    page = ConnectPage(core.profiles, runner, lambda: find_local_servers({}, entries=()))
    qtbot.addWidget(page)
    page.show()
    page.choose("azure")
    form = page.form
    assert form.resource.isVisible()
    assert form.deployment.isVisible()
    qtbot.keyClicks(form.key, "azure-key")
    qtbot.mouseClick(form.check, LEFT)  # no resource typed: said, nothing sent
    assert form.status.tone is Tone.ERROR
    assert "Azure resource" in form.status.text()
    page.choose("openai")
    assert not form.resource.isVisible()


def test_the_providers_settings_lead_to_connect_a_model(
    attached_window: tuple[MainWindow, Core], qtbot: QtBot
) -> None:
    window, _core = attached_window
    assert window.connecting.page is None  # the demo was chosen: the chats come first
    window.settings.open_preferences()
    dialog = window.settings.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.mouseClick(dialog.providers.connect_model, LEFT)
    assert not dialog.isVisible()
    assert shown_page(window) is not None
