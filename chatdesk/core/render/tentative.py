"""Streaming: the growing tail of an answer, closed tentatively so it is drawn as it will be.

While an answer streams, its last block is unfinished: `**wh`, an open code fence, a table whose
rows are still arriving. Rendered as it is, that shows raw Markdown until the block closes and
then jumps into shape. `closed_tentatively` appends what would close every construct still open
(emphasis, strong, strikethrough, inline code, a link, a fence, a table's separator row), so the
tail renders as what it is becoming. It only ever appends: every character of the tail stays,
in order, and a tail with nothing open comes back unchanged. The finished answer is rendered
from its own text, never from this.

A marker with nothing after it yet (`Some **`, a bare `-` under a paragraph) gets a zero-width
space as its content: an empty pair would be shown as its raw markers.

Math is not closed: an open `$` is as often a price as a formula, and a half-written formula
rarely parses; a closed formula's content is left alone (a `*` inside it is no emphasis).
Past `MAX_OPEN` open constructs the tail is hostile (or no prose) and is left as it is. One
pass over the special characters: linear in the tail's length.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_OPEN = 32
ZERO_WIDTH = "\u200b"
_LINE_BREAK = re.compile(r"\r\n?|\n")
_SPECIAL = re.compile(r"\\|`+|\*+|_+|~+|\$\$?|!?\[|\]\(?|\)|\(|<")
_FENCE_OPEN = re.compile(r" *(`{3,}|~{3,})(.*)")
_FENCE_CLOSE = re.compile(r" *(`{3,}|~{3,}) *")
_BARE_MARKER = re.compile(r"\s*(?:[-+*]|\d{1,9}[.)]) ?")
_NEW_BLOCK = re.compile(r" {0,3}(?:#{1,6}(?: |$)|>|[-+*] |\d{1,9}[.)] )")
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9.+-]{1,31}:[^\s<>]*>?")
_SEPARATOR_CHARS = frozenset("|-: \t")
_MATH_BLOCK = ("$$", "\\[")
_CLOSERS = {"[": "]()", "(": ")", "<": ">"}


@dataclass(frozen=True)
class _Open:
    """One open construct: a delimiter run (`*`, `_`, `~~`), `[`, a link's `(`, `` ` ``, `<`."""

    kind: str
    length: int
    end: int  # where the run that opened it ends, in the tail


# An immutable stack (head, rest): a math span can put back what it held at its `$` in O(1).
_Stack = tuple[_Open, "_Stack"] | None


def closed_tentatively(text: str) -> str:
    """`text` (a streaming answer's unfinished tail) with its open constructs closed."""
    scan = _Scan(text)
    for start, end, line_end in _lines(text):
        scan.line(start, end, line_end)
    return text + scan.closers()


