"""The CSS an SVG carries, kept only where it paints (chatdesk/core/render/svg.py): a `style`
attribute's declarations, and a `<style>` sheet's plain rules and `@keyframes`.

Each declaration is checked on its own (svg_allowed.py's properties and values); a sheet loses
every other at-rule (`@import`, `@font-face`, `@namespace`, `@media` …) and every rule whose
selector could hide something. A sheet's `url()` is dropped even when it points inside the
picture: its selector can tie any element to any paint server, which the reference checks
(svg_references.py) cannot follow, while a `style` attribute's are checked with the element's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from chatdesk.core.render.svg_allowed import CSS_ONLY, PROPERTIES, safe_value, tidy

_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
# A selector of names, classes, ids, combinators and pseudo-classes; no quotes, escapes or
# attribute values (nothing a picture's look needs).
_SELECTOR = re.compile(r"[A-Za-z0-9_\-\s.#>+~*,:()%]+")
_KEYFRAMES = re.compile(r"@(?:-webkit-)?keyframes\s+([A-Za-z_][A-Za-z0-9_\-]*)\s*$")
# What the scans below stop at: quotes, brackets, braces and the separators they look for.
_SPECIAL = re.compile(r"""["'()\[\]{};]""")
_PROPERTY = re.compile(r"--[A-Za-z0-9_\-]+|[A-Za-z\-]+")


def declarations(text: str, *, urls: bool) -> dict[str, str]:
    """A declaration block's kept declarations, property → value, in their order (a property
    set twice keeps its last value, as CSS does)."""
    kept: dict[str, str] = {}
    for piece in _split(_COMMENT.sub(" ", text), ";"):
        name, colon, value = piece.partition(":")
        name, value = name.strip(), " ".join(value.split())
        if not colon or not _PROPERTY.fullmatch(name) or not value:
            continue
        name = name if name.startswith("--") else name.lower()
        if (name.startswith("--") or name in PROPERTIES or name in CSS_ONLY) and safe_value(
            value, urls=urls
        ):
            kept[name] = tidy(value)
    return kept


def written(kept: dict[str, str]) -> str:
    return ";".join(f"{name}:{value}" for name, value in kept.items())


def sheet(text: str) -> str:
    """A `<style>` element's text, its kept rules one a line."""
    return "\n".join(_rules(_COMMENT.sub(" ", text), frames=True))


def _rules(text: str, *, frames: bool) -> list[str]:
    kept = []
    at = 0
    while at < len(text):
        opening = _next(text, "{", at)
        if opening < 0:
            break  # a prelude without a block: nothing to keep
        closing = _matching(text, opening)
        prelude, body = text[at:opening].strip(), text[opening + 1 : closing]
        at = closing + 1
        if ";" in prelude:  # a statement at-rule (@import …;) before this rule
            prelude = prelude.rpartition(";")[2].strip()
        rule = _rule(prelude, body, frames=frames)
        if rule:
            kept.append(rule)
    return kept


def _rule(prelude: str, body: str, *, frames: bool) -> str:
    """One rule kept, or "". Key frames hold plain rules only, so nesting stays one deep."""
    named = _KEYFRAMES.match(prelude) if frames else None
    if named:
        inner = _rules(body, frames=False)
        return f"@keyframes {named[1]}{{{''.join(inner)}}}" if inner else ""
    if prelude.startswith("@") or not _SELECTOR.fullmatch(prelude):
        return ""
    kept = written(declarations(body, urls=False))
    return f"{' '.join(prelude.split())}{{{kept}}}" if kept else ""


def _split(text: str, separator: str) -> list[str]:
    """`text` cut at each `separator` outside quotes and brackets."""
    pieces: list[str] = []
    start = at = 0
    while True:
        at = _next(text, separator, at)
        if at < 0:
            return [*pieces, text[start:]]
        pieces.append(text[start:at])
        start = at = at + 1


def _next(text: str, wanted: str, at: int) -> int:
    """Where `wanted` next stands outside quotes and brackets, from `at`; -1 when nowhere."""
    depth = 0
    for where, char in _unquoted(text, at):
        if char == wanted and depth == 0:
            return where
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
    return -1


def _matching(text: str, opening: int) -> int:
    """The `}` that closes the block opened at `opening`, or the text's end."""
    depth = 0
    for where, char in _unquoted(text, opening):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return where
    return len(text)


def _unquoted(text: str, at: int) -> Iterator[tuple[int, str]]:
    """Each bracket, brace or semicolon from `at` that stands outside a quoted string, with
    where it stands."""
    quote = ""
    for found in _SPECIAL.finditer(text, at):
        char = found[0]
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        else:
            yield found.start(), char
