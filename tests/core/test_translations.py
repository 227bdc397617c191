"""Every language chatdesk offers translates every message in the code, keeping what the code
fills in or relies on (fields, tags, a menu's mnemonic, counted forms), and its compiled catalog
is the one its source says; chatdesk reads it and speaks the language."""

from __future__ import annotations

import ast
import gettext
import io
import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chatdesk.core import i18n
from tests.translation_catalogs import ROOT, tool

SPOKEN = [code for code in i18n.LANGUAGES if code != i18n.SOURCE]
_TAG = re.compile(r"<[^<>]+>")
_MNEMONIC = re.compile(r"&(?!&|amp;|lt;|gt;|quot;|apos;|nbsp;|#\d+;)(?=\S)")
COUNTS = (0, 1, 2, 3, 5, 11, 21, 100, 101, 102)


@pytest.fixture(scope="module")
def messages() -> dict[Any, Any]:
    found: dict[Any, Any] = tool().extract()
    return found


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    i18n.set_language(i18n.SOURCE)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def problems(source: str | tuple[str, str], translated: str | tuple[str, ...]) -> list[str]:
    """What is wrong with one translation of one message (nothing: an empty list)."""
    sources = [source] if isinstance(source, str) else list(source)
    forms = [translated] if isinstance(translated, str) else list(translated)
    if not all(form.strip() for form in forms):
        return ["untranslated"]
    wanted = set().union(*(fields(s) for s in sources))
    found: list[str] = []
    for form in forms:
        try:
            have = fields(form)
        except ValueError as error:
            return [f"cannot be filled in: {error}"]
        if isinstance(source, str) and have != wanted:
            found.append(f"fields {sorted(have)} instead of {sorted(wanted)}")
        if isinstance(source, tuple) and (have - {"n"} != wanted - {"n"} or not have <= wanted):
            found.append(f"fields {sorted(have)} instead of {sorted(wanted)}")
        if sorted(_TAG.findall(form)) != sorted(_TAG.findall(sources[0])):
            found.append("tags differ")
        if len(_MNEMONIC.findall(form)) != len(_MNEMONIC.findall(sources[0])):
            found.append("mnemonic (&) differs")
        if form[:1].isspace() != sources[0][:1].isspace():
            found.append("leading space differs")
    return found


@pytest.mark.parametrize("language", SPOKEN)
def test_every_message_is_translated_and_keeps_its_fields(
    language: str, messages: dict[Any, Any]
) -> None:
    catalog = tool().read(language)
    wrong: list[str] = []
    for (ident, context), message in messages.items():
        entry = catalog.get(ident, context=context)
        where = f"{message.places[0][0]}:{message.places[0][1]} {ident!r}"
        if entry is None or entry.fuzzy:
            wrong.append(f"{where}: untranslated")
            continue
        if isinstance(ident, tuple) and len(entry.string) != catalog.num_plurals:
            wrong.append(f"{where}: {len(entry.string)} forms, {catalog.num_plurals} needed")
        wrong += [f"{where}: {p}" for p in problems(ident, entry.string)]
    assert not wrong, f"{language}: {len(wrong)} messages to fix\n" + "\n".join(wrong[:40])


@pytest.mark.parametrize("language", SPOKEN)
def test_the_compiled_catalog_is_its_source(language: str) -> None:
    """Every message of the .po is in the .mo as written; the header may name another Babel
    than the one installed here ("Generated-By"), which changes nothing a user reads."""
    compiled = tool().po_path(language).with_suffix(".mo")
    assert _messages(compiled.read_bytes()) == _messages(tool().mo_bytes(tool().read(language))), (
        "run: .venv/bin/python packaging/translations.py compile"
    )
    assert compiled == i18n.catalog_path(language)


def _messages(mo: bytes) -> dict[Any, str]:
    catalog = dict(gettext.GNUTranslations(io.BytesIO(mo))._catalog)  # type: ignore[attr-defined]
    catalog[""] = re.sub(r"(?m)^Generated-By: .*\n", "", catalog[""])
    return catalog


@pytest.mark.parametrize("language", SPOKEN)
def test_every_counted_form_reads(language: str, messages: dict[Any, Any]) -> None:
    """gettext's plural rule for the language picks a form that exists and fills in, for every
    count (Arabic has six forms, Japanese and Chinese one)."""
    with i18n.catalog_path(language).open("rb") as file:
        catalog = gettext.GNUTranslations(file)
    i18n.set_language(language, catalog=catalog)
    for ident, context in messages:
        if isinstance(ident, tuple):
            for n in COUNTS:
                filled = dict.fromkeys(fields(ident[1]) - {"n"}, 12345)  # numbers take any spec
                text = i18n.ntr(ident[0], ident[1], n, context=context, **filled)
                assert text.strip(), (ident, n)


