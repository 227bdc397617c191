"""attachment files: images and documents whose bytes are in the blob store

Their extracted text joins the search index (on SQLite), as it is defined in
chatdesk/core/store/search_index.py; messages and titles are not indexed again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from chatdesk.core.store.search_index import add_attachment_index

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added columns only: SQLite adds them in place, without copying the table.
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("blob", sa.Boolean(), server_default="0", nullable=False))
        batch.add_column(sa.Column("kind", sa.String(20), server_default="file", nullable=False))
        batch.add_column(sa.Column("width", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("height", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("pages", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("note", sa.String(500), nullable=True))
        batch.add_column(sa.Column("thumb", sa.String(64), nullable=True))
    with op.batch_alter_table("message_parts") as batch:
        batch.create_index("ix_message_parts_attachment", ["attachment_id"])
    if op.get_bind().dialect.name == "sqlite":
        add_attachment_index(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # its triggers would not survive the copy below
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS search_attachments_{trigger}")
        op.execute("DROP TABLE IF EXISTS search_attachments")
    with op.batch_alter_table("message_parts") as batch:
        batch.drop_index("ix_message_parts_attachment")
    with op.batch_alter_table("attachments") as batch:
        for column in ("thumb", "note", "pages", "height", "width", "kind", "blob"):
            batch.drop_column(column)
