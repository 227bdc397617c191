"""A page's bytes to its text as a browser decides their encoding (decision 0086): a byte-order
mark; else bytes valid as UTF-8 that are not all ASCII are UTF-8 (a header saying Latin-1 of a
UTF-8 page does not garble it, decision 0047); else the charset of the HTTP headers, then of a
`<meta>` in the page's first 1024 bytes (HTML's prescan), the first that decodes the bytes; else
the default of the user's language (windows-1252 for Western ones, Shift_JIS for Japanese …),
which the note calls a guess. Labels are read by the WHATWG Encoding Standard's table
(`encodings_table.py`): "latin1" and "iso-8859-1" mean windows-1252, "gb2312" means GBK.

Pure functions, cheap: the reading child decodes pages and HTML files with them, and the web's
search decodes an engine's result page.
"""

from __future__ import annotations

import codecs
import re

from chatdesk.core.attach.encodings_table import CODECS, LABELS
from chatdesk.core.i18n import tr

PRESCAN_BYTES = 1024  # what HTML's prescan reads for a <meta> charset
# The encoding a page that declares none is read in, by the user's language: the defaults of
# HTML's table for the languages chatdesk speaks (GBK's decoder is gb18030's).
LANGUAGE_DEFAULTS = {"ar": "windows-1256", "ja": "Shift_JIS", "zh_CN": "GBK"}
WESTERN = "windows-1252"
_BOMS = ((codecs.BOM_UTF8, "UTF-8"), (codecs.BOM_UTF16_LE, "UTF-16LE"), (b"\xfe\xff", "UTF-16BE"))
_ATTRIBUTE = re.compile(
    rb"[\t\n\f\r /]*([^\t\n\f\r />][^\t\n\f\r /=>]*)"
    rb"""(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"([^"]*)"|'([^']*)'|([^\t\n\f\r >]*)))?"""
)
_CONTENT_CHARSET = re.compile(
    rb"""charset[\t\n\f\r ]*=[\t\n\f\r ]*(?:"([^"]*)"|'([^']*)'|([^\t\n\f\r ;"']+))""",
    re.IGNORECASE,
)
_META = re.compile(rb"<meta[\t\n\f\r /]", re.IGNORECASE)
_TAG = re.compile(rb"</?[A-Za-z][^\t\n\f\r >]*")
# What a <meta> may not declare (HTML's prescan): ASCII bytes are not UTF-16.
_FROM_META = {"UTF-16LE": "UTF-8", "UTF-16BE": "UTF-8", "x-user-defined": WESTERN}


def encoding(label: str | bytes | None) -> str | None:
    """The WHATWG encoding `label` names ("latin1": "windows-1252"); None for none or an
    unknown one."""
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    return LABELS.get(label.strip("\t\n\f\r ").lower()) if label else None


def default_for(language: str) -> str:
    """The encoding a page that declares none is read in for a user of `language`."""
    return LANGUAGE_DEFAULTS.get(language, WESTERN)


def decode_page(data: bytes, header: str | None, *, html: bool, language: str) -> tuple[str, str]:
    """`data`'s text and, when its encoding is only the default of `language`, a note saying
    so; `header`, the charset the HTTP headers gave (None: none); `html`, whether a `<meta>`
    may declare it."""
    for bom, marked in _BOMS:
        if data.startswith(bom):
            return decoded(data[len(bom) :], marked), ""
    if not data.isascii() and _is_utf8(data):
        return data.decode("utf-8"), ""
    declared = [encoding(header), prescan(data) if html else None]
    for said in declared:
        if said is not None and (text := _clean(data, said)) is not None:
            return text, ""
    legacy = next((said for said in declared if said not in (None, "UTF-8")), None)
    if legacy is not None:  # it says what it is, but a byte is wrong: as a browser shows it
        return decoded(data, legacy), ""
    if data.isascii():
        return data.decode("ascii"), ""
    assumed = default_for(language)
    return decoded(data, assumed), tr("decoded as {encoding} (a guess)", encoding=assumed)


