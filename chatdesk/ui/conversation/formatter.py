"""Formatting messages for the view: through the time-bounded render worker, cached per message.

A finished message is formatted once per theme and kept in an LRU cache keyed by its id and
text, so scrolling back and forth and switching threads costs nothing the second time.
Requests for the same key while one is running share it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QObject

from chatdesk.core.render.model import Rendered, RenderOptions
from chatdesk.core.render.worker import RenderWorker
from chatdesk.ui.runner import Runner

CACHE_SIZE = 400
Key = tuple[uuid.UUID, str, bool, bool]  # message id, text digest, dark, remote images loaded
Done = Callable[[Rendered], None]


def key_for(message_id: uuid.UUID, text: str, dark: bool, images: bool) -> Key:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return (message_id, digest, dark, images)


class Formatter(QObject):
    def __init__(self, worker: RenderWorker, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = worker
        self._runner = runner
        self._cache: OrderedDict[Key, Rendered] = OrderedDict()
        self._waiting: dict[Key, list[Done]] = {}
        self._closed = False
        self.dark = False

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
        self._runner.run(self._render(key, text, options), done=self._stored(key), quiet=True)

    def format_piece(self, text: str, options: RenderOptions, done: Done) -> None:
        """A piece of a streaming answer: not cached (the whole answer will be, at its end)."""
        if not self._closed:
            self._runner.run(self._worker.render(text, options), done=done, quiet=True)

    async def _render(self, key: Key, text: str, options: RenderOptions) -> Rendered:
        try:
            return await self._worker.render(text, options)
        except BaseException:
            self._waiting.pop(key, None)  # a later request for this message starts afresh
            raise

    def _stored(self, key: Key) -> Done:
        def store(rendered: Rendered) -> None:
            self._cache[key] = rendered
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            for waiter in self._waiting.pop(key, []):
                waiter(rendered)

        return store

    def close(self) -> None:
        """The window is closing: format nothing more."""
        self._closed = True

    def clear(self) -> None:
        """Forget everything formatted (the theme changed)."""
        self._cache.clear()