def _lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end without its break, end with it) of each line; the last may be empty."""
    found, start = [], 0
    for match in _LINE_BREAK.finditer(text):
        found.append((start, match.start(), match.end()))
        start = match.end()
    found.append((start, len(text), len(text)))
    return found


class _Scan:
    """The state of the blocks and of the current block's inline content, line by line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.stack: _Stack = None
        self.depth = 0
        self.fence: tuple[str, int, str] | None = None  # char, length, indent
        self.math_block: str | None = None  # the closer of an open `$$` or `\[` block
        self.math: tuple[int, _Stack, int] | None = None  # an inline `$`: where, what it held
        self.header: int | None = None  # cells of a table header still waiting for its rule
        self.table = False
        self.previous = ""  # the line before the current one
        self.last = ""  # the current (last) line
        self.after_bare = ""  # what a bare list marker ending the text needs

    def line(self, start: int, end: int, line_end: int) -> None:
        if start == len(self.text) and start > 0:
            return  # the line after a last line break has not begun
        line, previous = self.text[start:end], self.last
        self.previous, self.last = previous, line
        if self.fence is not None or self.math_block is not None:
            self._inside_block(line)
            return
        if not line.strip(" \t"):
            self._reset()
            self.header, self.table = None, False
            return
        opened = _FENCE_OPEN.fullmatch(line)
        if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
            self._reset()
            indent = line[: len(line) - len(line.lstrip(" "))]
            self.fence = (opened.group(1)[0], len(opened.group(1)), indent)
            return
        stripped = line.strip()
        if stripped.startswith(_MATH_BLOCK):
            closer = "$$" if stripped.startswith("$$") else "\\]"
            if closer not in stripped[2:]:
                self._reset()
                self.math_block = closer
                return
        if self._table_line(line, previous, start, end):
            return
        if line_end == len(self.text) and end == len(self.text) and _BARE_MARKER.fullmatch(line):
            self._reset()
            self.after_bare = ("" if line.endswith(" ") else " ") + ZERO_WIDTH
            return
        if _NEW_BLOCK.match(line):
            self._reset()
        self._inline(start, end)

    def _inside_block(self, line: str) -> None:
        if self.fence is not None:
            closing = _FENCE_CLOSE.fullmatch(line)
            char, length, _ = self.fence
            if closing and closing.group(1)[0] == char and len(closing.group(1)) >= length:
                self.fence = None
        elif self.math_block is not None and self.math_block in line:
            self.math_block = None

    def _table_line(self, line: str, previous: str, start: int, end: int) -> bool:
        """A table's header, rule or row: each line is inline content of its own."""
        if self.header is not None and set(line) <= _SEPARATOR_CHARS:
            self._reset()
            return True  # the rule under a header, complete or arriving
        if line.lstrip(" ").startswith("|") or (self.table and "|" in line):
            self._reset()
            if not self.table and self.header is None and not previous.strip(" \t"):
                # a bar with no cell text yet is no header: a rule under it would show as text
                self.header = _cells(line) if line.strip(" |\t") else None
            elif self.header is not None:
                self.header, self.table = None, True
            self._inline(start, end)
            return True
        self.header = None
        return False

    def _reset(self) -> None:
        self.stack, self.depth, self.math = None, 0, None

    def _push(self, kind: str, length: int, end: int) -> None:
        self.stack = (_Open(kind, length, end), self.stack)
        self.depth += 1

    def _pop(self) -> _Open | None:
        if self.stack is None:
            return None
        top, self.stack = self.stack
        self.depth -= 1
        return top

    # -- inline ----------------------------------------------------------------------------------

    def _inline(self, start: int, end: int) -> None:
        position = start
        for match in _SPECIAL.finditer(self.text, start, end):
            if match.start() < position:
                continue  # inside what an earlier marker took (an escape, an autolink)
            position = self._marker(match.group(), match.start(), match.end(), end)
        broken = end < len(self.text)
        if broken and self.stack is not None and self.stack[0].kind == "(":
            self._pop()  # a link's address never spans lines: it was text

    def _marker(self, marker: str, at: int, end: int, line_end: int) -> int:
        top = self.stack[0] if self.stack is not None else None
        if top is not None and top.kind == "`":  # inside code, only its closing run counts
            if marker[0] == "`" and len(marker) == top.length:
                self._pop()
            return end
        if marker == "\\":
            return end + 1
        if marker[0] == "$":
            self._dollar(marker, at, end)
        elif top is not None and top.kind == "(":
            return self._address(marker, end)
        elif marker[0] == "`":
            self._push("`", len(marker), end)
        elif marker[0] in "*_~":
            self._delimiter(marker, at, end)
        elif marker.endswith("["):
            self._push("[", 1, end)
        elif marker[0] == "]":
            self._bracket_closed(marker, end)
        elif marker == "<":
            found = _AUTOLINK.match(self.text, at, line_end)
            if found is not None:
                if not found.group().endswith(">"):
                    self._push("<", 1, found.end())
                return found.end()
        return end

    def _address(self, marker: str, end: int) -> int:
        """Inside a link's `(…)`: nested parentheses count, nothing else does."""
        assert self.stack is not None
        top = self.stack[0]
        if marker == "(":
            self._pop()
            self._push("(", top.length + 1, end)
        elif marker == ")":
            self._pop()
            if top.length > 1:
                self._push("(", top.length - 1, end)
        elif marker == "\\":
            return end + 1
        return end

    def _bracket_closed(self, marker: str, end: int) -> None:
        while self.stack is not None and self.stack[0].kind != "[":
            self._pop()  # emphasis open inside the link's text stays literal
        if self._pop() is not None and marker == "](":
            self._push("(", 1, end)

    def _dollar(self, marker: str, at: int, end: int) -> None:
        """A formula that closes puts back the state it began with: what it holds is TeX."""
        before = self.text[at - 1] if at > 0 else " "
        after = self.text[end] if end < len(self.text) else " "
        if self.math is not None:
            began, held, depth = self.math
            if not before.isspace() and not after.isdigit() and self.text[began] == marker[0]:
                self.stack, self.depth, self.math = held, depth, None
        elif not after.isspace() and not before.isdigit():
            self.math = (at, self.stack, self.depth)

    def _delimiter(self, run: str, at: int, end: int) -> None:
        char, length = run[0], len(run)
        if char == "~" and length != 2:
            return
        before = self.text[at - 1] if at > 0 else "\n"
        at_end = end == len(self.text)
        after = self.text[end] if not at_end else "\n"
        opens, closes = _flanking(char, before, after)
        top = self.stack[0] if self.stack is not None else None
        if closes and top is not None and top.kind == char:
            self._close_run(char, length, end)
        elif opens or (at_end and length <= 3 and (char != "_" or not before.isalnum())):
            self._push(char, length, end)

    def _close_run(self, char: str, length: int, end: int) -> None:
        while length > 0 and self.stack is not None and self.stack[0].kind == char:
            top = self.stack[0]
            self._pop()
            if top.length > length:
                self._push(char, top.length - length, top.end)
            length -= top.length

    # -- the end ---------------------------------------------------------------------------------

    def closers(self) -> str:
        if self.depth > MAX_OPEN:
            return ""
        if self.after_bare:
            return self.after_bare
        inline = self._inline_closers()
        if self.fence is not None:
            return inline + self._fence_closer()
        if self.header is not None:
            return inline + self._rule_closer()
        return inline

    def _inline_closers(self) -> str:
        out: list[str] = []
        stack, text = self.stack, self.text
        while stack is not None:
            top, stack = stack
            last = out[-1][-1] if out else (text[-1] if text else "\n")
            empty = not out and top.end == len(text)
            if (top.kind in "*_~" and (empty or last.isspace())) or (top.kind == "[" and empty):
                out.append(ZERO_WIDTH)
            elif top.kind == "`" and (empty or last == "`"):
                out.append(ZERO_WIDTH if empty else " ")
            out.append(_CLOSERS.get(top.kind, top.kind * top.length))
        return "".join(out)

    def _fence_closer(self) -> str:
        assert self.fence is not None
        char, length, indent = self.fence
        last = self.last.strip(" ")
        if self.text.endswith(self.last) and last and set(last) == {char} and len(last) < length:
            return char * (length - len(last))  # its closing fence is being written
        return ("" if self.text.endswith(("\n", "\r")) else "\n") + indent + char * length

    def _rule_closer(self) -> str:
        """A header whose rule has not arrived gets one: the table shows from its first row."""
        assert self.header is not None
        wanted, line = self.header, self.last
        if self.text.endswith(("\n", "\r")):
            return "|" + "---|" * wanted
        if line.lstrip(" ").startswith("|") and not set(line) <= _SEPARATOR_CHARS:
            return "\n|" + "---|" * _cells(line)  # the header itself is still arriving
        return _finish_rule(line, wanted)