def decoded(data: bytes, name: str) -> str:
    """`data` in the WHATWG encoding `name`, a byte it does not define read as U+FFFD."""
    if name == "replacement":
        return "\ufffd" if data else ""
    if name == "x-user-defined":
        return "".join(chr(b) if b < 0x80 else chr(0xF700 + b) for b in data)
    return data.decode(CODECS[name], _C1_OR_REPLACED if name.startswith("windows-") else "replace")


def prescan(data: bytes) -> str | None:
    """The encoding a `<meta>` in the first 1024 bytes declares, as HTML's prescan finds it:
    comments and other tags skipped, a UTF-16 label read as UTF-8 (ASCII bytes are not
    UTF-16), x-user-defined as windows-1252."""
    head, at = data[:PRESCAN_BYTES], 0
    while (at := head.find(b"<", at)) != -1:
        if head.startswith(b"<!--", at):
            end = head.find(b"-->", at + 2)
            at = len(head) if end == -1 else end + 3
        elif _META.match(head, at):
            attributes, at = _attributes(head, at + 5)
            found = _declared(attributes)
            if found is not None:
                return _FROM_META.get(found, found)
        elif tag := _TAG.match(head, at):
            at = _attributes(head, tag.end())[1]
        elif head.startswith((b"<!", b"</", b"<?"), at):
            end = head.find(b">", at)
            at = len(head) if end == -1 else end + 1
        else:
            at += 1
    return None


def _declared(attributes: list[tuple[bytes, bytes]]) -> str | None:
    """The encoding a `<meta>` with `attributes` declares: by `charset`, or by the charset in
    `content` when `http-equiv` says it is the content type."""
    seen: set[bytes] = set()
    pragma, needs_pragma, charset = False, None, None
    for name, value in attributes:
        if name in seen:
            continue
        seen.add(name)
        if name == b"http-equiv" and value.lower() == b"content-type":
            pragma = True
        elif name == b"content" and charset is None:
            found = _CONTENT_CHARSET.search(value)
            if found:
                charset = encoding(next(g for g in found.groups() if g is not None))
                needs_pragma = True
        elif name == b"charset":
            charset, needs_pragma = encoding(value), False
    if needs_pragma is None or (needs_pragma and not pragma):
        return None
    return charset


def _attributes(head: bytes, at: int) -> tuple[list[tuple[bytes, bytes]], int]:
    """The attributes of a tag from `at` (names in lower case), and where the tag ends."""
    found = []
    while match := _ATTRIBUTE.match(head, at):
        value = next((g for g in match.groups()[1:] if g is not None), b"")
        found.append((match.group(1).lower(), value))
        at = match.end()
    end = head.find(b">", at)
    return found, len(head) if end == -1 else end + 1


def _clean(data: bytes, name: str) -> str | None:
    """`data` in `name` when every byte of it is defined there; None when one is not."""
    if name in ("replacement", "x-user-defined"):
        return decoded(data, name)
    try:
        return data.decode(CODECS[name], _C1 if name.startswith("windows-") else "strict")
    except UnicodeDecodeError:
        return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _c1(error: UnicodeError, *, replace: bool) -> tuple[str, int]:
    """Windows' code pages as the WHATWG tables read them: a byte 0x80–0x9F that Python's
    codec leaves undefined is the C1 control of its number; any other is an error (or U+FFFD)."""
    assert isinstance(error, UnicodeDecodeError)
    byte = error.object[error.start]
    if 0x80 <= byte <= 0x9F:
        return chr(byte), error.start + 1
    if replace:
        return "\ufffd", error.start + 1
    raise error


_C1, _C1_OR_REPLACED = "chatdesk-c1", "chatdesk-c1-replace"
codecs.register_error(_C1, lambda error: _c1(error, replace=False))
codecs.register_error(_C1_OR_REPLACED, lambda error: _c1(error, replace=True))
