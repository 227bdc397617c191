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
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from chatdesk.core.errors import ChatdeskError

log = logging.getLogger("chatdesk.config")

T = TypeVar("T")


def setting(
    default: T,
    doc: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    choices: tuple[str, ...] | None = None,
    unset: float | None = None,
) -> T:
    """`unset` is a value outside the bounds that means "not set" (e.g. 0 = the system's size)."""
    meta = {"doc": doc, "min": minimum, "max": maximum, "choices": choices, "unset": unset}
    result: T = field(default=default, metadata=meta)
    return result


@dataclass(frozen=True)
class GeneralSettings:
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
class ChatSettings:
    max_message_chars: int = setting(
        2_000_000,
        "Longest message that can be sent, in characters.",
        minimum=1_000,
        maximum=50_000_000,
    )
    context_messages: int = setting(
        10_000,
        "At most this many recent messages of the branch are sent with a new message; "
        "before that, the model's context budget decides (older ones are summarised).",
        minimum=1,
        maximum=10_000,
    )
    stream_idle_timeout: float = setting(
        120.0,
        "Seconds without any data from the provider before an answer is given up as stalled.",
        minimum=1.0,
        maximum=3_600.0,
    )
    max_retries: int = setting(
        2, "Automatic retries before the first token of an answer.", minimum=0, maximum=5
    )
    answer_reserve_tokens: int = setting(
        1_024,
        "Tokens of the context window kept free for the answer when general.max_output_tokens "
        "is 0 (at most half the window).",
        minimum=16,
        maximum=1_000_000,
    )
    summary_threshold: float = setting(
        0.75,
        "Summarise older messages in the background once a thread's history fills this share "
        "of the context budget; 0 turns automatic summaries off.",
        minimum=0.3,
        maximum=0.95,
        unset=0.0,
    )
    summary_model: str = setting(
        "",
        "Model that writes summaries and titles, as provider/model (e.g. 'ollama/llama3.2'); "
        "empty: the thread's own model.",
    )
    auto_titles: bool = setting(
        True, "Name a new thread from its first question and answer, in the background."
    )


@dataclass(frozen=True)
class StorageSettings:
    busy_timeout_ms: int = setting(
        5_000,
        "How long a database operation waits for another chatdesk process, in ms.",
        minimum=100,
        maximum=600_000,
    )
    automatic_backups: bool = setting(
        True, "Back up the database once a day while chatdesk runs (verified, then rotated)."
    )
    daily_backups: int = setting(
        7,
        "Automatic backups kept: the newest of each of this many recent days.",
        minimum=1,
        maximum=90,
    )
    weekly_backups: int = setting(
        4,
        "Older automatic backups kept: the newest of each of this many recent weeks.",
        minimum=0,
        maximum=104,
    )
    pre_migration_backups: int = setting(
        3,
        "Backups made before a schema upgrade that are kept (the newest ones).",
        minimum=1,
        maximum=50,
    )
    deleted_retention_days: int = setting(
        30,
        "Days a deleted thread stays restorable before it is purged for good; "
        "0 keeps deleted threads forever.",
        minimum=1,
        maximum=36_500,
        unset=0,
    )


@dataclass(frozen=True)
class MockSettings:
    tokens_per_second: float = setting(
        40.0,
        "Pace of the offline mock provider; 0 streams as fast as possible.",
        minimum=0.0,
        maximum=100_000.0,
    )
    reasoning: bool = setting(False, "Let the mock provider stream a reasoning section first.")
    fault: str = setting(
        "",
        "Inject a fault: 'error_after:N', 'rate_limit', 'stall_after:N' or 'cut_after:N' "
        "(N tokens), or 'too_long:N' (refuse a request of more than N messages as too long "
        "for the model's context window). Empty for none.",
    )


@dataclass(frozen=True)
class ToolsSettings:
    max_rounds: int = setting(
        10, "Rounds of tool calls an answer may make.", minimum=1, maximum=100
    )
    call_timeout: float = setting(
        60.0, "Seconds a tool call may take.", minimum=1.0, maximum=3600.0
    )
    max_result_chars: int = setting(
        100_000, "Characters of a tool's result sent on (the rest cut).", minimum=1_000
    )
    read_only: str = setting(
        "ask", "Policy of a tool that says it changes nothing.", choices=("ask", "allow")
    )


@dataclass(frozen=True)
class LoggingSettings:
    level: str = setting(
        "INFO", "Log level.", choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    )
    log_message_text: bool = setting(
        False, "Write message text into debug logs (off: only sizes and ids are logged)."
    )


