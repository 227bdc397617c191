"""A streaming tail closed tentatively renders as what it is becoming, never as raw syntax."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatdesk.core.render import render_markdown
from chatdesk.core.render.streaming import LONG_TAIL, tail_due
from chatdesk.core.render.tentative import MAX_OPEN, ZERO_WIDTH, closed_tentatively
from tests.core.render.html_checks import read, visible_text

Z = ZERO_WIDTH


def tags(html: str) -> list[str]:
    return [tag for tag, _ in read(html).tags]


@pytest.mark.parametrize(
    ("tail", "closers", "tag", "shown"),
    [
        ("Some **wh", "**", "b", "Some wh"),
        ("Some *wh", "*", "i", "Some wh"),
        ("Some _wh", "_", "i", "Some wh"),
        ("Some ~~wh", "~~", "s", "Some wh"),
        ("Some `co", "`", "code", "Some co"),
        ("Some **", Z + "**", "b", "Some " + Z),  # nothing after the marker yet
        ("**bold ", Z + "**", "b", "bold " + Z),  # a closer cannot follow a space
        ("**bold:", "**", "b", "bold:"),
        ("**a*", "*", "b", "a"),  # its closer is half written
        ("*a **b", "***", "b", "a b"),  # nested: the inner one closes first
        ("``a`", " ``", "code", "a` "),  # a code span holding a backtick
        ("`a*b", "`", "code", "a*b"),  # no emphasis inside code
        ("## Tit **x", "**", "h2", "Tit x"),
        ("[tex", "]()", "p", "tex"),  # a link's text: shown as text
        ("[text](https://exa", ")", "a", "text"),  # a link's address arriving
        ("see <https://exa", ">", "a", "see https://exa"),
        ("$a*b$ and **x", "**", "b", " and x"),  # the `*` in the formula is TeX
        ("a \\*b and **x", "**", "b", "a *b and x"),  # an escaped star is text
        ("```py\nprint(1)", "\n```", "pre", "print(1)"),
        ("```py\nx\n``", "`", "pre", "x"),  # its closing fence is half written
        ("- item\n  ```\n  code", "\n  ```", "pre", "code"),  # a fence inside a list
        ("Steps:\n-", " " + Z, "li", "Steps:"),  # a list begun under a paragraph
    ],
)
def test_an_open_construct_is_closed_and_drawn_as_it_will_be(
    tail: str, closers: str, tag: str, shown: str
) -> None:
    closed = closed_tentatively(tail)
    assert closed == tail + closers
    html = render_markdown(closed).html
    assert tag in tags(html)
    text = visible_text(html)
    assert shown in text
    for marker in ("**", "~~", "[", "`"):  # no stray marker
        assert marker not in text or marker in shown


@pytest.mark.parametrize(
    ("tail", "closers"),
    [
        ("| Step | Owner |", "\n|---|---|"),  # the header alone: its rule is added
        ("| Step | Owner |\n", "|---|---|"),
        ("| Step | Own", "\n|---|---|"),  # the header still arriving
        ("| Step | Owner |\n|---|", "---|"),  # the rule arriving
        ("| Step | Owner |\n| :", "-|---|"),
        ("| Step | Owner |\n---", "|---|"),  # not a heading underline: a table's rule
        ("| Step | Owner |\n|---|---|\n| a | **b", "**"),  # a row: its bold closed
    ],
)
def test_a_table_shows_as_a_table_from_its_header_row(tail: str, closers: str) -> None:
    closed = closed_tentatively(tail)
    assert closed == tail + closers
    html = render_markdown(closed).html
    assert "table" in tags(html)
    text = visible_text(html)
    assert "|" not in text
    assert "---" not in text
    assert "**" not in text
    assert "Step" in text


@pytest.mark.parametrize(
    "tail",
    [
        "The price is $4 and $5",  # currency, not a formula
        "Formula $x^2 + y",  # an open formula is left to arrive
        "2 * 3 = 6 and a_b_c",
        "snake_case_",
        "[text]",  # may be literal brackets: it is left as it is
        "a \\",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "```\ncode\n```",
        "```\ncode\n```\n",
        "|",  # a bar with no cell text yet is no header: a rule would show as "|---|"
        "|\n",
        "| |",
    ],
)
def test_text_with_nothing_open_is_unchanged(tail: str) -> None:
    assert closed_tentatively(tail) == tail


def test_hostile_input_stays_as_it_is_or_is_closed_in_one_pass() -> None:
    assert closed_tentatively("*" * 10_000) == "*" * 10_000  # a rule of stars, not emphasis
    assert closed_tentatively("*a " * 10_000) == "*a " * 10_000  # past MAX_OPEN: hostile
    assert closed_tentatively("[" * 10_000) == "[" * 10_000
    deep = "*a " * MAX_OPEN
    assert closed_tentatively(deep) == deep + Z + "*" * MAX_OPEN
    line = "**" + "word " * 100_000
    assert closed_tentatively(line) == line + Z + "**"
    fence = "```\n" + "x = 1\n" * 50_000
    assert closed_tentatively(fence) == fence + "```"


WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta", "pi"])
PHRASE = st.lists(WORDS, min_size=1, max_size=4).map(" ".join)
INLINE = st.one_of(
    PHRASE,
    PHRASE.map("**{}**".format),
    PHRASE.map("*{}*".format),
    PHRASE.map("_{}_".format),
    PHRASE.map("~~{}~~".format),
    PHRASE.map("`{}`".format),
    PHRASE.map("[{}](https://example.com/a)".format),
    PHRASE.map("$x_{{{}}}$".format),
    PHRASE.map("**a *{}* b**".format),
)
PARAGRAPH = st.lists(INLINE, min_size=1, max_size=5).map(" ".join)
ROW = st.lists(PARAGRAPH, min_size=2, max_size=2).map(lambda cells: f"| {cells[0]} | {cells[1]} |")
HEADER = "| a | b |\n|---|---|"
BLOCK = st.one_of(
    PARAGRAPH,
    PARAGRAPH.map("# {}".format),
    PARAGRAPH.map("- {}".format),
    PARAGRAPH.map("> {}".format),
    PHRASE.map("```python\n{}\n```".format),
    st.lists(ROW, min_size=1, max_size=3).map(lambda rows: "\n".join([HEADER, *rows])),
)
COMPLETE = st.lists(BLOCK, min_size=1, max_size=6).map("\n\n".join)
# Raw characters of every construct, to break them at any point.
RAW = st.text(alphabet="`~*_[]()<>|-:$\\#!\n ab1.", max_size=200)
SOME = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SOME
@given(COMPLETE)
def test_an_already_complete_text_is_unchanged(text: str) -> None:
    assert closed_tentatively(text) == text


@SOME
@given(st.one_of(RAW, COMPLETE), st.data())
def test_closing_never_drops_or_reorders_a_character(text: str, data: st.DataObject) -> None:
    cut = text[: data.draw(st.integers(0, len(text)))]  # the tail as it stands mid-stream
    assert closed_tentatively(cut).startswith(cut)


@SOME
@given(COMPLETE, st.data())
def test_a_tail_cut_anywhere_shows_no_emphasis_marker(text: str, data: st.DataObject) -> None:
    cut = text[: data.draw(st.integers(0, len(text)))]
    shown = visible_text(render_markdown(closed_tentatively(cut)).html)
    assert "**" not in shown
    assert "~~" not in shown
    assert "|---" not in shown


def test_a_long_tail_is_formatted_again_once_it_has_grown_by_an_eighth() -> None:
    short, long = "x" * 100, "x" * (LONG_TAIL * 2)
    assert tail_due(short, None)
    assert tail_due(short + "y", short)
    assert not tail_due(short, short)
    assert not tail_due(long + "y" * 10, long)
    assert tail_due(long + "y" * (len(long) // 7), long)
