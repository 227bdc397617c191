from __future__ import annotations

from pathlib import Path

from chatdesk.core.config import Settings, describe, load_settings


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
