"""A file (or pasted image bytes) made into an attachment: read within the size limit, sniffed
and extracted in the reading child, its bytes stored once by content, described for the chip.

Everything here runs off the event loop (file reads and hashing on a thread, decoding in the
child). A file that cannot be attached raises InvalidRequest naming it and the reason; nothing
is stored for it. Images keep only their re-encoded copy (no EXIF); other files keep their
bytes as they were, for Save as and export.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from chatdesk.core.attach.model import IMAGE, Limits, Read
from chatdesk.core.attach.sniff import LABELS, PDF, extension, sniff
from chatdesk.core.attach.worker import Reader, ReadFailed
from chatdesk.core.config import Settings
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.providers.base import ChatMessage, ImagePart
from chatdesk.core.store.blobs import BlobStore
from chatdesk.core.trust.files import read_regular
from chatdesk.core.views import AttachmentInput

MB = 1024 * 1024
KEPT_SMALLER = 16  # images kept made smaller for a server's limits (each within them)
log = logging.getLogger("chatdesk.attach")


class NotAttached(InvalidRequest):
    """A file or bytes that could not be made into an attachment, and why (`reason`)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(tr("{name} was not attached: {reason}.", name=name, reason=reason))
        self.reason = reason


class Attacher:
    def __init__(self, blobs: BlobStore, settings: Callable[[], Settings], reader: Reader) -> None:
        """`reader`: the reading child's supervisor (shared: closed by whoever made it)."""
        self.blobs = blobs
        self._settings = settings
        # Why files cannot be attached here, if they cannot (a temporary chat keeps nothing on
        # disk, and an attachment's bytes are a file).
        self.refusal: str | None = None
        self._reader = reader
        # Images made smaller for a server's limits, by (hash, side, bytes): each is made once.
        self._made_smaller: dict[tuple[str, int, int], ImagePart] = {}

    async def attach_file(self, path: Path) -> AttachmentInput:
        """The file at `path` as an attachment (its name is the file's)."""
        limit = self._settings().attachments.max_file_mb * MB
        data = await asyncio.to_thread(read_file, path, limit)
        return await self.attach_bytes(path.name, data)

    async def attach_bytes(
        self, name: str, data: bytes, *, images_only: bool = False
    ) -> AttachmentInput:
        """`data` (a pasted image, a dropped file's bytes) as an attachment called `name`;
        with `images_only` (what a tool said is an image), refused unless it reads as one."""
        settings = self._settings()
        limit = settings.attachments.max_file_mb * MB
        if len(data) > limit:
            raise NotAttached(name, _too_big(len(data), limit))
        if images_only:  # decided from the first bytes: nothing else is parsed
            sniffed = sniff(data[:1024], name)
            if not sniffed.startswith("image/"):
                label = tr(LABELS[sniffed]) if sniffed in LABELS else sniffed
                raise NotAttached(name, tr("it is not an image ({label})", label=label))
        read = await self._read(name, data, self._limits())
        if images_only and read.kind != IMAGE:
            raise NotAttached(name, tr("it is not an image ({label})", label=read.mime))
        return await asyncio.to_thread(self._store, name, data, read)

    async def pages_as_images(self, item: AttachmentInput) -> list[AttachmentInput]:
        """A PDF's first pages (up to `attachments.scan_pages`) drawn as images, each an
        attachment of its own: how a scan, which has no text, reaches a model that takes
        images."""
        if item.mime != PDF or not item.sha256:
            raise NotAttached(item.name, tr("only a PDF's pages can be sent as images"))
        data = await asyncio.to_thread(self.blobs.read, item.sha256)
        pages = self._settings().attachments.scan_pages
        read = await self._read(item.name, data, self._limits(render_pages=pages))
        stem = item.name.removesuffix(".pdf").removesuffix(".PDF") or tr("page")
        return [
            await asyncio.to_thread(
                self._store,
                tr("{name} page {number}", name=stem, number=number) + extension(page.mime),
                b"",
                page,
            )
            for number, page in enumerate(read.page_images, start=1)
        ]

    async def fitted(
        self, messages: tuple[ChatMessage, ...], max_side: int, max_bytes: int
    ) -> tuple[ChatMessage, ...]:
        """`messages` with each image larger than `max_side` pixels on its long side or
        `max_bytes` long made smaller in the reading child (a server's own limits; 0: none).
        One that cannot be made smaller goes as it is, and the server may refuse it."""
        if not max_side and not max_bytes:
            return messages
        fitted = []
        for message in messages:
            images = [await self._fit(image, max_side, max_bytes) for image in message.images]
            fitted.append(replace(message, images=tuple(images)) if images else message)
        return tuple(fitted)

    async def _fit(self, image: ImagePart, max_side: int, max_bytes: int) -> ImagePart:
        too_wide = bool(max_side) and max(image.width, image.height) > max_side
        too_long = bool(max_bytes) and len(image.data) > max_bytes
        if not image.data or not (too_wide or too_long):
            return image
        key = (image.sha256, max_side, max_bytes)
        if key not in self._made_smaller:
            limits = dataclasses.replace(
                self._limits(),
                image_max_side=max_side or max(image.width, image.height),
                image_max_bytes=max_bytes or len(image.data),
            )
            try:
                read = await self._read("image", image.data, limits)
            except NotAttached as failure:
                log.warning("an image could not be made smaller: %s", failure.reason)
                return image
            if len(self._made_smaller) >= KEPT_SMALLER:
                self._made_smaller.pop(next(iter(self._made_smaller)))
            self._made_smaller[key] = ImagePart(
                read.mime, image.sha256, read.width, read.height, read.image or image.data
            )
        return self._made_smaller[key]

    def _limits(self, render_pages: int = 0) -> Limits:
        settings = self._settings()
        return Limits(
            max_text_chars=settings.chat.max_message_chars,
            image_max_side=settings.attachments.image_max_side,
            image_max_bytes=int(settings.attachments.image_max_mb * MB),
            render_pages=render_pages,
        )

    async def _read(self, name: str, data: bytes, limits: Limits) -> Read:
        if self.refusal is not None:
            raise NotAttached(name, tr(self.refusal))
        timeout = self._settings().attachments.read_timeout
        try:
            return await self._reader.read(name, data, limits, timeout)
        except ReadFailed as failure:
            raise NotAttached(name, failure.reason) from None

    def _store(self, name: str, data: bytes, read: Read) -> AttachmentInput:
        if read.kind == IMAGE and read.image is not None:
            kept = read.image
            thumb = self.blobs.put(read.thumbnail) if read.thumbnail else ""
        else:
            kept, thumb = data, ""
        return AttachmentInput(
            name=name[:500] or tr("attachment"),
            text=read.text,
            kind=read.kind,
            mime=read.mime,
            sha256=self.blobs.put(kept),
            size=len(kept),
            width=read.width,
            height=read.height,
            pages=read.pages,
            note=read.note,
            thumb=thumb,
        )


def read_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at `path` (the user named it), refused with the reason
    past `limit` bytes (from its size, before reading) or when it cannot be read."""
    try:
        size = path.stat().st_size
        if size > limit:  # said before anything is read
            raise NotAttached(path.name, _too_big(size, limit))
        return read_regular(path, limit)
    except OSError as error:
        reason = tr("it cannot be read ({reason})", reason=error.strerror or error)
        raise NotAttached(path.name, reason) from error


def _too_big(size: int, limit: int) -> str:
    return tr(
        "it is {size} MB and files up to {limit} MB can be attached "
        "(setting attachments.max_file_mb)",
        size=f"{size / MB:.1f}",
        limit=limit // MB,
    )
