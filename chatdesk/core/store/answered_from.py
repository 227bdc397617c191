"""The tables of what chats answer from besides their messages: the knowledge bases (their
files, documents, passages and links, decision 0028) and the user's memories (decision 0052).
Registered with the data model's `Base`; `models.py` re-exports them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chatdesk.core.ids import new_id
from chatdesk.core.store.orm import Base


class KnowledgeBase(Base):
    """A named set of the user's files and folders, indexed for retrieval (decision 0028)."""

    __tablename__ = "knowledge_bases"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The embedding model its vectors come from ("provider" and "model"); NULL: keywords only.
    embedding_provider: Mapped[str | None] = mapped_column(String(100))
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    # Why its vectors could not be made last time ("the server cannot be reached"); NULL: fine.
    embedding_problem: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class KnowledgeSource(Base):
    """A file or folder the user added to a knowledge base, with a folder's patterns."""

    __tablename__ = "knowledge_sources"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    base_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_bases.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(Text)
    include: Mapped[str] = mapped_column(Text, default="")
    exclude: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[datetime]


class KnowledgeDocument(Base):
    """One file of a knowledge base as last indexed: what it was (size, time, hash), its
    extracted text (where a cited passage is shown), or why it could not be read."""

    __tablename__ = "knowledge_documents"
    __table_args__ = (Index("ix_knowledge_documents_base_path", "base_id", "path", unique=True),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    base_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("knowledge_bases.id", ondelete="CASCADE"))
    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_sources.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int]
    mtime_ns: Mapped[int]
    sha256: Mapped[str | None] = mapped_column(String(64))
    mime: Mapped[str | None] = mapped_column(String(200))
    pages: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(Text)  # why it is not indexed; NULL: it is
    chunks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    indexed_at: Mapped[datetime]


class KnowledgeChunk(Base):
    """A passage of a document: its text (a slice of the document's), where it is, and its
    vector from the base's embedding model (`vector_model` names it; another model's vectors
    are never compared with this one's). The integer id is the full-text index's rowid."""

    __tablename__ = "knowledge_chunks"
    __table_args__ = (Index("ix_knowledge_chunks_base_model", "base_id", "vector_model"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_documents.id", ondelete="CASCADE"), index=True
    )
    base_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("knowledge_bases.id", ondelete="CASCADE"))
    position: Mapped[int]
    start: Mapped[int]
    end: Mapped[int]
    location: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text)
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)  # float32, little-endian
    vector_model: Mapped[str | None] = mapped_column(String(320))


class KnowledgeLink(Base):
    """A knowledge base a chat, a project or an assistant answers from (one of the three)."""

    __tablename__ = "knowledge_links"
    __table_args__ = (
        Index("ix_knowledge_links_thread", "thread_id"),
        Index("ix_knowledge_links_project", "project_id"),
        Index("ix_knowledge_links_assistant", "assistant_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    base_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_bases.id", ondelete="CASCADE"), index=True
    )
    thread_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE")
    )
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE")
    )
    assistant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("assistants.id", ondelete="CASCADE")
    )


class Memory(Base):
    """What the user wants remembered across chats (chatdesk/core/memory/): its words, who it
    is for (everyone, one assistant's chats, one project's), where it came from, whether it
    is on and whether it goes with every request ("always"), and its vector from the memory
    embedding model (`vector_model` names it). The integer id is the full-text index's rowid
    and the number the model and the command line name it by; AUTOINCREMENT, so a number is
    never given again to another memory after one is deleted. Never synced, never exported
    unless asked."""

    __tablename__ = "memories"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(Text)
    assistant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("assistants.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    # Where it came from: "typed" (Preferences, the command line), "chat" (a message's
    # Remember this…), "model" (the model's remember tool, approved), "import" (a file).
    origin: Mapped[str] = mapped_column(String(20))
    thread_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL")
    )
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL")
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    always: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)  # float32, little-endian
    vector_model: Mapped[str | None] = mapped_column(String(320))
