"""markdown-it tokens → Qt rich-text HTML.

Every tag written here is chosen by this module; nothing from the model's text reaches the
output except as escaped text or as a URL that `classify_link` accepted. Qt's rich text is
HTML 4 with inline CSS for colour, background, font weight/style/size keywords, margins,
padding, white-space, vertical-align and table borders; Qt has no em/% font sizes, only the
keyword steps (large = 1.2×, x-large = 1.5×), so headings use those.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from markdown_it.token import Token

from chatdesk.core.i18n import tr
from chatdesk.core.render.citations import cited_html
from chatdesk.core.render.code import code_block_html, code_size, text_block_html
from chatdesk.core.render.formulas import FormulaImage, formula_image
from chatdesk.core.render.image_sizes import image_info
from chatdesk.core.render.model import Rendered, RenderOptions, picture_name
from chatdesk.core.render.quotes import (
    BARRED,
    quote_close_html,
    quote_is_right_to_left,
    quote_open_html,
)
from chatdesk.core.render.tables import (
    MAX_TABLE_CELLS,
    MAX_TABLE_COLUMNS,
    table_cell_html,
    table_end,
    table_open_html,
    table_shape,
    table_text,
)
from chatdesk.core.render.tasks import mark_task_items
from chatdesk.core.trust.links import LOAD_IMAGES_HREF, classify_link

MATH_BUDGET = 0.8  # seconds of new formulas per render; the rest show as source this time

_HEADING_SIZES = {"h1": "x-large", "h2": "large", "h3": "large"}
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_LIST_OPENS = frozenset({"bullet_list_open", "ordered_list_open"})
_NO_GAP = "margin-bottom: 0px"
_ALIGN = {"text-align:left": "left", "text-align:center": "center", "text-align:right": "right"}

# Tokens that always become the same markup (and a rule, in the palette and the type's room).
_FIXED = {
    "table_close": "</table>",
    "thead_open": "<thead>",
    "thead_close": "</thead>",
    "tbody_open": "<tbody>",
    "tbody_close": "</tbody>",
    "tr_close": "</tr>",
    "th_close": "</th>",
    "td_close": "</td>",
    "softbreak": "\n",
    "hardbreak": "<br>",
    "em_open": "<i>",
    "em_close": "</i>",
    "strong_open": "<b>",
    "strong_close": "</b>",
    "s_open": "<s>",
    "s_close": "</s>",
}


@dataclass
class _OpenLink:
    href: str
    opens: bool  # written as <a href>; otherwise its text is shown with the refused target
    autolink: bool


class HtmlWriter:
    """Writes one token stream; use a new writer per render."""

    def __init__(self, options: RenderOptions) -> None:
        self._options = options
        self._palette = options.palette
        self._reading = options.reading
        self._lines = f"line-height: {options.reading.line_height}%"
        self._gap = f"margin-bottom: {options.reading.paragraph}px"  # under a list
        self._item = f'<li style="margin-bottom: {options.reading.item}px; {self._lines}">'
        # A rule is drawn in its block's ground colour (Qt's own is the text's), in the middle
        # of the block, room around it.
        room, colour = options.reading.block, options.palette.border
        rule = f"margin-top: {room}px; margin-bottom: {room}px; background-color: {colour}"
        self._fixed = {**_FIXED, "hr": f'<hr style="{rule}">'}
        self._out: list[str] = []
        self._images: dict[str, bytes] = {}
        self._code_blocks: list[str] = []
        self._remote_images: dict[str, None] = {}  # an ordered set
        self._links: list[_OpenLink] = []
        self._math_deadline = math.inf
        self._table_cells_left = MAX_TABLE_CELLS
        self._table_row = -1  # in the table being written: 0 the header row, then the body's
        self._cell_letters: list[int] = []  # of its cells, in order; the next one last
        self._quotes: list[bool] = []  # quotes open around what is being written: right to left
        self._lists: list[int] = []  # lists open around what is being written: their tags' places
        self._last_lines_list = -1  # the place of the tag of the list whose line ended the last
        self._handlers = self._handler_table()
        self._undrawn = False  # a formula shown as source because math was not to be drawn
        self._looking_ahead: dict[str, Callable[[Sequence[Token], int], int]] = {
            "table_open": self._table_open,
            "blockquote_open": self._blockquote_open,
            "paragraph_open": self._paragraph_open,
        }

    def render(self, tokens: Sequence[Token]) -> Rendered:
        mark_task_items(tokens)
        self._write_all(tokens)
        return Rendered(
            html="".join(self._out),
            images=self._images,
            code_blocks=tuple(self._code_blocks),
            remote_images=tuple(self._remote_images),
            plain=False,
            formulas_missing=self._undrawn,
        )

    def _write_all(self, tokens: Sequence[Token]) -> None:
        index = 0
        while index < len(tokens):
            token = tokens[index]
            fixed = self._fixed.get(token.type)
            if fixed is not None:
                self._out.append(fixed)
            elif token.type in self._looking_ahead:
                index = self._looking_ahead[token.type](tokens, index)
            else:
                self._handlers.get(token.type, self._unknown)(token)
            index += 1

    def _handler_table(self) -> dict[str, Callable[[Token], None]]:
        return {
            "paragraph_close": self._paragraph_close,
            "heading_open": self._heading_open,
            "heading_close": lambda token: self._out.append(f"</{token.tag}>"),
            "blockquote_close": self._blockquote_close,
            "tr_open": self._row_open,
            "bullet_list_open": self._bullet_list_open,
            "ordered_list_open": self._ordered_list_open,
            "bullet_list_close": self._list_close,
            "ordered_list_close": self._list_close,
            "list_item_open": lambda token: self._out.append(self._item),
            "list_item_close": lambda token: self._out.append("</li>"),
            "fence": self._code,
            "code_block": self._code,
            "th_open": self._cell_open,
            "td_open": self._cell_open,
            "math_display": self._math,
            "math_inline": self._math,
            "inline": lambda token: self._write_all(token.children or ()),
            "inline_plain": self._text,
            "text": self._text,
            "code_inline": self._code_inline,
            "link_open": self._link_open,
            "link_close": self._link_close,
            "image": self._image,
        }

    # -- blocks ----------------------------------------------------------------------------------

    def _paragraph_open(self, tokens: Sequence[Token], index: int) -> int:
        if not tokens[index].hidden:  # tight list items hide their paragraphs
            # A paragraph of a list item with a list under it: no gap above that list.
            after = tokens[index + 3] if index + 3 < len(tokens) else None
            nested = after is not None and after.type in _LIST_OPENS
            gap = 0 if nested and self._lists else self._reading.paragraph
            self._out.append(f'<p style="margin-top: 0; margin-bottom: {gap}px; {self._lines}">')
        return index

    def _paragraph_close(self, token: Token) -> None:
        if not token.hidden:
            self._out.append("</p>")

    def _heading_open(self, token: Token) -> None:
        size = _HEADING_SIZES.get(token.tag, "medium")
        above, below = self._reading.heading
        self._out.append(
            f'<{token.tag} style="font-size: {size}; margin-top: {above}px; '
            f'margin-bottom: {below}px; {self._lines}">'
        )

    def _blockquote_open(self, tokens: Sequence[Token], index: int) -> int:
        outer = len(self._quotes)
        right_to_left = outer < BARRED and quote_is_right_to_left(tokens, index)
        self._out.append(quote_open_html(outer, self._palette, self._reading, right_to_left))
        self._quotes.append(right_to_left)
        return index

    def _blockquote_close(self, token: Token) -> None:
        right_to_left = self._quotes.pop() if self._quotes else False
        self._out.append(quote_close_html(len(self._quotes), self._palette, right_to_left))

    def _bullet_list_open(self, token: Token) -> None:
        style = "list-style-type: none; " if token.meta.get("all_tasks") else ""
        self._out.append(f'<ul style="{style}{_list_margins(bool(self._lists), self._gap)}">')
        self._lists.append(len(self._out) - 1)

    def _ordered_list_open(self, token: Token) -> None:
        start = str(token.attrGet("start") or "1")
        first = f' start="{int(start)}"' if start.isdigit() and start != "1" else ""
        self._out.append(f'<ol{first} style="{_list_margins(bool(self._lists), self._gap)}">')
        self._lists.append(len(self._out) - 1)

    def _list_close(self, token: Token) -> None:
        """Qt puts a list's bottom margin under the list's own last line: under a last item's
        first line when a list in that item ends it, a gap above that inner list. The gap goes
        under the list whose line is the last one instead."""
        start = self._lists.pop() if self._lists else -1
        last = start
        ends_with_a_list = self._out[-2:] in (["</ul>", "</li>"], ["</ol>", "</li>"])
        if ends_with_a_list and self._last_lines_list >= 0:
            last = self._last_lines_list
            if not self._lists:  # the outer list: its gap moves under that line
                self._out[start] = self._out[start].replace(self._gap, _NO_GAP)
                self._out[last] = self._out[last].replace(_NO_GAP, self._gap)
        self._last_lines_list = last
        self._out.append(f"</{token.tag}>")

    def _code(self, token: Token) -> None:
        code = token.content.removesuffix("\n")
        info = token.info.strip()
        language = info.split(maxsplit=1)[0] if info else ""
        number = self._options.code_block_offset + len(self._code_blocks)
        self._code_blocks.append(code)
        self._out.append(
            code_block_html(code, language, info, number, self._palette, self._reading)
        )

    def _table_open(self, tokens: Sequence[Token], index: int) -> int:
        end = table_end(tokens, index)
        table = tokens[index : end + 1]
        if not self._fits_as_table(table):
            self._table_as_text(table)
            return end
        self._table_row = -1
        cells = [token for token in table if token.type == "inline"]  # one a cell
        self._cell_letters = [len(_plain_text(cell.children or ())) for cell in reversed(cells)]
        self._out.append(table_open_html(self._reading))
        return index

    def _row_open(self, token: Token) -> None:
        self._table_row += 1
        self._out.append("<tr>")

    def _fits_as_table(self, tokens: Sequence[Token]) -> bool:
        """Whether Qt may lay this table out as a table: within the message's cell budget."""
        rows, columns = table_shape(tokens)
        if columns > MAX_TABLE_COLUMNS or rows * columns > self._table_cells_left:
            return False
        self._table_cells_left -= rows * columns
        return True

    def _table_as_text(self, tokens: Sequence[Token]) -> None:
        table = table_text(tokens, _plain_text)
        number = self._options.code_block_offset + len(self._code_blocks)
        self._code_blocks.append(table.tab_separated())
        grid, label = table.grid(), table.label()
        self._out.append(text_block_html(grid, label, number, self._palette, self._reading))

    def _cell_open(self, token: Token) -> None:
        align = _ALIGN.get(str(token.attrGet("style") or ""))
        letters = self._cell_letters.pop() if self._cell_letters else 0
        self._out.append(
            table_cell_html(
                token.tag, align, self._table_row, self._palette, letters, self._reading
            )
        )

    def _unknown(self, token: Token) -> None:
        """Token types this writer does not know (raw HTML when it is ever enabled by
        mistake, future plugins): their source as text, never as markup."""
        if token.content:
            self._out.append(escape(token.content, quote=False))

    # -- inline ----------------------------------------------------------------------------------

    def _text(self, token: Token) -> None:
        text = token.content
        if self._links:  # direction overrides in link text disguise where a link goes
            self._out.append(escape(text.translate(_BIDI_CONTROLS), quote=False))
        else:  # an anchor inside a link's anchor would not work
            self._out.append(cited_html(text, self._options.citations))

    def _code_inline(self, token: Token) -> None:
        reading = self._reading
        ground = "transparent" if reading.grounds_drawn else self._palette.inline_code_background
        self._out.append(
            f'<code style="{code_size(reading)}background-color: {ground}">'
            f"{escape(token.content, quote=False)}</code>"
        )

    def _link_open(self, token: Token) -> None:
        href = str(token.attrGet("href") or "")
        target = classify_link(href)
        opens = target.kind == "external"  # model-written action anchors are refused too
        self._links.append(_OpenLink(href, opens, autolink=token.markup == "autolink"))
        if opens:
            self._out.append(f'<a href="{escape(target.url)}">')

    def _link_close(self, token: Token) -> None:
        link = self._links.pop()
        if link.opens:
            self._out.append("</a>")
        elif not link.autolink and link.href:  # show where it pointed, as text
            self._muted(f" ({link.href})")

    def _muted(self, text: str) -> None:
        self._out.append(f'<span style="color: {self._palette.muted}">{escape(text)}</span>')

    # -- images and math -------------------------------------------------------------------------

    def _image(self, token: Token) -> None:
        url = str(token.attrGet("src") or "")
        alt = _plain_text(token.children or ())
        if not _is_web_url(url):
            # never requested
            self._muted(tr("[image: {alt}]", alt=alt) if alt else tr("[image]"))
            return
        self._remote_images[url] = None
        data = (
            self._options.remote_image_data.get(url) if self._options.load_remote_images else None
        )
        if data is None or not self._embed(data, alt):
            self._image_placeholder(url, alt, failed=data is not None)

    def _embed(self, data: bytes, alt: str) -> bool:
        info = image_info(data)
        if info is None:
            return False
        name = picture_name("image", data)
        self._images[name] = data
        width, height = info.display_size()
        self._out.append(
            f'<img src="{name}" width="{width}" height="{height}" alt="{escape(alt)}">'
        )
        return True

    def _image_placeholder(self, url: str, alt: str, failed: bool) -> None:
        host = classify_link(url).host or "?"
        if alt and failed:
            label = tr("[image: {alt} — from {host}: not a supported image]", alt=alt, host=host)
        elif alt:
            label = tr("[image: {alt} — from {host}]", alt=alt, host=host)
        elif failed:
            label = tr("[image from {host}: not a supported image]", host=host)
        else:
            label = tr("[image from {host}]", host=host)
        self._muted(label)
        if not self._links and not failed:  # an anchor inside a link's anchor would not work
            load = escape(tr("Load images"), quote=False)
            self._out.append(f' <a href="{LOAD_IMAGES_HREF}">{load}</a>')

    def _math(self, token: Token) -> None:
        display = token.type == "math_display"
        image = self._formula(token.content, display)
        if image is None:
            self._math_source(token, display)
            return
        self._images[image.name] = image.png
        tag = (
            f'<img src="{image.name}" width="{image.width}" height="{image.height}"'
            f' alt="{escape(token.content.strip())}" style="vertical-align: middle">'
        )
        margin = f"margin: {self._reading.paragraph}px 0"
        self._out.append(f'<p align="center" style="{margin}">{tag}</p>' if token.block else tag)

    def _formula(self, source: str, display: bool) -> FormulaImage | None:
        if not self._options.draw_math:
            self._undrawn = True
            return None
        if self._math_deadline == math.inf:
            self._math_deadline = time.monotonic() + MATH_BUDGET
        ratio, size = self._options.pixel_ratio, self._reading.text_px
        ink = self._palette.text
        return formula_image(source, ink, display, self._math_deadline, ratio, size)

    def _math_source(self, token: Token, display: bool) -> None:
        """A formula that could not be drawn, as its TeX source in monospace."""
        source = escape(token.content.strip(), quote=False)
        size = code_size(self._reading)
        if token.block:
            margin = f"margin: {self._reading.paragraph}px 0"
            self._out.append(f'<pre style="{margin}; white-space: pre-wrap; {size}">{source}</pre>')
        else:
            self._out.append(
                f'<code style="{size}">{source}</code>' if size else f"<code>{source}</code>"
            )


def _list_margins(nested: bool, gap: str) -> str:
    """A list in a list item follows its item's line closely, as the peers draw it; a list
    of its own has `gap` under it."""
    return f"margin-top: 0; {_NO_GAP if nested else gap}"


def _is_web_url(url: str) -> bool:
    target = classify_link(url)
    return target.kind == "external" and urlsplit(url).scheme.lower() in ("http", "https")


def _plain_text(tokens: Sequence[Token]) -> str:
    """The visible text of inline tokens (an image's alt text)."""
    parts: list[str] = []
    for token in tokens:
        if token.type in ("text", "code_inline", "math_inline", "math_display"):
            parts.append(token.content)
        elif token.children:
            parts.append(_plain_text(token.children))
    return "".join(parts)
