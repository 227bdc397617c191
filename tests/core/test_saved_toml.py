"""The files chatdesk writes as TOML (the settings, the provider profiles): whatever a user may
enter is written so that it reads back equal, and reading them never loads the writer."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatdesk.core.config import Settings, load_settings, save_settings
from chatdesk.core.providers.profile_file import load_profiles, save_profiles
from chatdesk.core.providers.profiles import NAME_PATTERN, RESERVED_NAMES, ProviderProfile
from chatdesk.core.settings_base import several

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

# Text that broke TOML writers: quotes of every kind, backslashes that look like escapes, line
# ends, control characters, a table header, unicode line separators, a byte order mark.
TRICKY = (
    'say "hi"',
    "\\",
    "C:\\Users\\new\\table",
    "\\u0000 \\n \\t",
    '"""',
    "'''",
    "line one\nline two\r\nthree\r",
    "\x00\x01\x08\t\x0b\x0c\x1b\x1f\x7f\x80\x9f",
    '[general]\nsystem_prompt = "injected"',
    "# not a comment",
    "\u2028\u2029\u0085\ufeff",
    "é 日本 🙂 👩\u200d👩\u200d👧 ﷽",
    "",
    " ",
)
HOSTILE_TEXT = st.text() | st.sampled_from(TRICKY) | st.lists(st.sampled_from(TRICKY)).map("".join)
# What the settings' checks let in besides their bounds: NaN compares false with both.
NAN = float("nan")
# Tests write and fsync real files on a shared machine; a slow disk is not a failure.
ON_DISK = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _comparable(value: Any) -> Any:
    """`value` as a tuple in which NaN equals NaN, so a NaN kept by the file compares equal,
    and a setting of several values is the values it holds (the file keeps them as a list: the
    spaces or commas between them are not kept as typed)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(_field(value, f) for f in dataclasses.fields(value))
    if isinstance(value, tuple):
        return tuple(_comparable(item) for item in value)
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def _field(value: Any, item: dataclasses.Field[Any]) -> Any:
    separator = item.metadata.get("separator")
    if separator is not None:
        return tuple(several(getattr(value, item.name), separator))
    return _comparable(getattr(value, item.name))


def _values(item: dataclasses.Field[Any]) -> st.SearchStrategy[Any]:
    """Every value the setting's checks accept, its extremes and NaN included."""
    meta = item.metadata
    unset = st.just(meta["unset"]) if meta["unset"] is not None else st.nothing()
    if item.type == "bool":
        return st.booleans()
    if item.type == "str":
        return st.sampled_from(meta["choices"]) if meta["choices"] else HOSTILE_TEXT
    if item.type == "int":
        low = -(2**63) if meta["min"] is None else int(meta["min"])
        high = 2**63 - 1 if meta["max"] is None else int(meta["max"])
        return st.integers(min_value=low, max_value=high) | unset
    assert item.type == "float", item
    floats = st.floats(min_value=meta["min"], max_value=meta["max"])
    return floats | st.just(NAN) | unset.map(float)


def _section(cls: type[Any]) -> st.SearchStrategy[Any]:
    return st.builds(cls, **{item.name: _values(item) for item in dataclasses.fields(cls)})


SECTIONS = {
    field.name: type(getattr(Settings(), field.name)) for field in dataclasses.fields(Settings)
}
ANY_SETTINGS = st.builds(Settings, **{name: _section(cls) for name, cls in SECTIONS.items()})


@given(ANY_SETTINGS)
@ON_DISK
def test_any_settings_the_checks_accept_load_back_equal(tmp_path: Path, chosen: Settings) -> None:
    path = tmp_path / "config.toml"
    save_settings(path, chosen)
    loaded = load_settings(path, env={})
    assert loaded.issues == ()
    assert _comparable(loaded.settings) == _comparable(chosen)


