"""A message's words in its body (`browser.py`): a finished message formatted once (cached by
the Formatter), shown as plain text at once when it is not cached yet; a streaming answer
formats each block once it completes, and its growing last block as it will be (open
constructs closed), so the work per update stays bounded."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from shiboken6 import Shiboken

from chatdesk.core.render.model import Rendered, RenderOptions
from chatdesk.ui.conversation.formatter import SHOWN_CHARS, Formatter, Key, cited, key_for

if TYPE_CHECKING:
    from chatdesk.core.views import MessageView
    from chatdesk.ui.conversation.browser import MessageBrowser


class MessageText:
    """What one message's body shows of its text, and the code blocks its copy anchors name.
    `formatted()` is called when a finished text shows formatted."""

    def __init__(
        self, body: MessageBrowser, formatter: Formatter, formatted: Callable[[], None]
    ) -> None:
        self._body = body
        self._formatter = formatter
        self._formatted_signal = formatted
        self._message: MessageView | None = None
        self._remote_images: Mapping[str, bytes] = {}  # fetched after "Load images"
        self._streamed_upto = 0  # characters of a streaming answer already formatted
        self._piece_pending = False  # a render of the streaming answer is under way
        self._tail_shown: str | None = None  # the streaming tail now on screen
        self._tail_code: tuple[str, ...] = ()  # its code blocks so far, for Copy
        self._streamed_code: list[str] = []  # code blocks of the formatted part, for Copy
        self._formatted_key: object = None
        self._shown_text: object = None  # the message and text shown formatted (a key's start)
        self.rendered: Rendered | None = None  # a finished text's, once formatted

    def show(self, message: MessageView) -> None:
        self._message = message
        if message.status.is_final:
            self._format_finished(message)
        else:
            self._format_streaming(message)

    def forget(self) -> None:
        """Format again at the next `show` (the theme changed, or remote images were allowed)."""
        self._formatted_key = None

    def allow_images(self, fetched: Mapping[str, bytes]) -> None:
        """The remote images the user asked for (fetched by the window), shown from the next
        `show` on."""
        self._remote_images = dict(fetched)
        self.forget()

    @property
    def tail_shown(self) -> str | None:
        """The streaming answer's unfinished tail now on screen (None: nothing formatted)."""
        return self._tail_shown

    def code_blocks(self) -> tuple[str, ...]:
        """The code blocks the copy anchors on screen refer to."""
        message = self._message
        if message is None or message.status.is_final:
            return self.rendered.code_blocks if self.rendered else ()
        return (*self._streamed_code, *self._tail_code)

    def options(self, message: MessageView, code_offset: int = 0) -> RenderOptions:
        """How `message` is rendered here (its code blocks numbered from `code_offset`)."""
        return RenderOptions(
            palette=self._formatter.palette,
            pixel_ratio=self._body.devicePixelRatioF(),
            reading=self._formatter.reading,
            load_remote_images=bool(self._remote_images),
            remote_image_data=self._remote_images,
            code_block_offset=code_offset,
            citations=cited(message),
        )

    def _format_finished(self, message: MessageView) -> None:
        text = message.content[:SHOWN_CHARS]
        images = bool(self._remote_images)
        formatter = self._formatter
        key = key_for(
            message.id, text, formatter.palette, formatter.reading, images, cited(message)
        )
        if key == self._formatted_key:
            return
        self._formatted_key = key
        found = self._formatter.cached(key)
        if found is None and key[:2] != self._shown_text:
            # At once; the formatted form follows. The same text formatted in another look or
            # size stays until then: a zoom does not flash the conversation as plain text.
            self._body.show_plain(text)
        self._formatter.format(key, text, self.options(message), self._formatted(key))

    def _formatted(self, key: Key) -> Callable[[Rendered], None]:
        def show(rendered: Rendered) -> None:
            if Shiboken.isValid(self._body) and key == self._formatted_key:
                self.rendered = rendered
                self._shown_text = key[:2]
                self._body.show_rendered(rendered)
                self._formatted_signal()

        return show

    def _format_streaming(self, message: MessageView) -> None:
        text, finished_before = message.content[:SHOWN_CHARS], self._formatted_key is not None
        self._formatted_key = None
        if finished_before or len(text) < self._streamed_upto:  # continued, or text replaced
            self._streamed_upto, self._streamed_code, self._tail_shown = 0, [], None
            self._shown_text = None
            self._body.show_plain("")
        if self._tail_shown is None:  # nothing formatted yet (the render child starting)
            self._body.set_tail(text[self._streamed_upto :])
        if self._piece_pending:
            return  # the render under way looks again when it ends
        # Loaded with the first streamed answer: it brings the markdown parser along.
        from chatdesk.core.render.streaming import stable_prefix_length, tail_due

        stable = max(stable_prefix_length(text, self._streamed_upto), self._streamed_upto)
        tail = text[stable:]
        if stable == self._streamed_upto and not tail_due(tail, self._tail_shown):
            return
        piece = text[self._streamed_upto : stable]
        self._format_pieces(message, piece, stable, tail)

    def _format_pieces(self, message: MessageView, piece: str, upto: int, tail: str) -> None:
        self._piece_pending = True  # blocks just completed (kept), the tail after (replaced)

        def show(pieces: tuple[Rendered | None, Rendered]) -> None:
            self._piece_pending = False
            now = self._message
            if now is None or now.status.is_final or upto < self._streamed_upto:
                return  # ended, or replaced
            if not Shiboken.isValid(self._body):
                return  # scrolled out
            done, shown = pieces
            if done is not None and upto > self._streamed_upto:
                self._streamed_upto = upto
                self._streamed_code.extend(done.code_blocks)
                self._body.append_formatted(done.html, done.images)
            self._tail_shown, self._tail_code = tail, shown.code_blocks
            if shown.plain:  # refused (too big or too deep): as it is, not with a note
                self._body.set_tail(tail)
            else:
                self._body.set_formatted_tail(shown.html, shown.images)
            self._format_streaming(now)  # more may have arrived meanwhile

        options = self.options(message, len(self._streamed_code))
        self._formatter.format_stream(piece, tail, options, show)
