from __future__ import annotations

import errno
import os
import stat
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatdesk.configuration import Configuration
from chatdesk.core.config import (
    ChatSettings,
    GeneralSettings,
    LoadedSettings,
    MockSettings,
    Settings,
    SettingsSaveError,
    UiSettings,
    describe,
    load_settings,
    save_settings,
    to_toml,
)
from chatdesk.core.paths import Paths
from chatdesk.core.settings_start import read_start_settings


def test_defaults_without_a_file(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path / "missing.toml", env={})
    assert loaded.settings == Settings()
    assert loaded.issues == ()


def test_file_values_are_used(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[mock]\ntokens_per_second = 12.5\nfault = "error_after:3"\n')
    settings = load_settings(path, env={}).settings
    assert settings.mock.tokens_per_second == 12.5
    assert settings.mock.fault == "error_after:3"


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[chat]\ncontext_messages = 10\n")
    env = {"CHATDESK_CHAT_CONTEXT_MESSAGES": "20", "CHATDESK_MOCK_REASONING": "yes"}
    settings = load_settings(path, env=env).settings
    assert settings.chat.context_messages == 20
    assert settings.mock.reasoning is True


def test_bad_values_are_reported_by_key_and_defaults_used(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[chat]\ncontext_messages = -5\nmax_retries = "two"\n'
        '[logging]\nlevel = "LOUD"\n[nonsense]\nx = 1\n[mock]\ncolour = "red"\n'
    )
    loaded = load_settings(path, env={"CHATDESK_STORAGE_BUSY_TIMEOUT_MS": "soon"})
    problems = {issue.key: issue.problem for issue in loaded.issues}
    assert "below the minimum" in problems["chat.context_messages"]
    assert "not a whole number" in problems["chat.max_retries"]
    assert "not one of" in problems["logging.level"]
    assert "not a known section" in problems["nonsense"]
    assert "not a known setting" in problems["mock.colour"]
    assert any(key.startswith("storage.busy_timeout_ms") for key in problems)
    assert loaded.settings == Settings()
    assert "using the default" in str(loaded.issues[0])


def test_unreadable_toml_keeps_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[chat\nthis is not toml")
    loaded = load_settings(path, env={})
    assert loaded.settings == Settings()
    assert "cannot be read" in loaded.issues[0].problem


def test_every_setting_has_a_description() -> None:
    rows = describe()
    assert len(rows) >= 10
    assert all(doc.strip() for _, _, doc in rows)


def test_ui_settings_from_file_and_environment(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[ui]\ntheme = "dark"\nfont_size = 14\nenter_sends = false\n')
    assert load_settings(path, env={}).settings.ui == UiSettings("dark", 14, False)
    assert load_settings(path, env={"CHATDESK_UI_THEME": "light"}).settings.ui.theme == "light"


def test_old_theme_variable_still_works_below_the_new_name(tmp_path: Path) -> None:
    assert load_settings(None, env={"CHATDESK_THEME": "dark"}).settings.ui.theme == "dark"
    both = {"CHATDESK_THEME": "dark", "CHATDESK_UI_THEME": "light"}
    assert load_settings(None, env=both).settings.ui.theme == "light"


@pytest.mark.parametrize(
    ("size", "allowed"),
    [(0, True), (1, False), (7, False), (8, True), (32, True), (33, False), (-1, False)],
)
def test_font_size_is_zero_for_the_system_size_or_8_to_32(size: int, allowed: bool) -> None:
    loaded = load_settings(None, env={"CHATDESK_UI_FONT_SIZE": str(size)})
    assert (loaded.settings.ui.font_size == size) is allowed
    assert (loaded.issues == ()) is allowed


def test_unknown_theme_is_reported() -> None:
    loaded = load_settings(None, env={"CHATDESK_UI_THEME": "sepia"})
    assert loaded.settings.ui.theme == "system"
    assert "not one of system, light, dark" in loaded.issues[0].problem


def test_saving_defaults_writes_no_values(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_settings(path, Settings())
    assert tomllib.loads(path.read_text()) == {}
    assert load_settings(path, env={}) == LoadedSettings(Settings(), ())


def test_saving_writes_only_changed_values_privately(tmp_path: Path) -> None:
    path = tmp_path / "folder" / "config.toml"
    settings = replace(Settings(), ui=UiSettings(theme="dark"), mock=MockSettings(reasoning=True))
    save_settings(path, settings)
    assert tomllib.loads(path.read_text()) == {"ui": {"theme": "dark"}, "mock": {"reasoning": True}}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_settings(path, env={}).settings == settings


def test_saving_replaces_the_file_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# mine\n[chat]\ncontext_messages = 10\nunknown = 1\n")
    path.chmod(0o644)
    save_settings(path, replace(Settings(), ui=UiSettings(font_size=12)))
    assert tomllib.loads(path.read_text()) == {"ui": {"font_size": 12}}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_a_failed_save_keeps_the_old_file_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[ui]\ntheme = "light"\n')

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(SettingsSaveError, match=r"cannot save settings .*No space left"):
        save_settings(path, replace(Settings(), ui=UiSettings(theme="dark")))
    assert path.read_text() == '[ui]\ntheme = "light"\n'
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_a_file_where_the_folder_should_be_is_reported(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("")
    with pytest.raises(SettingsSaveError, match="cannot save settings"):
        save_settings(tmp_path / "config" / "config.toml", Settings())


def _general(prompt: str) -> Settings:
    return replace(Settings(), general=GeneralSettings(system_prompt=prompt))


@given(st.text())
def test_any_text_round_trips_through_the_file(prompt: str) -> None:
    assert (
        tomllib.loads(to_toml(_general(prompt))).get("general", {}).get("system_prompt", "")
        == prompt
    )


@given(
    prompt=st.text(),
    provider=st.text(min_size=1),
    tokens=st.floats(min_value=0.0, max_value=100_000.0),
    retries=st.integers(min_value=0, max_value=5),
    ui=st.builds(
        UiSettings,
        theme=st.sampled_from(["system", "light", "dark"]),
        font_size=st.sampled_from([0, *range(8, 33)]),
        enter_sends=st.booleans(),
    ),
)
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_saved_settings_load_back_equal(
    tmp_path: Path, prompt: str, provider: str, tokens: float, retries: int, ui: UiSettings
) -> None:
    original = replace(
        Settings(),
        general=GeneralSettings(default_provider=provider, system_prompt=prompt),
        mock=MockSettings(tokens_per_second=tokens),
        chat=ChatSettings(max_retries=retries),
        ui=ui,
    )
    path = tmp_path / "config.toml"
    save_settings(path, original)
    assert load_settings(path, env={}) == LoadedSettings(original, ())


def test_strings_with_quotes_backslashes_and_control_characters() -> None:
    tricky = 'say "hi"\\n\\\\ \n\r\t\b\f\x00\x1f\x7f é 日本 🙂 \u2028 """ \'\'\''
    text = to_toml(_general(tricky))
    assert "\n" not in text.split("system_prompt = ", 1)[1].rstrip("\n")
    assert tomllib.loads(text)["general"]["system_prompt"] == tricky


# -- the window's first frame: [general] and [ui] read before the rest ---------------------------

FIRST_FRAME_FILES = {
    "no file": None,
    "values": '[ui]\ntheme = "dark"\nfont_size = 14\nenter_sends = false\nlanguage = "de"\n'
    '[general]\ndefault_provider = "ollama"\ndefault_model = "llama3.2"\n',
    "bad values": '[ui]\ntheme = "purple"\nfont_size = 99\nenter_sends = "yes"\n'
    "[general]\ntemperature = 7\n",
    "not tables": 'ui = "dark"\ngeneral = 3\n',
    "broken toml": "[ui\ntheme = ",
    "other sections only": "[mock]\ntokens_per_second = 3.0\n[sync]\nhost = 'db'\n",
}
FIRST_FRAME_ENVIRONMENTS = {
    "none": {},
    "overrides": {"CHATDESK_UI_THEME": "light", "CHATDESK_GENERAL_DEFAULT_MODEL": "m"},
    "old theme name": {"CHATDESK_THEME": "high-contrast"},
    "bad override": {"CHATDESK_UI_FONT_SIZE": "huge", "CHATDESK_UI_ENTER_SENDS": "0"},
}


@pytest.mark.parametrize("text", FIRST_FRAME_FILES.values(), ids=list(FIRST_FRAME_FILES))
@pytest.mark.parametrize(
    "env", FIRST_FRAME_ENVIRONMENTS.values(), ids=list(FIRST_FRAME_ENVIRONMENTS)
)
def test_the_first_frame_reads_general_and_ui_as_the_whole_load_does(
    tmp_path: Path, text: str | None, env: dict[str, str]
) -> None:
    """The window is made with these before the rest is read: what it shows first must be what
    the settings loaded after it say, whatever the file and the environment hold."""
    path = tmp_path / "config.toml"
    if text is not None:
        path.write_text(text)
    loaded = load_settings(path, env=env)
    first = read_start_settings(path, env=env)
    assert (first.general, first.ui) == (loaded.settings.general, loaded.settings.ui)
    paths = Paths(tmp_path, tmp_path, tmp_path, tmp_path)
    assert Configuration(paths, loaded).first_frame == first


def test_the_first_frame_sees_a_changed_setting(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_settings(path, replace(Settings(), ui=UiSettings(theme="dark", font_size=12)))
    first = read_start_settings(path, env={})
    assert (first.ui.theme, first.ui.font_size) == ("dark", 12)
