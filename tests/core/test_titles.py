"""Titles made after the first answer: in the background, never over the user's own."""

from __future__ import annotations

import dataclasses

import pytest

from chatdesk.configuration import Configuration
from chatdesk.core.chat.events import ThreadUpdated
from chatdesk.core.chat.titles import clean_title
from chatdesk.core.config import ChatSettings
from chatdesk.core.prompts import TITLE_INSTRUCTIONS
from chatdesk.core.providers.base import ChatRequest, ErrorKind, ProviderError
from chatdesk.core.service import ChatService
from tests.conftest import ServiceFactory
from tests.core.test_summaries import Heard, Mock

pytestmark = pytest.mark.asyncio

QUESTION = "Could you explain how a B-tree keeps itself balanced when keys are inserted?"


def is_title(request: ChatRequest) -> bool:
    return request.messages[0].content == TITLE_INSTRUCTIONS


@pytest.fixture
def mock(config: Configuration) -> Mock:
    return Mock(config, watches=is_title)


@pytest.fixture
def service(make_service: ServiceFactory, mock: Mock) -> ChatService:
    return make_service(mock=mock)


async def test_the_first_answer_names_the_thread(service: ChatService, mock: Mock) -> None:
    heard = Heard(service)
    turn = await service.send_new(QUESTION)
    assert turn.answer.thread_id
    provisional = (await service.get_thread(turn.answer.thread_id)).title
    assert provisional == QUESTION[:59].rstrip() + "…"
    await service.wait_for_answer(turn.answer.id)
    renamed = await heard.first(ThreadUpdated, lambda e: e.thread.title != provisional)
    assert renamed.thread.title == "Explain how a B-tree keeps itself"
    assert not renamed.thread.title_set_by_user
    [request] = mock.watched()
    assert QUESTION in request.messages[1].content  # the model saw the question and answer
    assert "Assistant: " in request.messages[1].content


async def test_a_passage_quoted_first_is_not_the_title(service: ChatService, mock: Mock) -> None:
    """The quick window sends the selected text quoted, then the question: the chat is named
    by the question, as the user asked it, before and after the model names it."""
    heard = Heard(service)
    passage = "> The WAL checkpoint runs after every 1000 pages;\n> readers never block writers."
    question = "What would checkpoint starvation look like on a busy server?"
    turn = await service.send_new(f"{passage}\n\n{question}")
    provisional = (await service.get_thread(turn.answer.thread_id)).title
    assert provisional == question
    await service.wait_for_answer(turn.answer.id)
    renamed = await heard.first(ThreadUpdated, lambda e: e.thread.title != provisional)
    assert renamed.thread.title == "What would checkpoint starvation look like"
    [request] = mock.watched()
    assert "readers never block writers" in request.messages[1].content  # the model saw it

    quoted_only = await service.send_new("> Only a passage,\n>\n> > quoted twice")
    title = (await service.get_thread(quoted_only.answer.thread_id)).title
    assert title == "Only a passage, quoted twice"
    marks_only = await service.send_new(">")
    assert (await service.get_thread(marks_only.answer.thread_id)).title == ">"


async def test_a_short_first_message_is_title_enough(service: ChatService, mock: Mock) -> None:
    turn = await service.send_new("What is a B-tree?")
    await service.wait_for_answer(turn.answer.id)
    await service.settle()
    assert mock.watched() == []
    assert (await service.get_thread(turn.answer.thread_id)).title == "What is a B-tree?"


async def test_a_rename_while_the_title_is_made_wins(service: ChatService, mock: Mock) -> None:
    mock.gate.clear()
    turn = await service.send_new(QUESTION)
    await service.wait_for_answer(turn.answer.id)
    await mock.asked.wait()
    await service.rename_thread(turn.answer.thread_id, "B-trees, my notes")
    mock.gate.set()
    await service.settle()
    thread = await service.get_thread(turn.answer.thread_id)
    assert (thread.title, thread.title_set_by_user) == ("B-trees, my notes", True)


async def test_a_thread_named_before_its_first_answer_is_not_renamed(
    service: ChatService, mock: Mock
) -> None:
    thread = await service.create_thread(title="Reading list")
    turn = await service.send(thread.id, QUESTION)
    await service.wait_for_answer(turn.answer.id)
    await service.settle()
    assert mock.watched() == []
    assert (await service.get_thread(thread.id)).title == "Reading list"


async def test_only_the_first_answer_names_the_thread(service: ChatService, mock: Mock) -> None:
    turn = await service.send_new(QUESTION)
    await service.wait_for_answer(turn.answer.id)
    await service.settle()
    again = await service.regenerate(turn.answer.id)
    await service.wait_for_answer(again.answer.id)
    await service.send(turn.answer.thread_id, "One more long question about the very same tree?")
    await service.settle()
    assert len(mock.watched()) == 1


async def test_a_failed_title_request_leaves_the_title(service: ChatService, mock: Mock) -> None:
    mock.failures = [ProviderError(ErrorKind.SERVER, "down for maintenance")] * 2  # retried once
    turn = await service.send_new(QUESTION)
    answer = await service.wait_for_answer(turn.answer.id)
    await service.settle()
    assert len(mock.watched()) == 2  # tried, and retried once
    thread = await service.get_thread(turn.answer.thread_id)
    assert thread.title == QUESTION[:59].rstrip() + "…"
    assert (await service.get_message(answer.id)).content == answer.content


async def test_titles_can_be_turned_off(
    make_service: ServiceFactory, mock: Mock, config: Configuration
) -> None:
    settings = dataclasses.replace(
        config.settings, chat=dataclasses.replace(ChatSettings(), auto_titles=False)
    )
    service = make_service(settings, mock=mock)
    turn = await service.send_new(QUESTION)
    await service.wait_for_answer(turn.answer.id)
    await service.settle()
    assert mock.watched() == []


@pytest.mark.parametrize(
    ("said", "title"),
    [
        ('"B-Tree Balancing Explained."', "B-Tree Balancing Explained"),
        ("Title: **Rebalancing B-trees**\n\nHope that helps!", "Rebalancing B-trees"),
        ("  \n# Why is the sky blue?  ", "Why is the sky blue?"),
        ("«Les arbres B»", "Les arbres B"),
        ("", ""),
        ("x" * 80, "x" * 59 + "…"),
    ],
)
async def test_what_a_model_says_is_cleaned_into_a_title(said: str, title: str) -> None:
    assert clean_title(said) == title
