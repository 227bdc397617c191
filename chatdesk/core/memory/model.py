"""What a memory is as the front-ends see it, and where it applies."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from chatdesk.core.i18n import tr

MAX_CHARS = 2_000  # a memory is a fact or a wish in a few sentences, not a document


class Origin(enum.StrEnum):
    """Where a memory came from."""

    TYPED = "typed"  # typed in Preferences ▸ Memory or on the command line
    CHAT = "chat"  # a message's Remember this…
    MODEL = "model"  # the model's remember tool, kept from its card
    IMPORTED = "import"  # a memories file


class Scope(enum.StrEnum):
    """Whose chats a memory is given to."""

    EVERYONE = "everyone"
    ASSISTANT = "assistant"  # one assistant's chats
    PROJECT = "project"  # one project's chats


@dataclass(frozen=True)
class MemoryView:
    """A memory as kept: its words, whose chats it is for (neither assistant nor project:
    everyone's), where it came from (the chat and message, when it came from one), whether
    it is on and whether it goes with every question (`always`), and when it was last given
    to a model (`used_at`)."""

    id: int
    text: str
    origin: str
    enabled: bool
    always: bool
    created_at: datetime
    updated_at: datetime
    used_at: datetime | None = None
    assistant_id: uuid.UUID | None = None
    assistant: str = ""  # its name
    project_id: uuid.UUID | None = None
    project: str = ""  # its name
    thread_id: uuid.UUID | None = None
    message_id: uuid.UUID | None = None
    thread_title: str = ""

    @property
    def scope(self) -> Scope:
        if self.assistant_id is not None:
            return Scope.ASSISTANT
        if self.project_id is not None:
            return Scope.PROJECT
        return Scope.EVERYONE

    def for_whom(self) -> str:
        """In the user's words: "Everyone", "Assistant “Coder”", "Project “Thesis”"."""
        if self.assistant_id is not None:
            return tr("Assistant “{name}”", name=self.assistant)
        if self.project_id is not None:
            return tr("Project “{name}”", name=self.project)
        return tr("Everyone")


@dataclass(frozen=True)
class Place:
    """Whose chat a question is asked in: its assistant and its project (None: neither)."""

    assistant_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None


@dataclass(frozen=True)
class MemoryStats:
    """How many memories are kept (and of those, on) and how many characters they hold."""

    count: int
    enabled: int
    characters: int


@dataclass(frozen=True)
class Given:
    """A memory as given with a question: its number and its words as sent."""

    id: int
    text: str


@dataclass(frozen=True)
class MemoriesChanged:
    """Memories were kept, changed or deleted (`ids`; empty: many, read them all again)."""

    ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class MemorySwitches:
    """Whether a chat's answers are given memories and may propose new ones: on when every
    switch that applies is on (memory itself, the chat's, its assistant's, its project's)."""

    everywhere: bool
    chat: bool
    assistant: bool = True
    project: bool = True

    @property
    def on(self) -> bool:
        return self.everywhere and self.chat and self.assistant and self.project
