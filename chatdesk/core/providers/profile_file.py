"""Provider profiles on disk: `providers.toml` in the config folder, beside `config.toml`.

A list of `[[provider]]` tables, one per profile, holding everything but the API key (keys
live in the system keyring, see `chatdesk.core.secrets`). Like the settings file, it is
owned by chatdesk: written atomically and private (0600), read leniently. A bad entry is
reported with what is wrong and skipped; the others still load.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, tr
from chatdesk.core.providers.profiles import RESERVED_NAMES, ProviderProfile
from chatdesk.core.writing import save_private_text

FILE_NAME = "providers.toml"
_HEADER = (
    "# chatdesk provider profiles, written by chatdesk. API keys are never stored here:\n"
    "# they are kept in the system keyring.\n"
)
# Field name -> the types a value may have in the file (int is accepted for float fields).
_FIELDS: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "base_url": (str,),
    "default_model": (str,),
    "context_window": (int,),
    "input_price_per_million": (int, float),
    "output_price_per_million": (int, float),
    "cached_input_price_per_million": (int, float),
    "requests_per_minute": (int,),
    "models": (list,),
    "images": (str,),
    "image_max_side": (int,),
    "image_max_mb": (int, float),
    "monthly_cap_usd": (int, float),
}
_FLOATS = {
    "input_price_per_million",
    "output_price_per_million",
    "cached_input_price_per_million",
    "image_max_mb",
    "monthly_cap_usd",
}


class ProfileFileError(ChatdeskError):
    """The profiles file cannot be written."""


@dataclass(frozen=True)
class LoadedProfiles:
    profiles: tuple[ProviderProfile, ...]
    problems: tuple[str, ...]  # one sentence each, naming the entry


def load_profiles(path: Path) -> LoadedProfiles:
    if not path.exists():
        return LoadedProfiles((), ())
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        said = tr("{path} cannot be read ({error}); no profiles loaded", path=path, error=error)
        return LoadedProfiles((), (said,))
    entries = raw.get("provider", [])
    if not isinstance(entries, list):
        return LoadedProfiles((), (tr("{path}: 'provider' must be a list of tables", path=path),))
    profiles: list[ProviderProfile] = []
    problems: list[str] = []
    for number, entry in enumerate(entries, start=1):
        profile, problem = _profile(entry, number, {p.name for p in profiles})
        if profile is not None:
            profiles.append(profile)
        if problem:
            problems.append(
                tr(
                    "{file}, provider {number}: {problem}",
                    file=path.name,
                    number=number,
                    problem=problem,
                )
            )
    return LoadedProfiles(tuple(profiles), tuple(problems))


def _profile(entry: object, number: int, taken: set[str]) -> tuple[ProviderProfile | None, str]:
    if not isinstance(entry, dict):
        return None, tr("is not a table; skipped")
    values: dict[str, Any] = {}
    notes = []
    for key, value in entry.items():
        allowed = _FIELDS.get(key)
        if allowed is None:
            notes.append(tr("unknown key {key} ignored", key=repr(key)))
        elif isinstance(value, bool) or not isinstance(value, allowed):
            return None, tr(
                "{key} = {value} has the wrong type; skipped", key=key, value=repr(value)
            )
        else:
            values[key] = _converted(key, value)
    name = values.get("name")
    if name is None or "base_url" not in values:
        return None, tr("needs both a name and a base_url; skipped")
    if name in RESERVED_NAMES or name in taken:
        if name in RESERVED_NAMES:
            return None, tr("the name {name} is reserved", name=repr(name))
        return None, tr("the name {name} is taken", name=repr(name))
    try:
        profile = ProviderProfile(**values)
    except ChatdeskError as error:
        return None, tr("{error} Skipped.", error=error)
    return profile, "; ".join(notes)


def _converted(key: str, value: Any) -> Any:
    if key in _FLOATS:
        return float(value)
    if key == "models":
        return tuple(str(model) for model in value if str(model).strip())
    return value


def save_profiles(path: Path, profiles: Sequence[ProviderProfile]) -> None:
    """Write `profiles` (never their keys) atomically and private; raises ProfileFileError."""
    save_private_text(
        path,
        to_toml(profiles),
        ProfileFileError,
        mark("cannot save provider profiles to {path}: {reason}"),
    )


def to_toml(profiles: Sequence[ProviderProfile]) -> str:
    import tomli_w  # here: only saving needs it; reading the profiles never does

    blocks = [_HEADER]
    defaults = {f.name: f.default for f in dataclasses.fields(ProviderProfile)}
    for profile in profiles:
        entry = {
            key: getattr(profile, key)
            for key in _FIELDS
            if key in ("name", "base_url") or getattr(profile, key) != defaults.get(key)
        }
        # One `[[provider]]` table each, as the file is documented and edited by hand: given
        # the whole list, tomli-w would write short profiles as inline tables on one line.
        blocks.append("[[provider]]\n" + tomli_w.dumps(entry))
    return "\n".join(blocks)
