"""Typed settings, declared once: defaults, bounds and descriptions in one schema.

Settings live in `config.toml` in the user config folder and can be overridden by environment
variables named `CHATDESK_<SECTION>_<KEY>` (e.g. `CHATDESK_MOCK_TOKENS_PER_SECOND=0`).
A bad value never stops chatdesk: it is reported with its key and the default is used.
API keys are never settings; they live in the OS keyring.

The window's first frame reads [general] and [ui] before this module is loaded
(`settings_start.py`, with the same checks: `settings_base.py`); the issues are reported here.

The file is owned by chatdesk: `save_settings` rewrites it with the values that differ from the
defaults, so comments and unknown keys written by hand are not kept.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, tr
from chatdesk.core.settings_base import (
    SettingIssue,
    load_section,
    read_file,
    setting,
    several,
    table,
)
from chatdesk.core.settings_outside import ApiSettings, SyncSettings
from chatdesk.core.settings_schema import (
    AttachmentSettings,
    CapsSettings,
    ChatSettings,
    KnowledgeSettings,
    LoggingSettings,
    MockSettings,
    Settings,
    StorageSettings,
    ToolsSettings,
)
from chatdesk.core.settings_start import GeneralSettings, UiSettings
from chatdesk.core.writing import save_private_text

# The schema is named here too: callers import settings from this module.
__all__ = [
    "ApiSettings",
    "AttachmentSettings",
    "CapsSettings",
    "ChatSettings",
    "GeneralSettings",
    "KnowledgeSettings",
    "LoggingSettings",
    "MockSettings",
    "SettingIssue",
    "Settings",
    "StorageSettings",
    "SyncSettings",
    "ToolsSettings",
    "UiSettings",
    "setting",
]


@dataclass(frozen=True)
class LoadedSettings:
    """The settings in use, and the issues met reading them."""

    settings: Settings
    issues: tuple[SettingIssue, ...]


def _sections() -> dict[str, type[Any]]:
    hints = typing.get_type_hints(Settings)
    return {item.name: hints[item.name] for item in dataclasses.fields(Settings)}


def describe() -> list[tuple[str, Any, str]]:
    """Every setting as (key, default, description), for docs and `--help`."""
    rows = []
    for name, cls in _sections().items():
        for item in dataclasses.fields(cls):
            rows.append((f"{name}.{item.name}", item.default, item.metadata["doc"]))
    return rows


def load_settings(path: Path | None, env: Mapping[str, str] | None = None) -> LoadedSettings:
    env = os.environ if env is None else env
    issues: list[SettingIssue] = []
    raw = read_file(path, issues)
    sections = {}
    for name, cls in _sections().items():
        section_raw = table(raw, name, issues)
        sections[name] = load_section(name, cls, section_raw, env, issues)
        known = {item.name for item in dataclasses.fields(cls)}
        for unknown in sorted(set(section_raw) - known):
            issues.append(SettingIssue(f"{name}.{unknown}", tr("is not a known setting")))
    for unknown in sorted(set(raw) - set(sections)):
        issues.append(SettingIssue(unknown, tr("is not a known section")))
    return LoadedSettings(Settings(**sections), tuple(issues))


class CurrentSettings:
    """The settings in use: every part reads them at each use (`current()`), so preferences
    changed in the window reach them all from the next request on."""

    def __init__(self, settings: Settings) -> None:
        self.value = settings

    def __call__(self) -> Settings:
        return self.value


class SettingsSaveError(ChatdeskError):
    """The settings file cannot be written."""


_HEADER = (
    "# chatdesk settings, written by chatdesk: only values that differ from the defaults.\n"
    "# Hand edits are read, but comments and unknown keys are dropped on the next save.\n"
)


def save_settings(path: Path, settings: Settings) -> None:
    """Write the values that differ from the defaults to `path`, atomically and private (0600).

    A crash or a full disk leaves either the old file or the new one, never half of one: the text
    goes to a temporary file in the same folder, is flushed to disk, then renamed over `path`.
    """
    save_private_text(
        path, to_toml(settings), SettingsSaveError, mark("cannot save settings to {path}: {reason}")
    )


def save_preferences(path: Path, settings: Settings) -> None:
    """Write what the window's preferences edit into the settings file at `path`, over what it
    holds: values set by the environment for this run stay out."""
    on_file = load_settings(path, env={}).settings
    storage = dataclasses.replace(  # the Data tab edits these two only
        on_file.storage,
        automatic_backups=settings.storage.automatic_backups,
        deleted_retention_days=settings.storage.deleted_retention_days,
    )
    edited = dataclasses.replace(
        on_file,
        ui=settings.ui,
        general=settings.general,
        chat=settings.chat,
        storage=storage,
        caps=settings.caps,  # the Usage section's spending caps
        sync=settings.sync,  # the team login Join put in use
        api=settings.api,  # Preferences ▸ Local API
        web=settings.web,  # Preferences ▸ Web
        memory=settings.memory,  # Preferences ▸ Memory
        desktop=settings.desktop,  # Preferences ▸ Desktop
        voice=settings.voice,  # Preferences ▸ Voice
    )
    save_settings(path, edited)


def to_toml(settings: Settings) -> str:
    """The settings that differ from the defaults, as TOML that `load_settings` reads back."""
    import tomli_w  # here: only saving needs it; start-up and reading the settings never do

    defaults = Settings()
    changed: dict[str, dict[str, Any]] = {}
    for name in _sections():
        section, default = getattr(settings, name), getattr(defaults, name)
        values = {
            item.name: _as_written(getattr(section, item.name), item)
            for item in dataclasses.fields(section)
            if getattr(section, item.name) != getattr(default, item.name)
        }
        if values:
            changed[name] = values
    return _HEADER + ("\n" + tomli_w.dumps(changed) if changed else "")


def _as_written(value: Any, item: dataclasses.Field[Any]) -> Any:
    """A setting of several values is written as a TOML list, the form a person edits."""
    separator = item.metadata["separator"]
    return value if separator is None else several(value, separator)
