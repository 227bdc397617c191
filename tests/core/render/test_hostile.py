"""Hostile model output: nothing executes, nothing loads, the text survives.

How long each input takes is the benchmark `render`'s to say (benchmarks/render.py); here a
path that hangs ends in the suite's timeout.
"""

from __future__ import annotations

import pytest

from chatdesk.core.render import render_markdown
from tests.core.render.hostile_corpus import CORPUS
from tests.core.render.html_checks import assert_safe, visible_text


@pytest.mark.parametrize(("text", "shown"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_hostile_input_is_safe_and_visible(text: str, shown: str | None) -> None:
    rendered = render_markdown(text)
    assert_safe(rendered)
    if shown is not None:
        assert shown in visible_text(rendered.html)


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 30
