"""knowledge: bases of the user's files, their documents, passages and vectors, the chats,
projects and assistants that answer from them, and sources as parts of an answer

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from chatdesk.core.knowledge.index import create_index, drop_index

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = ("reasoning", "attachment", "tool_call", "tool_result", "error")


def _part_kind(*more: str) -> sa.Enum:
    return sa.Enum(
        *_KINDS, *more, name="part_kind", native_enum=False, create_constraint=True, length=16
    )


def upgrade() -> None:
    op.create_table(
        "knowledge_bases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("embedding_provider", sa.String(length=100), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column("embedding_problem", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_bases")),
        sa.UniqueConstraint("name", name=op.f("uq_knowledge_bases_name")),
    )
    op.create_table(
        "knowledge_sources",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("base_id", sa.Uuid(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("include", sa.Text(), nullable=False),
        sa.Column("exclude", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_id"],
            ["knowledge_bases.id"],
            name=op.f("fk_knowledge_sources_base_id_knowledge_bases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_sources")),
    )
    with op.batch_alter_table("knowledge_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_sources_base_id"), ["base_id"], unique=False)

    op.create_table(
        "knowledge_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("base_id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mtime_ns", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("mime", sa.String(length=200), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("chunks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("indexed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_id"],
            ["knowledge_bases.id"],
            name=op.f("fk_knowledge_documents_base_id_knowledge_bases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["knowledge_sources.id"],
            name=op.f("fk_knowledge_documents_source_id_knowledge_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_documents")),
    )
    with op.batch_alter_table("knowledge_documents", schema=None) as batch_op:
        batch_op.create_index("ix_knowledge_documents_base_path", ["base_id", "path"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_knowledge_documents_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "knowledge_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("base_id", sa.Uuid(), nullable=False),
        sa.Column("thread_id", sa.Uuid(), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("assistant_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assistant_id"],
            ["assistants.id"],
            name=op.f("fk_knowledge_links_assistant_id_assistants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["base_id"],
            ["knowledge_bases.id"],
            name=op.f("fk_knowledge_links_base_id_knowledge_bases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_knowledge_links_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["threads.id"],
            name=op.f("fk_knowledge_links_thread_id_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_links")),
    )
    with op.batch_alter_table("knowledge_links", schema=None) as batch_op:
        batch_op.create_index("ix_knowledge_links_assistant", ["assistant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_knowledge_links_base_id"), ["base_id"], unique=False)
        batch_op.create_index("ix_knowledge_links_project", ["project_id"], unique=False)
        batch_op.create_index("ix_knowledge_links_thread", ["thread_id"], unique=False)

    op.create_table(
        "knowledge_chunks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("base_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=True),
        sa.Column("vector_model", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(
            ["base_id"],
            ["knowledge_bases.id"],
            name=op.f("fk_knowledge_chunks_base_id_knowledge_bases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["knowledge_documents.id"],
            name=op.f("fk_knowledge_chunks_document_id_knowledge_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_chunks")),
    )
    with op.batch_alter_table("knowledge_chunks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_knowledge_chunks_base_model", ["base_id", "vector_model"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_knowledge_chunks_document_id"), ["document_id"], unique=False
        )
    if op.get_bind().dialect.name == "sqlite":
        create_index(op.get_bind())
    # An answer's sources are parts of a kind of their own: the CHECK constraint of the kinds
    # changes, which SQLite makes by copying the table.
    with op.batch_alter_table("message_parts") as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_part_kind(), type_=_part_kind("source"), existing_nullable=False
        )


def downgrade() -> None:
    op.execute("DELETE FROM message_parts WHERE kind = 'source'")
    with op.batch_alter_table("message_parts") as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_part_kind("source"), type_=_part_kind(), existing_nullable=False
        )
    if op.get_bind().dialect.name == "sqlite":
        drop_index(op.get_bind())
    with op.batch_alter_table("knowledge_chunks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_chunks_document_id"))
        batch_op.drop_index("ix_knowledge_chunks_base_model")

    op.drop_table("knowledge_chunks")
    with op.batch_alter_table("knowledge_links", schema=None) as batch_op:
        batch_op.drop_index("ix_knowledge_links_thread")
        batch_op.drop_index("ix_knowledge_links_project")
        batch_op.drop_index(batch_op.f("ix_knowledge_links_base_id"))
        batch_op.drop_index("ix_knowledge_links_assistant")

    op.drop_table("knowledge_links")
    with op.batch_alter_table("knowledge_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_documents_source_id"))
        batch_op.drop_index("ix_knowledge_documents_base_path")

    op.drop_table("knowledge_documents")
    with op.batch_alter_table("knowledge_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_sources_base_id"))

    op.drop_table("knowledge_sources")
    op.drop_table("knowledge_bases")
