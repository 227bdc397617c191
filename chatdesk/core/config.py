"""Typed settings, declared once: defaults, bounds and descriptions in one schema.

Settings live in `config.toml` in the user config folder and can be overridden by environment
variables named `CHATDESK_<SECTION>_<KEY>` (e.g. `CHATDESK_MOCK_TOKENS_PER_SECOND=0`).
A bad value never stops chatdesk: it is reported with its key and the default is used.
API keys are never settings; they live in the OS keyring.

The file is owned by chatdesk: `save_settings` rewrites it with the values that differ from the
defaults, so comments and unknown keys written by hand are not kept.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, tr
from chatdesk.core.settings_schema import (
    AttachmentSettings,
    CapsSettings,
    ChatSettings,
    GeneralSettings,
    KnowledgeSettings,
    LoggingSettings,
    MockSettings,
    Settings,
    StorageSettings,
    SyncSettings,
    ToolsSettings,
    UiSettings,
    setting,
)

# The schema is named here too: callers import settings from this module.
__all__ = [
    "AttachmentSettings",
    "CapsSettings",
    "ChatSettings",
    "GeneralSettings",
    "KnowledgeSettings",
    "LoggingSettings",
    "MockSettings",
    "Settings",
    "StorageSettings",
    "SyncSettings",
    "ToolsSettings",
    "UiSettings",
    "setting",
]

log = logging.getLogger("chatdesk.config")

# Older names still honoured, below the canonical `CHATDESK_<SECTION>_<KEY>` name.
_ENV_ALIASES = {"ui.theme": "CHATDESK_THEME"}


@dataclass(frozen=True)
class SettingIssue:
    """A value that could not be used (its default is used instead), and why."""

    key: str
    problem: str

    def __str__(self) -> str:
        return tr("setting {key}: {problem}; using the default", key=self.key, problem=self.problem)


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
    raw: dict[str, Any] = {}
    if path is not None and path.exists():
        import tomllib  # here: with no file yet (until a setting is changed), it is not needed

        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            issues.append(SettingIssue(str(path), tr("cannot be read ({error})", error=error)))
    sections = {}
    for name, cls in _sections().items():
        section_raw = raw.get(name, {})
        if not isinstance(section_raw, dict):
            issues.append(SettingIssue(name, tr("must be a table")))
            section_raw = {}
        sections[name] = _load_section(name, cls, section_raw, env, issues)
        known = {item.name for item in dataclasses.fields(cls)}
        for unknown in sorted(set(section_raw) - known):
            issues.append(SettingIssue(f"{name}.{unknown}", tr("is not a known setting")))
    for unknown in sorted(set(raw) - set(sections)):
        issues.append(SettingIssue(unknown, tr("is not a known section")))
    for issue in issues:
        log.warning("%s", issue)
    return LoadedSettings(Settings(**sections), tuple(issues))


def _load_section(
    name: str,
    cls: type[Any],
    raw: dict[str, Any],
    env: Mapping[str, str],
    issues: list[SettingIssue],
) -> Any:
    values: dict[str, Any] = {}
    for item in dataclasses.fields(cls):
        key = f"{name}.{item.name}"
        env_name = _env_name(env, name, item.name)
        if env_name is not None:
            source, value = env_name, _from_env(env[env_name], item.type)
        elif item.name in raw:
            source, value = key, raw[item.name]
        else:
            continue
        problem = _validate(value, item)
        if problem is None:
            values[item.name] = float(value) if item.type == "float" else value
        else:
            issues.append(SettingIssue(key if source == key else f"{key} ({source})", problem))
    return cls(**values)


def _env_name(env: Mapping[str, str], section: str, key: str) -> str | None:
    """The environment variable that sets `section.key`, if any is set."""
    for name in (f"CHATDESK_{section.upper()}_{key.upper()}", _ENV_ALIASES.get(f"{section}.{key}")):
        if name is not None and name in env:
            return name
    return None


def _from_env(text: str, type_name: Any) -> Any:
    if type_name == "bool":
        lowered = text.strip().lower()
        return {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}.get(
            lowered, text
        )
    if type_name in ("int", "float"):
        try:
            return int(text) if type_name == "int" else float(text)
        except ValueError:
            return text
    return text


def _validate(value: Any, item: dataclasses.Field[Any]) -> str | None:
    kind = item.type
    meta = item.metadata
    if kind == "bool":
        if not isinstance(value, bool):
            return tr("{value} is not true or false", value=repr(value))
        return None
    if kind in ("int", "float"):
        allowed: tuple[type, ...] = (int,) if kind == "int" else (int, float)
        if isinstance(value, bool) or not isinstance(value, allowed):
            if kind == "int":
                return tr("{value} is not a whole number", value=repr(value))
            return tr("{value} is not a number", value=repr(value))
        if meta["unset"] is not None and value == meta["unset"]:
            return None
        if meta["min"] is not None and value < meta["min"]:
            return tr("{value} is below the minimum {min}", value=repr(value), min=meta["min"])
        if meta["max"] is not None and value > meta["max"]:
            return tr("{value} is above the maximum {max}", value=repr(value), max=meta["max"])
        return None
    if not isinstance(value, str):
        return tr("{value} is not text", value=repr(value))
    if meta["choices"] is not None and value not in meta["choices"]:
        return tr(
            "{value} is not one of {choices}", value=repr(value), choices=", ".join(meta["choices"])
        )
    return None


class SettingsSaveError(ChatdeskError):
    """The settings file cannot be written."""


def save_settings(path: Path, settings: Settings) -> None:
    """Write the values that differ from the defaults to `path`, atomically and private (0600).

    A crash or a full disk leaves either the old file or the new one, never half of one: the text
    goes to a temporary file in the same folder, is flushed to disk, then renamed over `path`.
    """
    save_private_text(
        path, to_toml(settings), SettingsSaveError, mark("cannot save settings to {path}: {reason}")
    )


def save_private_text(path: Path, text: str, error: type[ChatdeskError], what: str) -> None:
    """Replace `path` with `text` atomically, 0600 in a 0700 folder; a failure raises `error`
    with `what`, a marked message with the fields {path} and {reason}."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_file_atomically(path, text.encode("utf-8"))
    except OSError as failure:
        reason = failure.strerror or str(failure)
        raise error(tr(what, path=path, reason=reason)) from failure


