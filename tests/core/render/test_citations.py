"""An answer's citations of its sources as links the window opens in the passage viewer: only
numbers of its own sources, only in text (not code, not a link's text), and a model cannot
write such a link itself."""

from __future__ import annotations

from chatdesk.core.render import RenderOptions, render_markdown
from chatdesk.core.trust.links import classify_link
from tests.core.render.html_checks import assert_safe, hrefs, visible_text

CITED = RenderOptions(citations=frozenset({1, 2}))


def test_each_citation_of_a_source_becomes_a_link() -> None:
    rendered = render_markdown("Tyres take 2.4 bar [1], or more [1][2]; see [1, 2].", CITED)
    assert hrefs(rendered.html) == [f"chatdesk:cite/{n}" for n in (1, 1, 2, 1, 2)]
    assert visible_text(rendered.html) == "Tyres take 2.4 bar [1], or more [1][2]; see [1, 2]."
    assert '<a href="chatdesk:cite/1">[1]</a>' in rendered.html  # the whole bracket is the target
    assert_safe(rendered)


def test_a_number_with_no_source_and_an_answer_without_sources_stay_text() -> None:
    assert hrefs(render_markdown("see [3] and [2, 3]", CITED).html) == ["chatdesk:cite/2"]
    assert hrefs(render_markdown("see [1] and [1, 2]").html) == []


def test_code_formulas_and_link_texts_are_never_cited() -> None:
    text = "`[1]` and\n\n```\nx = [1]\n```\n\n[2](https://example.com/a) and $[1]$ and [not 1]"
    rendered = render_markdown(text, CITED)
    assert hrefs(rendered.html) == ["chatdesk:copy-code/0", "https://example.com/a"]


def test_a_citation_link_written_by_the_model_is_refused() -> None:
    rendered = render_markdown("[look](chatdesk:cite/1)", CITED)
    assert hrefs(rendered.html) == []
    assert "(chatdesk:cite/1)" in visible_text(rendered.html)  # shown as text, as other schemes
    assert classify_link("chatdesk:cite/1").kind == "action"  # the window's own, not external
    assert classify_link("chatdesk:cite/1/../x").kind == "refused"


def test_html_in_the_text_around_a_citation_stays_text() -> None:
    rendered = render_markdown("<b>bold</b> [1] & <i>x</i>", CITED)
    assert "<b>" not in rendered.html
    assert visible_text(rendered.html) == "<b>bold</b> [1] & <i>x</i>"
    assert hrefs(rendered.html) == ["chatdesk:cite/1"]
