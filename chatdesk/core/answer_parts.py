"""The parts of a message as the front-ends read them: its attachments, and an answer's sources,
the documents of its question it was sent only in part, its tool calls, the tool servers it was
to offer and could not (re-exported by `views.py`)."""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from chatdesk.core.i18n import ntr, number, tr
from chatdesk.core.kinds import Approval, AttachmentKind, CallState


@dataclass(frozen=True)
class AttachmentView:
    """An attachment as a message shows it (the fields as in `AttachmentInput`; `blob`: its
    bytes are in the blob store under `sha256`)."""

    id: uuid.UUID
    name: str
    mime: str
    size: int
    kind: str = AttachmentKind.FILE
    sha256: str = ""
    blob: bool = False
    width: int = 0
    height: int = 0
    pages: int = 0
    note: str = ""
    thumb: str = ""
    origin_server: str = ""  # the tool server it was read from (an MCP resource), or ""
    origin_uri: str = ""

    @property
    def is_image(self) -> bool:
        return self.kind == AttachmentKind.IMAGE and self.blob


@dataclass(frozen=True)
class ResultResource:
    """A resource a tool's result gave: a link to one (`embedded` false), or one embedded whole
    (its `text` kept when it is text). `server` is the call's; everything else the server's,
    shown as plain text."""

    uri: str
    name: str = ""
    mime: str = ""
    size: int | None = None
    embedded: bool = False
    text: str | None = None
    server: str = ""

    @property
    def label(self) -> str:
        return self.name or self.uri


@dataclass(frozen=True)
class CitedSource:
    """What an answer cites as [number]: a passage of a knowledge base it was given or found,
    or a web page it read (`url` set: `path` is the address too, `location` its site, `text`
    the page's text as the model read it, `read_at` when, as ISO 8601)."""

    number: int
    base: str
    document_id: uuid.UUID | None
    path: str
    location: str
    text: str
    start: int
    end: int
    call_id: str = ""  # the tool call that found it; "" for one sent with the question
    url: str = ""
    title: str = ""
    read_at: str = ""

    @property
    def is_web(self) -> bool:
        return bool(self.url)

    @property
    def cite_key(self) -> tuple[object, ...]:
        """As a find says it (`Citable.cite_key`): found again, it keeps its number."""
        where = ("passage", self.document_id, self.start, self.end)
        return ("web", self.url) if self.url else where

    @property
    def name(self) -> str:
        """The file's name, or a page's title (its address when it has none)."""
        if self.url:
            return self.title or self.url
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class DocumentCut:
    """A document of the question that went to the model in part, recorded on the answer:
    `sent` of its `total` pages, slides or sheets (the first ones) or characters (`unit`)."""

    attachment_id: uuid.UUID | None
    name: str
    unit: str  # page, slide, sheet or character; another (a newer chatdesk's) reads as a count
    sent: int
    total: int

    def said(self) -> str:
        """In the user's words: "report.pdf was cut to fit: pages 1–12 of 40 sent"."""
        n, fields = self.sent, {"name": self.name, "total": number(self.total)}
        if self.unit == "page":
            return ntr(
                "{name} was cut to fit: page 1 of {total} sent",
                "{name} was cut to fit: pages 1–{n} of {total} sent",
                n,
                **fields,
            )
        if self.unit == "slide":
            return ntr(
                "{name} was cut to fit: slide 1 of {total} sent",
                "{name} was cut to fit: slides 1–{n} of {total} sent",
                n,
                **fields,
            )
        if self.unit == "sheet":
            return ntr(
                "{name} was cut to fit: sheet 1 of {total} sent",
                "{name} was cut to fit: sheets 1–{n} of {total} sent",
                n,
                **fields,
            )
        return ntr(
            "{name} was cut to fit: {n} character of {total} sent",
            "{name} was cut to fit: {n} characters of {total} sent",
            n,
            **fields,
        )


