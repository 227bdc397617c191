"""How a setting is declared (`setting`) and read: from `config.toml`'s table or from the
environment, checked against its type and bounds, or reported and left at its default.

The sections themselves are declared in `settings_start.py` (the ones the window's first frame
reads), `settings_outside.py` (what chatdesk reaches beyond its chats) and `settings_schema.py`
(the rest, and `Settings`); `config.py` loads and saves them all. This module knows no
section, so the first frame reads its two with this same code, not a copy of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from chatdesk.core.i18n import tr

T = TypeVar("T")

# Older names still honoured, below the canonical `CHATDESK_<SECTION>_<KEY>` name.
_ENV_ALIASES = {"ui.theme": "CHATDESK_THEME"}


def setting(
    default: T,
    doc: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    choices: tuple[str, ...] | None = None,
    unset: float | None = None,
    separator: str | None = None,
) -> T:
    """`unset` is a value outside the bounds that means "not set" (e.g. 0 = the system's size).

    `separator` makes a text setting one that holds several values: the file takes them as a
    TOML list as well as one text with `separator` between them (the environment's form, and
    what files written before lists were read hold), and the value in use is that text."""
    meta = {
        "doc": doc,
        "min": minimum,
        "max": maximum,
        "choices": choices,
        "unset": unset,
        "separator": separator,
    }
    result: T = dataclasses.field(default=default, metadata=meta)
    return result


@dataclasses.dataclass(frozen=True)
class SettingIssue:
    """A value that could not be used (its default is used instead), and why."""

    key: str
    problem: str

    def __str__(self) -> str:
        return tr("setting {key}: {problem}; using the default", key=self.key, problem=self.problem)


def read_file(path: Path | None, issues: list[SettingIssue]) -> dict[str, Any]:
    """The file's tables ({} when there is no file, or it cannot be read: an issue)."""
    if path is None or not path.exists():
        return {}
    import tomllib  # here: with no file yet (until a setting is changed), it is not needed

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        issues.append(SettingIssue(str(path), tr("cannot be read ({error})", error=error)))
        return {}


def table(raw: Mapping[str, Any], name: str, issues: list[SettingIssue]) -> dict[str, Any]:
    """Section `name` of the file's tables ({} when it has none, or it is not a table)."""
    section = raw.get(name, {})
    if isinstance(section, dict):
        return section
    issues.append(SettingIssue(name, tr("must be a table")))
    return {}


def load_section(
    name: str,
    cls: type[T],
    raw: dict[str, Any],
    env: Mapping[str, str],
    issues: list[SettingIssue],
) -> T:
    """Section `name` as class `cls`: each key from the environment, else from `raw`, else its
    default; a value that fails its checks is an issue and leaves the default."""
    values: dict[str, Any] = {}
    for item in dataclasses.fields(cls):  # type: ignore[arg-type]
        key = f"{name}.{item.name}"
        env_name = _env_name(env, name, item.name)
        if env_name is not None:
            source, value = env_name, _from_env(env[env_name], item.type)
        elif item.name in raw:
            source, value = key, raw[item.name]
        else:
            continue
        value = _joined(value, item.metadata["separator"])
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


def _joined(value: Any, separator: str | None) -> Any:
    """A TOML list of texts as the one text a setting of several values holds; anything else
    is left for `_validate` to judge."""
    if separator is None or not isinstance(value, list):
        return value
    if not all(isinstance(entry, str) for entry in value):
        return value
    return separator.join(entry.strip() for entry in value if entry.strip())


def several(value: str, separator: str) -> list[str]:
    """The values of a setting of several values, as the list `config.toml` writes."""
    parts = value.split() if separator.isspace() else value.split(separator)
    return [part.strip() for part in parts if part.strip()]


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
        if meta["separator"] is not None:
            return tr("{value} is not a list of texts", value=repr(value))
        return tr("{value} is not text", value=repr(value))
    if meta["choices"] is not None and value not in meta["choices"]:
        return tr(
            "{value} is not one of {choices}", value=repr(value), choices=", ".join(meta["choices"])
        )
    return None
