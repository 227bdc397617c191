"""A speakable version of an answer: its Markdown as the sentences a voice reads.

Pure and synchronous. `sentences(text)` reads a whole answer; `Speakable` reads one while it
is being written: fed the text so far, it returns each sentence once it is complete (once the
block it belongs to is finished, as `chatdesk/core/render/streaming.py` decides for the
window, or the sentence is followed by the next one in the first block still growing; a code
block's announcement once its language is known), so reading can begin long before the answer
ends; `finish()` returns the rest. Each feed parses only from the first block still open (one
longer than `LONG_TAIL` once it has grown by an eighth, as the window formats it), and makes
plain only the text added.
`sentence_steps(text)` gives `sentences(text)` in steps of bounded cost, for a long answer read
aloud: reading begins after the first step, and other work runs between steps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from markdown_it import MarkdownIt

from chatdesk.core.render.limits import MAX_CHARS, refusal_reason
from chatdesk.core.render.markdown import new_parser
from chatdesk.core.render.plain import plain_text
from chatdesk.core.render.streaming import LONG_TAIL, stable_prefix_length
from chatdesk.core.voice.spoken_blocks import Block, blocks

# A sentence longer than this is read in parts, cut after a comma or a space: the first sound
# should not wait for a paragraph without a full stop.
LONGEST = 300

_END = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+|[。！？]+[」』”’）)]*\s*")
_ABBREVIATIONS = frozenset(
    {"dr", "mr", "mrs", "ms", "prof", "st", "vs", "etc", "e.g", "i.e", "fig", "no", "cf"}
)
# Markup characters a voice would spell out; what markdown-it leaves as text (an unclosed
# emphasis, a stray bracket) must not be read as "asterisk".
_MARKUP = re.compile(r"[*_`#|\[\]{}\\~^]+|(?<! )[<>]+|[<>]+(?! )|\$(?!\d)")
_INVISIBLE = re.compile(
    "[\0-\x08\x0b-\x1f\x7f\ufffd\u200b\u200d-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\U000e0020-\U000e007f\u20e3]+"
)
_SPACES = re.compile(r"\s+")
_WORDY = re.compile(r"\w")
# A line that may define a link reference ("[label]: address"), where markdown-it may see one.
_DEFINITION = re.compile(r"^[ \t>*+\-\d.)]*\[[^\]\n]+\]:", re.MULTILINE)
# Characters of an answer read in one of `sentence_steps`' steps: a few ms of Markdown (a block
# longer than that is read whole, in one step), less as plain text.
STEP = 2_000


def sentences(text: str, *, read_code: bool = False) -> list[str]:
    """The whole answer's sentences, in reading order; an answer too big or too deep to parse
    quickly is read as plain text, a block per paragraph, as the window shows it."""
    text = plain_text(text)
    if refusal_reason(text) is not None:
        return [said for paragraph in _paragraphs(text) for said in _split(paragraph)]
    return Speakable(read_code=read_code).finish(text)


def sentence_steps(text: str, *, read_code: bool = False, step: int = STEP) -> Iterator[list[str]]:
    """`sentences(text)`, in steps: each reads about `step` characters more of the answer (a
    block longer than that in one step) and gives the sentences it completed, maybe none."""
    if len(text) - text.count("\r\n") > MAX_CHARS:  # its length once `plain_text` has run
        yield from _plain_steps(text, step)
        return
    text = plain_text(text)
    yield []  # made plain, then checked: each a few ms for the longest text parsed
    if refusal_reason(text) is not None:
        yield from _plain_steps(text, step)
        return
    env: dict[str, object] = {}  # what markdown-it gathers of the whole text: its link references
    if _DEFINITION.search(text):  # a link may use a definition from a later step: gather them
        base = 0
        for cut in _cuts(text, step):
            _parser().block.parse(text[base:cut], _parser(), env, [])
            base = max(base, cut)
            yield []
    base, numbered = 0, None
    for cut in _cuts(text, step):
        done: list[str] = []
        for block in _blocks(text[base:cut], read_code, numbered, env=env):
            done.extend(_pieces_split(block))
            numbered = block.numbered
        base = max(base, cut)
        yield done


def _cuts(text: str, step: int) -> Iterator[int]:
    """Where to cut `text` into runs of whole blocks of about `step` characters (one longer
    block whole), one a step: a cut where nothing is cut yet gives the step a longer run."""
    base, end = 0, step
    while end < len(text):
        stable = stable_prefix_length(text[:end], base)
        if stable <= base:  # one block longer than the step: read it in a longer one
            end = base + 2 * (end - base)
        else:
            base, end = stable, stable + step
        yield base
    yield len(text)


def _plain_steps(raw: str, step: int) -> Iterator[list[str]]:
    """A text read as plain text (`_paragraphs` of `plain_text`), made plain and read about
    `step` characters a step; a paragraph longer than that a few sentences at a time."""
    pending = ""  # made plain, not read yet: from where `str.split` would go on cutting
    for piece in _plain_pieces(raw, step):
        searched = max(0, len(pending) - 1)
        pending += piece
        cut = pending.rfind("\n\n", searched)
        while cut > 0 and pending[cut - 1] == "\n":  # where `str.split` cuts a run of them
            cut -= 1
        if cut < 0:
            yield []
            continue
        yield from _plain_paragraphs(pending[:cut], step)
        pending = pending[cut + 2 :]
    yield from _plain_paragraphs(pending, step)


def _plain_pieces(raw: str, size: int) -> Iterator[str]:
    """`plain_text(raw)` in pieces of about `size` characters, never cut inside a CR LF."""
    start = 0
    while start < len(raw):
        end = start + size
        while end < len(raw) and raw[end - 1] == "\r":
            end += 1
        yield plain_text(raw[start:end])
        start = end


def _plain_paragraphs(text: str, step: int) -> Iterator[list[str]]:
    done: list[str] = []
    for paragraph in _paragraphs(text):
        for said in _split(paragraph):
            done.append(said)
            if len(done) >= 8 and sum(map(len, done)) >= step:
                yield done
                done = []
    yield done


def _paragraphs(text: str) -> Iterator[str]:
    """The paragraphs of a text read as plain text, as the window shows it."""
    return (paragraph for paragraph in text.split("\n\n") if paragraph.strip())


class Speakable:
    """An answer read while it grows: `feed(text_so_far)` returns the sentences completed since
    the last feed, `finish(text)` the rest once the answer is over."""

    def __init__(self, *, read_code: bool = False) -> None:
        self._read_code = read_code
        self._base = 0  # where the first block still open starts, in characters
        self._said = 0  # sentences returned from the text after _base
        self._numbered: tuple[str, int] | None = None  # the ordered list _base ended
        self._plain = _GrowingPlain()
        self._rest_read = 0  # how long the text after _base was when last read

    def feed(self, text: str) -> list[str]:
        """The sentences of `text` (the answer so far) completed since the last feed."""
        return self._read(text, final=False)

    def finish(self, text: str) -> list[str]:
        """The sentences of the whole answer `text` not returned yet."""
        return self._read(text, final=True)

    def _read(self, text: str, *, final: bool) -> list[str]:
        text = self._plain.of(text)
        growing = len(text) - self._base
        if not final and LONG_TAIL < growing < self._rest_read + self._rest_read // 8:
            return []  # a long block still open: read again once it has grown by an eighth
        self._rest_read = growing
        plain = refusal_reason(text[self._base :]) is not None
        if final:
            stable = len(text)
        elif plain:  # too big or too deep to parse quickly: read as plain text, as it is shown
            cut = text.rfind("\n\n")
            stable = max(self._base, cut + 2) if cut >= 0 else self._base
        else:
            stable = stable_prefix_length(text, self._base)
        new: list[str] = []
        if stable > self._base:  # blocks nothing written later can change
            done: list[str] = []
            numbered = self._numbered
            chunk = text[self._base : stable]
            for block in _blocks(chunk, self._read_code, self._numbered, plain):
                done.extend(_pieces_split(block))
                numbered = block.numbered
            new += done[self._said :]
            self._base, self._said, self._numbered = stable, 0, numbered
            self._rest_read = len(text) - stable
        if not final:  # the first block of the rest, up to its last sentence, which may grow
            rest = text[self._base :]
            said = (b for b in _blocks(rest, self._read_code, self._numbered, plain) if b.pieces)
            first = next(said, None)
            if first is not None:
                ready = list(_pieces_split(first))
                ready = ready[:-1] if first.open_tail else ready
                new += ready[self._said :]
                self._said = max(self._said, len(ready))
        return new


class _GrowingPlain:
    """`plain_text` of a growing text, made plain only where it grew: at each feed of a long
    answer the cost is what was added (and a copy), not a pass of regular expressions over it
    all."""

    def __init__(self) -> None:
        self._seen = ""  # the text as last given
        self._upto = 0  # how much of it is made plain in _done: not a CR its next piece may end
        self._done = ""

    def of(self, text: str) -> str:
        if not text.startswith(self._seen):  # not the same text grown: start again
            self._seen, self._upto, self._done = "", 0, ""
        upto = len(text) - 1 if text.endswith("\r") else len(text)
        if upto > self._upto:
            self._done += plain_text(text[self._upto : upto])
            self._upto = upto
        self._seen = text
        return self._done + plain_text(text[self._upto :])


def _pieces_split(block: Block) -> Iterator[str]:
    for piece in block.pieces:
        yield from _split(piece)


def _blocks(
    text: str,
    read_code: bool,
    numbered: tuple[str, int] | None = None,
    plain: bool = False,
    env: dict[str, object] | None = None,
) -> Iterator[Block]:
    """The text's blocks; `plain` (a text too big or too deep to parse quickly) is read as
    plain text, a block per paragraph, as the window then shows it. `env`: what markdown-it
    gathered of the whole text (its link references), for a text that is part of it."""
    if not plain and refusal_reason(text) is None:
        try:
            tokens = _parser().parse(text, env)
        except RecursionError:
            pass
        else:
            yield from blocks(tokens, read_code, numbered)
            return
    line = 0
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            yield Block((paragraph,), line)
        line += paragraph.count("\n") + 2


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return new_parser(html=True)


def _offset_of_line(text: str, base: int, line: int) -> int:
    """Characters from `base` to the start of its `line`th line."""
    at = base
    for _ in range(line):
        found = text.find("\n", at)
        if found < 0:
            break
        at = found + 1
    return at - base


def _split(piece: str) -> Iterator[str]:
    """A piece of text as spoken sentences, cleaned of markup; empty ones left out."""
    piece = _SPACES.sub(" ", piece)  # a run of spaces is one pause, and scanned once
    start = 0
    for match in _END.finditer(piece):
        if _ends_sentence(piece, match.start(), match.end()):
            yield from _cleaned_parts(piece[start : match.end()])
            start = match.end()
    yield from _cleaned_parts(piece[start:])


def _ends_sentence(text: str, stop: int, after: int) -> bool:
    if text[stop] in "。！？":
        return True
    if text[:stop].strip().isdigit():
        return False  # an ordered list's "1. " before its item
    if after >= len(text):
        return False  # the text may go on; the last sentence is cut by the block's end
    following = text[after]
    if following.isalpha() and following.lower() != following.upper() and not following.isupper():
        return False  # "e.g. this": a lower-case word goes on with the same sentence
    word = text[max(0, stop - 6) : stop].rsplit(None, 1)[-1:] or [""]
    last = word[0].lower().lstrip("([\"'")
    return not (last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()))


def _cleaned_parts(sentence: str) -> Iterator[str]:
    said = _cleaned(sentence)
    start = 0
    while len(said) - start > LONGEST:
        end = start + LONGEST
        cut = max(said.rfind(", ", start, end), said.rfind("; ", start, end)) + 1
        if cut <= start + LONGEST // 3:
            cut = said.rfind(" ", start, end)
        if cut <= start + LONGEST // 3:
            cut = end
        yield said[start:cut].strip()
        start = cut
    if said[start:].strip():
        yield said[start:].strip()


def _cleaned(sentence: str) -> str:
    """The sentence without markup characters, invisible characters or emoji (an emoji-only
    sentence keeps its first emoji: "👍" is what was said)."""
    text = _INVISIBLE.sub("", _SPACES.sub(" ", sentence))
    words = _EMOJI.sub(" ", text)
    words = _SPACES.sub(" ", _MARKUP.sub(" ", words)).strip()
    if _WORDY.search(words):
        return words
    emoji = _EMOJI.search(text)
    return emoji.group()[0] if emoji else ""
