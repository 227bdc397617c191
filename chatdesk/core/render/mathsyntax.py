"""TeX math in markdown: `$…$`, `$$…$$`, `\\(…\\)` and `\\[…\\]`, as markdown-it rules.

Written here rather than taken from mdit-py-plugins because every rule must stay linear on
hostile input (the plugins' block rules rescan to the end of the text for each unclosed `$$`
line, which is quadratic). Currency stays text: as in pandoc, an opening `$` must be followed
by a non-space and not preceded by a digit, and the closing `$` must follow a non-space and not
be followed by a digit, so "It costs $4 and $5" and "$4.99" are not math.

Tokens: `math_inline` (inline formula) and `math_display` (a formula on its own lines, or
`$$…$$` / `\\[…\\]` inside a paragraph), both with the TeX source in `content`.
A display block never spans a blank line (TeX forbids one in math too), which keeps blocks
separable for streaming (see streaming.py).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

MAX_BLOCK_LINES = 60
_PAIRS = {"$$": "$$", "\\[": "\\]", "\\(": "\\)"}


def math_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("escape", "math_inline", _inline_math)
    md.block.ruler.before(
        "fence", "math_display", _block_math, {"alt": ["paragraph", "reference", "blockquote"]}
    )


# -- inline --------------------------------------------------------------------------------------


def _inline_math(state: StateInline, silent: bool) -> bool:
    opener = state.src[state.pos : state.pos + 2]
    if opener in _PAIRS:
        return _paired(state, silent, opener, display=opener != "\\(")
    if opener[:1] == "$":
        return _dollar(state, silent)
    return False


def _paired(state: StateInline, silent: bool, opener: str, display: bool) -> bool:
    start = state.pos + 2
    end = _find(state, _PAIRS[opener], start)
    if end < 0 or not state.src[start:end].strip():
        return False
    if not silent:
        token = state.push("math_display" if display else "math_inline", "math", 0)
        token.content = state.src[start:end]
        token.markup = opener
    state.pos = end + 2
    return True


def _dollar(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    after = src[start + 1 : start + 2]
    if not after or after.isspace() or (start > 0 and src[start - 1].isdigit()):
        return False
    end = _find(state, "$", start + 1)
    if end < 0 or src[end - 1].isspace() or src[end + 1 : end + 2].isdigit():
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = src[start + 1 : end]
        token.markup = "$"
    state.pos = end + 1
    return True


def _find(state: StateInline, closer: str, start: int) -> int:
    """Position of the next unescaped `closer` before posMax, or -1. Linear over a paragraph:
    once a closer is missing after some position, it is missing after every later one."""
    misses: dict[str, tuple[str, int, int]] = state.env.setdefault("math_inline_misses", {})
    missed = misses.get(closer)
    if missed and missed[0] is state.src and missed[1] == state.posMax and start >= missed[2]:
        return -1
    at = state.src.find(closer, start, state.posMax)
    while at >= 0 and _escaped(state.src, at):
        at = state.src.find(closer, at + 1, state.posMax)
    if at < 0:
        misses[closer] = (state.src, state.posMax, start)
    return at


def _escaped(src: str, at: int) -> bool:
    """Whether an odd number of backslashes precedes `at`."""
    first = at
    while first > 0 and src[first - 1] == "\\":
        first -= 1
    return (at - first) % 2 == 1


# -- blocks --------------------------------------------------------------------------------------


def _block_math(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.is_code_block(start_line):
        return False
    first = _line(state, start_line)
    opener = first[:2]
    if opener not in ("$$", "\\["):
        return False
    closer = _PAIRS[opener]
    if closer in first[2:]:  # one line: "$$ x $$" (anything after it makes it inline math)
        body, _, after = first[2:].partition(closer)
        if after.strip() or not body.strip():
            return False
        last = start_line
    else:
        found = _closing_line(state, start_line, end_line, closer)
        if found is None:
            return False
        last = found
    if not silent:
        _push_block(state, start_line, last, opener)
    state.line = last + 1
    return True


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _closing_line(state: StateBlock, start: int, end: int, closer: str) -> int | None:
    """The line that ends with `closer`, before a blank line, the container's end or
    MAX_BLOCK_LINES. Failed searches are remembered: an opener on a later line inside the
    same failed range fails too, so a text full of unclosed openers stays linear."""
    misses: dict[str, tuple[int, int]] = state.env.setdefault("math_block_misses", {})
    missed = misses.get(closer)
    if missed and missed[0] < start < missed[1]:
        return None
    line = start + 1
    limit = min(end, start + MAX_BLOCK_LINES)
    while line < limit and not state.isEmpty(line) and state.sCount[line] >= state.blkIndent:
        text = _line(state, line)
        at = text.find(closer)
        if at >= 0:
            if text[at + len(closer) :].strip():
                break
            return line
        line += 1
    misses[closer] = (start, line)
    return None


def _push_block(state: StateBlock, start: int, last: int, opener: str) -> None:
    lines = state.getLines(start, last + 1, state.blkIndent, False).strip()
    token = state.push("math_display", "math", 0)
    token.block = True
    token.content = lines[len(opener) : -len(_PAIRS[opener])]
    token.markup = opener
    token.map = [start, last + 1]
