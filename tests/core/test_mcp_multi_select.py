"""Questions that ask for some of a list (MCP's multi-select elicitation): the two shapes of the
2025-11-25 schema read into a form, an answer checked (only the choices, each once, as many as
the bounds allow), typed answers read, and the reference "everything" server's whole form asked
and answered against the test server (`tests/core/mcp_server.py` with `mcp_parts/multi.py`) run
as its own process over stdio and over Streamable HTTP; the server gets JSON arrays."""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from chatdesk.configuration import Configuration
from chatdesk.core.tools.questions import (
    Answer,
    Field,
    Kind,
    Question,
    Value,
    form_of,
    parsed,
    pick_hint,
    problem,
    problems,
)
from chatdesk.core.tools.servers import ServerConfig
from chatdesk.core.tools.service import Tools
from tests.core.mcp_helpers import over, tools_with
from tests.core.mcp_parts.multi import EVERYTHING
from tests.core.test_mcp_asks import Person, _call

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

UNTITLED = {
    "type": "array",
    "items": {"type": "string", "enum": ["Guitar", "Piano", "Violin", "Drums", "Bass"]},
    "minItems": 1,
    "maxItems": 3,
    "default": ["Guitar"],
}
TITLED = {
    "type": "array",
    "items": {
        "anyOf": [
            {"const": "fish-1", "title": "Tuna"},
            {"const": "fish-2", "title": "Salmon"},
            {"const": "fish-3", "title": "Trout"},
        ]
    },
    "minItems": 1,
    "maxItems": 3,
    "default": ["fish-1"],
}


def _one(described: dict[str, object]) -> Field:
    fields = form_of({"type": "object", "properties": {"x": described}})
    assert not isinstance(fields, str), fields
    [one] = fields
    return one


# -- the form --------------------------------------------------------------------------------


def test_an_untitled_multi_select_is_read_with_its_bounds_and_default() -> None:
    one = _one(UNTITLED)
    assert one.kind is Kind.CHOICES
    assert one.options == ("Guitar", "Piano", "Violin", "Drums", "Bass")
    assert one.option_titles == one.options  # shown as the values
    assert (one.minimum, one.maximum, one.default) == (1, 3, ("Guitar",))


def test_a_titled_multi_select_shows_titles_and_sends_values() -> None:
    one = _one(TITLED)
    assert one.kind is Kind.CHOICES
    assert one.options == ("fish-1", "fish-2", "fish-3")
    assert one.option_titles == ("Tuna", "Salmon", "Trout")
    assert one.default == ("fish-1",)


@pytest.mark.parametrize(
    "described",
    [
        {"type": "array"},  # nothing to pick from
        {"type": "array", "items": {"type": "string"}},  # any text: not a list of choices
        {"type": "array", "items": {"type": "number", "enum": [1, 2]}},
        {"type": "array", "items": {"type": "object", "properties": {}}},
    ],
)
def test_a_list_that_is_not_of_choices_is_not_asked(described: dict[str, object]) -> None:
    said = form_of({"type": "object", "properties": {"x": described}})
    assert said == "its value x is not one chatdesk can ask for"


def test_a_default_that_is_not_a_list_of_text_is_left_out() -> None:
    assert _one(UNTITLED | {"default": "Guitar"}).default is None
    assert _one(UNTITLED | {"default": [1]}).default is None


def test_the_everything_servers_whole_form_is_one_chatdesk_can_ask() -> None:
    fields = form_of(EVERYTHING)
    assert not isinstance(fields, str), fields
    kinds = {f.name: f.kind for f in fields}
    assert kinds["untitledMultipleSelectEnum"] is Kind.CHOICES
    assert kinds["titledMultipleSelectEnum"] is Kind.CHOICES
    assert kinds["titledSingleSelectEnum"] is Kind.CHOICE
    assert kinds["legacyTitledEnum"] is Kind.CHOICE
    assert len(fields) == len(EVERYTHING["properties"]) == 13


# -- an answer -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (("Guitar",), ""),
        (("Guitar", "Piano", "Bass"), ""),
        (["Piano"], ""),  # a list from an asker is taken as well
        ((), "pick at least 1"),
        (("Guitar", "Piano", "Violin", "Drums"), "pick at most 3"),
        (("Guitar", "Guitar"), "pick each choice only once"),
        (("Guitar", "Banjo"), "pick only from the choices"),
        ("Guitar", "a list of choices is expected"),
        ((1, 2), "a list of choices is expected"),
        (True, "a list of choices is expected"),
    ],
)
def test_an_answer_is_only_the_choices_each_once_within_the_bounds(value: Value, said: str) -> None:
    assert problem(_one(UNTITLED), value) == said


