"""assistants: named presets of who answers, the chats and projects using one, and the
assistant each answer came from; the built-in set is added once

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 02:30:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from chatdesk.core.assistants.builtin import BUILT_IN
from chatdesk.core.ids import new_id

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "assistants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("icon", sa.String(16), nullable=True),
        sa.Column("colour", sa.String(7), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("system_prompt", sa.Text(), nullable=True),
        sa.Column("provider", sa.String(100), nullable=True),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("temperature", sa.Float(), nullable=True),
        sa.Column("max_output_tokens", sa.Integer(), nullable=True),
        sa.Column("tools", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("examples", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assistants"),
        sa.UniqueConstraint("name", name="uq_assistants_name"),
    )
    # Added plain columns only: SQLite adds them in place, without copying the tables.
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("assistant_id", sa.Uuid(), nullable=True))
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("default_assistant_id", sa.Uuid(), nullable=True))
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("agent", sa.String(100), nullable=True))
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(
        table,
        [
            {
                "id": new_id(), "name": a.name, "icon": a.icon, "colour": a.colour,
                "description": a.description, "system_prompt": a.system_prompt,
                "provider": None, "model": None, "temperature": a.temperature,
                "max_output_tokens": None, "tools": None, "examples": list(a.examples),
                "created_at": now, "updated_at": now,
            }
            for a in BUILT_IN
        ],
    )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("agent")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("default_assistant_id")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("assistant_id")
    op.drop_table("assistants")