@dataclass(frozen=True)
class ToolCallView:
    """One tool call of an answer as stored: what the model asked (`name` as it called it,
    `server` and `tool` as the user knows them), how it was decided (`approval`), where it
    stands (`state`; a value a newer chatdesk stored is shown as it is), and its result."""

    call_id: str
    server: str | None
    tool: str
    name: str
    arguments: str
    state: str
    approval: str | None = None
    round: int = 1
    offset: int = 0  # where in the answer's text the model made the call
    duration_ms: int | None = None
    result: str | None = None
    is_error: bool = False
    truncated: bool = False
    size: int = 0
    images: tuple[AttachmentView, ...] = ()  # what the result gave besides its text
    title: str = ""  # the name its server gives the tool for people (`tools/hints.py`)
    destructive: bool = False  # the tool says it may delete or change things
    structured: str = ""  # its structured result, as indented JSON (cut like the result)
    mismatch: str = ""  # why that does not match the tool's output schema
    resources: tuple[ResultResource, ...] = ()  # resource links and embedded resources
    # Not finished because the user stopped the answer (else chatdesk closed or died first).
    stopped_by_user: bool = False

    @property
    def label(self) -> str:
        """Its tool as the user sees it: by its title when it has one, always after its
        server (`real_label` names it as its server knows it)."""
        shown = self.title or self.tool
        return f"{self.server} › {shown}" if self.server else shown

    @property
    def real_label(self) -> str:
        return f"{self.server} › {self.tool}" if self.server else self.tool

    @property
    def mismatch_text(self) -> str:
        """The mismatch in the user's words ("": none)."""
        if not self.mismatch:
            return ""
        return tr(
            "The result does not match what {tool} said it returns: {reason}",
            tool=self.title or self.tool,
            reason=self.mismatch,
        )

    @property
    def pretty_arguments(self) -> str:
        """The arguments as indented JSON, or as the model wrote them when they are not."""
        try:
            return json.dumps(json.loads(self.arguments), indent=2, ensure_ascii=False)
        except (ValueError, TypeError):
            return self.arguments

    @property
    def state_text(self) -> str:
        """Where the call stands, in words (the window's card, the exports)."""
        took = ""
        if self.duration_ms is not None:
            ms = self.duration_ms
            took = f" · {ms} ms" if ms < 1000 else f" · {ms / 1000:.1f} s"
        match self.state:
            case CallState.STREAMING:
                return tr("Calling…")
            case CallState.WAITING:
                return tr("Waiting for your approval")
            case CallState.RUNNING:
                return tr("Running…")
            case CallState.DONE:
                # translators: a tool call's state; {took} is " · 120 ms" or empty
                return tr("Done{took}", took=took)
            case CallState.FAILED:
                # translators: a tool call's state; {took} is " · 120 ms" or empty
                return tr("Failed{took}", took=took)
            case CallState.NOT_FINISHED if self.stopped_by_user:
                return tr("Stopped by you before it ended")
            case CallState.NOT_FINISHED:
                return tr("Stopped before it ended (it was not run again)")
            case CallState.NOT_RUN if self.approval == Approval.DENIED:
                return tr("Denied by you")
            case CallState.NOT_RUN if self.approval == Approval.UNKNOWN:
                return tr("Not run: the model named a tool it was not offered")
            case CallState.NOT_RUN:
                first = self.result.strip().splitlines()[0] if self.result else ""
                return first or tr("Not run")
        return self.state


def placed_calls(
    content: str, calls: Sequence[ToolCallView]
) -> list[tuple[str, tuple[ToolCallView, ...]]]:
    """An answer's text cut where the model made its calls: each piece of text with the calls
    made right after it, in the order they were written; the last piece has none after it (and
    may be empty). The calls of one place keep their order; an offset outside the text counts
    as its nearest end."""
    places: dict[int, list[ToolCallView]] = {}
    for call in calls:
        places.setdefault(min(max(call.offset, 0), len(content)), []).append(call)
    pieces: list[tuple[str, tuple[ToolCallView, ...]]] = []
    start = 0
    for at in sorted(places):
        pieces.append((content[start:at], tuple(places[at])))
        start = at
    pieces.append((content[start:], ()))
    return pieces


class LeftOutWhy(enum.StrEnum):
    """Why a tool server the user chose for a chat offered none of its tools to an answer."""

    SIGN_IN = "sign-in"  # it asks for a sign-in the user has not given, or it refused one
    OFF = "off"  # switched off in the tools settings
    NOT_ALLOWED = "not-allowed"  # a command the user has not allowed to start yet
    FAILED = "failed"  # it did not start, or refused or broke off its handshake
    UNKNOWN = "unknown"  # no server of that name is set up (any more)


@dataclass(frozen=True)
class ServerLeftOut:
    """A tool server the answer's chat has switched on that could not be used for it: the
    answer went on without its tools. Not stored: said while the answer is written."""

    server: str
    why: LeftOutWhy
    reason: str = ""  # FAILED: what went wrong, in a line

    def said(self) -> str:
        """In the user's words: "secure needs you to sign in: its tools were left out"."""
        name = self.server
        match self.why:
            case LeftOutWhy.SIGN_IN:
                return tr("{server} needs you to sign in: its tools were left out", server=name)
            case LeftOutWhy.OFF:
                return tr("{server} is switched off: its tools were left out", server=name)
            case LeftOutWhy.NOT_ALLOWED:
                return tr(
                    "{server} may not start its command until you allow it: its tools were "
                    "left out",
                    server=name,
                )
            case LeftOutWhy.UNKNOWN:
                return tr(
                    "{server} is not a tool server set up here: its tools were left out",
                    server=name,
                )
            case _:
                return tr(
                    "{server} could not be used ({reason}): its tools were left out",
                    server=name,
                    reason=self.reason or tr("no reason given"),
                )