def test_a_titled_answer_is_its_values_not_its_titles() -> None:
    one = _one(TITLED)
    assert problem(one, ("fish-2", "fish-3")) == ""
    assert problem(one, ("Tuna",)) == "pick only from the choices"


def test_a_required_multi_select_left_out_is_said_so() -> None:
    fields = form_of({"type": "object", "properties": {"x": UNTITLED}, "required": ["x"]})
    assert not isinstance(fields, str)
    assert problems(fields, {}) == {"x": "an answer is required"}
    assert problems(fields, {"x": ("Bass",)}) == {}


def test_the_bounds_are_said_to_the_person() -> None:
    assert pick_hint(_one(UNTITLED)) == "Pick 1 to 3"
    assert pick_hint(_one(UNTITLED | {"minItems": 2, "maxItems": 2})) == "Pick 2"
    assert pick_hint(_one(UNTITLED | {"maxItems": None, "minItems": 2})) == "Pick at least 2"
    assert pick_hint(_one(UNTITLED | {"minItems": 0, "maxItems": 1})) == "Pick at most 1"
    assert pick_hint(_one({k: v for k, v in UNTITLED.items() if "Items" not in k})) == ""


def test_typed_choices_are_numbers_values_or_titles_separated_by_commas() -> None:
    one = _one(TITLED)
    assert parsed(one, "1, Trout") == ("fish-1", "fish-3")
    assert parsed(one, "fish-2,") == ("fish-2",)
    assert parsed(one, "9, Carp") == ("9", "Carp")  # kept as typed: not a choice
    assert problem(one, ("9", "Carp")) == "pick only from the choices"


# -- against a real server -------------------------------------------------------------------


@pytest.fixture(params=["stdio", "http"])
def server(request: pytest.FixtureRequest) -> Iterator[ServerConfig]:
    yield from over(request.param)


@pytest_asyncio.fixture
async def tools(
    config: Configuration, tmp_path: Path, server: ServerConfig
) -> AsyncIterator[Tools]:
    async for made in tools_with(config, tmp_path, server):
        yield made


ANSWER: dict[str, Value] = {
    "name": "Ada Lovelace",
    "untitledMultipleSelectEnum": ("Piano", "Drums"),
    "titledMultipleSelectEnum": ("fish-2", "fish-3"),
}


@pytest.mark.asyncio
async def test_the_everything_form_is_asked_and_the_server_gets_the_lists(tools: Tools) -> None:
    tools.asker = person = Person(Answer.accept(ANSWER))
    said = await _call(tools, "ask_everything")
    assert said.startswith("accept "), said
    assert json.loads(said.removeprefix("accept ")) == {
        "name": "Ada Lovelace",
        "untitledMultipleSelectEnum": ["Piano", "Drums"],
        "titledMultipleSelectEnum": ["fish-2", "fish-3"],
    }
    [question] = person.asked
    assert len(question.fields) == 13  # the whole form, nothing declined


@pytest.mark.asyncio
async def test_too_many_picked_goes_back_to_the_person_and_is_never_sent(tools: Tools) -> None:
    many = ANSWER | {"untitledMultipleSelectEnum": ("Guitar", "Piano", "Violin", "Bass")}

    def again(question: Question) -> Answer:
        assert "untitledMultipleSelectEnum: pick at most 3" in question.refused
        return Answer.accept(ANSWER)

    tools.asker = person = Person(Answer.accept(many), again)
    said = await _call(tools, "ask_everything")
    assert json.loads(said.removeprefix("accept "))["untitledMultipleSelectEnum"] == [
        "Piano",
        "Drums",
    ]
    assert len(person.asked) == 2


@pytest.mark.asyncio
async def test_an_older_servers_multi_select_question_is_answered_with_the_lists(
    tools: Tools, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the 2026-07-28 protocol the question is a request of its own."""
    import mcp

    monkeypatch.setattr(mcp, "Client", functools.partial(mcp.Client, mode="legacy"))
    tools.asker = Person(Answer.accept(ANSWER))
    said = await _call(tools, "ask_everything")
    assert json.loads(said.removeprefix("accept "))["titledMultipleSelectEnum"] == [
        "fish-2",
        "fish-3",
    ]
