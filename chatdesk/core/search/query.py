"""What the user typed → an FTS5 query.

Plain mode (the default) treats every whitespace-separated piece as words: each becomes an FTS5
string (double quotes doubled), so quotes, `-`, `:`, `*`, parentheses and AND/OR/NOT/NEAR are
text to find, never syntax. Pieces are ANDed; a piece that holds several words (`foo_bar`,
`don't`, `2.5`) matches them as a phrase. While the user is still typing the last piece (no
whitespace after it yet), a completion of it is offered as well: the same query with the last
piece as a prefix, which the search uses when the pieces as typed find less than a page.

Advanced mode passes FTS5's own syntax through (AND, OR, NOT, NEAR, "phrases", prefix*);
the search turns a syntax error into an `InvalidRequest` that quotes SQLite's reason.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import ntr

# A longer text (a pasted paragraph) is searched by its first MAX_WORDS pieces: they find it
# as surely, and each word costs a lookup in the index.
MAX_WORDS = 32
MAX_ADVANCED = 2_000  # characters of FTS5 syntax

# The shortest last piece offered as a prefix: one or two letters would match a large part of
# the vocabulary, and a prefix costs a merge of every matching word's list of messages.
MIN_PREFIX = 3


@dataclass(frozen=True)
class Query:
    expression: str  # for FTS5's MATCH
    phrases: tuple[str, ...] = ()  # the ANDed FTS5 strings of a plain query; () when advanced
    completion: str | None = None  # `expression` with the last piece as a prefix


def clean(text: str) -> str:
    """`text` without what SQLite cannot take: NUL ends an FTS5 query early, and a lone
    surrogate (half a UTF-16 pair, or undecodable bytes from a command line) is not UTF-8."""
    return text.replace("\x00", " ").encode("utf-8", "ignore").decode("utf-8")


def plain_query(text: str) -> Query | None:
    """The query for words typed in the search box; None when nothing in it is a word."""
    text = clean(text)
    pieces = [piece for piece in text.split() if _has_word(piece)]
    if not pieces:
        return None
    if len(pieces) > MAX_WORDS:
        pieces, text = pieces[:MAX_WORDS], ""  # the last piece kept is a whole word
    phrases = tuple('"' + piece.replace('"', '""') + '"' for piece in pieces)
    expression = " ".join(phrases)
    typing = text.endswith(pieces[-1]) and _trailing_word(pieces[-1]) >= MIN_PREFIX
    return Query(expression, phrases, f"{expression}*" if typing else None)


def advanced_query(text: str) -> Query | None:
    """FTS5 syntax as typed; None when there is nothing but whitespace."""
    text = clean(text).strip()
    if len(text) > MAX_ADVANCED:
        raise InvalidRequest(
            ntr(
                "the search is longer than {n} character",
                "the search is longer than {n} characters",
                MAX_ADVANCED,
            )
        )
    return Query(text) if text else None


def _is_word_char(char: str) -> bool:
    # The tokenizer keeps letters and digits (and private-use characters); the rest separates.
    return unicodedata.category(char)[0] in "LN"


def _has_word(piece: str) -> bool:
    return any(_is_word_char(char) for char in piece)


def _trailing_word(piece: str) -> int:
    """The length of the word the piece ends with (0 when it ends with punctuation)."""
    length = 0
    for char in reversed(piece):
        if not _is_word_char(char):
            break
        length += 1
    return length
