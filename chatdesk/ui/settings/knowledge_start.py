"""Knowledge before its first base: what a knowledge base is, and "Add a folder…", which makes
a base named after the folder chosen and indexes it. Also the page's read of its bases."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget
from shiboken6 import Shiboken

from chatdesk.core.i18n import tr
from chatdesk.core.knowledge.model import BaseView, DocumentError
from chatdesk.ui.settings.first_step import FirstStep

if TYPE_CHECKING:
    from chatdesk.core.chat.events import Event
    from chatdesk.core.knowledge.service import Knowledge

Subscribe = Callable[[Callable[["Event"], None]], Callable[[], None]]
Read = tuple[list[BaseView], uuid.UUID | None, list[DocumentError], uuid.UUID | None]


def knowledge_intro(parent: QWidget, add_folder: Callable[[], None]) -> FirstStep:
    intro = FirstStep(
        "knowledgeIntro",
        tr("Answers from your own files"),
        (
            tr(
                "A knowledge base is a set of your folders and files, indexed on this computer. "
                "A chat that uses it is answered from their passages, and the answer cites them."
            ),
            tr(
                "Your files stay here: only the passages picked for a question are sent to the "
                "model, with the question."
            ),
        ),
        (tr("Add a folder…"), tr("Choose a folder to make a knowledge base of"), add_folder),
        parent,
    )
    intro.hide()  # until the bases are read and there are none
    return intro


async def first_base(knowledge: Knowledge, path: str, include: str, exclude: str) -> BaseView:
    """A base named after the folder `path`, with the folder added to it."""
    base = await knowledge.create(Path(path).name or path)
    await knowledge.add(base.id, path, include, exclude)
    return base


async def read_bases(knowledge: Knowledge, wanted: uuid.UUID | None) -> Read:
    """Every base, the one shown (`wanted`, else the first) and its files not indexed; `wanted`."""
    views = await knowledge.list()
    ids = [view.id for view in views]
    chosen = wanted if wanted in ids else (ids[0] if ids else None)
    errors = await knowledge.errors(chosen) if chosen is not None else []
    return views, chosen, errors, wanted


def caption(parent: QWidget, text: str) -> QLabel:
    """A bold heading over a list."""
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def follow(page: QWidget, apply: Callable[[Event], None], subscribe: Subscribe) -> None:
    """Hand the core's events to `apply` until `page` is deleted."""

    def handle(event: Event) -> None:
        if Shiboken.isValid(page):
            apply(event)

    page.destroyed.connect(subscribe(handle))
