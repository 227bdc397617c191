"""A tool server's question with lists to pick from, on the terminal (the terminal's asker, its
input typed in): the choices listed numbered, how many to pick said, numbers, values or titles
taken separated by commas, a wrong answer asked again with the reason, the default kept on
Enter; the answer holds the values, not the titles."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping

import pytest

from chatdesk.cli.questions import TerminalAsker
from chatdesk.core.tools.questions import Action, Question, form_of
from tests.core.mcp_parts.multi import EVERYTHING
from tests.core.test_mcp_multi_select import TITLED, UNTITLED


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Lines the person types, read by `input` in order; stdin is a terminal."""
    lines: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _prompt="": lines.pop(0))
    return lines


def _question(schema: Mapping[str, object]) -> Question:
    fields = form_of(schema)
    assert not isinstance(fields, str), fields
    return Question("music", "Tell us what you like", fields)


def test_choices_are_listed_numbered_and_picked_by_number_value_or_title(
    typed: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    schema = {"type": "object", "properties": {"instruments": UNTITLED, "fish": TITLED}}
    typed += ["1, 1", "Banjo", "1,2,3,4", "Piano, 5", "2, Trout", ""]
    answer = asyncio.run(TerminalAsker().ask(_question(schema)))
    assert answer.action is Action.ACCEPT
    assert dict(answer.values) == {"instruments": ("Piano", "Bass"), "fish": ("fish-2", "fish-3")}
    said = capsys.readouterr().err
    assert "  1. Guitar\n  2. Piano\n  3. Violin\n  4. Drums\n  5. Bass\n" in said
    assert "  1. Tuna\n  2. Salmon\n  3. Trout\n" in said  # the titles shown
    assert "Pick 1 to 3 (numbers or choices, separated by commas)" in said
    assert "pick each choice only once" in said
    assert "pick only from the choices" in said
    assert "pick at most 3" in said


def test_enter_keeps_the_default_shown_by_its_titles(
    typed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts: list[str] = []

    def answer(prompt: str = "") -> str:
        prompts.append(prompt)
        return typed.pop(0)

    monkeypatch.setattr("builtins.input", answer)
    typed += ["", ""]
    schema = {"type": "object", "properties": {"fish": TITLED}}
    said = asyncio.run(TerminalAsker().ask(_question(schema)))
    assert dict(said.values) == {"fish": ("fish-1",)}
    assert prompts[0] == "fish [Tuna]: "


def test_the_everything_servers_whole_form_is_asked_on_a_terminal(typed: list[str]) -> None:
    typed += ["Ada"] + [""] * 12 + ["y"]  # a name, every default kept, sent
    answer = asyncio.run(TerminalAsker().ask(_question(EVERYTHING)))
    assert answer.action is Action.ACCEPT
    assert answer.values["untitledMultipleSelectEnum"] == ("Guitar",)
    assert answer.values["titledMultipleSelectEnum"] == ("fish-1",)
    assert answer.values["name"] == "Ada"
