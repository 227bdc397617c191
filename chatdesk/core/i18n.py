"""The user's language: chatdesk's own words, translated from one gettext catalog per language.

Every user-facing string goes through `tr` (or `ntr` when it counts something) at the moment it
is shown, never at import, so the language chosen at start-up reaches all of them:

    tr("Delete “{title}”?", title=thread.title)
    ntr("{n} message", "{n} messages", count)
    tr("Open", context="menu")            # the same English word, translated apart

A constant defined at import time is marked with `mark` and translated where it is shown
(`tr(CONSTANT)`). `packaging/translations.py` finds every literal passed to these functions and
keeps `resources/locale/` in step. The window, the command line and the core share the one
catalog; Qt's own words (standard buttons, a text field's menu) come from Qt's translations
(`chatdesk/ui/language.py`). Decision 0030 says why.

English needs no catalog: nothing is read and the strings are returned as written.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from chatdesk.core.package_data import package_data

if TYPE_CHECKING:
    import gettext
    from pathlib import Path

log = logging.getLogger("chatdesk.i18n")

DOMAIN = "chatdesk"
SOURCE = "en"
# The languages chatdesk speaks, each named in itself (as a menu of languages shows them).
LANGUAGES: Mapping[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "es": "Español",
    "fr": "Français",
    "ja": "日本語",
    "zh_CN": "简体中文",
    "ar": "العربية",
}
_RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur"})
_CONTEXT_GLUE = "\x04"  # gettext's separator between a context and its message
# How each language writes a number, as Qt's QLocale and CLDR write it: the mark between groups
# of three digits, the decimal mark, the fewest digits a number has before it is grouped
# (Spanish writes 1234 but 12.345), and the ten digits.
_NUMBERS: Mapping[str, tuple[str, str, int, str]] = {
    "en": (",", ".", 4, "0123456789"),
    "de": (".", ",", 4, "0123456789"),
    "es": (".", ",", 5, "0123456789"),
    "fr": ("\u202f", ",", 4, "0123456789"),
    "ja": (",", ".", 4, "0123456789"),
    "zh_CN": (",", ".", 4, "0123456789"),
    "ar": ("\u066c", "\u066b", 4, "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"),
}
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_WRITTEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
_ARABIC_MARKS = str.maketrans({"\u066c": ",", "\u066b": "."})
# What follows a share written as a percentage (CLDR's patterns): "42%", "42 %", "٤٢٪؜".
_PERCENT: Mapping[str, str] = {
    "de": "\u00a0%",
    "es": "\u00a0%",
    "fr": "\u00a0%",
    "ar": "\u066a\u061c",
}
# The language in use, for the child processes (chatdesk/core/trust/children.py) to speak it.
CHILD_VARIABLE = "CHATDESK_LANGUAGE_IN_USE"


class Catalog(Protocol):
    """What a loaded catalog answers (`gettext.GNUTranslations`, or a test's own)."""

    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


_catalog: Catalog | None = None
_language = SOURCE


def tr(message: str, /, *, context: str | None = None, **fields: Any) -> str:
    """`message` in the user's language; `{name}` fields filled from `fields`."""
    text = _translate(message, context)
    return _fill(text, message, fields) if fields else text


def ntr(singular: str, plural: str, n: int, /, *, context: str | None = None, **fields: Any) -> str:
    """The form of a counted message that `n` takes in the user's language; `{n}` is the count."""
    source = singular if n == 1 else plural
    catalog = _catalog
    if catalog is None:
        text = source
    else:
        key = singular if context is None else context + _CONTEXT_GLUE + singular
        text = catalog.ngettext(key, plural, n)
        if text == key:  # not in the catalog
            text = source
    return _fill(text, source, {"n": number(n), **fields})


def number(value: float, /, places: int = 0) -> str:
    """`value` as the language in use writes it, its digits grouped by thousands and `places`
    digits after the decimal mark: 12345 is "12,345" in English, "12.345" in German, "12 345"
    in French. The messages keep a plain field (`{n}`) and are given this text; `ntr` gives its
    count this way by itself."""
    group, decimal, fewest, digits = _NUMBERS.get(_language, _NUMBERS[SOURCE])
    written = f"{abs(value):.{places}f}"
    whole, _, fraction = written.partition(".")
    if len(whole) >= fewest:
        whole = f"{int(whole):,}".replace(",", group)
    text = whole + decimal + fraction if fraction else whole
    if digits[0] != "0":
        text = text.translate(str.maketrans("0123456789", digits))
    return ("-" if value < 0 and written.strip("0.") else "") + text


def read_number(text: str, /) -> float:
    """A number as a person wrote it, in the language in use or in English: "1.5" and "1,5"
    in German, "12 345,6" in French, "١٫٥" in Arabic. With two kinds of mark the last is the
    decimal one ("1.234,5"); with one, it groups when it is the language's group mark and
    three digits follow each ("1.500" is 1500 in German and 1.5 in English), and is the decimal
    mark otherwise. ValueError when it is not a number."""
    group, _, _, digits = _NUMBERS.get(_language, _NUMBERS[SOURCE])
    text = _SPACES.sub("", text.translate(str.maketrans(digits, "0123456789")))  # French groups
    text = text.translate(_ARABIC_MARKS)  # read as English's
    group = group.translate(_ARABIC_MARKS)
    plain = _plain_number(text, group) if _WRITTEN.fullmatch(text) else None
    if plain is None:
        raise ValueError(f"not a number: {text!r}")
    return float(plain)


def _plain_number(text: str, group: str) -> str | None:
    """`text` (digits, "." and ",") as Python writes the number, or None."""
    marks = list(dict.fromkeys(c for c in text if c in ".,"))
    if len(marks) == 2:  # "1.234,5": grouped by the first, the decimal mark last and once
        whole, _, fraction = text.rpartition(marks[1])
        groups = whole.split(marks[0])
        if marks[1] in whole or any(len(g) != 3 for g in groups[1:]):
            return None
        return "".join(groups) + "." + fraction
    if marks:
        parts = text.split(marks[0])
        if marks[0] == group and all(len(part) == 3 for part in parts[1:]):
            return "".join(parts)
        return ".".join(parts) if len(parts) == 2 else None
    return text


def percent(share: float, /, places: int = 0) -> str:
    """`share` (0.42) as a percentage the language in use writes: "42%" in English, "42 %" in
    French and German, "٤٢٪؜" in Arabic."""
    return number(share * 100, places) + _PERCENT.get(_language, "%")


def mark(message: str, /) -> str:
    """Marks a constant for translation; `tr(constant)` translates it where it is shown."""
    return message


def language() -> str:
    """The language in use (a key of `LANGUAGES`)."""
    return _language


def is_right_to_left(code: str | None = None) -> bool:
    """Whether `code` (by default the language in use) is written from right to left."""
    return (code or _language).split("_")[0] in _RIGHT_TO_LEFT


def isolated(text: str) -> str:
    """`text` set apart from the sentence around it when the language in use reads right to
    left (a Latin title or address in an Arabic sentence keeps its own order and its
    neighbours theirs); as it is otherwise."""
    return f"\u2068{text}\u2069" if text and is_right_to_left() else text


def best_match(wanted: Iterable[str]) -> str:
    """The first of `wanted` that chatdesk speaks, else English. Accepts BCP 47 tags and POSIX
    locale names alike: "de-AT", "zh-Hans-CN", "zh_CN.UTF-8", "ar_EG@latin"."""
    for tag in wanted:
        parts = tag.split(".")[0].split("@")[0].replace("-", "_").split("_")
        if not parts[0]:
            continue
        first = parts[0].lower()
        if first == "zh":
            rest = {part.lower() for part in parts[1:]}
            if rest & {"hant", "tw", "hk", "mo"}:
                continue  # traditional Chinese: not spoken yet, so not simplified either
            return "zh_CN"
        if first in LANGUAGES:
            return first
        if first == "c" or first == "posix":
            return SOURCE
    return SOURCE


def system_languages(env: Mapping[str, str] = os.environ) -> list[str]:
    """The user's preferred languages as the environment and the C library tell them (for the
    command line; the window asks Qt, which also knows Windows' and macOS's own settings)."""
    wanted: list[str] = []
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            wanted.extend(part for part in value.split(":") if part)
            if name != "LANGUAGE":
                break
    if not wanted:
        import locale

        code = locale.getlocale()[0]
        if code:
            wanted.append(code)
    return wanted


def choose(setting: str, system: Sequence[str]) -> str:
    """The language to use: the setting's ("de"), or the system's when it says "system"."""
    if setting in LANGUAGES:
        return setting
    return best_match(system)


def set_language(code: str, catalog: Catalog | None = None) -> str:
    """Speaks `code` from now on and returns it. Its catalog is read from `resources/locale/`
    unless one is given (the tests' pseudo-language). A language without a readable catalog
    falls back to English, with a warning in the log."""
    global _catalog, _language
    if catalog is None and code != SOURCE:
        catalog = _read_catalog(code)
        if catalog is None:
            code = SOURCE
    _catalog = catalog
    _language = code
    if catalog is None or code in LANGUAGES:  # not a test's own catalog: children can read it
        os.environ[CHILD_VARIABLE] = code
    return code


def follow_parent() -> None:
    """In a child process: speak the language its parent speaks."""
    code = os.environ.get(CHILD_VARIABLE, SOURCE)
    if code in LANGUAGES and code != _language:
        set_language(code)


def catalog_path(code: str) -> Path:
    return package_data("resources") / "locale" / code / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _read_catalog(code: str) -> gettext.GNUTranslations | None:
    import gettext

    path = catalog_path(code)
    try:
        with path.open("rb") as file:
            return gettext.GNUTranslations(file)
    except (OSError, ValueError) as error:  # missing, unreadable or not a catalog
        log.warning("no translations for %s (%s); English it is", code, error)
        return None


def _translate(message: str, context: str | None) -> str:
    catalog = _catalog
    if catalog is None:
        return message
    if context is None:
        return catalog.gettext(message)
    key = context + _CONTEXT_GLUE + message
    text = catalog.gettext(key)
    return message if text == key else text


def _fill(text: str, source: str, fields: Mapping[str, Any]) -> str:
    """`text` with its fields filled; a translation whose fields do not match its source (the
    catalogs are tested, so only a hand-edited one) falls back to the English words."""
    try:
        return text.format_map(fields)
    except (KeyError, IndexError, ValueError, AttributeError):
        if text is source:
            raise
        log.warning("a translation's fields do not match its source: %r", source)
        return source.format_map(fields)
