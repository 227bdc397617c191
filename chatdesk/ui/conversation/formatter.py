"""Formatting messages for the view: through the time-bounded render worker, cached per message.

A finished message is formatted once per look and kept in an LRU cache keyed by its id and
text, so scrolling back and forth and switching threads costs nothing the second time.
Requests for the same key while one is running share it. With `KeptRenders`
(chatdesk/core/render/kept.py) what was formatted is also kept on disk, and `prefetch` brings
a page's formatting back into memory before its widgets are made, so a thread formatted in an
earlier run opens formatted at its first paint.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from chatdesk.core.i18n import SOURCE, language
from chatdesk.core.render.kept import KeptKey, lasting
from chatdesk.core.render.model import ReadingType, Rendered, RenderOptions
from chatdesk.core.render.palette import Palette
from chatdesk.core.render.worker import RenderWorker
from chatdesk.ui.runner import Runner
from chatdesk.ui.theme import current_look, current_reading_font
from chatdesk.ui.theme.reading import reading_type
from chatdesk.ui.theme.render_palette import render_palette

if TYPE_CHECKING:
    from chatdesk.core.render.kept import KeptRenders
    from chatdesk.core.views import MessageView

CACHE_SIZE = 400
# Longer messages show their beginning only: laying out megabytes would freeze the window.
# Every character stays in the message (Copy copies all of it).
SHOWN_CHARS = 50_000
KEPT_WAIT = 0.05  # seconds a page waits for the kept formatting before it shows without it
AHEAD_WAIT = 0.05  # seconds a page waits for its formatting before it shows plain at first
# message id, text digest, look, reading type, remote images loaded
Key = tuple[uuid.UUID, str, Palette, ReadingType, bool]
Done = Callable[[Rendered], None]


def _settling(done: asyncio.Future[None]) -> Done:
    def settle(_: Rendered) -> None:
        if not done.done():
            done.set_result(None)

    return settle


def key_for(
    message_id: uuid.UUID,
    text: str,
    palette: Palette,
    reading: ReadingType,
    images: bool,
    cited: frozenset[int] = frozenset(),
) -> Key:
    """`cited`: the numbers of the answer's sources, whose citations are links."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12)
    if cited:  # the same text formats differently with its citations linked
        digest.update(("\0cited:" + ",".join(map(str, sorted(cited)))).encode())
    if language() != SOURCE:  # its words ("Copy", "[image]") are in the user's language
        digest.update(("\0language:" + language()).encode())
    return (message_id, digest.hexdigest(), palette, reading, images)


def cited(message: MessageView) -> frozenset[int]:
    """The numbers an answer may cite: those of its sources."""
    return frozenset(source.number for source in message.sources)


