"""The elements of a large JSON array, one at a time, without reading the whole file.

ChatGPT's `conversations.json` is one array of conversations and can be hundreds of MB. This
reads it in chunks and hands each top-level element to the standard library's decoder
(`JSONDecoder.raw_decode`, the C scanner) as soon as the chunk holds all of it. An element
larger than what is buffered makes the next read twice as large, so a huge element costs a
few decodes, not one per chunk. Memory stays near the largest element plus one chunk.

The array may be the whole document or the value of a top-level "conversations" key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from chatdesk.core.i18n import mark, tr

CHUNK_CHARS = 1 << 20
# A decode error this close to the end of the buffer may only mean the element goes on.
_NEAR_END = 16
_INCOMPLETE = mark("an incomplete download?")
_LOOKAHEAD = 256
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_WRAPPED = re.compile(r'\{[ \t\n\r]*"conversations"[ \t\n\r]*:[ \t\n\r]*(?=\[)')


class NotAnArray(ValueError):
    """The document is not an array (nor an object whose first key holds one)."""


class Damaged(ValueError):
    """The JSON text is broken at some point: what came before it was read."""

    def __init__(self, reason: str, index: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.index = index  # of the element that could not be read


@dataclass
class Element:
    index: int
    value: Any


class ArrayReader:
    """`for element in ArrayReader(stream)`: the array's elements in order. Raises
    `NotAnArray` before the first element, `Damaged` where the text breaks."""

    def __init__(self, stream: TextIO, chunk_chars: int | None = None) -> None:
        self._stream = stream
        self._chunk = chunk_chars or CHUNK_CHARS
        self._buffer = ""
        self._pos = 0
        self._eof = False
        self._decoder = json.JSONDecoder()

    def __iter__(self) -> Iterator[Element]:
        self._open()
        index = 0
        while True:
            if not self._skip_to_value(index):
                return
            yield Element(index, self._element(index))
            index += 1

    @property
    def pending(self) -> int:
        """Characters read from the stream but not yet handed out (for progress)."""
        return len(self._buffer) - self._pos

    def _open(self) -> None:
        self._fill(self._chunk)
        self._skip_whitespace()
        if self._buffer.startswith("\ufeff", self._pos):
            self._pos += 1
            self._skip_whitespace()
        while len(self._buffer) - self._pos < _LOOKAHEAD and not self._eof:
            self._fill(self._chunk)  # enough to see a '{"conversations": [' prefix whole
        wrapped = _WRAPPED.match(self._buffer, self._pos)
        if wrapped is not None:
            self._pos = wrapped.end()
        if not self._buffer.startswith("[", self._pos):
            raise NotAnArray(tr("the document is not a JSON array"))
        self._pos += 1

    def _skip_to_value(self, index: int) -> bool:
        """Move to element `index`; False at the end of the array."""
        self._skip_whitespace()
        if self._peek() == "]":
            return False
        if index > 0:
            if self._peek() != ",":
                raise self._unexpected(index)
            self._pos += 1
            self._skip_whitespace()
        if not self._peek():
            raise self._unexpected(index)
        return True

    def _unexpected(self, index: int) -> Damaged:
        if not self._peek():
            return Damaged(tr("the file ends before it ({guess})", guess=tr(_INCOMPLETE)), index)
        return Damaged(
            tr("broken JSON: expected ',' or ']', found {found}", found=repr(self._peek())), index
        )

    def _element(self, index: int) -> Any:
        want = self._chunk
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as error:
                if self._eof or not self._may_continue(error):
                    raise Damaged(_reason(error, self._eof), index) from None
            except RecursionError:
                raise Damaged(tr("nested too deeply"), index) from None
            else:
                complete = isinstance(value, dict | list) or end < len(self._buffer) or self._eof
                if complete:
                    self._pos = end
                    return value
            want = max(want, len(self._buffer) - self._pos)  # twice what did not suffice
            self._fill(want)

    def _may_continue(self, error: json.JSONDecodeError) -> bool:
        return error.msg.startswith("Unterminated string") or error.pos >= len(error.doc) - (
            _NEAR_END
        )

    def _skip_whitespace(self) -> None:
        while True:
            match = _WHITESPACE.match(self._buffer, self._pos)
            assert match is not None
            self._pos = match.end()
            if self._pos < len(self._buffer) or self._eof:
                return
            self._fill(self._chunk)

    def _peek(self) -> str:
        return self._buffer[self._pos : self._pos + 1]

    def _fill(self, size: int) -> None:
        """Read `size` more characters, dropping what was already consumed."""
        data = self._stream.read(size)
        if not data:
            self._eof = True
        self._buffer = self._buffer[self._pos :] + data
        self._pos = 0


def _reason(error: json.JSONDecodeError, eof: bool) -> str:
    if eof and (error.msg.startswith("Unterminated string") or error.pos >= len(error.doc) - 1):
        return tr("the file ends in the middle of it ({guess})", guess=tr(_INCOMPLETE))
    return tr("broken JSON: {error}", error=error.msg)
