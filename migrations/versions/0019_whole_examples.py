"""whole examples: each built-in assistant's first example a whole question, which a new chat
suggests and sends as it is (the others end where the user's words begin); given to a built-in
only while its examples are still the ones chatdesk wrote (the user's own stay as they are)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As migration 0010 wrote them (by the name it gave), and the whole question each one gains:
# written out here, so that this migration does the same whatever chatdesk's words become.
STOCK = {
    "Careful writer": (
        [
            "Make this email shorter and friendlier: ",
            "Edit this paragraph for clarity, and tell me what you changed: ",
            "Write a one-paragraph product description for ",
        ],
        "Write a short, friendly note declining a meeting invitation.",
    ),
    "Code reviewer": (
        [
            "Review this function for bugs and edge cases:\n\n```\n\n```",
            "Is this SQL query safe from injection? ",
            "What tests would you add for this code? ",
        ],
        "Is sum(values) / len(values) a safe way to average a list in Python?",
    ),
    "Translator": (
        [
            "Translate into French: ",
            "Translate into Japanese, polite register: ",
            "What does this German sentence mean? ",
        ],
        "Translate “Where is the train station?” into French, Spanish and Japanese.",
    ),
    "Summariser": (
        [
            "Summarise this article: ",
            "Give me the decisions and action items from these meeting notes: ",
            "Summarise the attached document in five bullet points.",
        ],
        "Summarise the story of Romeo and Juliet in five bullet points.",
    ),
}

_ASSISTANTS = sa.table(
    "assistants",
    sa.column("id", sa.Uuid()),
    sa.column("name", sa.String()),
    sa.column("examples", sa.JSON()),
)


def upgrade() -> None:
    _rewrite(lambda stock, whole: (stock, [whole, *stock]))


def downgrade() -> None:
    _rewrite(lambda stock, whole: ([whole, *stock], stock))


def _rewrite(change: Callable[[list[str], str], tuple[list[str], list[str]]]) -> None:
    """Each built-in's examples that are `change`'s first list, made its second."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_ASSISTANTS.c.id, _ASSISTANTS.c.name, _ASSISTANTS.c.examples).where(
            _ASSISTANTS.c.name.in_(list(STOCK))
        )
    )
    for assistant_id, name, examples in rows.all():
        before, after = change(*STOCK[name])
        if examples == before:
            connection.execute(
                sa.update(_ASSISTANTS)
                .where(_ASSISTANTS.c.id == assistant_id)
                .values(examples=after)
            )