class Formatter(QObject):
    # a message's formulas are shown as source: the formulas extra is not installed
    formulas_missing = Signal()

    def __init__(
        self,
        worker: RenderWorker,
        runner: Runner,
        parent: QObject | None = None,
        *,
        kept: KeptRenders | None = None,
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._runner = runner
        self._kept = kept
        self._cache: OrderedDict[Key, Rendered] = OrderedDict()
        self._waiting: dict[Key, list[Done]] = {}
        self._to_keep: list[tuple[KeptKey, Rendered]] = []
        self._keeping = False
        self._closed = False
        self.palette = render_palette("light")  # the look's colours, made by the theme
        self.pixel_ratio = 1.0  # the window's screen: what `prefetch` asks the disk for
        self.reading = ReadingType()  # the sizes the messages are set in (theme/reading.py)

    def follow(self, app: QApplication, pixel_ratio: float | None = None) -> None:
        """Format for the app's look and reading type (and a screen of `pixel_ratio`, when
        given)."""
        self.palette = render_palette(current_look(app))
        self.reading = reading_type(current_reading_font(app))
        if pixel_ratio is not None:
            self.pixel_ratio = pixel_ratio

    def cached(self, key: Key) -> Rendered | None:
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
        return found

    def format(self, key: Key, text: str, options: RenderOptions, done: Done) -> None:
        """Call `done(rendered)` on the loop once the text is formatted (maybe at once)."""
        found = self.cached(key)
        if found is not None:
            done(found)
            return
        if self._closed:
            return
        if key in self._waiting:
            self._waiting[key].append(done)
            return
        self._waiting[key] = [done]
        stored = self._stored(key, options.pixel_ratio)
        self._runner.run(self._render(key, text, options), done=stored, quiet=True)

    async def prefetch(self, messages: Sequence[MessageView], newest: int | None = None) -> None:
        """Make a page about to be shown formatted at its first paint: what is kept on disk of
        its formatting is brought into memory (waiting at most `KEPT_WAIT`: a busy disk costs
        formatting, not the page), and what is not is formatted, newest (on screen) first;
        this waits for the `newest` of them (all: None; none: 0), at most `AHEAD_WAIT`: what
        takes longer shows plain and formats after."""
        texts = {
            key_for(m.id, m.content[:SHOWN_CHARS], self.palette, self.reading, False, cited(m)): m
            for m in messages
            if m.status.is_final
        }
        missing = [key for key in texts if key not in self._cache]
        if missing and self._kept is not None:
            await self._read_kept(self._kept, missing)
        missing = [key for key in missing if key not in self._cache]
        if not missing or self._closed:
            return
        loop = asyncio.get_running_loop()
        ready: list[asyncio.Future[None]] = []
        for key in reversed(missing):
            done: asyncio.Future[None] = loop.create_future()
            ready.append(done)
            message = texts[key]
            options = RenderOptions(
                palette=self.palette,
                pixel_ratio=self.pixel_ratio,
                reading=self.reading,
                citations=cited(message),
            )
            self.format(key, message.content[:SHOWN_CHARS], options, _settling(done))
        waited = ready if newest is None else ready[:newest]
        if waited:
            await asyncio.wait(waited, timeout=AHEAD_WAIT)

    async def _read_kept(self, kept: KeptRenders, keys: list[Key]) -> None:
        ratio = self.pixel_ratio
        wanted = {KeptKey(key[0], key[1], key[2], ratio, key[3]): key for key in keys}
        asked = kept.submit(kept.get_many, list(wanted))
        try:
            found = await asyncio.wait_for(asyncio.wrap_future(asked), KEPT_WAIT)
        except TimeoutError:
            return
        for kept_key, rendered in found.items():
            self._remember(wanted[kept_key], rendered)

    def format_stream(
        self,
        piece: str,
        tail: str,
        options: RenderOptions,
        done: Callable[[tuple[Rendered | None, Rendered]], None],
    ) -> None:
        """A streaming answer: `piece` (blocks just completed; None for done when empty) and
        the unfinished `tail` after it, its open constructs closed in the render child
        (`RenderOptions.tentative`). Not cached: the whole answer will be, at its end."""
        if not self._closed:
            self._runner.run(self._render_stream(piece, tail, options), done=done, quiet=True)

    async def _render_stream(
        self, piece: str, tail: str, options: RenderOptions
    ) -> tuple[Rendered | None, Rendered]:
        completed = await self._worker.render(piece, options) if piece else None
        after = options.code_block_offset + (len(completed.code_blocks) if completed else 0)
        options = replace(options, code_block_offset=after, tentative=True)
        return completed, await self._worker.render(tail, options)

    async def _render(self, key: Key, text: str, options: RenderOptions) -> Rendered:
        try:
            return await self._worker.render(text, options)
        except BaseException:
            self._waiting.pop(key, None)  # a later request for this message starts afresh
            raise

    def _stored(self, key: Key, pixel_ratio: float) -> Done:
        def store(rendered: Rendered) -> None:
            self._remember(key, rendered)
            message_id, digest, palette, reading, remote_images = key
            if self._kept is not None and not remote_images and lasting(rendered):
                kept_key = KeptKey(message_id, digest, palette, pixel_ratio, reading)
                self._to_keep.append((kept_key, rendered))
                if not self._keeping:
                    self._keeping = True
                    self._runner.run(self._write_kept(self._kept), quiet=True)
            for waiter in self._waiting.pop(key, []):
                waiter(rendered)
            if rendered.formulas_missing:
                self.formulas_missing.emit()

        return store

    def _remember(self, key: Key, rendered: Rendered) -> None:
        self._cache[key] = rendered
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    async def _write_kept(self, kept: KeptRenders) -> None:
        """What was formatted, to disk on the cache's thread: in batches of what arrived
        while the last one was written."""
        try:
            while self._to_keep:
                batch, self._to_keep = self._to_keep, []
                await asyncio.wrap_future(kept.submit(kept.put_many, batch))
        finally:
            self._keeping = False

    def close(self) -> None:
        """The window is closing: format nothing more."""
        self._closed = True

    def clear(self) -> None:
        """Forget everything formatted (the theme changed)."""
        self._cache.clear()
