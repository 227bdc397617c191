"""Tables within what Qt can lay out in a frame; bigger ones as aligned monospace text.

Qt's rich-text engine lays out a table cell by cell on the GUI thread: about 55–75 µs a cell
in a narrow table and over 100 µs in a wide one (its column widths are solved over every row),
so 200 cells take about 12 ms and 3 × 2,000 about a second (with `border-collapse`, which the
writer therefore does not use, layout costs ~1.7× that and each paint ~3×). One message may hold at
most `MAX_TABLE_CELLS` cells laid out as tables, none wider than `MAX_TABLE_COLUMNS`; a table
past either bound is shown as text in a code block (columns aligned, every word kept), which
Qt lays out as fast as any text, and its Copy action copies the table as tab-separated values
(what a spreadsheet pastes as rows and columns). `benchmarks/render.py` measures the bound.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from chatdesk.core.i18n import ntr
from chatdesk.core.render.model import ReadingType
from chatdesk.core.render.palette import Palette

MAX_TABLE_CELLS = 200  # per message: ≈ 11 ms of Qt layout on the reference machine
MAX_TABLE_COLUMNS = 12
GRID_COLUMN_WIDTH = 40  # characters; a longer cell pushes the rest of its row right
GRID_LINE_WIDTH = 100  # characters (about 760 px of monospace); wider rows are not aligned
# A cell keeps its text on one line up to about this many letters; a longer one wraps inside a
# column of `WRAPPED_CELL_EM` × the text's size. A table wider than the answer then scrolls
# sideways (chatdesk/ui/conversation/browser.py) instead of wrapping its cells word by word.
ONE_LINE_CELL_CHARS = 48
WRAPPED_CELL_EM = 24


@dataclass(frozen=True)
class TableText:
    rows: list[list[str]]  # the header row first; every row as wide as the header

    @property
    def columns(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    @property
    def cells(self) -> int:
        return len(self.rows) * self.columns

    def grid(self) -> str:
        """Aligned monospace text, a rule under the header row. Rows too wide to align on a
        screen wrap anyway: their cells are only separated by " | " (padding them would make
        the text, and so Qt's work, several times longer for nothing)."""
        widths = [
            min(GRID_COLUMN_WIDTH, max(len(_one_line(row[i])) for row in self.rows))
            for i in range(self.columns)
        ]
        if sum(widths) + 2 * len(widths) > GRID_LINE_WIDTH:
            return "\n".join(" | ".join(map(_one_line, row)) for row in self.rows)
        lines = [_line(row, widths) for row in self.rows]
        lines.insert(1, "  ".join("─" * width for width in widths))
        return "\n".join(lines)

    def tab_separated(self) -> str:
        return "\n".join("\t".join(_one_line(cell) for cell in row) for row in self.rows)

    def label(self) -> str:
        columns = ntr("{n} column", "{n} columns", self.columns)
        return ntr(
            "table · {n} row × {columns}, shown as text",
            "table · {n} rows × {columns}, shown as text",
            len(self.rows) - 1,
            columns=columns,
        )


def table_open_html(reading: ReadingType) -> str:
    """A table drawn as the peers draw one: no grid, a shaded header row over a firmer rule, a
    light rule under every row (table_cell_html), room in its cells and space above and below.

    The rules are each cell's bottom border, which Qt draws without `border-collapse` (which
    makes Qt's layout of a table ~1.7× and each paint of it ~3× as costly); the header's shade
    is each of its cells' background, as Qt's rich text has no row colours of its own, or the
    window draws it (`reading.grounds_drawn`: the cells' ground is `transparent`, which marks
    them), under the chips of code the header may hold."""
    return (
        '<table border="0" cellspacing="0" cellpadding="0" '
        f'style="margin-top: {reading.block}px; margin-bottom: {reading.block}px">'
    )


def table_cell_html(
    tag: str, align: str | None, row: int, palette: Palette, letters: int, reading: ReadingType
) -> str:
    """The opening tag of a cell in `row` (0: the header row, then the body rows from 1) of
    `letters` letters of text: on one line when short, else wrapped at its widest."""
    ground = "transparent" if reading.grounds_drawn else palette.table_head
    shade = f' bgcolor="{ground}"' if row == 0 else ""
    aligned = f' align="{align or "left"}"' if align or tag == "th" else ""  # th centres
    if letters > ONE_LINE_CELL_CHARS:
        width, wrap = f' width="{WRAPPED_CELL_EM * reading.text_px}"', ""
    else:
        width, wrap = "", "white-space: nowrap; "
    down, across = reading.cell
    rule = f"border-bottom: {2 if row == 0 else 1}px solid {palette.border}"
    room = f"padding: {down}px {across}px"  # its lines the font's own: rows stay compact
    return f'<{tag}{aligned}{width}{shade} style="{wrap}{room}; {rule}">'


def table_end(tokens: Sequence[Token], start: int) -> int:
    """The index of the `table_close` that closes the `table_open` at `start`."""
    depth = 0
    for index in range(start, len(tokens)):
        kind = tokens[index].type
        if kind == "table_open":
            depth += 1
        elif kind == "table_close":
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def table_shape(tokens: Sequence[Token]) -> tuple[int, int]:
    """(rows, columns) of one table's tokens, the header row included."""
    rows = columns = 0
    for token in tokens:
        if token.type == "tr_open":
            rows += 1
        elif token.type == "th_open" and rows == 1:
            columns += 1
    return rows, columns


def table_text(tokens: Sequence[Token], visible: Callable[[Sequence[Token]], str]) -> TableText:
    """Each cell of one table's tokens as `visible` reads its inline tokens."""
    rows: list[list[str]] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows:
            rows[-1].append(visible(token.children or ()))
    width = len(rows[0]) if rows else 0
    return TableText([(row + [""] * width)[:width] for row in rows])


def _line(row: list[str], widths: list[int]) -> str:
    return "  ".join(
        _one_line(cell).ljust(width) for cell, width in zip(row, widths, strict=True)
    ).rstrip()


def _one_line(cell: str) -> str:
    return " ".join(cell.split())
