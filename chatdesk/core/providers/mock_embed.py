"""The mock provider's embedding model: vectors made offline, with no model and no numpy.

Each lower-cased word adds its character trigrams (padded at the word's edges: " index " gives
" in", "ind", "nde", "dex", "ex ") and the whole word, each hashed to one of `MOCK_DIMENSION`
places with a sign from the same hash. Words that share most of their letters ("indexing",
"indexed") land on many of the same places with the same signs, so their vectors point the
same way; unrelated words meet only by chance. That is enough for the knowledge base's
semantic search to behave sensibly, and testably, without a network.

The hash is CRC-32 of the UTF-8 bytes, never `hash()`: a knowledge base indexed in one run is
searched in the next, and `hash()` of a string changes with every process. The sums are whole
numbers and the norm one correctly rounded square root, so a text gives the same floats on
every platform.
"""

from __future__ import annotations

import functools
import math
import re
import zlib
from collections import Counter
from itertools import chain

MOCK_EMBEDDING_MODEL = "mock-embed"
MOCK_DIMENSION = 256

_WORDS = re.compile(r"\w+")


def mock_vector(text: str) -> list[float]:
    """The unit vector of `text`; a text with no word gives the zero vector.

    The zero vector, not some fixed unit vector, because its dot product with every other
    vector is 0: a blank passage then never outranks a real match and a blank query matches
    nothing, instead of all blank texts matching one another and whatever words happen to
    share the fixed vector's place. (A caller dividing by a norm must allow for 0.)
    """
    # Counting the codes in C, rather than adding weights in a Python loop, is what keeps
    # 1,000 passages of 1,200 characters well under a second.
    counts = Counter(chain.from_iterable(map(_codes, _WORDS.findall(text.lower()))))
    sums = [counts[place] - counts[place + MOCK_DIMENSION] for place in range(MOCK_DIMENSION)]
    squares = sum(value * value for value in sums)
    if not squares:
        return [0.0] * MOCK_DIMENSION
    norm = math.sqrt(squares)
    return [value / norm for value in sums]


# Prose repeats its words, so a frequent word is hashed once; the bound keeps the memory to a
# few MB however many different texts are indexed.
@functools.lru_cache(maxsize=16_384)
def _codes(word: str) -> tuple[int, ...]:
    """A code per feature of `word`: its place, plus MOCK_DIMENSION when it counts negatively."""
    padded = f" {word} "  # also the whole word's feature: padded, it is never one of its trigrams
    features = [padded[start : start + 3] for start in range(len(padded) - 2)]
    whole = _code(padded)
    # A whole-word match says more than a shared trigram, so it counts as two of them.
    return (*map(_code, features), whole, whole)


def _code(feature: str) -> int:
    hashed = zlib.crc32(feature.encode())
    # The place comes from the low bits and the sign from the top one, so they are independent.
    return _SHARED[hashed % MOCK_DIMENSION + (MOCK_DIMENSION if hashed >> 31 else 0)]


# One int object per code, shared by every cached word: Python makes each int above 256 anew.
_SHARED = tuple(range(2 * MOCK_DIMENSION))
