"""Preferences ▸ Voice, with real widgets offscreen: each choice says where the sound or the
words go (this computer, or the named server's host), what is chosen is saved to the settings
file at once, and the lists of microphones and voices that come later keep what was chosen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QSpinBox
from pytestqt.qtbot import QtBot

from chatdesk.core.settings_outside import VoiceSettings
from chatdesk.ui.settings.voice_page import VoicePage
from tests.core.voice_parts import need
from tests.ui.test_preferences import child, show_tab
from tests.ui.test_settings_live import OpenWindow, _preferences, _saved
from tests.ui.test_settings_live import open_window as open_window

SERVERS = [("groq", "https://api.groq.com/openai/v1"), ("home", "http://192.168.1.20:8080/v1")]


def _page(qtbot: QtBot, voice: VoiceSettings | None = None) -> VoicePage:
    page = VoicePage(voice or VoiceSettings(), SERVERS)
    qtbot.addWidget(page)
    return page


def _choose(combo: QComboBox, value: str) -> None:
    combo.setCurrentIndex(combo.findData(value))  # as picking it from the list does


def test_each_choice_says_where_the_sound_or_the_words_go(qtbot: QtBot) -> None:
    page = _page(qtbot)
    assert page.stt_where.text() == "Your recordings stay on this computer."
    assert page.tts_where.text() == "Answers are read on this computer; nothing is sent."

    _choose(page.stt, "groq")
    _choose(page.tts, "home")

    assert page.stt_where.text() == "Your recordings are sent to api.groq.com (groq)."
    assert page.tts_where.text() == (
        "The answers' words are sent to 192.168.1.20 (home) to be read."
    )
    chosen = page.voice_settings(VoiceSettings())
    assert (chosen.stt_provider, chosen.tts) == ("groq", "home")


def test_a_server_no_longer_set_up_stays_chosen_and_says_so(qtbot: QtBot) -> None:
    page = _page(qtbot, VoiceSettings(stt_provider="gone"))

    assert page.stt.currentText() == "gone (not set up)"
    assert page.voice_settings(VoiceSettings()).stt_provider == "gone"


def test_lists_that_come_later_keep_what_was_chosen(qtbot: QtBot) -> None:
    page = _page(qtbot, VoiceSettings(input_device="USB headset", tts_voice="en-gb"))

    page.set_microphones(["Built-in microphone", "USB headset"])
    page.set_voices(["en-us", "de"])  # the chosen voice is not among them: still kept

    assert page.microphone.currentText() == "USB headset"
    assert [page.voice.itemText(i) for i in range(page.voice.count())] == [
        "Default",
        "en-us",
        "de",
        "en-gb",
    ]
    assert page.voice_settings(VoiceSettings()).tts_voice == "en-gb"
    page.voice.setCurrentIndex(0)
    assert page.voice_settings(VoiceSettings()).tts_voice == ""


def test_what_is_chosen_is_saved_at_once(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window()
    dialog = _preferences(qtbot, window)
    show_tab(dialog, "Voice")
    volume = child(dialog, QSpinBox, "voiceVolume")
    volume.setFocus()
    volume.selectAll()
    qtbot.keyClicks(volume, "40")
    qtbot.keyClick(volume, Qt.Key.Key_Return)
    qtbot.keyClick(child(dialog, QCheckBox, "voiceReadCode"), Qt.Key.Key_Space)
    _choose(child(dialog, QComboBox, "voiceSensitivity"), "high")

    qtbot.waitUntil(lambda: _saved(window).get("voice", {}).get("sensitivity") == "high")
    saved = _saved(window)["voice"]
    assert (saved["tts_volume"], saved["read_code"]) == (0.4, True)
    assert child(dialog, QLabel, "voiceSttWhere").text() == (
        "Your recordings stay on this computer."
    )
    dialog.close()


def test_the_microphones_and_voices_are_listed_when_the_page_opens(
    qtbot: QtBot, attached_window: Any
) -> None:
    need("espeak-ng")  # the system's voices on Linux
    window, _core = attached_window
    dialog = _preferences(qtbot, window)
    show_tab(dialog, "Voice")
    voices = child(dialog, QComboBox, "voiceVoice")

    # espeak-ng's voices (the system's way on Linux): many, by id
    qtbot.waitUntil(lambda: voices.count() > 10, timeout=30_000)
    listed = [voices.itemText(i) for i in range(voices.count())]
    assert listed[0] == "Default"
    assert "en-us" in listed
    assert voices.currentText() == "Default"  # the setting did not change because a list came
    dialog.close()
