"""Images a tool gave back with its result: kept, and shown to a model that takes images.

A tool's bytes are as untrusted as a dropped file's: each image is read in the reading child as
an image only (sniffed from its bytes, refused past the pixel bound, re-encoded without its
metadata) and stored once by content, like an attached image; one that does not read as an
image is not kept, and the result's text says so. The Chat Completions API takes images only in
user messages, so a round whose results gave images is followed by one user message holding
them, each named by the call it came from; a model that does not take images reads only the
results' text, which names every image.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from chatdesk.core.attach.attacher import Attacher, NotAttached
from chatdesk.core.attach.sniff import extension
from chatdesk.core.chat import repository as repo
from chatdesk.core.clock import Clock
from chatdesk.core.providers.base import ChatMessage, ImagePart
from chatdesk.core.store.blobs import BlobDamaged, BlobMissing
from chatdesk.core.tools.model import ToolImage
from chatdesk.core.views import AttachmentInput, AttachmentView

SHOWN = "The images the tool calls above gave back, in order: {}."
NOT_SEEN = "[The images were not shown to you: {} does not take images.]"


@dataclass(frozen=True)
class Kept:
    """A call's images as stored, and a line of text for each one that was not kept."""

    images: tuple[AttachmentInput, ...] = ()
    notes: tuple[str, ...] = ()


class ResultImages:
    def __init__(self, attacher: Attacher, clock: Clock, model: str, sees: bool) -> None:
        self._attacher = attacher
        self._clock = clock
        self._model = model
        self._sees = sees

    async def keep(self, tool: str, given: Sequence[ToolImage]) -> Kept:
        """Read and store the images a call of `tool` gave; those that are not images, or
        cannot be read, are named in a note instead."""
        images, notes = [], []
        for number, image in enumerate(given, start=1):
            name = f"{tool} result {number}"
            try:
                read = await self._attacher.attach_bytes(name, image.data, images_only=True)
            except NotAttached as refused:
                notes.append(f"[Image {number} of this result was not kept: {refused.reason}.]")
                continue
            images.append(replace(read, name=name + extension(read.mime)))
        if images and not self._sees:
            notes.append(NOT_SEEN.format(self._model))
        return Kept(tuple(images), tuple(notes))

    def store(
        self, session: Session, message_id: uuid.UUID, call_id: str, kept: Kept
    ) -> tuple[AttachmentView, ...]:
        """Add a call's kept images to its answer (in the transaction that stores its result)."""
        if not kept.images:
            return ()
        now = self._clock.now()
        return repo.add_result_images(session, now, message_id, call_id, kept.images)

    async def message(self, calls: Sequence[tuple[str, Kept]]) -> ChatMessage | None:
        """The user message that shows the round's images to the model (None: it has none,
        or the model does not take images). `calls`: each call's label and what it kept."""
        if not self._sees:
            return None
        parts, said = [], []
        for label, kept in calls:
            found = [p for p in await asyncio.to_thread(self._parts, kept.images) if p is not None]
            parts += found
            if found:
                said.append(f"{len(found)} from {label}")
        if not parts:
            return None
        return ChatMessage("user", SHOWN.format("; ".join(said)), images=tuple(parts))

    def _parts(self, images: Sequence[AttachmentInput]) -> list[ImagePart | None]:
        blobs = self._attacher.blobs
        parts: list[ImagePart | None] = []
        for image in images:
            try:
                data = blobs.read(image.sha256)
            except (BlobMissing, BlobDamaged, OSError):
                parts.append(None)  # removed meanwhile: the result's text still names it
                continue
            parts.append(ImagePart(image.mime, image.sha256, image.width, image.height, data))
        return parts
