"""Reading rendered HTML the way a safety reviewer would: tags, attributes, visible text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from chatdesk.core.render import Rendered
from chatdesk.core.render.model import ICON_PREFIX

FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "link",
    "meta",
    "base",
    "form",
    "input",
    "frame",
    "frameset",
    "applet",
    "svg",
    "math",
    "video",
    "audio",
    "source",
    "textarea",
}
_ACTION = re.compile(r"chatdesk:(copy-code/\d+|load-images|cite/\d+)")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def visible_text(html: str) -> str:
    return "".join(read(html).text)


def hrefs(html: str) -> list[str]:
    return [attrs["href"] or "" for tag, attrs in read(html).tags if "href" in attrs]


def assert_safe(rendered: Rendered) -> None:
    """Nothing executable, nothing loaded from outside `images` (but the window's own copy
    icon), only links that may open."""
    lowered = rendered.html.lower()
    for tag in FORBIDDEN_TAGS:
        assert f"<{tag}" not in lowered, tag
    for tag, attrs in read(rendered.html).tags:
        assert tag not in FORBIDDEN_TAGS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name == "src":  # the message's own pictures, or the window's copy icon
                assert value in rendered.images or value == f"{ICON_PREFIX}copy", value
            if name == "href":
                assert _allowed_href(value or ""), value
            assert name not in ("style",) or "url(" not in (value or ""), value


def _allowed_href(href: str) -> bool:
    scheme = href.partition(":")[0].lower()
    return scheme in ("http", "https", "mailto") or bool(_ACTION.fullmatch(href))
