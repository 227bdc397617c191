"""Names of assistants and saved prompts: one name, whatever its case, in any script (SQLite's
lower() folds ASCII letters only, so names are compared here)."""

from __future__ import annotations

import unicodedata
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.store.models import Assistant, SavedPrompt

Named = TypeVar("Named", Assistant, SavedPrompt)


def name_key(name: str) -> str:
    """What two names that are the same share: "Écrivain" and " écrivain" both give
    "écrivain"."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def named(session: Session, entity: type[Named], name: str) -> Named | None:
    """The row of `entity` named `name`, whatever its case."""
    wanted = name_key(name)
    for row_id, row_name in session.execute(select(entity.id, entity.name)):
        if name_key(row_name) == wanted:
            return session.get(entity, row_id)
    return None


def by_name(session: Session, entity: type[Named]) -> list[Named]:
    """Every row of `entity`, in the order of their names."""
    return sorted(session.scalars(select(entity)), key=lambda row: name_key(row.name))