def replace_file_atomically(path: Path, data: bytes) -> None:
    import tempfile  # here: start-up reads settings and writes nothing

    # mkstemp creates the file with mode 0600, so the text is never readable by others.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)  # makes the rename itself durable


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":  # Windows cannot open a folder for fsync; its rename is journalled
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def to_toml(settings: Settings) -> str:
    """The settings that differ from the defaults, as TOML that `load_settings` reads back."""
    lines = [
        "# chatdesk settings, written by chatdesk: only values that differ from the defaults.",
        "# Hand edits are read, but comments and unknown keys are dropped on the next save.",
    ]
    defaults = Settings()
    for name in _sections():
        section, default = getattr(settings, name), getattr(defaults, name)
        changed = [
            f"{item.name} = {toml_value(getattr(section, item.name))}"
            for item in dataclasses.fields(section)
            if getattr(section, item.name) != getattr(default, item.name)
        ]
        if changed:
            lines += ["", f"[{name}]", *changed]
    return "\n".join(lines) + "\n"


def toml_value(value: str | int | float | bool) -> str:
    if isinstance(value, bool):  # before int: bool is a subclass of int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _toml_float(value)
    return _toml_string(value)


def _toml_float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)  # "12.5", "1e+16", "1.5e-07": all valid TOML floats that round-trip


# TOML basic strings must escape the quote, the backslash and every control character.
_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_string(text: str) -> str:
    return '"' + "".join(_escape_char(char) for char in text) + '"'


def _escape_char(char: str) -> str:
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return f"\\u{ord(char):04X}"
    return char
