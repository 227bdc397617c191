"""Streaming: rendering the finished prefix and the growing tail separately loses nothing."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatdesk.core.render import RenderOptions, render_markdown, stable_prefix_length
from chatdesk.core.render.markdown import _parser
from tests.core.render.html_checks import read

WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta", "omega", "pi"])
PHRASE = st.lists(WORDS, min_size=1, max_size=4).map(" ".join)
LINE = st.one_of(
    PHRASE,
    PHRASE.map("# {}".format),
    PHRASE.map("- {}".format),
    PHRASE.map("  - {}".format),
    PHRASE.map("    - {}".format),
    PHRASE.map("1. {}".format),
    PHRASE.map("- [ ] {}".format),
    PHRASE.map("> {}".format),
    PHRASE.map("    {}".format),
    PHRASE.map("*{}*".format),
    st.sampled_from(["```", "```python", "~~~", "````", "  ```", "- ```", "> ```"]),
    st.sampled_from(["$$", "$$ 1+2 $$", "\\[", "\\]", "$1+1$"]),
    st.sampled_from(["| a | b |", "|---|---|", "---", "===", ""]),
    st.just(""),
    st.just(""),
)
MARKDOWN = st.lists(LINE, max_size=30).map("\n".join)
_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])(?:\s|$)")
LIST_FREE = st.lists(LINE.filter(lambda line: not _LIST_ITEM.match(line)), max_size=30).map(
    "\n".join
)
# Raw characters that open and close fences, quotes, lists and math, for the fence property.
RAW = st.text(alphabet="`~ \n>-*1.$\\[]ab", max_size=120)


def words(html: str) -> Counter[str]:
    """Words a reader sees: text, plus the TeX source of formulas drawn as images."""
    reader = read(html)
    alts = [attrs.get("alt") or "" for _, attrs in reader.tags]
    seen = " ".join(reader.text + alts)
    return Counter(re.findall(r"\b[a-z]+\b", seen))


def split_render_words(text: str) -> Counter[str]:
    cut = stable_prefix_length(text)
    return words(render_markdown(text[:cut]).html) + words(render_markdown(text[cut:]).html)


def fenced_line_ranges(text: str) -> list[tuple[int, int]]:
    """[first, last) line ranges of code fences and math blocks, as the renderer parses them."""
    return [
        (token.map[0], token.map[1])
        for token in _parser().parse(text)
        if token.type in ("fence", "math_display") and token.map
    ]


def assert_cut_outside_fences(text: str, cut: int) -> None:
    if cut == 0:
        return
    assert text[cut - 1] in "\r\n"
    line = len(re.findall(r"\r\n?|\n", text[:cut]))
    for first, last in fenced_line_ranges(text):
        assert not first < line < last, (first, line, last)


SLOW = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(MARKDOWN)
def test_split_rendering_shows_every_word_of_the_input(text: str) -> None:
    assert Counter(re.findall(r"\b[a-z]+\b", text)) <= split_render_words(text)


@SLOW
@given(st.one_of(MARKDOWN, RAW))
def test_split_rendering_shows_everything_the_full_rendering_shows(text: str) -> None:
    assert words(render_markdown(text).html) <= split_render_words(text)


@SLOW
@given(LIST_FREE)
def test_split_rendering_equals_the_full_rendering_when_there_are_no_lists(text: str) -> None:
    """(A list split at the cut becomes two lists, and the final render joins them.)"""
    cut = stable_prefix_length(text)
    head = render_markdown(text[:cut])
    tail = render_markdown(text[cut:], RenderOptions(code_block_offset=len(head.code_blocks)))
    assert head.html + tail.html == render_markdown(text).html


@SLOW
@given(st.one_of(MARKDOWN, RAW))
def test_prefix_never_ends_inside_a_fence_or_math_block(text: str) -> None:
    assert_cut_outside_fences(text, stable_prefix_length(text))


@SLOW
@given(st.one_of(MARKDOWN, RAW), st.data())
def test_prefix_only_grows_as_the_text_grows(text: str, data: st.DataObject) -> None:
    shown = data.draw(st.integers(0, len(text)))
    earlier = stable_prefix_length(text[:shown])
    later = stable_prefix_length(text, start=earlier)
    assert earlier <= later
    assert later == stable_prefix_length(text) or later > earlier
    assert_cut_outside_fences(text, later)


@pytest.mark.parametrize(
    ("text", "prefix"),
    [
        ("para\n\nnext", "para\n\n"),
        ("para\n\n", ""),  # the next block has not started: the paragraph may still grow
        ("```\na\n\nb\n```\n\nafter", "```\na\n\nb\n```\n\n"),
        ("```\na\n\nb", ""),
        ("- a\n\n  more of a\n\nnext", "- a\n\n  more of a\n\n"),
        ("1. a\n\n2. b", "1. a\n\n"),
        ("text\n\n    code\n\n    more code\n\nz", "text\n\n    code\n\n    more code\n\n"),
        ("$$\nx\n$$\n\ny", "$$\nx\n$$\n\n"),
        ("a\r\n\r\nb", "a\r\n\r\n"),
    ],
)
def test_prefix_examples(text: str, prefix: str) -> None:
    assert text[: stable_prefix_length(text)] == prefix


def test_start_skips_text_already_known_to_be_finished() -> None:
    first = "one\n\ntwo\n\n"
    text = first + "```\nthree\n\nfour"
    assert stable_prefix_length(text, start=len(first)) == len(first)
    assert stable_prefix_length(text + "\n```\n\nfive", start=len(first)) == len(text) + 6