def test_the_settings_file_keeps_its_header_and_a_table_per_changed_section(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.toml"
    save_settings(path, Settings())
    header = path.read_text(encoding="utf-8")
    assert header.startswith("# chatdesk settings, written by chatdesk")
    assert all(line.startswith("# ") for line in header.splitlines())
    chosen = dataclasses.replace(
        Settings(), ui=dataclasses.replace(Settings().ui, theme="dark", font_size=14)
    )
    save_settings(path, chosen)
    text = path.read_text(encoding="utf-8")
    assert text == header + '\n[ui]\ntheme = "dark"\nfont_size = 14\n'


NAMES = st.from_regex(NAME_PATTERN, fullmatch=True).filter(lambda name: name not in RESERVED_NAMES)
HOSTS = st.sampled_from(["https://api.example.com", "http://127.0.0.1:11434", "http://[::1]:8000"])
# Checked against 0 only: infinity and NaN get through.
AT_LEAST_ZERO = st.floats(min_value=0.0) | st.just(NAN)


def _profile(name: str) -> st.SearchStrategy[ProviderProfile]:
    return st.builds(
        ProviderProfile,
        name=st.just(name),
        base_url=st.builds("{}/{}".format, HOSTS, HOSTILE_TEXT),
        default_model=HOSTILE_TEXT,
        context_window=st.integers(min_value=0, max_value=2**63 - 1),
        input_price_per_million=st.none() | st.floats(0.0, 1e6, exclude_max=True),
        output_price_per_million=st.none() | st.floats(0.0, 1e6, exclude_max=True),
        cached_input_price_per_million=st.none() | st.floats(0.0, 1e6, exclude_max=True),
        requests_per_minute=st.integers(min_value=0, max_value=2**63 - 1),
        # Blank names are dropped when read, as the window drops them when typed.
        models=st.lists(HOSTILE_TEXT.filter(str.strip), max_size=4).map(tuple),
        images=st.sampled_from(["", "yes", "no"]),
        image_max_side=st.just(0) | st.integers(64, 16_384),
        image_max_mb=AT_LEAST_ZERO,
        monthly_cap_usd=AT_LEAST_ZERO,
    )


ANY_PROFILES = st.lists(NAMES, max_size=3, unique=True).flatmap(
    lambda names: st.tuples(*(_profile(name) for name in names))
)


@given(ANY_PROFILES)
@ON_DISK
def test_any_provider_profiles_load_back_equal(
    tmp_path: Path, profiles: tuple[ProviderProfile, ...]
) -> None:
    path = tmp_path / "providers.toml"
    save_profiles(path, profiles)
    loaded = load_profiles(path)
    assert loaded.problems == ()
    assert _comparable(loaded.profiles) == _comparable(profiles)


def test_the_profiles_file_keeps_its_header_and_a_provider_table_each(tmp_path: Path) -> None:
    path = tmp_path / "providers.toml"
    save_profiles(
        path, [ProviderProfile("a", "http://127.0.0.1:1/v1"), ProviderProfile("b", "https://b.io")]
    )
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# chatdesk provider profiles, written by chatdesk.")
    assert "API keys are never stored here" in text
    assert text.count("[[provider]]\n") == 2


def test_reading_the_settings_and_profiles_does_not_load_the_toml_writer(tmp_path: Path) -> None:
    """Start-up reads both files; the writer is loaded by the first save, not before."""
    settings_file, profiles_file = tmp_path / "config.toml", tmp_path / "providers.toml"
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from chatdesk.core.config import Settings, load_settings, save_settings\n"
        "from chatdesk.core.providers.profile_file import load_profiles\n"
        f"loaded = load_settings(Path({str(settings_file)!r}), env={{}})\n"
        f"assert load_profiles(Path({str(profiles_file)!r})).profiles\n"
        "read = 'tomli_w' in sys.modules\n"
        f"save_settings(Path({str(settings_file)!r}), loaded.settings)\n"
        "print(read, 'tomli_w' in sys.modules)\n"
    )
    dark = dataclasses.replace(Settings().ui, theme="dark")
    save_settings(settings_file, dataclasses.replace(Settings(), ui=dark))
    save_profiles(profiles_file, [ProviderProfile("local", "http://127.0.0.1:1/v1")])
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["False", "True"]