def _finish_rule(line: str, wanted: int) -> str:
    trimmed = line.strip()
    pieces = trimmed.split("|")
    if trimmed.startswith("|"):
        pieces = pieces[1:]
    ends_with_bar = trimmed.endswith("|") and bool(pieces)
    if ends_with_bar:
        pieces = pieces[:-1]
    out = ""
    if pieces and not ends_with_bar and "-" not in pieces[-1]:
        out += "-"
    missing = wanted - len(pieces)
    if missing < 0:
        return out
    if ends_with_bar or not pieces:
        return out + "---|" * missing if trimmed else "|" + "---|" * missing
    return out + "|---" * missing + "|"


def _cells(line: str) -> int:
    """Cells of a table row as the table rule counts them: unescaped bars, the outer ones
    trimmed."""
    trimmed = line.strip()
    bars = len(re.findall(r"(?<!\\)\|", trimmed))
    count = bars + 1 - trimmed.startswith("|") - (trimmed.endswith("|") and len(trimmed) > 1)
    return max(count, 1)


def _flanking(char: str, before: str, after: str) -> tuple[bool, bool]:
    """Whether a run between `before` and `after` can open and close emphasis (CommonMark)."""
    after_space, before_space = after.isspace(), before.isspace()
    after_punct, before_punct = _punctuation(after), _punctuation(before)
    left = not after_space and (not after_punct or before_space or before_punct)
    right = not before_space and (not before_punct or after_space or after_punct)
    if char == "_":
        return left and (not right or before_punct), right and (not left or after_punct)
    return left, right


def _punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"