def test_chatdesk_speaks_the_language_it_is_set_to() -> None:
    assert i18n.set_language("de") == "de"
    assert i18n.tr("Cancel") == "Abbrechen"
    assert i18n.language() == "de"
    assert i18n.set_language("fr") == "fr"
    assert i18n.tr("Cancel") == "Annuler"
    assert i18n.set_language(i18n.SOURCE) == "en"
    assert i18n.tr("Cancel") == "Cancel"


def test_a_language_without_its_catalog_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(i18n, "catalog_path", lambda code: tmp_path / f"{code}.mo")
    (tmp_path / "fr.mo").write_bytes(b"not a catalog")
    assert i18n.set_language("de") == "en"
    assert i18n.set_language("fr") == "en"
    assert i18n.tr("Cancel") == "Cancel"


class Mistranslated:
    """A catalog whose translation drops a field and mistypes another."""

    def gettext(self, message: str, /) -> str:
        return "Löschen {titel}?" if message.startswith("Delete") else message

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        return "{count} Nachrichten"


def test_a_translation_that_breaks_its_fields_shows_the_english_words() -> None:
    i18n.set_language("de", catalog=Mistranslated())
    assert i18n.tr("Delete {title}?", title="Plans") == "Delete Plans?"
    assert i18n.ntr("{n} message", "{n} messages", 3) == "3 messages"


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [
        (["de-AT", "en-US"], "de"),
        (["pt-BR", "fr-CA"], "fr"),
        (["zh-Hans-CN"], "zh_CN"),
        (["zh_CN.UTF-8"], "zh_CN"),
        (["zh-TW", "ja"], "ja"),
        (["ar_EG@latin"], "ar"),
        (["C"], "en"),
        (["pt-BR"], "en"),
        ([], "en"),
    ],
)
def test_the_system_language_is_matched_to_one_chatdesk_speaks(
    wanted: list[str], chosen: str
) -> None:
    assert i18n.best_match(wanted) == chosen


def test_the_setting_wins_over_the_system() -> None:
    assert i18n.choose("ja", ["de-DE"]) == "ja"
    assert i18n.choose("system", ["de-DE"]) == "de"
    env = {"LANGUAGE": "fr_FR:de", "LANG": "es_ES.UTF-8"}
    assert i18n.system_languages(env) == ["fr_FR", "de", "es_ES.UTF-8"]
    assert i18n.system_languages({"LC_ALL": "es_ES.UTF-8", "LANG": "de_DE"}) == ["es_ES.UTF-8"]


def test_right_to_left_languages() -> None:
    assert i18n.is_right_to_left("ar")
    assert not i18n.is_right_to_left("ja")


def import_time_calls(path: Path) -> Iterator[int]:
    """Lines where `path` calls tr/ntr as it is imported: at module or class level, in a
    default argument or a decorator (the language is not chosen yet then)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def calls(node: ast.AST) -> Iterator[int]:
        for child in ast.walk(node):
            if not (isinstance(child, ast.Call) and isinstance(child.func, ast.Name)):
                continue
            if child.func.id in ("tr", "ntr"):
                yield child.lineno

    def visit(body: list[ast.stmt]) -> Iterator[int]:
        for statement in body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                for default in [*statement.args.defaults, *statement.args.kw_defaults]:
                    if default is not None:
                        yield from calls(default)
                for decorator in statement.decorator_list:
                    yield from calls(decorator)
            elif isinstance(statement, ast.ClassDef):
                yield from visit(statement.body)
            else:
                yield from calls(statement)

    yield from visit(tree.body)


def test_no_message_is_translated_before_the_language_is_chosen() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "chatdesk").rglob("*.py"))
        for line in import_time_calls(path)
    ]
    assert not found, "use mark() there and tr() where it is shown:\n" + "\n".join(found)


def test_a_message_that_is_not_a_literal_is_refused(tmp_path: Path) -> None:
    """It could not be found for translating, so the extraction stops and says where."""
    package = tmp_path / "chatdesk"
    package.mkdir()
    (package / "ok.py").write_text('tr("Fine")\nLABEL = mark("Kept")\ntr(LABEL)\n')
    assert {ident for ident, _ in tool().extract(package, base=tmp_path)} == {"Fine", "Kept"}
    (package / "bad.py").write_text('name = "x"\nntr(f"{name} one", "{n} many", 2)\n')
    with pytest.raises(tool().NotALiteral, match=r"bad\.py:2"):
        tool().extract(package, base=tmp_path)
