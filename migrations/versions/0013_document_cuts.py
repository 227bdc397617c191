"""document cuts: an answer records the documents of its question sent only in part (parts of
kind `cut`)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = ("reasoning", "attachment", "tool_call", "tool_result", "error", "source")


def _part_kind(*more: str) -> sa.Enum:
    return sa.Enum(
        *_KINDS, *more, name="part_kind", native_enum=False, create_constraint=True, length=16
    )


def upgrade() -> None:
    with op.batch_alter_table("message_parts") as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_part_kind(), type_=_part_kind("cut"), existing_nullable=False
        )


def downgrade() -> None:
    op.execute("DELETE FROM message_parts WHERE kind = 'cut'")
    with op.batch_alter_table("message_parts") as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_part_kind("cut"), type_=_part_kind(), existing_nullable=False
        )