@dataclass(frozen=True)
class UiSettings:
    theme: str = setting(
        "system",
        "Colours: follow the system's light or dark mode, or always light or dark.",
        choices=("system", "light", "dark"),
    )
    font_size: int = setting(
        0,
        "Font size of the window in points, 8 to 32; 0 keeps the system's size.",
        minimum=8,
        maximum=32,
        unset=0,
    )
    enter_sends: bool = setting(
        True, "Enter sends a message and Shift+Enter starts a new line; off: Ctrl+Enter sends."
    )


@dataclass(frozen=True)
class SyncSettings:
    host: str = setting(
        "", "Team server (PostgreSQL) host name; empty: team sync is off and nothing connects."
    )
    port: int = setting(5432, "Team server port.", minimum=1, maximum=65_535)
    database: str = setting("chatdesk", "Database on the team server.")
    user: str = setting("", "Your login on the team server (the password is in the keyring).")
    sslmode: str = setting(
        "verify-full",
        "TLS: 'verify-full' checks the server's certificate and name (use it for any remote "
        "server); 'prefer' is for a server on this machine only.",
        choices=("verify-full", "verify-ca", "require", "prefer", "disable"),
    )
    sslrootcert: str = setting(
        "",
        "The team's CA certificate file for verify-full ('system': the system's trusted CAs); "
        "empty: ~/.postgresql/root.crt.",
    )
    poll_seconds: float = setting(
        60.0,
        "Pull every team this often even without a notification from the server.",
        minimum=1.0,
        maximum=3_600.0,
    )


@dataclass(frozen=True)
class Settings:
    general: GeneralSettings = field(default_factory=GeneralSettings)
    chat: ChatSettings = field(default_factory=ChatSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    mock: MockSettings = field(default_factory=MockSettings)
    tools: ToolsSettings = field(default_factory=ToolsSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)


# Older names still honoured, below the canonical `CHATDESK_<SECTION>_<KEY>` name.
_ENV_ALIASES = {"ui.theme": "CHATDESK_THEME"}


@dataclass(frozen=True)
class SettingIssue:
    key: str
    problem: str

    def __str__(self) -> str:
        return f"setting {self.key}: {self.problem}; using the default"


@dataclass(frozen=True)
class LoadedSettings:
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
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            issues.append(SettingIssue(str(path), f"cannot be read ({error})"))
    sections = {}
    for name, cls in _sections().items():
        section_raw = raw.get(name, {})
        if not isinstance(section_raw, dict):
            issues.append(SettingIssue(name, "must be a table"))
            section_raw = {}
        sections[name] = _load_section(name, cls, section_raw, env, issues)
        known = {item.name for item in dataclasses.fields(cls)}
        for unknown in sorted(set(section_raw) - known):
            issues.append(SettingIssue(f"{name}.{unknown}", "is not a known setting"))
    for unknown in sorted(set(raw) - set(sections)):
        issues.append(SettingIssue(unknown, "is not a known section"))
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
            return f"{value!r} is not true or false"
        return None
    if kind in ("int", "float"):
        allowed: tuple[type, ...] = (int,) if kind == "int" else (int, float)
        if isinstance(value, bool) or not isinstance(value, allowed):
            return f"{value!r} is not a {'whole ' if kind == 'int' else ''}number"
        if meta["unset"] is not None and value == meta["unset"]:
            return None
        if meta["min"] is not None and value < meta["min"]:
            return f"{value!r} is below the minimum {meta['min']}"
        if meta["max"] is not None and value > meta["max"]:
            return f"{value!r} is above the maximum {meta['max']}"
        return None
    if not isinstance(value, str):
        return f"{value!r} is not text"
    if meta["choices"] is not None and value not in meta["choices"]:
        return f"{value!r} is not one of {', '.join(meta['choices'])}"
    return None


class SettingsSaveError(ChatdeskError):
    """The settings file cannot be written."""


def save_settings(path: Path, settings: Settings) -> None:
    """Write the values that differ from the defaults to `path`, atomically and private (0600).

    A crash or a full disk leaves either the old file or the new one, never half of one: the text
    goes to a temporary file in the same folder, is flushed to disk, then renamed over `path`.
    """
    save_private_text(path, to_toml(settings), SettingsSaveError, "settings")


def save_private_text(path: Path, text: str, error: type[ChatdeskError], what: str) -> None:
    """Replace `path` with `text` atomically, 0600 in a 0700 folder; a failure raises `error`
    saying which `what` could not be saved and why."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_file_atomically(path, text.encode("utf-8"))
    except OSError as failure:
        reason = failure.strerror or str(failure)
        raise error(f"cannot save {what} to {path}: {reason}") from failure


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
