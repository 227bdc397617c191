"""`packaging/translations.py` for the tests (it is a script, not a module of chatdesk), and a
pseudo-language built from the messages in the code: every message comes back as `⟦…⟧` with its
vowels accented, its fields, tags and entities kept, so a test can tell a word that went
through the catalog from one that did not."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

from tests.packaging_scripts import packaging_script

ROOT = Path(__file__).resolve().parent.parent
OPEN, CLOSE = "⟦", "⟧"
_KEPT = re.compile(r"(\{[^{}]*\}|<[^<>]*>|&[a-zA-Z]+;|&#\d+;)")
_ACCENTS = str.maketrans("aeiouyAEIOUYcnCN", "áéíóúýÁÉÍÓÚÝçñÇÑ")
_GLUE = "\x04"


def tool() -> ModuleType:
    return packaging_script("translations")


def pseudo(text: str) -> str:
    parts = _KEPT.split(text)
    return (
        OPEN + "".join(p if i % 2 else p.translate(_ACCENTS) for i, p in enumerate(parts)) + CLOSE
    )


class PseudoCatalog:
    """Every message of the code in the pseudo-language (`chatdesk.core.i18n.Catalog`)."""

    def __init__(self) -> None:
        self.single: dict[str, str] = {}
        self.plural: dict[str, tuple[str, str]] = {}
        for ident, context in tool().extract():
            if isinstance(ident, tuple):
                key = ident[0] if context is None else context + _GLUE + ident[0]
                self.plural[key] = (pseudo(ident[0]), pseudo(ident[1]))
            else:
                key = ident if context is None else context + _GLUE + ident
                self.single[key] = pseudo(ident)

    def gettext(self, message: str, /) -> str:
        return self.single.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        forms = self.plural.get(singular)
        if forms is None:
            return singular if n == 1 else plural
        return forms[0] if n == 1 else forms[1]
