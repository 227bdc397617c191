"""What a search is asked and what it answers: frozen values, safe to hand to any thread."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from chatdesk.core.kinds import Role


@dataclass(frozen=True)
class SearchFilters:
    """Which messages and threads a search looks at. Threads in the trash never show."""

    project_id: uuid.UUID | None = None
    thread_id: uuid.UUID | None = None  # only its messages, archived or not (no thread hits)
    pinned: bool | None = None  # True: only pinned threads; False: only the others
    archived: bool | None = False  # False: archived threads left out; True: only them; None: all
    role: Role | None = None  # only messages by this role (no thread hits)
    since: datetime | None = None  # messages written at or after this moment
    until: datetime | None = None  # messages written before this moment


class Ranking(enum.StrEnum):
    """How message hits are ordered."""

    RELEVANCE = "relevance"  # bm25 over every matching message
    NEWEST = "newest"  # newest first: too many matches to rank, or only very common words


@dataclass(frozen=True)
class Snippet:
    """Plain text with the matched words marked by (start, end) offsets into `text`, so the
    window can make them bold without reading markup from the message."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()

    def marked(self, before: str, after: str) -> str:
        """The text with `before`/`after` around each highlight (e.g. for a terminal)."""
        parts, position = [], 0
        for start, end in self.highlights:
            parts += [self.text[position:start], before, self.text[start:end], after]
            position = end
        parts.append(self.text[position:])
        return "".join(parts)


@dataclass(frozen=True)
class MessageHit:
    """A matching message. `ChatService.switch_branch(message_id)` shows the branch that
    holds it; then the thread can be opened at it."""

    message_id: uuid.UUID
    thread_id: uuid.UUID
    thread_title: str
    project_id: uuid.UUID | None
    role: Role
    created_at: datetime
    snippet: Snippet
    attachment: str = ""  # the attachment whose text matched (the snippet is from it)


@dataclass(frozen=True)
class ThreadHit:
    """A thread whose title matches."""

    thread_id: uuid.UUID
    title: Snippet
    project_id: uuid.UUID | None
    pinned: bool
    archived: bool
    last_activity_at: datetime


@dataclass(frozen=True)
class SearchResults:
    """Threads whose title matches, then messages. `ranking` orders the messages that hold
    the words as typed; when `completed`, messages holding a word that starts with the last
    one typed (it was still being typed, and the words as typed found less than a page)
    follow them, newest first."""

    text: str  # what was searched for, as given
    threads: tuple[ThreadHit, ...] = ()
    messages: tuple[MessageHit, ...] = ()
    ranking: Ranking = Ranking.RELEVANCE
    completed: bool = False
