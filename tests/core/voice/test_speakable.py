"""An answer's speakable sentences: the words a voice reads, never the markup, and, fed a
growing answer, each sentence once it is complete and never twice.

How long an input takes is the benchmark `speak`'s to say (benchmarks/speak.py); here a path
that hangs ends in the suite's timeout."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.render import TYPICAL
from chatdesk.core.voice.speakable import LONGEST, Speakable, sentences
from tests.core.render.hostile_corpus import CORPUS
from tests.core.render.test_formulas import FORMULAS
from tests.core.render.test_streaming import MARKDOWN, RAW

# What a voice would spell out: emphasis and code marks, brackets, pipes, headings' hashes, a
# tag, TeX's backslashes and dollars (a price, "$5", is words).
LEAK = re.compile(r"[*_`#|\[\]{}\\~^]|<[a-zA-Z/!]|\$(?!\d)")
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fed(text: str, step: int) -> list[str]:
    """What a reader fed `text` growing by `step` characters says, its end included."""
    reader = Speakable()
    said: list[str] = []
    for end in range(0, len(text) + 1, step):
        said += reader.feed(text[:end])
    return said + reader.finish(text)


def test_markdown_is_read_as_words() -> None:
    answer = (
        "# Getting **started**\n\n"
        "Hello *world*. Read [the guide](https://example.com/guide) or "
        "<https://www.python.org/doc>. See ![a cat on a mat](cat.png), e.g. this one.\n\n"
        "| Name | Age |\n|---|---|\n| Ada | 36 |\n| Bob | 4 |\n\n"
        "```python\nprint('hi')\n```\n\n"
        "1. First `max_tokens` item\n2. Second <b>bold</b> item\n\n"
        "> A quote. With ~~two~~ sentences.\n\n"
        "<div>hidden</div>\n\nA note[^1] and $a+b=c$ and $\\frac{1}{2}$.\n\n[^1]: The note.\n"
    )
    assert sentences(answer) == [
        "Getting started.",
        "Hello world.",
        "Read the guide or a link to python.org.",
        "See a cat on a mat, e.g. this one.",
        "Row 1: Name, Ada; Age, 36.",
        "Row 2: Name, Bob; Age, 4.",
        "A code block in Python.",
        "1. First max tokens item",
        "2. Second bold item",
        "A quote.",
        "With two sentences.",
        "A note and a+b=c and a formula.",
    ]


def test_code_is_read_line_by_line_when_asked() -> None:
    answer = "```sh\nls -l\n\ncd /tmp\n```"
    assert sentences(answer) == ["A code block in shell."]
    assert sentences(answer, read_code=True) == ["A code block in shell.", "ls -l", "cd /tmp"]
    assert sentences("```\nx = 1\n```") == ["A code block."]


def test_emoji_are_dropped_from_words_and_kept_alone() -> None:
    assert sentences("- 🚀 Fast start\n- 👍") == ["Fast start", "👍"]
    assert sentences("Done ✅✅✅") == ["Done"]


def test_abbreviations_numbers_and_other_scripts_do_not_end_sentences() -> None:
    assert sentences("Dr. Smith paid $5.50 for it, i.e. less. Then he left.") == [
        "Dr. Smith paid $5.50 for it, i.e. less.",
        "Then he left.",
    ]
    assert sentences("你好。今天很好！谢谢") == ["你好。", "今天很好！", "谢谢"]


def test_a_long_sentence_is_read_in_parts_cut_after_a_comma() -> None:
    long = ", ".join(["the quick brown fox jumps over the lazy dog"] * 20) + "."
    parts = sentences(long)
    assert len(parts) > 1
    assert all(len(part) <= LONGEST for part in parts)
    assert " ".join(parts).replace(", ", " ").split() == long.replace(",", "").split()


@pytest.mark.parametrize(("text", "shown"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_hostile_answers_read_without_markup(text: str, shown: str | None) -> None:
    said = sentences(text)
    for sentence in said:
        assert not LEAK.search(sentence), sentence
        assert sentence
        assert sentence.strip() == sentence
    if shown is not None and shown.isalpha():
        assert shown in " ".join(said)  # a link's or an image's words are read


@pytest.mark.parametrize("formula", FORMULAS)
def test_formulas_are_said_in_words(formula: str) -> None:
    said = sentences(f"The result is ${formula}$ here.\n\n$$\n{formula}\n$$")
    assert said[0].startswith("The result is ")
    for sentence in said:
        assert not LEAK.search(sentence), sentence


def test_a_typical_answer_is_read_whole_and_clean() -> None:
    said = sentences(TYPICAL)
    assert len(said) > 5
    assert said[0] == "Reading a large CSV file without running out of memory."
    assert any(sentence.startswith("A code block in Python") for sentence in said)
    for sentence in said:
        assert not LEAK.search(sentence), sentence


@pytest.mark.parametrize("step", [1, 5, 64])
def test_a_growing_answer_says_each_sentence_once_in_order(step: int) -> None:
    assert fed(TYPICAL, step) == sentences(TYPICAL)


def test_sentences_come_before_the_answer_ends() -> None:
    reader = Speakable()
    assert reader.feed("Hello there. How are") == ["Hello there."]
    assert reader.feed("Hello there. How are you") == []
    assert reader.feed("Hello there. How are you?\n\n```py") == ["How are you?"]
    assert reader.feed("Hello there. How are you?\n\n```python\nx") == ["A code block in Python."]
    assert reader.feed("Hello there. How are you?\n\n```python\nx\n```\n\n| a |\n|--|\n| 1 |") == []
    text = "Hello there. How are you?\n\n```python\nx\n```\n\n| a |\n|--|\n| 1 |\n| 2 |"
    assert reader.feed(text) == ["Row 1: a, 1."]
    assert reader.finish(text) == ["Row 2: a, 2."]


@SLOW
@given(MARKDOWN, st.integers(1, 9))
def test_any_growing_markdown_is_said_as_the_whole_answer_is(text: str, step: int) -> None:
    assert fed(text, step) == sentences(text)


@SLOW
@given(RAW)
def test_raw_markup_never_leaks_nor_raises(text: str) -> None:
    for sentence in fed(text, 3):
        assert not LEAK.search(sentence), sentence


def test_a_list_after_one_with_no_words_is_counted_anew() -> None:
    text = "1. alpha\n- ```\n\n1. beta"
    assert sentences(text) == ["1. alpha", "1. beta"]
    assert fed(text, 1) == sentences(text)


@pytest.mark.parametrize("step", [1, 3, 50])
def test_line_breaks_of_every_kind_split_across_pieces_are_read_alike(step: int) -> None:
    text = "First line.\r\nSecond.\r\n\r\nThird\rpart.\r\r\n\n| a |\r\n|--|\r\n| 1 |\r"
    assert fed(text, step) == sentences(text)


def test_a_long_block_still_open_is_read_as_it_grows_and_whole_at_the_end() -> None:
    code = "\n".join(f"print({n})  # line {n}" for n in range(2_000))
    text = f"Look.\n\n```python\n{code}\n```\n\nThat is all. Bye."
    reader = Speakable(read_code=True)
    said: list[str] = []
    for end in range(0, len(text) + 1, 40):
        said += reader.feed(text[:end])
    assert said[:3] == ["Look.", "A code block in Python.", "print(0) line 0"]
    assert said + reader.finish(text) == sentences(text, read_code=True)


def test_a_list_after_a_link_definition_is_counted_anew() -> None:
    text = "1. alpha\n\n[a]: https://example.com/a\n1. beta"
    assert sentences(text) == ["1. alpha", "1. beta"]
    assert fed(text, 1) == sentences(text)
