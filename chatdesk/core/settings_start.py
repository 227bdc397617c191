"""The settings the window's first frame is made with, read before it: [general] (the model
new chats use) and [ui] (the look, the language, the Enter key).

The window shows itself before the rest of the settings are read (`config.py`, whose schema of
a dozen sections takes longer to declare than the whole first frame takes to build, decision
0024). These two sections are read here with the same code as there (`settings_base.py`), from
the same file and environment, so the first frame and the settings loaded after it agree; the
issues a bad value raises are reported by that load, once.

Each class has a docstring: without one, `dataclass` makes one from the class's signature
(`inspect.signature`), which the window's start would wait for.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from chatdesk.core.i18n import LANGUAGES
from chatdesk.core.settings_base import SettingIssue, load_section, read_file, setting, table


@dataclass(frozen=True)
class GeneralSettings:
    """[general]: the provider and model of new threads, and how they answer."""

    default_provider: str = setting("mock", "Provider used for new threads.")
    default_model: str = setting("mock-1", "Model used for new threads.")
    system_prompt: str = setting("", "System prompt when neither thread nor project sets one.")
    temperature: float = setting(
        -1.0,
        "Sampling temperature from 0 (focused) to 2 (varied); -1 leaves it to the model.",
        minimum=0.0,
        maximum=2.0,
        unset=-1.0,
    )
    max_output_tokens: int = setting(
        0,
        "Longest answer, in tokens; 0 leaves it to the model.",
        minimum=1,
        maximum=1_000_000,
        unset=0,
    )


@dataclass(frozen=True)
class UiSettings:
    """[ui]: the window's look and keys."""

    theme: str = setting(
        "system",
        "Colours: follow the system's light or dark mode, always light or dark, or high"
        " contrast (white on black, yellow accents).",
        choices=("system", "light", "dark", "high-contrast"),
    )
    font_size: int = setting(
        0,
        "Size of the conversation's text in points, 8 to 32; 0 leaves it to chatdesk (about"
        " 11 pt, larger than the controls' text). Menus and buttons keep the system's size.",
        minimum=8,
        maximum=32,
        unset=0,
    )
    enter_sends: bool = setting(
        True, "Enter sends a message and Shift+Enter starts a new line; off: Ctrl+Enter sends."
    )
    compare_models: str = setting(
        "",
        "The models the composer's Compare asks, a list of provider/model (or one text of them, "
        "comma-separated): the last set chosen.",
        separator=",",
    )
    language: str = setting(
        "system",
        "Language of the window and the command line: the system's (when chatdesk speaks it,"
        " else English), or one of en, de, es, fr, ja, zh_CN, ar. Read when chatdesk starts.",
        choices=("system", *LANGUAGES),
    )
    zoom: int = setting(
        100,
        "Size of the conversation's text in percent of its size, 50 to 200 (View ▸ Zoom in, "
        "Zoom out, Actual size).",
        minimum=50,
        maximum=200,
    )
    offline_demo: bool = setting(
        False,
        "The built-in offline demo was chosen over connecting a model: the window no longer "
        "offers to connect one when it starts without a provider (File ▸ Connect a model does).",
    )
    column_width: int = setting(
        760,
        "Widest line of the conversation's text in pixels, 400 to 4000, at chatdesk's own text"
        " size and 100 %: it grows and shrinks with the text, so a line holds as many words."
        " The messages and the message box stand in a column this wide, centred in the window.",
        minimum=400,
        maximum=4000,
    )


@dataclass(frozen=True)
class StartSettings:
    """What the window's first frame needs of the settings (a `Settings` has the same two)."""

    general: GeneralSettings = field(default_factory=GeneralSettings)
    ui: UiSettings = field(default_factory=UiSettings)


def read_start_settings(path: Path | None, env: Mapping[str, str] | None = None) -> StartSettings:
    """[general] and [ui] as `config.load_settings(path, env)` reads them, without its issues."""
    env = os.environ if env is None else env
    ignored: list[SettingIssue] = []  # reported by the whole load that follows
    raw = read_file(path, ignored)
    general = load_section("general", GeneralSettings, table(raw, "general", ignored), env, ignored)
    ui = load_section("ui", UiSettings, table(raw, "ui", ignored), env, ignored)
    return StartSettings(general, ui)
