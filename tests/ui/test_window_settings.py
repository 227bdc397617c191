"""The window with its preferences: changes reach the next answer, profiles reach the picker,
waits show in the status bar."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTreeView
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.config import save_preferences
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.providers.ratelimit import RateLimiter
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.preferences import PreferencesDialog
from tests.core.sse_server import FakeOpenAI
from tests.ui.test_settings_live import window_over

MODELS = ("llama3.2", "qwen2.5")


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(MODELS).start()
    yield fake
    fake.close()


@pytest.fixture
def window(make_core: Any, qtbot: QtBot, finish: Any) -> Iterator[MainWindow]:
    core: Core = make_core()
    made = window_over(core)
    made.core = core  # type: ignore[attr-defined]
    yield made
    made.close()
    finish(made.aclose())
    made.deleteLater()


def _core(window: MainWindow) -> Core:
    core: Core = window.core  # type: ignore[attr-defined]
    return core


def _open_preferences(qtbot: QtBot, window: MainWindow) -> PreferencesDialog:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.findChild(PreferencesDialog) is not None)
    dialog = window.findChild(PreferencesDialog)
    assert isinstance(dialog, PreferencesDialog)
    qtbot.waitUntil(dialog.isActiveWindow)  # beside the window, with the keyboard's focus
    return dialog


def _picker_models(window: MainWindow) -> list[str]:
    return [label for _, label in window.composer._row.model_entries]


def test_defaults_changed_in_preferences_reach_the_next_answer_and_the_file(
    qtbot: QtBot, window: MainWindow, server: FakeOpenAI, finish: Any
) -> None:
    core = _core(window)
    finish(core.profiles.save(ProviderProfile("local", server.url, default_model="llama3.2")))
    dialog = _open_preferences(qtbot, window)
    prompt = dialog.findChild(QPlainTextEdit, "systemPrompt")
    assert prompt is not None
    prompt.setFocus()
    prompt.setPlainText("Answer in French.")
    qtbot.keyClick(prompt, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # closes, applied
    assert not dialog.isVisible()

    thread = finish(core.service.create_thread(provider="local", model="llama3.2"))
    turn = finish(core.service.send(thread.id, "hello"))
    finish(core.service.wait_for_answer(turn.answer.id))
    sent = server.requests[-1].body["messages"]
    assert sent[0] == {"role": "system", "content": "Answer in French."}

    saved = core.config.paths.config_file
    qtbot.waitUntil(saved.exists)
    assert tomllib.loads(saved.read_text())["general"]["system_prompt"] == "Answer in French."


def test_a_saved_profile_shows_up_in_the_model_picker(
    qtbot: QtBot, window: MainWindow, server: FakeOpenAI, finish: Any
) -> None:
    assert not any("llama3.2" in text for text in _picker_models(window))
    core = _core(window)
    finish(core.profiles.save(ProviderProfile("local", server.url, default_model="llama3.2")))
    qtbot.waitUntil(lambda: "llama3.2 (local)" in _picker_models(window))
    finish(core.profiles.fetch_models("local"))
    qtbot.waitUntil(lambda: "qwen2.5 (local)" in _picker_models(window))
    finish(core.profiles.remove("local"))
    qtbot.waitUntil(lambda: "qwen2.5 (local)" not in _picker_models(window))


def test_a_request_held_by_the_rate_limit_says_so_in_the_status_bar(
    qtbot: QtBot, window: MainWindow, server: FakeOpenAI, finish: Any
) -> None:
    core = _core(window)
    profile = ProviderProfile("local", server.url, default_model="llama3.2", requests_per_minute=1)
    finish(core.profiles.save(profile))
    provider = core.insides.providers.get("local")
    limiter: RateLimiter = provider.limiter  # type: ignore[attr-defined]
    limiter.record()  # the one request of this minute is spent
    thread = finish(core.service.create_thread(provider="local", model="llama3.2"))
    window.show_thread(thread.id)
    qtbot.waitUntil(lambda: window.current_thread_id == thread.id)
    turn = finish(core.service.send(thread.id, "hello"))
    qtbot.waitUntil(lambda: "Waiting" in window.statusBar().currentMessage())
    message = window.statusBar().currentMessage()
    assert "1 a minute" in message
    finish(core.service.stop(turn.answer.id))


def test_preferences_open_with_the_cores_profiles_and_data(
    qtbot: QtBot, window: MainWindow, server: FakeOpenAI, finish: Any
) -> None:
    core = _core(window)
    finish(core.profiles.save(ProviderProfile("local", server.url, default_model="llama3.2")))
    dialog = _open_preferences(qtbot, window)
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert str(core.config.paths.data_dir) in labels
    profiles = dialog.findChild(QTreeView, "profileList")
    assert profiles is not None
    names = profiles.model().match(
        profiles.model().index(0, 0), Qt.ItemDataRole.DisplayRole, "local", -1
    )
    assert names
    dialog.reject()


def test_the_chat_defaults_are_saved_to_the_settings_file(tmp_path: Path) -> None:
    from chatdesk.core.config import Settings, load_settings

    path = tmp_path / "config.toml"
    settings = Settings()
    general = dataclasses.replace(settings.general, temperature=0.3, max_output_tokens=500)
    save_preferences(path, dataclasses.replace(settings, general=general))
    loaded = load_settings(path, env={}).settings.general
    assert (loaded.temperature, loaded.max_output_tokens) == (0.3, 500)


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")  # the card
def test_the_header_shows_what_the_thread_has_cost(
    qtbot: QtBot, window: MainWindow, server: FakeOpenAI, finish: Any
) -> None:
    core = _core(window)
    profile = ProviderProfile(
        "priced",
        server.url,
        default_model="llama3.2",
        input_price_per_million=1000.0,  # a price that makes 7 tokens in visible
        output_price_per_million=2000.0,
    )
    finish(core.profiles.save(profile))
    thread = finish(core.service.create_thread(provider="priced", model="llama3.2"))
    window.show_thread(thread.id)
    qtbot.waitUntil(lambda: window.current_thread_id == thread.id)
    gauge = window.header.gauge  # the thread's spending is in the gauge's breakdown
    assert "This thread so far" not in gauge.toolTip()
    turn = finish(core.service.send(thread.id, "hello"))
    finish(core.service.wait_for_answer(turn.answer.id))
    qtbot.waitUntil(lambda: "This thread so far" in gauge.toolTip())
    # The server reports 7 tokens in and 2 out (tests/core/sse_server.py: text_reply).
    assert "  7 tokens in (0 cached)" in gauge.toolTip().splitlines()
    assert "Cost: $0.011" in gauge.accessibleDescription()
    gauge.click()
    card = gauge.card
    assert card is not None
    qtbot.waitUntil(card.isVisible)
    assert card.spent.accessibleName() == "9 tokens · $0.011"
    assert "  Cost: $0.011" in card.spent.text().splitlines()
    card.close()
