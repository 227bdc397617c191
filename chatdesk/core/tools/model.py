"""What a tool is, what running it gave, and the rules for who may run it."""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Callable, Hashable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

from chatdesk.core.answer_parts import ResultResource

BUILT_IN = "chatdesk"  # the server name of chatdesk's own tools
WEB = "web"  # the server name of the web's tools (web_tools.py), and so a chat's Web switch
MEMORY = "memory"  # the server name of the memory's tools (memory_tools.py)
RESERVED = (BUILT_IN, WEB, MEMORY)  # names no tool server the user adds may take
_NOT_IN_A_NAME = re.compile(r"[^A-Za-z0-9_-]")
MAX_NAME = 64  # what OpenAI-compatible servers accept for a function's name


@dataclass(frozen=True)
class Caller:
    """The answer a tool runs for (`CALLER` while it runs): a tool that keeps something says
    where it came from."""

    thread_id: uuid.UUID
    message_id: uuid.UUID
    call_id: str = ""
    # Given a call's progress (progress, total, message) from any thread; None: not followed.
    progressed: Callable[[float, float | None, str | None], None] | None = field(
        default=None, compare=False
    )


CALLER: ContextVar[Caller | None] = ContextVar("chatdesk_tool_caller", default=None)


class Policy(enum.StrEnum):
    """What happens when the model calls a tool."""

    ASK = "ask"  # the user decides, call by call
    ALLOW = "allow"  # it runs
    DENY = "deny"  # it never runs; the model is told


@dataclass(frozen=True, eq=False)
class ToolInfo:
    """A tool as its server describes it."""

    server: str
    name: str  # as its server knows it
    description: str
    parameters: Mapping[str, Any]  # JSON schema of its arguments
    read_only: bool = False  # it says it changes nothing (MCP's readOnlyHint)
    # It says it may delete or change things (MCP's destructiveHint, `hints.py`): it always
    # asks, unless the user allowed this one tool.
    destructive: bool = False
    title: str = ""  # the name its server gives it for people (one line, bounded; `hints.py`)
    output_schema: Mapping[str, Any] | None = None  # JSON schema of its structured result

    @property
    def label(self) -> str:
        """How the user sees it: always with its server, so no server can pass its tool off
        as another's; by its title when it has one (`real_label` names it as called)."""
        return f"{self.server} › {self.title or self.name}"

    @property
    def real_label(self) -> str:
        return f"{self.server} › {self.name}"


@dataclass(frozen=True)
class ToolImage:
    """An image a tool gave back, as it sent it: untrusted bytes that its type only claims to
    be an image (read and re-encoded in the reading child before anything shows or sends it)."""

    mime: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class ToolOutcome:
    """What a call gave back: its text (cut to the result cap), whether the tool reported an
    error, how big the whole result was, and the images it gave besides (the text names them)."""

    text: str
    is_error: bool = False
    truncated: bool = False
    size: int = 0  # characters before any cut
    images: tuple[ToolImage, ...] = ()
    found: Found | None = None  # what becomes the answer's sources
    structured: str = ""  # its structured result as indented JSON ("": it gave none)
    mismatch: str = ""  # why that does not match the tool's output schema ("": it does)
    resources: tuple[ResultResource, ...] = ()  # resource links and embedded resources it gave

    @classmethod
    def error(cls, text: str) -> ToolOutcome:
        return cls(text, is_error=True, size=len(text))


class Citable(Protocol):
    """Something a tool found that an answer can cite: a passage of a knowledge base
    (`Passage`), a web page read (`chatdesk/core/tools/web_tools.py`)."""

    @property
    def text(self) -> str:
        """What is kept with the answer: the passage, or the page's text as the model read it."""
        ...

    @property
    def cite_key(self) -> Hashable:
        """The same for the same thing found twice, which keeps its first number (a stored
        source's `CitedSource.cite_key` is compared with it)."""
        ...

    def source_data(self, number: int, call_id: str = "") -> dict[str, Any]:
        """What its source part stores beside its text (`repository/sources.py` reads it)."""
        ...


@dataclass(frozen=True)
class Found:
    """What a tool found that becomes sources of the answer that called it, numbered after
    those it has: `shown(numbers)` is the result as the model reads it, each item under its
    number (the one it cites it by)."""

    items: tuple[Citable, ...]
    shown: Callable[[Sequence[int]], str]


class ToolSource(Protocol):
    """Where tools come from: chatdesk itself, or one MCP server."""

    @property
    def server(self) -> str: ...

    async def tools(self) -> list[ToolInfo]:
        """The tools it has now."""
        ...

    def known_tools(self) -> list[ToolInfo] | None:
        """The tools it had when last asked, without starting or asking anything (None: not
        known yet). Any thread may call it."""
        ...

    async def call(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        """Run tool `name`; a tool's own failure is an outcome with `is_error`, not a raise."""
        ...


def offered_name(info: ToolInfo, taken: set[str]) -> str:
    """The name the model calls `info` by: chatdesk's own tools and the web's by their name,
    a server's as `server__tool`, both cut to what servers accept and made unique among
    `taken`."""
    wanted = info.name if info.server in RESERVED else f"{info.server}__{info.name}"
    name = _NOT_IN_A_NAME.sub("_", wanted)[:MAX_NAME] or "tool"
    candidate, number = name, 2
    while candidate in taken:
        suffix = f"_{number}"
        candidate, number = name[: MAX_NAME - len(suffix)] + suffix, number + 1
    return candidate
