"""Settings that hold several values: a TOML list in `config.toml`, or the one text of older
files and of the environment."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from chatdesk.core.config import ApiSettings, Settings, UiSettings, load_settings, save_settings
from chatdesk.core.settings_outside import WebSettings
from chatdesk.core.settings_start import read_start_settings
from chatdesk.core.web.addresses import AllowList, parse_address

LISTS = (
    '[web]\nallow_private = ["127.0.0.1:8080", "searx.lan:8888"]\n'
    '[api]\nallowed_origins = ["http://localhost:3000", "http://127.0.0.1:5173"]\n'
    '[ui]\ncompare_models = ["mock/mock-1", "ollama/llama3.2"]\n'
)
TEXTS = (
    '[web]\nallow_private = "127.0.0.1:8080 searx.lan:8888"\n'
    '[api]\nallowed_origins = "http://localhost:3000 http://127.0.0.1:5173"\n'
    '[ui]\ncompare_models = "mock/mock-1,ollama/llama3.2"\n'
)


@pytest.mark.parametrize("text", [LISTS, TEXTS], ids=["lists", "texts written before lists"])
def test_several_values_are_read_from_a_list_or_a_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    loaded = load_settings(path, env={})
    assert loaded.issues == ()
    settings = loaded.settings
    allowed = AllowList.parse(settings.web.allow_private)
    address = parse_address("127.0.0.1")
    assert address is not None
    assert allowed.allows("127.0.0.1", address, 8080)
    assert allowed.allows("searx.lan", address, 8888)
    assert settings.api.allowed_origins.split() == [
        "http://localhost:3000",
        "http://127.0.0.1:5173",
    ]
    assert settings.ui.compare_models.split(",") == ["mock/mock-1", "ollama/llama3.2"]
    assert read_start_settings(path, env={}).ui == settings.ui


def test_the_environment_still_takes_one_text_over_the_files_list(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(LISTS)
    env = {"CHATDESK_WEB_ALLOW_PRIVATE": "localhost:9000 10.0.0.2:80"}
    loaded = load_settings(path, env=env)
    assert loaded.issues == ()
    assert loaded.settings.web.allow_private == "localhost:9000 10.0.0.2:80"


def test_saved_settings_write_lists_and_load_back_equal(tmp_path: Path) -> None:
    original = replace(
        Settings(),
        web=WebSettings(allow_private="127.0.0.1:8080 [::1]:8888"),
        api=ApiSettings(allowed_origins="http://localhost:3000"),
        ui=UiSettings(compare_models="mock/mock-1,ollama/llama3.2"),
    )
    path = tmp_path / "config.toml"
    save_settings(path, original)
    written = tomllib.loads(path.read_text())
    assert written["web"]["allow_private"] == ["127.0.0.1:8080", "[::1]:8888"]
    assert written["api"]["allowed_origins"] == ["http://localhost:3000"]
    assert written["ui"]["compare_models"] == ["mock/mock-1", "ollama/llama3.2"]
    loaded = load_settings(path, env={})
    assert loaded.issues == ()
    assert loaded.settings == original


def test_an_empty_list_is_none(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[web]\nallow_private = []\n")
    loaded = load_settings(path, env={})
    assert (loaded.settings.web.allow_private, loaded.issues) == ("", ())


@pytest.mark.parametrize("value", ["[8080, 9090]", '["127.0.0.1:8080", 3]', "7"])
def test_a_list_of_other_things_is_reported_and_the_default_used(
    tmp_path: Path, value: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[web]\nallow_private = {value}\n[mock]\ntokens_per_second = 5.0\n")
    loaded = load_settings(path, env={})
    assert loaded.settings.web.allow_private == ""
    assert loaded.settings.mock.tokens_per_second == 5.0  # the rest of the file still counts
    assert [str(issue) for issue in loaded.issues] == [
        f"setting web.allow_private: {tomllib.loads(f'v = {value}')['v']!r} is not a list of "
        "texts; using the default"
    ]


def test_a_setting_of_one_value_still_refuses_a_list(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[web]\nsearxng_url = ["http://localhost:8888"]\n')
    loaded = load_settings(path, env={})
    assert loaded.settings.web.searxng_url == ""
    assert "is not text" in str(loaded.issues[0])
