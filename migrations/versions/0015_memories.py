"""memories: what the user wants remembered across chats (`memories`, its full-text index), the
memories each answer was given (`messages.memories`), and the Memory switches of a chat, an
assistant and a project (`memory_off`)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from chatdesk.core.memory.index import create_index, drop_index

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SWITCHED = ("threads", "assistants", "projects")


def upgrade() -> None:
    op.create_table(
        "memories",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("assistant_id", sa.Uuid(), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("thread_id", sa.Uuid(), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("enabled", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("always", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("vector", sa.LargeBinary(), nullable=True),
        sa.Column("vector_model", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(
            ["assistant_id"],
            ["assistants.id"],
            name=op.f("fk_memories_assistant_id_assistants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_memories_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_memories_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["threads.id"],
            name=op.f("fk_memories_thread_id_threads"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memories")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("memories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memories_assistant_id"), ["assistant_id"])
        batch_op.create_index(batch_op.f("ix_memories_project_id"), ["project_id"])
    if op.get_bind().dialect.name == "sqlite":
        create_index(op.get_bind())
    # Added plain columns: made in place, no table is copied.
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("memories", sa.JSON(none_as_null=True), nullable=True))
    for table in _SWITCHED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("memory_off", sa.Boolean(), server_default="0", nullable=False)
            )


def downgrade() -> None:
    for table in reversed(_SWITCHED):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("memory_off")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_column("memories")
    if op.get_bind().dialect.name == "sqlite":
        drop_index(op.get_bind())
    with op.batch_alter_table("memories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memories_project_id"))
        batch_op.drop_index(batch_op.f("ix_memories_assistant_id"))
    op.drop_table("memories")
