"""What a user message may carry as attachments, and how the model sees them: the text after
the message's, each attachment fenced by its name and what it is; images beside it as image
parts, their bytes read from the blob store just before the request. Making a file into an
attachment is `chatdesk/core/attach/attacher.py`'s; storing and reading them is
`repository/attachments.py`'s."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple, Protocol

from chatdesk.core.attach.markers import MARKER
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import mark, ntr, number, tr
from chatdesk.core.kinds import AttachmentKind
from chatdesk.core.providers.base import ChatMessage
from chatdesk.core.store.blobs import BlobDamaged, BlobMissing, BlobStore
from chatdesk.core.views import AttachmentInput

MAX_ATTACHMENTS = 20


def check(attachments: Sequence[AttachmentInput], limit_chars: int, blobs: BlobStore) -> None:
    """Refuse, before anything is written, what the message could not carry."""
    for item in attachments:
        if item.sha256 and not blobs.has(item.sha256):
            raise InvalidRequest(
                tr(
                    "the file of attachment {name} is no longer stored (attached too long "
                    "ago, or removed): remove it and attach it again. Nothing was sent.",
                    name=repr(item.name),
                )
            )
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidRequest(
            ntr(
                "at most {n} attachment per message; nothing was sent",
                "at most {n} attachments per message; nothing was sent",
                MAX_ATTACHMENTS,
            )
        )
    for item in attachments:
        if len(item.text) > limit_chars:
            raise InvalidRequest(
                ntr(
                    "attachment {name} is {n} character long; the limit is "
                    "{limit} (setting chat.max_message_chars). Nothing was sent.",
                    "attachment {name} is {n} characters long; the limit is "
                    "{limit} (setting chat.max_message_chars). Nothing was sent.",
                    len(item.text),
                    name=repr(item.name),
                    limit=number(limit_chars),
                )
            )
        if "\x00" in item.text:
            raise InvalidRequest(
                tr("attachment {name} is not text; nothing was sent", name=repr(item.name))
            )


class Described(Protocol):
    """What the model is told of an attachment (an `AttachmentView` or `AttachmentInput`)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def mime(self) -> str: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def pages(self) -> int: ...
    @property
    def note(self) -> str: ...
    @property
    def origin_server(self) -> str: ...
    @property
    def origin_uri(self) -> str: ...


def for_model(text: str, attached: Sequence[tuple[Described, str]]) -> str:
    """The message as the model sees it: its text, then each attachment fenced by its name and
    what it is (an image's pixels go beside the text, as an image part)."""
    parts = [text]
    for item, body in attached:
        opening = _opening(item)
        if item.kind == AttachmentKind.IMAGE:
            parts.append(opening + "/>")
        else:
            parts.append(f"{opening}>\n{body}\n</attachment>")
    return "\n\n".join(parts)


def _opening(item: Described) -> str:
    name = item.name.replace('"', "'")
    if item.kind in (AttachmentKind.PASTE, AttachmentKind.FILE) and not item.note:
        return f'<attachment name="{name}"' + _origin(item)
    described = _described(item)
    note = item.note.replace('"', "'")
    opening = f'<attachment name="{name}" type="{described}"' + _origin(item)
    return opening + (f' note="{note}"' if note else "")


def _origin(item: Described) -> str:
    """Where a resource read from a tool server came from: ' server="…" uri="…"' ("": a file)."""
    if not item.origin_server:
        return ""
    server, uri = item.origin_server.replace('"', "'"), item.origin_uri.replace('"', "%22")
    return f' server="{server}" uri="{uri}"'


def describe(item: Described) -> str:
    """What an attachment is, in a few words, for the user: "image, 1024×768", "PDF, 12
    pages"."""
    from chatdesk.core.attach.sniff import LABELS

    if item.kind == AttachmentKind.IMAGE:
        return tr("image, {width}×{height}", width=item.width, height=item.height)
    english = LABELS.get(item.mime, item.mime)
    label = tr(LABELS[item.mime]) if item.mime in LABELS else item.mime
    if item.pages:
        if english in ("Excel workbook", "OpenDocument spreadsheet"):
            return ntr("{label}, {n} sheet", "{label}, {n} sheets", item.pages, label=label)
        if "presentation" in english.lower():
            return ntr("{label}, {n} slide", "{label}, {n} slides", item.pages, label=label)
        return ntr("{label}, {n} page", "{label}, {n} pages", item.pages, label=label)
    return label


def _described(item: Described) -> str:
    """`describe` in English, as the model reads it beside the attachment."""
    from chatdesk.core.attach.sniff import LABELS

    if item.kind == AttachmentKind.IMAGE:
        return f"image, {item.width}×{item.height}"
    label = LABELS.get(item.mime, item.mime)
    if item.pages:
        unit = {"Excel workbook": "sheet", "OpenDocument spreadsheet": "sheet"}.get(label)
        unit = unit or ("slide" if "presentation" in label.lower() else "page")
        return f"{label}, {item.pages:,} {unit}{'s' if item.pages != 1 else ''}"
    return label


