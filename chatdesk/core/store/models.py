"""The data model (`docs/design.md` §2) as SQLAlchemy 2 typed ORM classes.

The same tables serve SQLite locally and PostgreSQL for team sync: ids are UUIDv7 made on the
client, timestamps are UTC, and every constraint has a fixed name (the naming convention) so
that Alembic batch migrations on SQLite and plain ALTERs on PostgreSQL agree.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from chatdesk.core.ids import new_id

# Re-exported: the enums live in a module without SQLAlchemy, for the window's start-up.
from chatdesk.core.kinds import PartKind as PartKind
from chatdesk.core.kinds import Role as Role
from chatdesk.core.kinds import Status as Status

# The foundations every table is declared over (the naming convention, UTC times, stored enums).
from chatdesk.core.store.orm import NAMING_CONVENTION as NAMING_CONVENTION
from chatdesk.core.store.orm import Base as Base
from chatdesk.core.store.orm import UTCDateTime as UTCDateTime
from chatdesk.core.store.orm import stored_enum as _enum

# What an answer reported it used and cost: summed for a thread's spending, read with its message.
USAGE_COLUMNS = (
    "prompt_tokens",
    "completion_tokens",
    "cached_tokens",
    "reasoning_tokens",
    "cost_usd",
    "usage_estimated",
)


class Assistant(Base):
    """A named preset of who answers: a system prompt, a model, parameters, tools, examples."""

    __tablename__ = "assistants"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    icon: Mapped[str | None] = mapped_column(String(16))  # an emoji or a letter
    colour: Mapped[str | None] = mapped_column(String(7))  # "#RRGGBB"
    description: Mapped[str | None] = mapped_column(Text)
    system_prompt: Mapped[str | None] = mapped_column(Text)
    provider: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(200))
    temperature: Mapped[float | None] = mapped_column(Float)
    max_output_tokens: Mapped[int | None]
    # The tool servers its chats start with (None: the project's or none).
    tools: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    examples: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    # Its chats neither read nor write memories (Preferences ▸ Memory).
    memory_off: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SavedPrompt(Base):
    """A prompt kept to reuse from the composer's slash menu; {{name}} marks a value asked for
    when it is used."""

    __tablename__ = "prompts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    system_prompt: Mapped[str | None] = mapped_column(Text)
    default_provider: Mapped[str | None] = mapped_column(String(100))
    default_model: Mapped[str | None] = mapped_column(String(200))
    # The tool servers its new chats start with (none: SQL NULL, never JSON null).
    tools: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    total_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The assistant its new chats start with. Not a foreign key (nor the thread's): an added
    # plain column is made in place, where a constrained one copies the table; deleting an
    # assistant clears both (chatdesk/core/assistants/rows.py).
    default_assistant_id: Mapped[uuid.UUID | None]
    last_chat_at: Mapped[datetime | None]
    # Its chats neither read nor write memories (Preferences ▸ Memory).
    memory_off: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Thread(Base):
    __tablename__ = "threads"
    __table_args__ = (
        Index("ix_threads_recency", "last_activity_at", "id"),
        Index("ix_threads_project_recency", "project_id", "last_activity_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(300))
    title_set_by_user: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    deleted_at: Mapped[datetime | None]
    provider: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(200))
    system_prompt: Mapped[str | None] = mapped_column(Text)
    # The leaf of the branch on screen. Not a foreign key: threads and messages would
    # reference each other, which SQLite batch migrations cannot recreate cleanly.
    active_leaf_id: Mapped[uuid.UUID | None]
    message_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Tokens spent on this thread's answers (prompt + completion), cumulative like a bill.
    total_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_activity_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    team_id: Mapped[uuid.UUID | None]  # NULL: personal, never synced
    # The model's context window for this thread, overriding the profile and the known table.
    context_window: Mapped[int | None]
    # The tool servers switched on for this chat (names; "chatdesk" for the built-in tools);
    # NULL or empty: none, the model is offered no tools.
    tools: Mapped[list[str] | None] = mapped_column(JSON)
    # Time its answers spent in tools, and calls per tool, cumulative like total_tokens.
    tool_time_ms: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    tool_counts: Mapped[dict[str, Any] | None]
    # The user deleted a summary: no automatic ones until they ask for one again.
    summaries_paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    assistant_id: Mapped[uuid.UUID | None]  # who answers in it (see Project.default_assistant_id)
    # Where it was made, when not in the window or the CLI: "api" (the local API); NULL: here.
    origin: Mapped[str | None] = mapped_column(String(40))
    # The composer's Memory switch off: this chat neither reads nor writes memories. Kept on
    # this computer only (team sync does not carry it, as it carries no memory).
    memory_off: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_thread_parent", "thread_id", "parent_id"),
        Index("ix_messages_thread_depth", "thread_id", "depth"),
        Index("ix_messages_parent_id", "parent_id"),
        Index("ix_messages_status", "status"),
        # A thread's spending (its header's figures, read each time it is opened) read from
        # the index alone, not from every row of the thread (chatdesk/core/chat/repository/
        # usage.py): answers that reported usage only, so a send's rows are not in it.
        Index(
            "ix_messages_thread_usage",
            "thread_id",
            "role",
            *USAGE_COLUMNS,
            sqlite_where=text("role = 'assistant' AND prompt_tokens IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    thread_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    # No ON DELETE action: a cascade would recurse once per level of a long thread (SQLite caps
    # that at 1,000); the service deletes a whole subtree in one statement instead.
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("messages.id"))
    depth: Mapped[int] = mapped_column(Integer)  # 0 for a first message, parent's + 1 below
    # The child this message continues with on its branch (the one last shown); NULL exactly
    # when it has no children. Following it from any message walks down a branch in O(steps).
    active_child_id: Mapped[uuid.UUID | None]
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    status: Mapped[Status] = mapped_column(_enum(Status, "status"))
    content: Mapped[str] = mapped_column(Text, default="")
    provider: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(200))
    prompt_tokens: Mapped[int | None]
    completion_tokens: Mapped[int | None]
    cached_tokens: Mapped[int | None]
    reasoning_tokens: Mapped[int | None]
    # The token counts were estimated here because the server reported none.
    usage_estimated: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # In USD, at the profile's prices when the answer completed; None without prices.
    cost_usd: Mapped[float | None] = mapped_column(Float)
    latency_ms: Mapped[int | None]
    first_token_ms: Mapped[int | None]
    error_type: Mapped[str | None] = mapped_column(String(50))
    error_detail: Mapped[str | None] = mapped_column(Text)
    # Who wrote a message of a team thread (their server login); NULL for this machine's user.
    author: Mapped[str | None] = mapped_column(String(100))
    # The assistant an answer came from, by the name it had then; NULL: none.
    agent: Mapped[str | None] = mapped_column(String(100))
    # Which running chatdesk process writes this answer (see store/instances.py).
    stream_owner: Mapped[str | None] = mapped_column(String(40))
    # The message's tokens as it stands in a request (chat wrapping included), and what counted
    # them ("o200k_base", or "o200k_base~" for an estimate): a model counted otherwise recounts.
    token_count: Mapped[int | None]
    token_encoding: Mapped[str | None] = mapped_column(String(40))
    # An answer that called tools: milliseconds spent in them, and calls per tool
    # ("server › tool": count); NULL for one that called none.
    tool_time_ms: Mapped[int | None]
    tool_counts: Mapped[dict[str, Any] | None]
    # The ids of the memories an answer was given ([3, 12]); NULL: none. On this computer
    # only: team sync and exports carry no memory, not even which were used.
    memories: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class ApiSpending(Base):
    """What an answer the local API gave without keeping it cost, for the spending caps."""

    __tablename__ = "api_spending"
    __table_args__ = (Index("ix_api_spending_created_at", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    provider: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(200))
    prompt_tokens: Mapped[int | None]
    completion_tokens: Mapped[int | None]
    cost_usd: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime]


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(500))
    mime: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    # Its bytes are in the blob store under `sha256` (chatdesk/core/store/blobs.py); false
    # for text held whole in `text` (a paste, or an attachment made before the store).
    blob: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    kind: Mapped[str] = mapped_column(String(20), default="file", server_default="file")
    width: Mapped[int | None]
    height: Mapped[int | None]
    pages: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(String(500))
    thumb: Mapped[str | None] = mapped_column(String(64))  # an image's thumbnail blob
    # Where it was read from: an MCP resource's server and URI (None: a file or a paste).
    origin_server: Mapped[str | None] = mapped_column(String(200))
    origin_uri: Mapped[str | None] = mapped_column(Text)


class MessagePart(Base):
    __tablename__ = "message_parts"
    __table_args__ = (
        Index("ix_message_parts_message", "message_id", "position"),
        Index("ix_message_parts_attachment", "attachment_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[PartKind] = mapped_column(_enum(PartKind, "part_kind"))
    text: Mapped[str | None] = mapped_column(Text)
    attachment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("attachments.id", ondelete="RESTRICT"), index=True
    )
    data: Mapped[dict[str, Any] | None]


class Draft(Base):
    """What the user was typing in a thread (key: the thread id, or "new" for a new chat)."""

    __tablename__ = "drafts"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    # {"attachments": [{"name": ..., "text": ..., "kind": ...}, ...]}
    data: Mapped[dict[str, Any] | None]
    updated_at: Mapped[datetime]


class Summary(Base):
    __tablename__ = "summaries"
    __table_args__ = (Index("ix_summaries_thread", "thread_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    thread_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    covers_through_message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    content: Mapped[str] = mapped_column(Text)
    token_count: Mapped[int]
    provider: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]  # the user changed the text


# -- team sync (decision 0018); empty unless a thread is shared ---------------------------------


class SyncTeam(Base):
    """A team this user belongs to on the sync server, and how far its changes are applied."""

    __tablename__ = "sync_teams"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    cursor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    seen_at: Mapped[datetime]


class SyncOp(Base):
    """A local change to a shared row, waiting to be pushed (or refused by the server)."""

    __tablename__ = "sync_outbox"
    # AUTOINCREMENT: a sequence number is never used twice, even after the queue empties; the
    # server skips numbers it has seen (decision 0018).
    __table_args__ = (
        Index("ix_sync_outbox_state", "state", "op_seq"),
        {"sqlite_autoincrement": True},
    )

    op_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    node_id: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[uuid.UUID]
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[uuid.UUID]
    row: Mapped[dict[str, Any]]  # the full row with per-field HLCs, as the server stores it
    changed: Mapped[dict[str, Any]]  # {"fields": [...]}: what this op changed
    state: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class SyncField(Base):
    """The HLC of a shared field's local value, and a digest of that value (to see changes)."""

    __tablename__ = "sync_fields"

    entity: Mapped[str] = mapped_column(String(16), primary_key=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    field: Mapped[str] = mapped_column(String(32), primary_key=True)
    hlc: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(32))


class SyncNote(Base):
    """A local edit that lost to a newer one from a teammate (the server keeps both)."""

    __tablename__ = "sync_notes"
    __table_args__ = (Index("ix_sync_notes_thread", "thread_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    thread_id: Mapped[uuid.UUID]
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[uuid.UUID]
    field: Mapped[str] = mapped_column(String(32))
    lost_value: Mapped[str | None] = mapped_column(Text)
    kept_value: Mapped[str | None] = mapped_column(Text)
    kept_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    dismissed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


# The tables of what chats answer from besides their messages, in a module of their own (they
# are registered with `Base` here, so every user of the model sees them).
from chatdesk.core.store.answered_from import KnowledgeBase as KnowledgeBase  # noqa: E402
from chatdesk.core.store.answered_from import KnowledgeChunk as KnowledgeChunk  # noqa: E402
from chatdesk.core.store.answered_from import KnowledgeDocument as KnowledgeDocument  # noqa: E402
from chatdesk.core.store.answered_from import KnowledgeLink as KnowledgeLink  # noqa: E402
from chatdesk.core.store.answered_from import KnowledgeSource as KnowledgeSource  # noqa: E402
from chatdesk.core.store.answered_from import Memory as Memory  # noqa: E402
