"""Which links may open, and what the user is shown before one does.

Model output can carry any URL. Only http, https and mailto open (in the desktop's handlers,
after the UI confirms with `LinkTarget.confirmation()`: the real host, or the mail that will be
written); our own action anchors are handled by the UI; every other scheme (file:, javascript:,
data:, custom protocol handlers such as cherrystudio://) and every relative or scheme-relative
reference is refused, because the desktop may execute what it is handed.

A mail link keeps only the fields a mail is written from — to, cc, subject, body — and is
rebuilt from them: some mail programs attach the file an `attach=` or `attachment=` field
names (`mailto:a@b.example?attach=~/.ssh/id_rsa`), and a `bcc=` would copy the mail to someone
the user never sees. What was left out is named in the confirmation.

Tools and attachments decide what may be opened here too: this module is the one place that
says what a link in untrusted content may do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from chatdesk.core.i18n import mark, tr

COPY_CODE_PREFIX = "chatdesk:copy-code/"
LOAD_IMAGES_HREF = "chatdesk:load-images"
CITE_PREFIX = "chatdesk:cite/"  # an answer's citation of its source N (render/citations.py)
SOURCE_PREFIX = "chatdesk:source/"  # a row of an answer's sources: what was read of source N

_ACTION = re.compile(r"chatdesk:(?:copy-code/\d{1,9}|load-images|(?:cite|source)/\d{1,4})")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Characters allowed in the authority; anything else (backslashes, spaces, controls) is where
# URL parsers disagree about the host, so such links are refused rather than guessed.
_AUTHORITY = re.compile(r"[A-Za-z0-9\-._~%!$&'()*+,;=:@\[\]\u00a0-\U0010ffff]*")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
MAIL_FIELDS = ("to", "cc", "subject", "body")  # what a mail link may fill in, in this order
_SHOWN_CHARS = 300  # of a mail body in the confirmation

Kind = Literal["external", "action", "refused"]


@dataclass(frozen=True)
class LinkTarget:
    kind: Kind
    url: str
    host: str | None = None
    """For external links: the host that will really be contacted, in ASCII (IDN homographs
    show as punycode), or the mail domain for mailto."""
    reason: str | None = None
    """For refused links: why, in words for the user."""
    mail: tuple[tuple[str, str], ...] = ()
    """For mail links: the fields kept, as (field, value), the address first as ("to", …)."""
    dropped: tuple[str, ...] = ()
    """For mail links: the names of the fields left out (attach, bcc, …)."""

    def confirmation(self) -> str:
        """What the user reads before an external link opens."""
        if not self.mail:
            return tr(
                "Open this link in your browser?\n\nHost: {host}\n\n{url}",
                host=self.host,
                url=self.url,
            )
        lines = [tr("Write an email in your mail program?"), ""]
        for field, value in self.mail:
            shown = value if len(value) <= _SHOWN_CHARS else value[:_SHOWN_CHARS] + "…"
            label = tr(_FIELD_NAMES[field]) if field in _FIELD_NAMES else field.capitalize()
            lines.append(f"{label}: {shown}")
        if self.dropped:
            names = ", ".join(self.dropped)
            lines += [
                "",
                tr(
                    "Left out of the link: {names} (a link may not add files or hidden copies).",
                    names=names,
                ),
            ]
        return "\n".join(lines)


# A mail link's fields as the confirmation names them.
_FIELD_NAMES = {
    # translators: the recipient of an email
    "to": mark("To"),
    # translators: the copy recipients of an email (carbon copy)
    "cc": mark("Cc"),
    # translators: the subject of an email
    "subject": mark("Subject"),
    # translators: the text of an email
    "body": mark("Body"),
}


def copy_code_href(number: int) -> str:
    return f"{COPY_CODE_PREFIX}{number}"


def cite_href(number: int) -> str:
    return f"{CITE_PREFIX}{number}"


def source_href(number: int) -> str:
    return f"{SOURCE_PREFIX}{number}"


def classify_link(href: str) -> LinkTarget:
    url = href.strip()
    if _ACTION.fullmatch(url):
        return LinkTarget("action", url)
    scheme = _SCHEME.match(url)
    if scheme is None:
        return _refused(url, tr("not a web or mail address"))
    name = scheme.group(1).lower()
    if name in ("http", "https"):
        return _web(url)
    if name == "mailto":
        return _mail(url)
    return _refused(url, tr("{scheme}: links are never opened", scheme=name))


def _refused(url: str, reason: str) -> LinkTarget:
    return LinkTarget("refused", url, reason=reason)


def _web(url: str) -> LinkTarget:
    try:
        parts = urlsplit(url)
        hostname = parts.hostname or ""
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return _refused(url, tr("the address is malformed"))
    if _CONTROL.search(url) or not _AUTHORITY.fullmatch(parts.netloc) or "%" in hostname:
        return _refused(url, tr("the address has characters that hide where it goes"))
    host = ascii_host(hostname)
    if not host:
        return _refused(url, tr("the address has no valid host"))
    return LinkTarget("external", url, host=host)


def _mail(url: str) -> LinkTarget:
    """A mail link rebuilt from the fields it may carry (MAIL_FIELDS); the rest are named."""
    path, _, query = url.partition(":")[2].partition("?")
    query = query.partition("#")[0]
    address = path.split(",")[0]
    if _CONTROL.search(url) or "@" not in address:
        return _refused(url, tr("not a valid mail address"))
    domain = ascii_host(address.rpartition("@")[2])
    if not domain:
        return _refused(url, tr("the mail domain is not valid"))
    try:
        pairs = parse_qsl(query, keep_blank_values=True, errors="strict")
    except (UnicodeError, ValueError):
        return _refused(url, tr("the mail link is malformed"))
    kept: list[tuple[str, str]] = []
    dropped: list[str] = []
    for name, value in pairs:
        field = name.lower() or "(unnamed)"
        if field in MAIL_FIELDS:
            kept.append((field, value))
        elif field not in dropped:
            dropped.append(field)
    kept.sort(key=lambda pair: MAIL_FIELDS.index(pair[0]))
    rebuilt = "mailto:" + path
    if kept:
        rebuilt += "?" + "&".join(f"{f}={quote(v, safe='@')}" for f, v in kept)
    shown = (("to", unquote(path)), *kept)
    return LinkTarget("external", rebuilt, host=domain, mail=shown, dropped=tuple(dropped))


def ascii_host(host: str) -> str:
    """The host as DNS will see it: lower case, IDN labels in punycode; '' when invalid."""
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") or host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
