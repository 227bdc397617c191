"""The words of a question that say what it is about: its words without the little ones every
question has ("what", "the", "of"), for keyword search and the mock's answers."""

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


def folded(text: str) -> str:
    """Text as the full-text index matches its words: lower case, without accents."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def telling(text: str) -> list[str]:
    """The text's words, lower case, once each, in order, without the little words and
    one-letter Latin words (all of its words when nothing else is left)."""
    words = list(dict.fromkeys(w.lower() for w in WORD.findall(text)))
    kept = [w for w in words if w not in LITTLE_WORDS and (len(w) > 1 or not w.isascii())]
    return kept or words
