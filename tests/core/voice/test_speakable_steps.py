"""A finished answer's sentences worked out a step at a time (`sentence_steps`, what Read aloud
on a finished answer reads): the very sentences `sentences()` gives for the whole text, in the
same order, whatever the step and wherever it cuts; and a long answer's first sentence comes
after a few steps, not after reading it all.

How long a step takes is the benchmark `speak`'s to say (benchmarks/speak_window.py)."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.render import TYPICAL
from chatdesk.core.render.limits import MAX_CHARS, MAX_DEPTH
from chatdesk.core.voice.reading import stepped
from chatdesk.core.voice.speakable import STEP, sentence_steps, sentences
from tests.core.render.hostile_corpus import CORPUS
from tests.core.render.test_streaming import LINE, MARKDOWN, RAW

SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Text read as plain text: line breaks of every kind, blank runs, markup, a NUL, a lone
# surrogate, and a line nested too deeply to parse, so the whole answer is refused.
PLAIN_CHARS = st.text(alphabet="ab .!?,\n\r\t*#`>-1|\0\ud800é你。", max_size=200)
TOO_DEEP = ">" * (MAX_DEPTH + 5) + " deep"
# Links that name a reference defined anywhere in the answer (before, after, in a list or a
# quote, in a code block where it is none, twice), and definitions that are none.
LABEL = st.sampled_from(["a", "B", "pi", "x y"])
REFERENCES = st.one_of(
    LINE,
    LABEL.map("[{}]: https://example.com/a".format),
    LABEL.map("> [{}]: /b 'title'".format),
    LABEL.map("- [{}]: <c>".format),
    LABEL.map("[{}]: /d not a title".format),
    LABEL.map("[{}]:".format),
    LABEL.map("see [this][{0}] and [{0}] here.".format),
    LABEL.map("[https://example.com/a][{}]".format),
    LABEL.map("1. [it][{}]".format),
    LABEL.map("| [cell][{}] |".format),
)
WITH_REFERENCES = st.lists(REFERENCES, max_size=30).map("\n".join)


def stepwise(text: str, step: int = STEP, *, read_code: bool = False) -> list[str]:
    return [said for done in sentence_steps(text, read_code=read_code, step=step) for said in done]


@SLOW
@given(MARKDOWN, st.integers(1, 60), st.booleans())
def test_markdown_read_in_steps_is_said_as_the_whole_answer_is(
    text: str, step: int, read_code: bool
) -> None:
    assert stepwise(text, step, read_code=read_code) == sentences(text, read_code=read_code)


@SLOW
@given(WITH_REFERENCES, st.integers(1, 60))
def test_links_read_in_steps_find_their_references_anywhere(text: str, step: int) -> None:
    assert stepwise(text, step) == sentences(text)


def test_a_link_is_read_by_its_words_whatever_step_holds_its_reference() -> None:
    text = "See [the guide][g] first.\n\n" + "More words here. " * 500 + "\n\n[g]: /guide\n"
    assert stepwise(text, 64)[0] == "See the guide first."
    assert stepwise(text, 64) == sentences(text)


@SLOW
@given(RAW, st.integers(1, 40))
def test_raw_markup_read_in_steps_is_said_as_the_whole_answer_is(text: str, step: int) -> None:
    assert stepwise(text, step) == sentences(text)


@SLOW
@given(PLAIN_CHARS, PLAIN_CHARS, st.integers(1, 40))
def test_plain_text_read_in_steps_is_said_as_the_whole_answer_is(
    before: str, after: str, step: int
) -> None:
    text = f"{before}\n{TOO_DEEP}\n{after}"
    assert stepwise(text, step) == sentences(text)


@pytest.mark.parametrize("step", [1, 7, 64, STEP])
def test_typical_answers_read_in_steps_are_said_whole(step: int) -> None:
    text = "\n\n".join([TYPICAL] * 3)
    assert stepwise(text, step) == sentences(text)
    assert stepwise(text, step, read_code=True) == sentences(text, read_code=True)


@pytest.mark.parametrize(("text", "shown"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_hostile_answers_read_in_steps_are_said_whole(text: str, shown: str | None) -> None:
    assert stepwise(text) == sentences(text)


def test_an_answer_too_long_to_parse_is_read_in_steps_as_plain_text() -> None:
    # Over the size parsed as Markdown: line breaks of Windows and old Macs, a NUL, a lone
    # surrogate, blank runs cut at every step's edge, one paragraph longer than many steps.
    part = "Hello there. A NUL\0 here.\r\n\r\nThe CR\rline.\n\n\n\nSurrogate \ud800 end!\r\n"
    text = part * (MAX_CHARS // len(part) + 7) + "long sentence, " * 3_000 + "\r\n\r\nLast."
    said = sentences(text)
    assert said[:3] == ["Hello there.", "A NUL here.", "The CR line."]
    assert said[-1] == "Last."
    assert stepwise(text) == said
    assert stepwise(text, 333) == said


def test_a_long_answer_without_a_blank_line_keeps_its_first_word() -> None:
    text = "Hello world, " * (MAX_CHARS // 13 + 10) + "the end."
    assert sentences(text)[0].startswith("Hello world, ")
    assert stepwise(text)[0].startswith("Hello world, ")


@pytest.mark.parametrize("markdown", [True, False], ids=["markdown", "plain"])
def test_a_long_answer_s_first_sentence_comes_after_a_few_steps(markdown: bool) -> None:
    size = MAX_CHARS // 2 if markdown else 3_000_000
    text = (TYPICAL + "\n\n") * (size // len(TYPICAL))
    steps = sentence_steps(text)
    first = next(index for index, done in enumerate(steps) if done)
    assert first <= 2
    rest = sum(1 for _ in steps)
    assert rest > len(text) // (8 * STEP)  # the rest is read in many small steps too


@pytest.mark.asyncio
async def test_the_loop_runs_between_steps() -> None:
    text = (TYPICAL + "\n\n") * 40
    turns = 0

    async def other_work() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    beside = asyncio.get_running_loop().create_task(other_work())
    said = [sentence async for sentence in stepped(text)]
    beside.cancel()
    assert said == sentences(text)
    assert turns > len(text) // (4 * STEP)  # other work ran all along the reading