NOT_SEEN = (
    "\n\n[The images attached above were not sent: {model} does not take images. Ask about "
    "them with a model that does.]"
)
MISSING = "\n\n[{count} image(s) attached above are missing from this computer and were not sent.]"


def with_image_bytes(
    messages: Sequence[ChatMessage], blobs: BlobStore, model: str, sees: bool
) -> tuple[ChatMessage, ...]:
    """The request's messages with their images' bytes read from the store (on a worker
    thread). For a model that does not take images, and for an image whose bytes are gone, the
    text says what was left out instead."""
    sent = []
    for message in messages:
        if not message.images:
            sent.append(message)
            continue
        if not sees:
            text = message.content + NOT_SEEN.format(model=model)
            sent.append(replace(message, content=text, images=()))
            continue
        found = []
        for image in message.images:
            with contextlib.suppress(BlobMissing, BlobDamaged, OSError):
                found.append(replace(image, data=blobs.read(image.sha256)))
        missing = len(message.images) - len(found)
        text = message.content + (MISSING.format(count=missing) if missing else "")
        sent.append(replace(message, content=text, images=tuple(found)))
    return tuple(sent)


LEFT_OUT = "[… {what} left out here: the whole does not fit the model's context window.{more}]"
READ_MORE = " The read_attachment tool, when offered, reads more of it: attachment id {}."


class Kept(NamedTuple):
    """How much of a document went: the first `sent` of its `total` pages, slides or sheets
    (`unit`; one cut inside counts as sent), or of its characters."""

    unit: str
    sent: int
    total: int


def shortened(body: str, chars: int, ident: str = "") -> tuple[str, str, Kept | None]:
    """`body` (a document's text) cut to at most about `chars` characters where a page, slide
    or sheet begins, else at a paragraph or line, ending with a note of what was left out (and
    of the attachment's id `ident`, for the read_attachment tool); what was left out in a few
    words ("pages 41–300", "the last 12,345 characters"); and how much went (None: all)."""
    if len(body) <= chars:
        return body, "", None
    at = chars
    markers = [m for m in MARKER.finditer(body) if 0 < m.start() <= chars]
    if markers:
        at = markers[-1].start()
    else:
        for boundary in ("\n\n", "\n", " "):
            found = body.rfind(boundary, 0, chars)
            if found > chars // 2:
                at = found
                break
    rest = body[at:]
    left = [m[1] for m in MARKER.finditer(rest)]
    what = _span(left) if left else f"the last {len(rest):,} characters"
    if left:
        said = _said_span(left)
    else:
        said = ntr("the last {n} character", "the last {n} characters", len(rest))
    inside = [m[1] for m in MARKER.finditer(body, 0, at)]
    if inside and not markers:  # cut inside a page: its end goes too
        what = f"the end of {inside[-1].lower()}" + (f" and {what}" if left else "")
        kind, name = inside[-1].split(" ", 1)
        end = tr(_END[kind.rstrip(":").lower()], name=name.lower())
        said = tr("{end} and {rest}", end=end, rest=said) if left else end
    more = READ_MORE.format(ident) if ident else ""
    # The model reads `what` in English (its request's words); the user is told `said`.
    text = body[:at].rstrip() + "\n\n" + LEFT_OUT.format(what=what, more=more)
    return text, said, _kept(inside, left, at, len(body))


def _kept(inside: list[str], left: list[str], at: int, length: int) -> Kept:
    if not inside and not left:
        return Kept("character", at, length)
    unit = (inside or left)[0].split()[0].rstrip(":").lower()
    return Kept(unit, max(len(inside), 1), len(inside) + len(left))


def _span(labels: list[str]) -> str:
    """ "pages 41–300", "slide 9", "sheets Totals–Notes" for the markers left out."""
    first, last = labels[0], labels[-1]
    kind = first.split()[0].rstrip(":").lower()
    names = [label.split(" ", 1)[1] for label in (first, last)]
    if len(labels) == 1:
        return f"{kind} {names[0]}"
    return f"{kind}s {names[0]}–{names[1]}"


def _said_span(labels: list[str]) -> str:
    """`_span` in the user's words."""
    first, last = labels[0], labels[-1]
    kind = first.split()[0].rstrip(":").lower()
    names = [label.split(" ", 1)[1] for label in (first, last)]
    if len(labels) == 1:
        return tr(_ONE[kind], name=names[0])
    return tr(_SPAN[kind], first=names[0], last=names[1])


# What was left out of a document, as the user is told it.
_ONE = {"page": mark("page {name}"), "slide": mark("slide {name}"), "sheet": mark("sheet {name}")}
_SPAN = {
    "page": mark("pages {first}–{last}"),
    "slide": mark("slides {first}–{last}"),
    "sheet": mark("sheets {first}–{last}"),
}
_END = {
    "page": mark("the end of page {name}"),
    "slide": mark("the end of slide {name}"),
    "sheet": mark("the end of sheet: {name}"),
}
