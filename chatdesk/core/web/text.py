"""A fetched page's bytes to the text a model reads, in the reading child (decision 0047).

Page HTML is hostile input: a page built to hang or crash a parser costs a kill of the reading
child (chatdesk/core/attach/worker.py), never chatdesk's process, and nothing on this side
parses it. The child sniffs the bytes, decodes them, keeps an HTML page's main text
(chatdesk/core/attach/page.py), reads a PDF or an Office file as an attachment would be read,
and cuts the text to the budget asked for, saying so in it. No network here: the page's bytes
come from the fetch, and nothing the page names (images, frames, scripts, entities) is fetched
or run.
"""

from __future__ import annotations

from chatdesk.core.attach.model import PageAsk, PageText
from chatdesk.core.attach.worker import Reader, ReadFailed
from chatdesk.core.i18n import tr
from chatdesk.core.web.errors import WebError

READ_BOUND = 30.0  # seconds one page's text may take in the reading child


class PageUnreadable(WebError):
    """A fetched page has no text chatdesk can give a model: it is binary, empty, an image,
    or its reading failed or took too long. The message names the address and the reason."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(tr("{url} could not be read: {reason}.", url=url, reason=reason))
        self.url = url
        self.reason = reason


class PageTexts:
    """`await texts.page_text(body, content_type=…, charset=…, url=…, budget_chars=…)`: one
    page's text, made in the reading child `reader` within `bound` seconds."""

    def __init__(self, reader: Reader, bound: float = READ_BOUND) -> None:
        self._reader = reader
        self._bound = bound

    async def page_text(
        self,
        body: bytes,
        *,
        content_type: str,
        charset: str | None,
        url: str,
        budget_chars: int,
    ) -> PageText:
        """`content_type` and `charset` as the response's headers gave them (either may be
        missing or wrong: the bytes decide); `budget_chars`, the most text to give."""
        asked = PageAsk(
            url,
            content_type.split(";")[0].strip().lower(),
            charset.strip() if charset else None,
            max(1, budget_chars),
        )
        try:
            return await self._reader.read_page(body, asked, self._bound)
        except ReadFailed as failure:
            raise PageUnreadable(url, failure.reason) from None


__all__ = ["PageText", "PageTexts", "PageUnreadable"]
