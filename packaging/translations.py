"""Keeps chatdesk's translations in step with its code.

    .venv/bin/python packaging/translations.py update     # after changing user-facing strings
    .venv/bin/python packaging/translations.py compile    # after editing a .po file
    .venv/bin/python packaging/translations.py template   # writes chatdesk.pot, for a new language
    .venv/bin/python packaging/translations.py new LANG   # starts a language: resources/locale/*/

`update` finds every literal passed to `tr`, `ntr` and `mark` (chatdesk/core/i18n.py) in
`chatdesk/`, adds the new ones to each language's `resources/locale/*/LC_MESSAGES/chatdesk.po`
untranslated, drops the ones no longer used, and compiles each `.po` into the `.mo` the app
reads. A comment starting `# translators:` on the line above a call reaches the translators.
`tests/core/test_translations.py` fails while any message is untranslated.
"""

from __future__ import annotations

import ast
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "chatdesk"
LOCALE = ROOT / "resources" / "locale"
DOMAIN = "chatdesk"
FUNCTIONS = {"tr": 1, "mark": 1, "ntr": 2}  # how many leading literals each one takes


@dataclass
class Message:
    id: str | tuple[str, str]
    context: str | None
    places: list[tuple[str, int]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


class NotALiteral(Exception):
    """A call whose message is not a literal string (so it cannot be found for translation)."""


def extract(
    root: Path = SOURCES, base: Path = ROOT
) -> dict[tuple[str | tuple[str, str], str | None], Message]:
    """Every message in the code under `root`, keyed by (id, context)."""
    found: dict[tuple[str | tuple[str, str], str | None], Message] = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(base).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node, ident, context in _calls(ast.parse(text, relative), relative):
            message = found.setdefault((ident, context), Message(ident, context))
            message.places.append((relative, node.lineno))
            comment = _comment_above(lines, node.lineno)
            if comment and comment not in message.comments:
                message.comments.append(comment)
    return found


def _calls(
    tree: ast.AST, where: str
) -> Iterator[tuple[ast.Call, str | tuple[str, str], str | None]]:
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        count = FUNCTIONS.get(node.func.id)
        if count is None:
            continue
        literals = [_literal(arg) for arg in node.args[:count]]
        if len(literals) < count or None in literals:
            if node.func.id == "tr" and node.args and not isinstance(node.args[0], ast.Constant):
                continue  # tr(CONSTANT): a message marked where it was defined
            raise NotALiteral(f"{where}:{node.lineno}: {node.func.id}() needs literal strings")
        context = next((_literal(k.value) for k in node.keywords if k.arg == "context"), None)
        ident: str | tuple[str, str] = literals[0] if count == 1 else (literals[0], literals[1])  # type: ignore[assignment]
        yield node, ident, context


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _comment_above(lines: list[str], lineno: int) -> str | None:
    above = lines[lineno - 2].strip() if lineno >= 2 else ""
    prefix = "# translators:"
    return above[len(prefix) :].strip() if above.lower().startswith(prefix) else None


def template() -> Catalog:
    catalog = Catalog(project="chatdesk", fuzzy=False)
    for message in extract().values():
        catalog.add(
            message.id,
            locations=sorted(set(message.places)),
            auto_comments=message.comments,
            context=message.context,
        )
    return catalog


def languages() -> list[str]:
    return sorted(p.name for p in LOCALE.iterdir() if (p / "LC_MESSAGES").is_dir())


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=True, include_lineno=False, omit_header=False)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def update(language: str, base: Catalog) -> None:
    catalog = read(language)
    created = catalog.creation_date
    catalog.update(base, no_fuzzy_matching=True, update_header_comment=False)
    catalog.creation_date = created  # the header changes only when its language does
    catalog.obsolete.clear()
    _write(language, catalog)


def new(language: str, base: Catalog) -> None:
    catalog = Catalog(locale=language, domain=DOMAIN, project="chatdesk", fuzzy=False)
    catalog.update(base, no_fuzzy_matching=True)
    po_path(language).parent.mkdir(parents=True, exist_ok=True)
    _write(language, catalog)


def _write(language: str, catalog: Catalog) -> None:
    catalog.revision_date = catalog.creation_date  # no churn in the header
    po_path(language).write_bytes(po_bytes(catalog))
    compile_one(language)


def compile_one(language: str) -> None:
    po_path(language).with_suffix(".mo").write_bytes(mo_bytes(read(language)))


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "update":
        base = template()
        for language in languages():
            update(language, base)
        print(f"{len(base)} messages; updated {', '.join(languages())}")
    elif command == "compile":
        for language in languages():
            compile_one(language)
    elif command == "template":
        out = LOCALE / f"{DOMAIN}.pot"
        out.write_bytes(po_bytes(template()))
        print(f"wrote {out.relative_to(ROOT)}")
    elif command == "new" and len(argv) == 2:
        new(argv[1], template())
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
