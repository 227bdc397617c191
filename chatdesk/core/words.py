"""The words of a question that say what it is about: its words without the little ones every
question has ("what", "the", "of"), for keyword search and the mock's answers; and a message's
own words, outside the passage it quotes, for its chat's first title."""

from __future__ import annotations

import re
import unicodedata

WORD = re.compile(r"\w+", re.UNICODE)
_LITTLE = """
a about above after all also am an and any are as at be been being but by can could did do does
doing for from had has have how i if in into is it its just me more most my no nor not of on or
our out over own please same should so some such tell than that the their them then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your
"""
LITTLE_WORDS = frozenset(_LITTLE.split())
_QUOTED = re.compile(r"^(?:[ ]{0,3}>[ ]?)+")  # a Markdown block quote's marks, nested too
# "What do you remember (about me)?", "what do you know about me", "list my memories": one
# pattern for the memories given with a question and for the offline mock's answer to it.
_ABOUT_MEMORY = re.compile(
    r"\b(?:what|which|everything|anything|list|show)\b.*\b(?:remember|memori[sz]ed?|memories|"
    r"know about me)\b|\bmy memories\b",
    re.IGNORECASE | re.DOTALL,
)


def folded(text: str) -> str:
    """Text as the full-text index matches its words: lower case, without accents."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def asks_what_is_remembered(question: str) -> bool:
    """The question asks what is remembered of the user: every memory goes with it."""
    return bool(_ABOUT_MEMORY.search(folded(question[:2_000])))


def telling(text: str) -> list[str]:
    """The text's words, lower case, once each, in order, without the little words and
    one-letter Latin words (all of its words when nothing else is left)."""
    words = list(dict.fromkeys(w.lower() for w in WORD.findall(text)))
    kept = [w for w in words if w not in LITTLE_WORDS and (len(w) > 1 or not w.isascii())]
    return kept or words


def own_words(message: str) -> str:
    """The lines of `message` outside the passages it quotes (Markdown `>` lines: text it asks
    about, such as the quick window's selection); when it is all quotation, the quoted lines
    without their marks; when those are only marks, the message as it is."""
    lines = message.splitlines()
    own = [line for line in lines if not _QUOTED.match(line)]
    if any(line.strip() for line in own):
        return "\n".join(own)
    quoted = "\n".join(_QUOTED.sub("", line) for line in lines)
    return quoted if quoted.strip() else message
